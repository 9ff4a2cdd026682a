package console_test

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"fairrec/firmware/console"
)

// fakeSystem is a System with fixed answers.
type fakeSystem struct {
	status console.Status
	recs   []console.Recording
	err    error
}

func (f fakeSystem) Status() console.Status                   { return f.status }
func (f fakeSystem) Recordings() ([]console.Recording, error) { return f.recs, f.err }

var twoLines = fakeSystem{
	status: console.Status{
		Board:   "sim",
		Storage: "open, 1 recording",
		Audio:   "default, 48000 Hz, 2 in/3 out",
		Xruns:   7,
		Uptime:  90 * time.Second,
		Review:  "recording r41 playing under quality: 1.0s of 12.0s",
		Lines: []console.Line{
			{N: 1},
			{N: 2, OffHook: true, Recording: "r42", Recorded: 3200 * time.Millisecond},
		},
	},
	recs: []console.Recording{
		{ID: "r41", Line: 1, Start: time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC), Duration: 12 * time.Second, Sealed: true,
			Purposes: []string{"quality until 2027-02-25", "training until 2026-12-27"}},
		{ID: "r42", Line: 2, Start: time.Date(2026, 11, 27, 3, 1, 0, 0, time.UTC), Duration: 3 * time.Second, Approximate: true},
	},
}

// session is a console on an in-memory duplex stream: the test types into
// in and reads the console's answers from out.
type session struct {
	t    *testing.T
	in   *io.PipeWriter
	mu   sync.Mutex
	out  strings.Builder
	errc chan error
	c    *console.Console
	stop context.CancelFunc
}

type duplex struct {
	*io.PipeReader
	io.Writer
}

func (d duplex) Close() error { return d.PipeReader.Close() }

func start(t *testing.T, cfg console.Config) *session {
	t.Helper()
	return startOn(t, cfg, func(d duplex) io.ReadWriter { return d })
}

// startOn is start on the stream wrap makes of the in-memory one.
func startOn(t *testing.T, cfg console.Config, wrap func(duplex) io.ReadWriter) *session {
	t.Helper()
	inR, inW := io.Pipe()
	s := &session{t: t, in: inW, errc: make(chan error, 1)}
	s.c = console.New(wrap(duplex{inR, writerFunc(s.write)}), cfg)
	ctx, cancel := context.WithCancel(context.Background())
	s.stop = cancel
	go func() { s.errc <- s.c.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		inW.Close()
		select {
		case <-s.errc:
		case <-time.After(5 * time.Second):
			t.Error("console did not stop")
		}
	})
	return s
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func (s *session) write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.out.Write(p)
}

func (s *session) output() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.out.String()
}

func (s *session) typ(text string) {
	s.t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.in.Write([]byte(text))
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		s.t.Fatalf("console did not read %q", clip(text))
	}
}

