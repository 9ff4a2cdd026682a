package audit

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"time"
)

// ForwardConfig configures a Forwarder. Addr and Clock are required; the
// zero values of the rest mean: plain TCP, a queue of 4096 entries, HOSTNAME
// "-", APP-NAME "fairrec", backoff from 1 s doubling to 5 min, a 10 s dial
// and handshake timeout, net.Dialer, no local drop record, a discarding
// logger.
type ForwardConfig struct {
	Addr  string // host:port of the syslog server (TCP)
	Clock Clock
	// TLS, if set, makes the transport syslog over TLS (RFC 5425: the same
	// octet-counting framing inside a TLS session). An empty ServerName is
	// taken from Addr's host, so the server's certificate is checked
	// against the name the installer gave; set RootCAs to trust a private
	// CA. nil means plain TCP, which anyone on the path can read and alter.
	TLS      *tls.Config
	Queue    int    // most entries held while the server is unreachable
	Hostname string // RFC 5424 HOSTNAME: printable ASCII, no spaces
	AppName  string

	MinBackoff, MaxBackoff time.Duration
	DialTimeout            time.Duration
	// Dial opens the TCP connection; with TLS set, the handshake runs on
	// the connection it returns.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// Recorder, if set, gets an ActionForwardDropped entry each time a drop
	// marker has been delivered, so the local log says when the central
	// copy became incomplete. Usually the *Log that feeds this Forwarder.
	Recorder Recorder
	Logger   *slog.Logger
}

// ForwardStats counts what a Forwarder did.
type ForwardStats struct {
	Queued    int    // entries waiting now
	Sent      uint64 // entries written to a connection
	Dropped   uint64 // entries dropped because the queue was full
	Connected bool
}

// Forwarder sends entries to a syslog server as RFC 5424 messages over TLS
// (RFC 5425) or plain TCP, with octet-counting framing (RFC 6587 section
// 3.4.1). It implements Sink.
//
// Entries wait in a bounded queue. When it is full the OLDEST entry is
// dropped: the local log keeps every entry anyway, and what the central
// server is missing is the old part it can fetch from the box by export,
// while fresh events (a tamper alarm) still get through. Drops are counted,
// and before the next entry the server receives a drop marker (MSGID
// "dropped") naming the count and the first and last dropped seq.
//
// Delivery is at most once: TCP syslog has no acknowledgement, so an entry
// written just before the connection breaks may be lost; every message
// carries its seq, so the server can see the gap. Writes have no deadline
// (deadlines are wall-clock times, and time here comes from the Clock): a
// server that accepts but stops reading stalls forwarding until ctx ends or
// the server closes, while the queue bounds the memory used. Entries recorded
// before Run starts wait in the queue; entries from before a restart are not
// re-sent (export them).
type Forwarder struct {
	cfg  ForwardConfig
	log  *slog.Logger
	wake chan struct{}

	mu       sync.Mutex
	ring     []Entry // capacity cfg.Queue
	start, n int
	pending  dropRange // dropped, marker not yet sent
	stats    ForwardStats
	unlogged uint64 // drops whose marker was sent but not yet recorded locally
}

type dropRange struct{ n, first, last uint64 }

func (d dropRange) merge(o dropRange) dropRange {
	switch {
	case d.n == 0:
		return o
	case o.n == 0:
		return d
	}
	return dropRange{n: d.n + o.n, first: min(d.first, o.first), last: max(d.last, o.last)}
}

// NewForwarder checks cfg and returns a Forwarder; start it with Run.
func NewForwarder(cfg ForwardConfig) (*Forwarder, error) {
	if cfg.Addr == "" || cfg.Clock == nil {
		return nil, errors.New("audit: forwarder: Addr and Clock are required")
	}
	if cfg.Queue <= 0 {
		cfg.Queue = 4096
	}
	if cfg.Hostname == "" {
		cfg.Hostname = "-"
	}
	if cfg.AppName == "" {
		cfg.AppName = "fairrec"
	}
	for _, f := range []struct {
		name, v string
		max     int
	}{{"hostname", cfg.Hostname, 255}, {"app name", cfg.AppName, 48}} {
		if !printASCII(f.v) || len(f.v) > f.max {
			return nil, fmt.Errorf("audit: forwarder: %s %q must be 1..%d printable ASCII characters", f.name, f.v, f.max)
		}
	}
	if cfg.MinBackoff <= 0 {
		cfg.MinBackoff = time.Second
	}
	if cfg.MaxBackoff < cfg.MinBackoff {
		cfg.MaxBackoff = max(5*time.Minute, cfg.MinBackoff)
	}
	if cfg.DialTimeout <= 0 {
		cfg.DialTimeout = 10 * time.Second
	}
	if cfg.Dial == nil {
		d := &net.Dialer{Timeout: cfg.DialTimeout}
		cfg.Dial = d.DialContext
	}
	if cfg.TLS != nil {
		cfg.TLS = cfg.TLS.Clone()
		if cfg.TLS.ServerName == "" {
			host, _, err := net.SplitHostPort(cfg.Addr)
			if err != nil {
				return nil, fmt.Errorf("audit: forwarder: address %q: %w", cfg.Addr, err)
			}
			cfg.TLS.ServerName = host
		}
		cfg.TLS.MinVersion = max(cfg.TLS.MinVersion, tls.VersionTLS12) // RFC 5425 bis (RFC 9662)
	}
	f := &Forwarder{cfg: cfg, log: cfg.Logger, wake: make(chan struct{}, 1), ring: make([]Entry, cfg.Queue)}
	if f.log == nil {
		f.log = slog.New(slog.DiscardHandler)
	}
	return f, nil
}

