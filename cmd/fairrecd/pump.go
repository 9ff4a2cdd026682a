package main

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
)

// pump decouples the sound interface from the firmware. The audio loop
// only copies periods in and out; a worker goroutine runs the lines on
// them. The firmware's durable writes (a recording's key slot and commit, an
// objection's erase, every audit entry: each an fsync, tens of milliseconds
// on an SD card, longer when it is busy) then stall the worker, not the
// capture: captured periods wait in a queue of up to a second and nothing
// the caller says is lost.
//
// Playback comes back through the pump delayed by a fixed number of
// periods (lead): the worker's output for capture period k is played in
// period k+lead. The lines know it (callflow.Config.PlaybackDelay), so a
// recording still starts where the notice ends on the line.
//
// On a real board the audio loop never waits for the worker: a period
// whose playback is not ready plays silence (late), after a stall only the
// newest playback plays (the older is skipped), and a period that finds
// the queue full is dropped rather than blocking the device. A stall
// during a notice thus cuts a piece out of what the caller hears, as an
// output underrun of the device would have before; the capture, which
// the law cares about, loses nothing up to a second. On the simulated board the audio is files read
// faster than real time, so the loop waits instead and every run is
// exactly repeatable.
type pump struct {
	process func(in, out [][]int16) error
	wait    bool // the sim board: block instead of dropping or playing silence
	lead    int

	free, full, done chan *period
	started          int // periods the audio loop has played
	err              atomic.Pointer[error]
	// late counts periods played as silence, skipped stale playback
	// discarded after a stall, dropped captured periods lost.
	late, skipped, dropped atomic.Uint64
	wg                     sync.WaitGroup
}

type period struct{ in, out [][]int16 }

// pumpQueue is how many periods the worker may fall behind: 50 periods of
// 20 ms, one second.
const pumpQueue = 50

// pumpLead is the playback delay in periods: the worker has one period to
// produce each period's playback.
const pumpLead = 1

func newPump(nin, nout, frames int, wait bool, process func(in, out [][]int16) error) *pump {
	p := &pump{process: process, wait: wait, lead: pumpLead,
		free: make(chan *period, pumpQueue), full: make(chan *period, pumpQueue), done: make(chan *period, pumpQueue)}
	for range pumpQueue {
		p.free <- &period{in: buffers(nin, frames), out: buffers(nout, frames)}
	}
	return p
}

func buffers(channels, frames int) [][]int16 {
	b := make([][]int16, channels)
	for i := range b {
		b[i] = make([]int16, frames)
	}
	return b
}

// run is the worker; it returns when the audio loop has stopped (stop)
// and every queued period is processed, or when process fails.
func (p *pump) run() {
	defer p.wg.Done()
	for q := range p.full {
		for _, b := range q.out {
			clear(b)
		}
		// After an error nothing more is processed, but the period
		// still comes back: the audio loop may be waiting for it.
		if p.err.Load() == nil {
			if err := p.process(q.in, q.out); err != nil {
				p.err.Store(&err)
			}
		}
		p.done <- q
	}
}

// start starts the worker.
func (p *pump) start() {
	p.wg.Add(1)
	go p.run()
}

// stop ends the worker after the periods queued so far and waits for it.
func (p *pump) stop() {
	close(p.full)
	p.wg.Wait()
}

// audio is the audio loop's process function.
func (p *pump) audio(in, out [][]int16) error {
	if err := p.err.Load(); err != nil {
		return *err
	}
	var q *period
	if p.wait {
		q = <-p.free
	} else {
		select {
		case q = <-p.free:
		default:
			p.dropped.Add(1)
		}
	}
	if q != nil {
		for i := range in {
			copy(q.in[i], in[i])
		}
		p.full <- q // never blocks: at most pumpQueue periods exist
	}
	if p.started < p.lead {
		p.started++
		return nil // out is silence
	}
	var r *period
	if p.wait {
		r = <-p.done
	} else {
		// Play the newest period ready: after a stall the older ones
		// are stale, and playing them would delay what the line hears
		// for good (and put the notice's end where the lines do not
		// expect it).
		for more := true; more; {
			select {
			case q := <-p.done:
				if r != nil {
					p.free <- r
					p.skipped.Add(1)
				}
				r = q
			default:
				more = false
			}
		}
		if r == nil {
			p.late.Add(1)
			return nil
		}
	}
	for i := range out {
		copy(out[i], r.out[i])
	}
	p.free <- r
	if err := p.err.Load(); err != nil {
		return *err
	}
	return nil
}

// runAudio runs the audio loop through the pump until ctx ends or either
// side fails, then lets the worker finish what was captured.
func (p *pump) runAudio(ctx context.Context, loop func(ctx context.Context, process func(in, out [][]int16) error) error) error {
	p.start()
	err := loop(ctx, p.audio)
	p.stop()
	if e := p.err.Load(); e != nil && (err == nil || errors.Is(err, *e)) {
		err = *e
	}
	return err
}
