package audit

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// syslogServer is an RFC 6587 octet-counting receiver on 127.0.0.1.
type syslogServer struct {
	t    *testing.T
	ln   net.Listener
	msgs chan string
	mu   sync.Mutex
	conn []net.Conn
	wg   sync.WaitGroup
}

func startServer(t *testing.T, addr string) *syslogServer {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	return serveOn(t, ln)
}

// serveOn is startServer on a listener of the test's making (TLS).
func serveOn(t *testing.T, ln net.Listener) *syslogServer {
	t.Helper()
	s := &syslogServer{t: t, ln: ln, msgs: make(chan string, 1000)}
	s.wg.Go(s.accept)
	t.Cleanup(s.stop)
	return s
}

func (s *syslogServer) accept() {
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		s.conn = append(s.conn, c)
		s.mu.Unlock()
		s.wg.Go(func() { s.read(c) })
	}
}

// read parses frames strictly: MSG-LEN (no leading zero) SP MSG.
func (s *syslogServer) read(c net.Conn) {
	r := bufio.NewReader(c)
	for {
		lenText, err := r.ReadString(' ')
		if err != nil {
			return
		}
		lenText = strings.TrimSuffix(lenText, " ")
		n, err := strconv.Atoi(lenText)
		if err != nil || n <= 0 || lenText[0] == '0' {
			s.t.Errorf("bad frame length %q", lenText)
			return
		}
		msg := make([]byte, n)
		if _, err := io.ReadFull(r, msg); err != nil {
			s.t.Errorf("short frame: %v", err)
			return
		}
		s.msgs <- string(msg)
	}
}

func (s *syslogServer) stop() {
	s.ln.Close()
	s.mu.Lock()
	for _, c := range s.conn {
		c.Close()
	}
	s.conn = nil
	s.mu.Unlock()
	s.wg.Wait()
}

// receive returns the next n messages; while waiting it fires the
// forwarder's backoff timer whenever one is armed.
func (s *syslogServer) receive(n int, clk interface {
	Pending() int
	Advance(time.Duration)
}) []string {
	s.t.Helper()
	var out []string
	for range 2500 {
		select {
		case m := <-s.msgs:
			out = append(out, m)
			if len(out) == n {
				return out
			}
			continue
		case <-time.After(2 * time.Millisecond):
		}
		if clk.Pending() > 0 {
			clk.Advance(time.Minute)
		}
	}
	s.t.Fatalf("received %d of %d messages: %q", len(out), n, out)
	return nil
}

var sdParam = regexp.MustCompile(`([a-z_]+)="((?:[^"\\]|\\.)*)"`)

// parsed is the part of an RFC 5424 message the tests look at.
type parsed struct {
	pri, msgid, time string
	params           map[string]string
	msg              string
}

func parse(t *testing.T, m string) parsed {
	t.Helper()
	re := regexp.MustCompile(`^<(\d{1,3})>1 (\S+) (\S+) (\S+) (\S+) (\S+) \[fairrec@32473((?: [a-z_]+="(?:[^"\\]|\\.)*")*)\](?: (.*))?$`)
	g := re.FindStringSubmatch(m)
	if g == nil {
		t.Fatalf("not an RFC 5424 message of ours: %q", m)
	}
	p := parsed{pri: g[1], time: g[2], msgid: g[6], params: map[string]string{}, msg: g[8]}
	if g[3] != "box-1" || g[4] != "fairrec" || g[5] != "-" {
		t.Errorf("header %q %q %q", g[3], g[4], g[5])
	}
	for _, kv := range sdParam.FindAllStringSubmatch(g[7], -1) {
		p.params[kv[1]] = kv[2]
	}
	return p
}

// forwarding wires a log to a forwarder on addr and runs it.
func forwarding(t *testing.T, addr string, queue int) (*Log, *Forwarder, func()) {
	t.Helper()
	return forwardingTLS(t, addr, queue, nil)
}

// forwardingTLS is forwarding over TLS with tc (nil: plain TCP).
func forwardingTLS(t *testing.T, addr string, queue int, tc *tls.Config) (*Log, *Forwarder, func()) {
	t.Helper()
	l, clk := testLog(t, nil)
	f, err := NewForwarder(ForwardConfig{Addr: addr, Clock: clk, Queue: queue, Hostname: "box-1", TLS: tc,
		MinBackoff: time.Second, MaxBackoff: 4 * time.Second, DialTimeout: time.Second, Recorder: l})
	if err != nil {
		t.Fatal(err)
	}
	l.SetSink(f)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var runErr error
	wg.Go(func() { runErr = f.Run(ctx) })
	stop := func() {
		cancel()
		wg.Wait()
		if !errors.Is(runErr, context.Canceled) {
			t.Errorf("Run = %v", runErr)
		}
	}
	t.Cleanup(stop)
	return l, f, stop
}

