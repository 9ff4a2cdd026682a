package main

import (
	"context"
	"errors"
	"slices"
	"sync/atomic"
	"testing"
	"time"
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

// TestPumpStallLosesNothing: on a real board, a worker stalled by a slow
// write never blocks the audio loop; what is captured meanwhile is
// processed in order once it resumes, and playback that was not ready
// plays as silence and is counted.
func TestPumpStallLosesNothing(t *testing.T) {
	const periods = 30
	r := &recorder{stall: map[int16]chan struct{}{3: make(chan struct{}), periods + 1: make(chan struct{})}}
	p := newPump(1, 1, 8, false, r.process)
	p.start() // 0.6 s of audio while the worker is stuck
	var outs [][]int16
	done := make(chan struct{})
	go func() {
		defer close(done)
		for k := range periods {
			out := periodOf(0)
			if err := p.audio(periodOf(int16(k+1)), out); err != nil {
				t.Errorf("audio period %d: %v", k, err)
			}
			outs = append(outs, out[0])
		}
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second): // a deadlock guard, not a speed target
		t.Fatal("the audio loop blocked behind the stalled worker")
	}
	close(r.stall[3])
	// Once the worker has caught up, the next period plays the newest
	// playback and skips the stale ones: the delay is back to one period.
	for deadline := time.Now().Add(30 * time.Second); r.n.Load() < periods; {
		if time.Now().After(deadline) {
			t.Fatalf("the worker did not catch up: %d periods processed", r.n.Load())
		}
		time.Sleep(time.Millisecond)
	}
	ready := uint64(len(p.done))
	skipped0 := p.skipped.Load()
	out := periodOf(0)
	if err := p.audio(periodOf(periods+1), out); err != nil {
		t.Fatal(err)
	}
	if out[0][0] != 1000+periods {
		t.Errorf("after catching up the line hears %d, want the newest period's playback %d", out[0][0], 1000+periods)
	}
	if got := p.skipped.Load() - skipped0; got != ready-1 {
		t.Errorf("%d stale periods skipped, want %d", got, ready-1)
	}
	close(r.stall[periods+1])
	p.stop()
	want := make([]int16, periods+1)
	for k := range want {
		want[k] = int16(k + 1)
	}
	if !slices.Equal(r.seen, want) {
		t.Errorf("processed %v, want every captured period in order %v", r.seen, want)
	}
	if len(outs) != periods {
		t.Fatalf("%d periods played", len(outs))
	}
	if p.dropped.Load() != 0 {
		t.Errorf("%d capture periods dropped, want none (the queue holds %d)", p.dropped.Load(), pumpQueue)
	}
	// Period 0 is the lead's silence; until the stall, a period plays an
	// earlier period's playback; from the stall on, silence. Never the
	// same playback twice, never one out of order.
	if got := p.late.Load(); got < periods-3 {
		t.Errorf("%d late periods, want at least %d", got, periods-3)
	}
	last := int16(0)
	for k, out := range outs {
		if v := out[0]; v != 0 {
			if v <= last || v > 1000+int16(k) {
				t.Errorf("period %d played %d after %d: want silence or a newer, earlier period's playback", k, v, last)
			}
			last = v
		}
	}
}

// TestPumpFullQueueDrops: a worker stalled longer than the queue drops the
// newest capture periods (counted) instead of blocking the device.
func TestPumpFullQueueDrops(t *testing.T) {
	r := &recorder{stall: map[int16]chan struct{}{1: make(chan struct{})}}
	p := newPump(1, 1, 8, false, r.process)
	p.start()
	const periods = pumpQueue + 10
	for k := range periods {
		if err := p.audio(periodOf(int16(k+1)), periodOf(0)); err != nil {
			t.Fatal(err)
		}
	}
	close(r.stall[1])
	p.stop()
	if got := p.dropped.Load(); got != 10 {
		t.Errorf("%d periods dropped, want 10", got)
	}
	if len(r.seen) != pumpQueue || r.seen[0] != 1 || r.seen[pumpQueue-1] != pumpQueue {
		t.Errorf("processed %d periods %v..., want the first %d in order", len(r.seen), r.seen[:min(3, len(r.seen))], pumpQueue)
	}
}

// TestPumpWaits: on the sim board the pump is exact: period k plays the
// firmware's output for period k-1, the first plays silence.
func TestPumpWaits(t *testing.T) {
	r := &recorder{}
	p := newPump(1, 1, 8, true, r.process)
	var played []int16
	k := 0
	loop := func(ctx context.Context, process func(in, out [][]int16) error) error {
		for ; k < 20; k++ {
			out := periodOf(0)
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
		want := int16(1000 + k) // period k-1's value (k) plus 1000
		if k == 0 {
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
	if calls > 6 {
		t.Errorf("the audio loop ran %d periods after the error at the 5th", calls-5)
	}
}
