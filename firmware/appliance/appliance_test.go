package appliance_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"periph.io/x/conn/v3/gpio"

	"fairrec/firmware/appliance"
	"fairrec/firmware/callflow"
	"fairrec/firmware/clock/clocktest"
)

// fakeLine records what the appliance hands it; its playback is its
// capture's first sample plus 100; Fault is set by the test.
type fakeLine struct {
	mu       sync.Mutex
	in       appliance.Inputs
	captured []int16 // first sample of each period
	lost     [][2]int64
	fault    string
	closedAt time.Time
}

func (l *fakeLine) Capture(in []int16) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.captured = append(l.captured, in[0])
}

func (l *fakeLine) Playback(out []int16) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i := range out {
		out[i] = l.captured[len(l.captured)-1] + 100
	}
}

func (l *fakeLine) Status() callflow.Status {
	l.mu.Lock()
	defer l.mu.Unlock()
	return callflow.Status{Fault: l.fault}
}

func (l *fakeLine) PlaybackLost(from, to int64) {}
func (l *fakeLine) CaptureLost(from, to int64) {
	l.lost = append(l.lost, [2]int64{from, to})
}

func (l *fakeLine) Close(end time.Time) error {
	l.closedAt = end
	return nil
}

type led struct{ levels []gpio.Level }

func (p *led) Out(l gpio.Level) error { p.levels = append(p.levels, l); return nil }

type fakeReview struct {
	filled int
	closed bool
}

func (r *fakeReview) Fill(out []int16) {
	r.filled++
	for i := range out {
		out[i] = 7
	}
}
func (r *fakeReview) Close() { r.closed = true }

// loop is a sound interface of n periods of two input and three output
// channels; in period k, input channel c holds c*1000 + k.
func loop(n int, outs *[][][]int16) func(ctx context.Context, process func(in, out [][]int16) error) error {
	return func(ctx context.Context, process func(in, out [][]int16) error) error {
		for k := range n {
			in := [][]int16{make([]int16, 160), make([]int16, 160)}
			for c := range in {
				for i := range in[c] {
					in[c][i] = int16(c*1000 + k)
				}
			}
			out := [][]int16{make([]int16, 160), make([]int16, 160), make([]int16, 160)}
			if err := process(in, out); err != nil {
				return err
			}
			*outs = append(*outs, out)
		}
		return nil
	}
}

