package console

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"fairrec/firmware/clock"
)

// Live is a live command's body: it writes to w, a line per reading or
// event, until stop is closed (the next key at the console, or the end of
// the stream), and then returns. An error ends it early; the console
// still waits for the key.
type Live func(w io.Writer, stop <-chan struct{}) error

// runLive runs a live command: the key that ends it is read by a goroutine
// the command waits for, so nothing reads the stream once it returns.
func (c *Console) runLive(name string, start func([]string) (Live, error), args []string) {
	live, err := start(args)
	if err != nil {
		c.printf("error: %s: %v", name, err)
		return
	}
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		c.waitKey()
		close(stop)
	}()
	if err := live(liveWriter{c}, stop); err != nil {
		c.printf("error: %s: %v (press a key)", name, err)
	}
	<-done
}

// waitKey reads the key that ends a live command: on a terminal whatever
// the next read brings (a key, or the rest of an escape sequence with it),
// on a plain stream the next line, so a script's next line is consumed
// rather than run.
func (c *Console) waitKey() {
	if c.cfg.Interactive {
		var b [64]byte
		_, _ = c.san.Read(b[:])
		return
	}
	_, err := c.plain.ReadSlice('\n')
	for errors.Is(err, bufio.ErrBufferFull) {
		_, err = c.plain.ReadSlice('\n')
	}
}

// liveWriter prints a live command's lines as they come. On a terminal
// they go straight to it (the line editor is not reading, and would
// redraw its prompt after each line), in raw mode's CRLF.
type liveWriter struct{ c *Console }

func (w liveWriter) Write(p []byte) (int, error) {
	if !w.c.cfg.Interactive {
		return w.c.Write(p)
	}
	w.c.mu.Lock()
	defer w.c.mu.Unlock()
	if _, err := w.c.rw.Write([]byte(strings.ReplaceAll(string(p), "\n", "\r\n"))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// LevelReading is one reading of a line's level meter.
type LevelReading struct {
	Line    int
	DBm0    float64 // RMS over the last 100-250 ms; -120 or below is silence
	OffHook bool
	Ringing bool
	// Events are the line's recent DTMF digits and caller-ID messages,
	// oldest first, each with a sequence number that grows by one per
	// event. Their text never holds a caller's number.
	Events []LevelEvent
}

// LevelEvent is a DTMF digit or caller-ID message detected on a line.
type LevelEvent struct {
	Seq  uint64
	Text string // e.g. "DTMF 5", "caller ID V.23: number received"
}

// Meter reads the lines' level meters; the daemon implements it over the
// appliance's lines.
type Meter interface {
	Level(line int) (LevelReading, error)
}

// LevelInterval is how often level N prints a reading: 4 a second.
const LevelInterval = 250 * time.Millisecond

// Meter scale: the bar spans meterLow to meterHigh dBm0 (G.711 full scale
// is +3.14), meterStep dB a character.
const (
	meterLow, meterHigh, meterStep = -60.0, 3.0, 1.5
)

// LevelCommand is the installer's `level N`: a live meter of line N, the
// way to set a tap's gain. Readings come every LevelInterval on clk.
func LevelCommand(m Meter, clk clock.Clock) Command {
	return Command{
		Name: "level", Args: "N",
		Summary: "live level meter of line N in dBm0, with DTMF, caller ID, hook and ring; any key ends it",
		Start: func(args []string) (Live, error) {
			if len(args) != 1 {
				return nil, errors.New("usage: level N (a line number)")
			}
			n, err := strconv.Atoi(args[0])
			if err != nil || n < 1 {
				return nil, fmt.Errorf("%q is not a line number", clip(args[0], 16))
			}
			r, err := m.Level(n)
			if err != nil {
				return nil, err
			}
			return func(w io.Writer, stop <-chan struct{}) error {
				return meterLoop(w, stop, m, clk, n, r)
			}, nil
		},
	}
}

func meterLoop(w io.Writer, stop <-chan struct{}, m Meter, clk clock.Clock, n int, r LevelReading) error {
	fmt.Fprintf(w, "level of line %d in dBm0 (0 dBm0: a sine of peak 22700; bar %g to %+g); any key ends it\n", n, meterLow, meterHigh)
	// Only what is detected from now on: the older events were shown, or
	// belong to calls before.
	var seen uint64
	if k := len(r.Events); k > 0 {
		seen = r.Events[k-1].Seq
	}
	for {
		select {
		case <-stop:
			fmt.Fprintf(w, "level of line %d ended\n", n)
			return nil
		case <-clk.After(LevelInterval):
		}
		var err error
		if r, err = m.Level(n); err != nil {
			return err
		}
		var b strings.Builder
		for _, e := range r.Events {
			if e.Seq > seen {
				fmt.Fprintf(&b, "line %d: %s\n", n, e.Text)
				seen = e.Seq
			}
		}
		b.WriteString(RenderLevel(r))
		b.WriteByte('\n')
		if _, err := io.WriteString(w, b.String()); err != nil {
			return err
		}
	}
}

// RenderLevel is one reading as a line of text: the level as a number and
// a bar, then the hook and ring state, e.g.
//
//	line 1 -20.0 dBm0 |##########################                | off hook
func RenderLevel(r LevelReading) string {
	num := "silence"
	if r.DBm0 > -120 {
		num = fmt.Sprintf("%5.1f dBm0", r.DBm0)
	}
	width := int((meterHigh - meterLow) / meterStep)
	full := int(math.Floor((r.DBm0 - meterLow) / meterStep))
	full = min(max(full, 0), width)
	state := "on hook"
	if r.OffHook {
		state = "off hook"
	}
	if r.Ringing {
		state += ", ringing"
	}
	return fmt.Sprintf("line %d %10s |%s%s| %s", r.Line, num, strings.Repeat("#", full), strings.Repeat(" ", width-full), state)
}
