package console_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"fairrec/firmware/clock/clocktest"
	"fairrec/firmware/console"
)

func TestRenderLevel(t *testing.T) {
	tests := []struct {
		r    console.LevelReading
		want string
	}{
		{console.LevelReading{Line: 1, DBm0: -20, OffHook: true},
			"line 1 -20.0 dBm0 |##########################                | off hook"},
		{console.LevelReading{Line: 2, DBm0: -120, Ringing: true},
			"line 2    silence |                                          | on hook, ringing"},
		{console.LevelReading{Line: 3, DBm0: -75},
			"line 3 -75.0 dBm0 |                                          | on hook"},
		{console.LevelReading{Line: 1, DBm0: 3.14, OffHook: true},
			"line 1   3.1 dBm0 |##########################################| off hook"},
		{console.LevelReading{Line: 1, DBm0: 9},
			"line 1   9.0 dBm0 |##########################################| on hook"},
	}
	for _, tt := range tests {
		if got := console.RenderLevel(tt.r); got != tt.want {
			t.Errorf("RenderLevel(%+v)\n got %q\nwant %q", tt.r, got, tt.want)
		}
	}
}

// fakeMeter has two lines; each reading after the first has one more
// event.
type fakeMeter struct {
	mu sync.Mutex
	n  int
}

func (m *fakeMeter) Level(line int) (console.LevelReading, error) {
	if line > 2 {
		return console.LevelReading{}, errors.New("no line 3; the board has 2")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	r := console.LevelReading{Line: line, DBm0: -20, OffHook: true,
		Events: []console.LevelEvent{{Seq: 7, Text: "DTMF 1"}}} // from before: not shown
	if m.n > 0 {
		r.Events = append(r.Events, console.LevelEvent{Seq: 8, Text: "DTMF 5"})
	}
	m.n++
	return r, nil
}

type lockedBuf struct {
	mu sync.Mutex
	b  strings.Builder
}

func (b *lockedBuf) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuf) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// eventually polls cond; the deadline only guards against a hang.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("never: %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestLevelOnPipe: level N on a script's stream prints readings on the
// injected clock's ticks, shows each new event once, ends at the next
// line (which is consumed, not run), and the console goes on.
func TestLevelOnPipe(t *testing.T) {
	clk := clocktest.New(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	pr, pw := io.Pipe()
	out := &lockedBuf{}
	c := console.New(struct {
		io.Reader
		io.Writer
	}{pr, out}, console.Config{Commands: []console.Command{console.LevelCommand(&fakeMeter{}, clk)}})
	done := make(chan error)
	go func() { done <- c.Run(context.Background()) }()

	io.WriteString(pw, "level\nlevel x\nlevel 3\nlevel 1\n")
	for i := range 3 {
		eventually(t, "the meter waits on the clock", func() bool { return clk.Pending() > 0 })
		clk.Advance(console.LevelInterval)
		eventually(t, "a reading", func() bool { return strings.Count(out.String(), "line 1 -20.0 dBm0") > i })
	}
	io.WriteString(pw, "help\n")
	eventually(t, "the meter ends", func() bool { return strings.Contains(out.String(), "level of line 1 ended") })
	pw.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{
		"error: level: usage: level N (a line number)\n",
		"error: level: \"x\" is not a line number\n",
		"error: level: no line 3; the board has 2\n",
		"level of line 1 in dBm0",
		"line 1: DTMF 5\nline 1 -20.0 dBm0 |##########################                | off hook\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
	if strings.Count(got, "DTMF 5") != 1 || strings.Contains(got, "DTMF 1") {
		t.Errorf("each new event once, none from before:\n%s", got)
	}
	if strings.Contains(got, "commands:") || strings.Contains(got, "unknown command") {
		t.Errorf("the line that ended the meter was run:\n%s", got)
	}
}
