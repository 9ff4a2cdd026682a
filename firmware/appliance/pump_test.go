package appliance

import (
	"context"
	"errors"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	gpiolevel "periph.io/x/conn/v3/gpio"
)

// periodOf returns one channel of one period whose samples all hold v.
func periodOf(v int16) [][]int16 {
	b := make([]int16, 8)
	for i := range b {
		b[i] = v
	}
	return [][]int16{b}
}

// recorder is a firmware stand-in: it notes each period's first sample and
// plays back that value plus 1000; a period whose value is a key of stall
// waits until that channel is closed (a slow fsync).
type recorder struct {
	seen  []int16
	stall map[int16]chan struct{}
	n     atomic.Int32 // periods processed, for the test goroutine
}

func (r *recorder) process(in, out [][]int16) error {
	if c, ok := r.stall[in[0][0]]; ok {
		<-c
	}
	r.seen = append(r.seen, in[0][0])
	r.n.Add(1)
	for i := range out[0] {
		out[0][i] = in[0][0] + 1000
	}
	return nil
}

// waitProcessed waits until the worker has processed n periods; the
// deadline only guards against a hang.
func waitProcessed(t *testing.T, r *recorder, n int32) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); r.n.Load() < n; {
		if time.Now().After(deadline) {
			t.Fatalf("the worker did not catch up: %d of %d periods processed", r.n.Load(), n)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestPumpStallLosesNothing: on a real board, a worker stalled by a slow
// write never blocks the audio loop; what is captured meanwhile is
// processed in order once it resumes; playback that was not ready when
// due plays as silence and the lines are told which, and once the worker
// has caught up each period plays exactly the playback produced lead
// periods before.
func TestPumpStallLosesNothing(t *testing.T) {
	const periods = 30 // 0.6 s of audio while the worker is stuck
	r := &recorder{stall: map[int16]chan struct{}{3: make(chan struct{})}}
	p := newPump(1, 1, 8, false, r.process)
	var lost []int64 // run by the worker
	p.lost = func(seq int64) { lost = append(lost, seq) }
	p.start()
	var outs []int16
	done := make(chan struct{})
	go func() {
		defer close(done)
		for k := range periods {
			out := periodOf(-1)
			if err := p.audio(periodOf(int16(k+1)), out); err != nil {
				t.Errorf("audio period %d: %v", k, err)
			}
			outs = append(outs, out[0][0])
		}
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second): // a deadlock guard, not a speed target
		t.Fatal("the audio loop blocked behind the stalled worker")
	}
	close(r.stall[3])
	waitProcessed(t, r, periods)
	// Caught up: period 30 plays period 26's playback (value 27 + 1000).
	out := periodOf(-1)
	if err := p.audio(periodOf(periods+1), out); err != nil {
		t.Fatal(err)
	}
	p.stop()

	want := make([]int16, periods+1)
	for k := range want {
		want[k] = int16(k + 1)
	}
	if !slices.Equal(r.seen, want) {
		t.Errorf("processed %v, want every captured period in order %v", r.seen, want)
	}
	if p.dropped.Load() != 0 {
		t.Errorf("%d capture periods dropped, want none (the queue holds %d)", p.dropped.Load(), pumpQueue)
	}
	for k, v := range outs {
		due := k - Lead
		switch {
		case due < 0 && v != 0:
			t.Errorf("period %d played %d before the first playback was due", k, v)
		case due >= 0 && v != 0 && v != int16(1000+due+1):
			t.Errorf("period %d played %d, want silence or period %d's playback %d", k, v, due, 1000+due+1)
		}
	}
	if out[0][0] != 1000+periods-Lead+1 {
		t.Errorf("after catching up period %d played %d, want period %d's playback", periods, out[0][0], periods-Lead)
	}
	// Every period due during the stall was reported lost, once, in order.
	if got := p.late.Load(); got < periods-Lead-2 {
		t.Errorf("%d late periods, want at least %d", got, periods-Lead-2)
	}
	if uint64(len(lost)) != p.late.Load() || !slices.IsSorted(lost) || len(lost) == 0 || lost[len(lost)-1] != periods-Lead-1 {
		t.Errorf("lines told of lost playback %v, want the %d periods that played silence, the last %d", lost, p.late.Load(), periods-Lead-1)
	}
}

// TestPumpFullQueueDrops: a worker stalled longer than the queue costs the
// newest capture periods (counted) instead of blocking the device, and the
// lines get silence in their place, so their time stays the device's.
func TestPumpFullQueueDrops(t *testing.T) {
	r := &recorder{stall: map[int16]chan struct{}{1: make(chan struct{})}}
	p := newPump(1, 1, 8, false, r.process)
	var lostCapture []int64 // told before each silent period, in the worker
	p.captureLost = func(seq int64) { lostCapture = append(lostCapture, seq) }
	p.start()
	const periods = pumpQueue + 10
	for k := range periods {
		if err := p.audio(periodOf(int16(k+1)), periodOf(0)); err != nil {
			t.Fatal(err)
		}
	}
	close(r.stall[1])
	waitProcessed(t, r, pumpQueue)
	if err := p.audio(periodOf(periods+1), periodOf(0)); err != nil {
		t.Fatal(err)
	}
	p.stop()
	if got := p.dropped.Load(); got != 10 {
		t.Errorf("%d periods dropped, want 10", got)
	}
	var want []int16
	for k := range pumpQueue {
		want = append(want, int16(k+1))
	}
	want = append(want, make([]int16, 10)...) // the dropped periods, as silence
	want = append(want, periods+1)
	if !slices.Equal(r.seen, want) {
		t.Errorf("processed %v, want %v", r.seen, want)
	}
	wantLost := []int64{50, 51, 52, 53, 54, 55, 56, 57, 58, 59}
	if !slices.Equal(lostCapture, wantLost) {
		t.Errorf("lines told of lost capture %v, want periods %v", lostCapture, wantLost)
	}
}

// pin is an input whose level the test sets.
type pin struct{ level atomic.Int32 }

func (p *pin) Read() gpiolevel.Level { return p.level.Load() == 0 }

// TestPumpLatchesPins: on a real board the lines read each contact as it
// was when the period they handle was captured, not when the worker gets
// to it after a stall.
func TestPumpLatchesPins(t *testing.T) {
	release := make(chan struct{})
	var button *latch
	var seen []gpiolevel.Level
	first := true
	p := newPump(1, 1, 8, false, func(in, out [][]int16) error {
		if first {
			first = false
			<-release
		}
		seen = append(seen, button.Read())
		return nil
	})
	src := &pin{} // High: released
	button = p.latch(src).(*latch)
	p.start()
	for k := range 10 {
		if k == 5 {
			src.level.Store(1) // pressed while period 5 is captured
		} else {
			src.level.Store(0)
		}
		if err := p.audio(periodOf(1), periodOf(0)); err != nil {
			t.Fatal(err)
		}
	}
	close(release)
	p.stop()
	want := []gpiolevel.Level{gpiolevel.High, gpiolevel.High, gpiolevel.High, gpiolevel.High, gpiolevel.High,
		gpiolevel.Low, gpiolevel.High, gpiolevel.High, gpiolevel.High, gpiolevel.High}
	if !slices.Equal(seen, want) {
		t.Errorf("the lines read %v, want the press in period 5 only %v", seen, want)
	}
}

// TestPumpWaits: on the sim board the pump is exact: period k plays the
// firmware's output for period k-lead, the first lead periods silence.
func TestPumpWaits(t *testing.T) {
	r := &recorder{}
	p := newPump(1, 1, 8, true, r.process)
	var played []int16
	loop := func(ctx context.Context, process func(in, out [][]int16) error) error {
		for k := range 20 {
			out := periodOf(-1)
			if err := process(periodOf(int16(k+1)), out); err != nil {
				return err
			}
			played = append(played, out[0][0])
		}
		return nil
	}
	if err := p.runAudio(context.Background(), loop); err != nil {
		t.Fatal(err)
	}
	for k, v := range played {
		want := int16(1000 + k - Lead + 1)
		if k < Lead {
			want = 0
		}
		if v != want {
			t.Fatalf("period %d played %d, want %d (all: %v)", k, v, want, played)
		}
	}
	if len(r.seen) != 20 {
		t.Errorf("%d periods processed, want all 20 captured", len(r.seen))
	}
}

// TestPumpError: the firmware's error (the sim scenario's end) stops the
// audio loop and is what runAudio returns.
func TestPumpError(t *testing.T) {
	errStop := errors.New("stop here")
	n := 0
	p := newPump(1, 1, 8, true, func(in, out [][]int16) error {
		if n++; n == 5 {
			return errStop
		}
		return nil
	})
	calls := 0
	loop := func(ctx context.Context, process func(in, out [][]int16) error) error {
		for ; calls < 100; calls++ {
			if err := process(periodOf(1), periodOf(0)); err != nil {
				return err
			}
		}
		return nil
	}
	if err := p.runAudio(context.Background(), loop); !errors.Is(err, errStop) {
		t.Fatalf("runAudio = %v, want the firmware's error", err)
	}
	if calls > 5+Lead {
		t.Errorf("the audio loop ran %d periods after the error at the 5th", calls-5)
	}
}