// expect waits until the output holds want, counting from the first
// occurrence after the output's position at from.
func (s *session) expect(from int, want string) int {
	s.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		out := s.output()
		if i := strings.Index(out[from:], want); i >= 0 {
			return from + i + len(want)
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("output lacks %q; got:\n%s", want, out[from:])
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

func TestPlainCommands(t *testing.T) {
	s := start(t, console.Config{System: twoLines})
	tests := []struct {
		in   string
		want []string
	}{
		{"help\n", []string{"help", "status", "recordings"}},
		{"status\r\n", []string{"board    sim", "uptime   1m30s", "storage  open, 1 recording", "7 xruns", "line 1   on-hook, idle", "line 2   off-hook, recording r42 (3.2s)",
			"review   recording r41 playing under quality: 1.0s of 12.0s"}},
		{"  recordings  \n", []string{"r41  1     2026-11-27T03:00:00Z   12s       sealed  quality until 2027-02-25, training until 2026-12-27",
			"r42  2     ~2026-11-27T03:01:00Z  3s        open", "2 recordings"}},
		{"reboot now\n", []string{`error: unknown command "reboot"`}},
		{"status extra\n", []string{"error: status: takes no arguments"}},
	}
	pos := 0
	for _, tc := range tests {
		s.typ(tc.in)
		for _, w := range tc.want {
			pos = s.expect(pos, w)
		}
	}
	if strings.Contains(s.output(), console.DefaultPrompt) {
		t.Error("a plain console printed a prompt")
	}
}

func TestRecordingsError(t *testing.T) {
	s := start(t, console.Config{System: fakeSystem{err: errors.New("vault closed")}})
	s.typ("recordings\n")
	s.expect(0, "error: recordings: vault closed")
	s.typ("status\n")
	s.expect(0, "lines    none")
}

func TestPlainGarbage(t *testing.T) {
	s := start(t, console.Config{System: twoLines})
	s.typ(strings.Repeat("x", 5000) + "\n")
	pos := s.expect(0, "error: line too long (5000 characters; at most 256); nothing was run")
	s.typ("st\x00\x07atus\n")
	pos = s.expect(pos, "error: line contains control characters")
	s.typ("\xff\xfe\x1b[31m\n")
	pos = s.expect(pos, "error:")
	// Still answering.
	s.typ("status\n")
	s.expect(pos, "line 2")
}

func TestInteractive(t *testing.T) {
	s := start(t, console.Config{Interactive: true, System: twoLines})
	pos := s.expect(0, "type help")
	pos = s.expect(pos, console.DefaultPrompt)
	// Fix a typo with backspace, move left and right.
	s.typ("statx\x7fs\x1b[Du\x1b[C\r")
	pos = s.expect(pos, "line 2   off-hook, recording r42")
	pos = s.expect(pos, console.DefaultPrompt)
	// Arrow up recalls the last line.
	s.typ("\x1b[A\r")
	pos = s.expect(pos, "line 1   on-hook, idle")
	// Lines end with CRLF on a terminal.
	if !strings.Contains(s.output(), "idle\r\n") {
		t.Error("interactive output lacks CRLF line ends")
	}
	// A message from elsewhere (the log) lands above the prompt.
	s.c.Write([]byte("level=INFO msg=\"line 1 off hook\"\n"))
	s.expect(pos, "off hook\"\r\n"+console.DefaultPrompt)
}

func TestInteractiveInterrupt(t *testing.T) {
	for _, key := range []string{"\x03", "\x04"} {
		s := start(t, console.Config{Interactive: true})
		s.expect(0, console.DefaultPrompt)
		s.typ(key)
		select {
		case err := <-s.errc:
			if !errors.Is(err, console.ErrInterrupt) {
				t.Errorf("key %q: Run = %v, want ErrInterrupt", key, err)
			}
			s.errc <- err // for the cleanup
		case <-time.After(5 * time.Second):
			t.Fatalf("key %q did not end Run", key)
		}
	}
}

func TestStreamEndAndCancel(t *testing.T) {
	for _, interactive := range []bool{false, true} {
		s := start(t, console.Config{Interactive: interactive})
		s.in.Close()
		select {
		case err := <-s.errc:
			if err != nil {
				t.Errorf("interactive=%v: Run at end of stream = %v, want nil", interactive, err)
			}
			s.errc <- err
		case <-time.After(5 * time.Second):
			t.Fatalf("interactive=%v: end of stream did not end Run", interactive)
		}

		s = start(t, console.Config{Interactive: interactive})
		s.stop()
		select {
		case err := <-s.errc:
			if err != nil {
				t.Errorf("interactive=%v: Run after cancel = %v, want nil", interactive, err)
			}
			s.errc <- err
		case <-time.After(5 * time.Second):
			t.Fatalf("interactive=%v: cancel did not end Run", interactive)
		}
	}
}

// TestInteractiveJunk throws binary noise (a line with a loose connector, a
// wrong baud rate) at the line editor: it must neither panic nor wedge, and
// the console must still answer afterwards.
func TestInteractiveJunk(t *testing.T) {
	junks := []string{
		"\x1b" + strings.Repeat("1", 600),         // an escape that never ends
		"\x1b[200~" + strings.Repeat("\x00", 300), // a paste that never ends
		"\xef\xbf\xbd\xff\xc3",                    // U+FFFD, invalid UTF-8, a torn rune
		strings.Repeat("y", 5000),                 // longer than the editor's buffer
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 4 {
		b := make([]byte, 2000)
		for i := range b {
			b[i] = byte(rng.UintN(256))
		}
		junks = append(junks, string(b))
	}
	for i, junk := range junks {
		s := start(t, console.Config{Interactive: true, System: twoLines})
		s.expect(0, console.DefaultPrompt)
		pos := len(s.output())
		// Ctrl-C and Ctrl-D inside noise would end Run; they are what a
		// person types to leave, so strip them from random junk.
		junk = strings.NewReplacer("\x03", "", "\x04", "").Replace(junk)
		// End the junk, then erase whatever is left on the line (Ctrl-U)
		// and ask for the status.
		s.typ(junk + "\r\x15status\r")
		s.expect(pos, "line 2   off-hook")
		_ = i
	}
}

// TestInteractiveRestartAfterInterrupt is the serial console's case: after
// Ctrl-C the daemon runs the console again, which starts on a clean line
// with its history intact.
func TestInteractiveRestartAfterInterrupt(t *testing.T) {
	s := start(t, console.Config{Interactive: true, System: twoLines})
	pos := s.expect(0, console.DefaultPrompt)
	s.typ("status\r")
	pos = s.expect(pos, "line 2")
	s.typ("reco")
	pos = s.expect(pos, "reco")
	s.typ("\x03")
	if err := <-s.errc; !errors.Is(err, console.ErrInterrupt) {
		t.Fatalf("Run = %v, want ErrInterrupt", err)
	}
	pos = s.expect(pos-len("reco"), "reco^C\r\n")
	go func() { s.errc <- s.c.Run(context.Background()) }()
	pos = s.expect(pos, "type help")
	pos = s.expect(pos, console.DefaultPrompt)
	s.typ("\x1b[A\r") // history: the last line entered, not the interrupted one
	s.expect(pos, "line 1   on-hook, idle")
}

// TestCallStates: status says where each line's call is, so an installer
// sees why a line does not record.
func TestCallStates(t *testing.T) {
	sys := twoLines
	sys.status.Lines = []console.Line{
		{N: 1, OffHook: true, Phase: "notice"},
		{N: 2, OffHook: true, Phase: "dialling"},
		{N: 3, OffHook: true, Recording: "r7", Recorded: 61 * time.Second, Phase: "recording", Paused: true},
		{N: 4, OffHook: true, Phase: "confirm", Objected: true},
		{N: 5, OffHook: true, Phase: "recording", Recording: "r9", Recorded: time.Second, Objected: true, Refused: []string{"contract"}},
		{N: 6, Fault: "refuses to record: no usable notice default/nl/notice: corrupt"},
	}
	s := start(t, console.Config{System: sys})
	s.typ("status\n")
	pos := 0
	for _, w := range []string{
		"line 1   off-hook, playing the notice\n",
		"line 2   off-hook, dialling (notice on button press or after the last digit)\n",
		"line 3   off-hook, recording r7 (1m1s), PAUSED (card payment)\n",
		"line 4   off-hook, playing the objection's confirmation, not recording, objection taken\n",
		"line 5   off-hook, recording r9 (1s), objection taken (contract refused: no agreement by phone)\n",
		"line 6   on-hook, FAULT: refuses to record: no usable notice default/nl/notice: corrupt\n",
	} {
		pos = s.expect(pos, w)
	}
}