// TestRoutesChannels: each line gets its own capture channel and plays on
// its own output, the review player fills the review output, the fault LED
// follows the lines' faults, and Run seals every line at the end.
func TestRoutesChannels(t *testing.T) {
	clk := clocktest.New(time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC))
	var lines []*fakeLine
	fault := &led{}
	rev := &fakeReview{}
	a, err := appliance.New(appliance.Config{
		Rate: 8000, Period: 160, InChannels: 2, OutChannels: 3,
		// Line 1 is wired to the second input and first output, line 2
		// the other way round.
		Lines: []appliance.Wiring{{In: 1, Out: 0}, {In: 0, Out: 1}},
		NewLine: func(n int, in appliance.Inputs, delay time.Duration) (appliance.Line, error) {
			if want := appliance.Lead * 20 * time.Millisecond; delay != want {
				t.Errorf("line %d: playback delay %v, want %v", n, delay, want)
			}
			l := &fakeLine{in: in}
			lines = append(lines, l)
			return l, nil
		},
		ReviewOut: 2, NewReview: func(appliance.Pin) (appliance.Review, error) { return rev, nil },
		Fault: fault, Wait: true, Clock: clk,
		Before: func(captured int64) bool {
			if captured == 3*160 {
				lines[1].mu.Lock()
				lines[1].fault = "cannot record"
				lines[1].mu.Unlock()
			}
			return false
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	var outs [][][]int16
	if err := a.Run(context.Background(), loop(10, &outs)); err != nil {
		t.Fatal(err)
	}
	if got, want := lines[0].captured, []int16{1000, 1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008, 1009}; !slices.Equal(got, want) {
		t.Errorf("line 1 captured %v, want input channel 2's %v", got, want)
	}
	if got := lines[1].captured[9]; got != 9 {
		t.Errorf("line 2's last period %d, want input channel 1's 9", got)
	}
	// Period k plays what was produced for period k-Lead.
	if got, want := outs[9][0][0], int16(1000+9-appliance.Lead+100); got != want {
		t.Errorf("output 1 in period 9: %d, want line 1's playback of period %d (%d)", got, 9-appliance.Lead, want)
	}
	if got, want := outs[9][1][0], int16(9-appliance.Lead+100); got != want {
		t.Errorf("output 2 in period 9: %d, want %d", got, want)
	}
	if outs[9][2][0] != 7 || rev.filled != 10 || !rev.closed {
		t.Errorf("review output %d, filled %d times, closed %v", outs[9][2][0], rev.filled, rev.closed)
	}
	if !slices.Equal(fault.levels, []gpio.Level{gpio.High}) {
		t.Errorf("fault LED %v, want lit once when line 2 reported its fault", fault.levels)
	}
	for i, l := range lines {
		if !l.closedAt.Equal(clk.Now()) {
			t.Errorf("line %d sealed at %v, want at the end of Run", i+1, l.closedAt)
		}
	}
	if h := a.Health(); h.Processed != 10 || !h.Fault || h.Late+h.Dropped != 0 {
		t.Errorf("health %+v, want 10 periods, a fault, no losses", h)
	}
}

// TestBeforeStops: Before ends Run after the period it says so in, without
// an error, and the lines are still sealed.
func TestBeforeStops(t *testing.T) {
	var l *fakeLine
	a, err := appliance.New(appliance.Config{
		Rate: 8000, Period: 160, InChannels: 2, OutChannels: 3, ReviewOut: -1,
		Lines: []appliance.Wiring{{In: 0, Out: 0}},
		NewLine: func(int, appliance.Inputs, time.Duration) (appliance.Line, error) {
			l = &fakeLine{}
			return l, nil
		},
		Wait: true, Clock: clocktest.New(time.Unix(0, 0)),
		Before: func(captured int64) bool { return captured >= 4*160 },
	})
	if err != nil {
		t.Fatal(err)
	}
	var outs [][][]int16
	if err := a.Run(context.Background(), loop(10, &outs)); err != nil {
		t.Fatalf("Run: %v, want nil when Before stops it", err)
	}
	if len(l.captured) != 4 || l.closedAt.IsZero() {
		t.Errorf("%d periods processed, sealed %v; want 4 and sealed", len(l.captured), !l.closedAt.IsZero())
	}
}

// TestBadConfig: a wiring outside the sound interface's channels is
// refused with the line named, and a line's own error is wrapped.
func TestBadConfig(t *testing.T) {
	mk := func(int, appliance.Inputs, time.Duration) (appliance.Line, error) { return &fakeLine{}, nil }
	clk := clocktest.New(time.Unix(0, 0))
	_, err := appliance.New(appliance.Config{Rate: 8000, Period: 160, InChannels: 1, OutChannels: 1, ReviewOut: -1,
		Lines: []appliance.Wiring{{In: 0, Out: 0}, {In: 1, Out: 0}}, NewLine: mk, Clock: clk})
	if err == nil {
		t.Error("line 2 on input channel 1 of 1 accepted")
	}
	bad := errors.New("no notice")
	_, err = appliance.New(appliance.Config{Rate: 8000, Period: 160, InChannels: 1, OutChannels: 1, ReviewOut: -1,
		Lines: []appliance.Wiring{{In: 0, Out: 0}}, Clock: clk,
		NewLine: func(int, appliance.Inputs, time.Duration) (appliance.Line, error) { return nil, bad }})
	if !errors.Is(err, bad) {
		t.Errorf("New: %v, want the line's error", err)
	}
}

// TestBoxFault: a fault of the box (the audit log found tampered with)
// lights the fault LED though every line records.
func TestBoxFault(t *testing.T) {
	fault := &led{}
	a, err := appliance.New(appliance.Config{
		Rate: 8000, Period: 160, InChannels: 2, OutChannels: 3, ReviewOut: -1,
		Lines: []appliance.Wiring{{In: 0, Out: 0}},
		NewLine: func(int, appliance.Inputs, time.Duration) (appliance.Line, error) {
			return &fakeLine{}, nil
		},
		Fault: fault, BoxFault: func() string { return "audit log tampered with" },
		Wait: true, Clock: clocktest.New(time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)),
	})
	if err != nil {
		t.Fatal(err)
	}
	var outs [][][]int16
	if err := a.Run(context.Background(), loop(3, &outs)); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(fault.levels, []gpio.Level{gpio.High}) {
		t.Errorf("fault LED %v, want lit once", fault.levels)
	}
	if !a.Health().Fault {
		t.Error("health shows no fault")
	}
}