// Enqueue queues e for sending. It never blocks; when the queue is full the
// oldest entry is dropped.
func (f *Forwarder) Enqueue(e Entry) {
	f.mu.Lock()
	if f.n == len(f.ring) {
		f.dropOldestLocked()
	}
	f.ring[(f.start+f.n)%len(f.ring)] = e
	f.n++
	f.mu.Unlock()
	f.poke()
}

func (f *Forwarder) dropOldestLocked() {
	old := f.ring[f.start]
	f.ring[f.start] = Entry{}
	f.start = (f.start + 1) % len(f.ring)
	f.n--
	f.stats.Dropped++
	f.pending = f.pending.merge(dropRange{n: 1, first: old.Seq, last: old.Seq})
}

func (f *Forwarder) poke() {
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

// Stats returns the counters.
func (f *Forwarder) Stats() ForwardStats {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.stats
	s.Queued = f.n
	return s
}

// Run connects, sends, and reconnects with exponential backoff (timed by the
// Clock) until ctx ends; it returns ctx.Err().
func (f *Forwarder) Run(ctx context.Context) error {
	backoff := f.cfg.MinBackoff
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		conn, err := f.dial(ctx)
		if err == nil {
			backoff = f.cfg.MinBackoff
			f.setConnected(true)
			err = f.serve(ctx, conn)
			f.setConnected(false)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		f.log.Warn("audit: syslog forwarding", "addr", f.cfg.Addr, "err", err, "retry", backoff)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-f.cfg.Clock.After(backoff):
		}
		backoff = min(2*backoff, f.cfg.MaxBackoff)
	}
}

// dial opens a connection to the server, with the TLS handshake done when
// TLS is configured. The handshake is bounded by DialTimeout on the Clock: a
// server that accepts but never answers must not stall reconnecting.
func (f *Forwarder) dial(ctx context.Context) (net.Conn, error) {
	conn, err := f.cfg.Dial(ctx, "tcp", f.cfg.Addr)
	if err != nil || f.cfg.TLS == nil {
		return conn, err
	}
	tc := tls.Client(conn, f.cfg.TLS)
	hctx, cancel := context.WithCancel(ctx)
	timer := make(chan struct{})
	go func() {
		defer close(timer)
		select {
		case <-f.cfg.Clock.After(f.cfg.DialTimeout):
			cancel()
		case <-hctx.Done():
		}
	}()
	err = tc.HandshakeContext(hctx)
	cancel()
	<-timer
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("tls handshake with %s: %w", f.cfg.Addr, err)
	}
	return tc, nil
}

func (f *Forwarder) setConnected(c bool) {
	f.mu.Lock()
	f.stats.Connected = c
	f.mu.Unlock()
}

var errPeerClosed = errors.New("server closed the connection")

// serve writes queued messages to conn until it breaks or ctx ends. A reader
// goroutine notices when the server closes the connection (a syslog server
// never sends), so that no entry is written into a connection known dead.
func (f *Forwarder) serve(ctx context.Context, conn net.Conn) error {
	dead := make(chan struct{})
	go func() {
		io.Copy(io.Discard, conn)
		close(dead)
	}()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer func() {
		stop()
		conn.Close()
		<-dead
	}()
	for {
		if err := f.recordDrops(); err != nil {
			f.log.Warn("audit: recording forward drop", "err", err)
		}
		select {
		case <-dead:
			return errPeerClosed
		default:
		}
		msg, undo, ok := f.next()
		if !ok {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-dead:
				return errPeerClosed
			case <-f.wake:
				continue
			}
		}
		frame := append(strconv.AppendInt(nil, int64(len(msg)), 10), ' ')
		if _, err := conn.Write(append(frame, msg...)); err != nil {
			undo()
			return err
		}
	}
}

// next takes the next message off the queue: a pending drop marker first,
// else the oldest entry. undo puts it back after a failed write.
func (f *Forwarder) next() (msg []byte, undo func(), ok bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if d := f.pending; d.n > 0 {
		f.pending = dropRange{}
		f.unlogged += d.n
		return f.formatDrop(d), func() {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.pending = f.pending.merge(d)
			f.unlogged -= d.n
		}, true
	}
	if f.n == 0 {
		return nil, nil, false
	}
	e := f.ring[f.start]
	f.ring[f.start] = Entry{}
	f.start = (f.start + 1) % len(f.ring)
	f.n--
	f.stats.Sent++
	return formatEntry(e, f.cfg.Hostname, f.cfg.AppName), func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.stats.Sent--
		if f.n == len(f.ring) { // refilled meanwhile: e is the oldest, so it goes
			f.stats.Dropped++
			f.pending = f.pending.merge(dropRange{n: 1, first: e.Seq, last: e.Seq})
			return
		}
		f.start = (f.start - 1 + len(f.ring)) % len(f.ring)
		f.ring[f.start] = e
		f.n++
	}, true
}

// recordDrops writes the local ActionForwardDropped entry for markers sent.
// It runs without f.mu held: the Recorder (the Log) calls Enqueue. It waits
// until the queue has room, or the record itself would push out the oldest
// entry and cause the next drop.
func (f *Forwarder) recordDrops() error {
	f.mu.Lock()
	n := f.unlogged
	if f.n == len(f.ring) {
		n = 0
	}
	f.unlogged -= n
	f.mu.Unlock()
	if n == 0 || f.cfg.Recorder == nil {
		return nil
	}
	detail := "syslog queue full, oldest entries not forwarded"
	if n <= 99999 {
		detail += fmt.Sprintf("; count=%d", n)
	}
	return f.cfg.Recorder.Record(Entry{Actor: Actor{Kind: ActorDevice}, Action: ActionForwardDropped, Detail: detail})
}

func printASCII(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 33 || s[i] > 126 {
			return false
		}
	}
	return true
}