func TestForwardInOrder(t *testing.T) {
	srv := startServer(t, "127.0.0.1:0")
	l, _, _ := forwarding(t, srv.ln.Addr().String(), 0)
	clk := l.cfg.Clock.(clockCtl)
	const n = 20
	fill(t, l, clk.(*clockT), n)
	msgs := srv.receive(n, clk)
	all := entries(t, l)
	for i, m := range msgs {
		p := parse(t, m)
		e := all[i]
		h := e.Hash()
		want := map[string]string{"seq": fmt.Sprint(e.Seq), "actor": e.Actor.Kind.String(),
			"prev": fmt.Sprintf("%x", e.Prev), "hash": fmt.Sprintf("%x", h)}
		if e.Actor.ID != "" {
			want["actor_id"] = e.Actor.ID
		}
		if e.Recording != 0 {
			want["recording"] = fmt.Sprint(e.Recording)
		}
		if e.Purpose != "" {
			want["purpose"] = e.Purpose
		}
		if diff := cmp.Diff(want, p.params); diff != "" {
			t.Errorf("message %d params (-want +got):\n%s", i, diff)
		}
		if p.msgid != e.Action.String() || p.msg != e.Detail || p.pri != fmt.Sprint(13*8+severity(e.Action)) {
			t.Errorf("message %d: pri %s msgid %q msg %q; entry %v %q", i, p.pri, p.msgid, p.msg, e.Action, e.Detail)
		}
		if ts, err := time.Parse(time.RFC3339Nano, p.time); err != nil || !ts.Equal(e.Time) {
			t.Errorf("message %d: timestamp %q, entry %v", i, p.time, e.Time)
		}
	}
}

// TestForwardQueuesWhileDown: the server goes away, entries queue within
// the bound (the oldest dropped), and everything queued arrives, after a
// drop marker, once the server is back.
func TestForwardQueuesWhileDown(t *testing.T) {
	const queue = 5
	srv := startServer(t, "127.0.0.1:0")
	addr := srv.ln.Addr().String()
	l, f, _ := forwarding(t, addr, queue)
	clk := l.cfg.Clock.(clockCtl)
	fill(t, l, clk.(*clockT), 2)
	srv.receive(2, clk)

	srv.stop()
	waitFor(t, "the forwarder to notice", func() bool { return !f.Stats().Connected })
	for i := range 8 { // seq 3..10
		if err := l.Record(sample(i)); err != nil {
			t.Fatal(err)
		}
	}
	st := f.Stats()
	if st.Queued != queue || st.Dropped != 3 || st.Sent != 2 {
		t.Fatalf("while down: %+v, want 5 queued, 3 dropped, 2 sent", st)
	}
	// Let the forwarder fail to reconnect a few times.
	for range 3 {
		waitFor(t, "a backoff", func() bool { return clk.Pending() > 0 })
		clk.Advance(time.Minute)
	}

	srv2 := startServer(t, addr)
	msgs := srv2.receive(1+queue+1, clk)
	marker := parse(t, msgs[0])
	if marker.msgid != "dropped" || !cmp.Equal(marker.params, map[string]string{"count": "3", "first": "3", "last": "5"}) {
		t.Errorf("first message after reconnect: %q, want a drop marker for 3..5", msgs[0])
	}
	var seqs []string
	for _, m := range msgs[1:] {
		seqs = append(seqs, parse(t, m).params["seq"])
	}
	if diff := cmp.Diff([]string{"6", "7", "8", "9", "10", "11"}, seqs); diff != "" {
		t.Errorf("delivered (-want +got):\n%s", diff)
	}
	// Entry 11 is the local record of the drop.
	last := entries(t, l)[10]
	if last.Action != ActionForwardDropped || !strings.HasSuffix(last.Detail, "count=3") {
		t.Errorf("entry 11 = %v %q, want the drop recorded", last.Action, last.Detail)
	}
	if st := f.Stats(); st.Queued != 0 || st.Dropped != 3 || st.Sent != 2+queue+1 || !st.Connected {
		t.Errorf("after reconnect: %+v", st)
	}
}

func TestForwardStopsWhileDown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nobody listens
	l, f, stop := forwarding(t, addr, 3)
	clk := l.cfg.Clock.(clockCtl)
	waitFor(t, "a backoff", func() bool { return clk.Pending() > 0 })
	fill(t, l, clk.(*clockT), 10)
	if st := f.Stats(); st.Queued != 3 || st.Dropped != 7 {
		t.Errorf("stats %+v, want 3 queued and 7 dropped", st)
	}
	stop() // returns although the timer never fires
}

func TestNewForwarderChecks(t *testing.T) {
	clk := clocktestNew()
	for name, cfg := range map[string]ForwardConfig{
		"no addr":       {Clock: clk},
		"no clock":      {Addr: "127.0.0.1:1"},
		"space in host": {Addr: "127.0.0.1:1", Clock: clk, Hostname: "my box"},
	} {
		if _, err := NewForwarder(cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestSyslogEscaping(t *testing.T) {
	var b strings.Builder
	param(&b, "x", `a"b\c]d`)
	if got, want := b.String(), ` x="a\"b\\c\]d"`; got != want {
		t.Errorf("param = %s, want %s", got, want)
	}
	b.Reset()
	writeMsg(&b, "réglage")
	if got := b.String(); got != " \uFEFFréglage" {
		t.Errorf("non-ASCII MSG = %q, want a BOM first", got)
	}
}
