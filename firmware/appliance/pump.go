package appliance

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"

	gpiolevel "periph.io/x/conn/v3/gpio"
)

// pump decouples the sound interface from the firmware (see the package
// doc). The audio loop
// only copies periods in and out; a worker goroutine runs the lines on
// them. The firmware's durable writes (a recording's key slot and commit, an
// objection's erase, every audit entry: each an fsync, tens of milliseconds
// on an SD card, longer when it is busy) then stall the worker, not the
// capture: captured periods wait in a queue of up to a second and nothing
// the caller says is lost.
//
// Playback comes back through the pump lead periods late: the worker's
// output for capture period k plays in period k+lead, whatever the worker's
// timing, so short stalls (up to lead-1 periods) cost nothing. The lines
// know the delay (callflow.Config.PlaybackDelay), so a recording still
// starts where the notice ends on the line.
//
// On a real board the audio loop never waits for the worker. A period
// whose playback is not ready when due plays silence, and the lines are
// told (lost), so a notice that was not heard whole is not receipted as
// complete; playback that comes too late is dropped. A period that finds
// the queue full is dropped and the lines get silence in its place, so
// their sample count stays the device's. The inputs (hook, ring, buttons)
// are read in the audio loop with each period and handed to the lines with
// it: after a stall the lines see each contact as it was when the period
// was captured, not as it is when they catch up.
//
// On the simulated board the audio is files read faster than real time
// and the scenario moves the pins by sample count, so the loop waits for
// the worker instead and every run is exactly repeatable.
type pump struct {
	process func(in, out [][]int16) error
	wait    bool // the sim board: block instead of dropping or playing silence
	lead    int
	// lost, if set, runs in the worker before the next period: period
	// seq's playback was not heard. captureLost, if set, runs before the
	// worker hands the lines silence for period seq, whose capture was
	// lost.
	lost, captureLost func(seq int64)
	// pins are the inputs sampled in the audio loop (real boards only).
	pins []*latch

	free, full, done chan *period
	lostq            chan int64

	// The audio loop's own state.
	seq   int64     // periods captured
	gap   int       // capture periods dropped since the last one queued
	ready []*period // playback produced and not yet due, in order

	// The worker's own scratch for the periods dropped in capture.
	silentIn, silentOut [][]int16

	err atomic.Pointer[error]
	// late counts periods played as silence because their playback was
	// not ready, stale the playback that came after it was due, dropped
	// the captured periods lost to a full queue, untold the losses the
	// lines could not be told of (their queue was full).
	late, stale, dropped, untold atomic.Uint64
	wg                           sync.WaitGroup
}

type period struct {
	in, out [][]int16
	seq     int64
	gap     int               // capture periods dropped just before this one
	levels  []gpiolevel.Level // the pins as read with this period
}

// latch is an input as it read when the period the lines are handling was
// captured; the pump sets it.
type latch struct {
	src   interface{ Read() gpiolevel.Level }
	level gpiolevel.Level
}

func (l *latch) Read() gpiolevel.Level { return l.level }

// pumpQueue is how many periods the worker may fall behind: 50 periods of
// 20 ms, one second.
const pumpQueue = 50

// Lead is the playback delay in periods: 80 ms at 20 ms periods, about
// what a sound interface buffers anyway, so a stall of up to 60 ms (most
// fsyncs on an SD card) loses no playback.
const Lead = 4

func newPump(nin, nout, frames int, wait bool, process func(in, out [][]int16) error) *pump {
	p := &pump{process: process, wait: wait, lead: Lead,
		free: make(chan *period, pumpQueue), full: make(chan *period, pumpQueue),
		done: make(chan *period, pumpQueue), lostq: make(chan int64, 1024),
		ready:    make([]*period, 0, pumpQueue),
		silentIn: buffers(nin, frames), silentOut: buffers(nout, frames)}
	for range pumpQueue {
		p.free <- &period{in: buffers(nin, frames), out: buffers(nout, frames)}
	}
	return p
}

// latch returns an input the lines read through the pump: on a real board
// as sampled with the period being handled; on the sim board (wait) the
// pin itself, which the scenario moves by sample count. Nil stays nil.
func (p *pump) latch(src interface{ Read() gpiolevel.Level }) interface{ Read() gpiolevel.Level } {
	if src == nil || p.wait {
		return src
	}
	l := &latch{src: src, level: gpiolevel.High}
	p.pins = append(p.pins, l)
	return l
}

func buffers(channels, frames int) [][]int16 {
	b := make([][]int16, channels)
	for i := range b {
		b[i] = make([]int16, frames)
	}
	return b
}

// run is the worker; it returns when the audio loop has stopped (stop)
// and every queued period is processed.
func (p *pump) run() {
	defer p.wg.Done()
	for q := range p.full {
		for i, l := range p.pins {
			l.level = q.levels[i]
		}
		// Captured periods lost to a full queue: the lines hear silence
		// in their place, so that their time stays the device's.
		for i := range q.gap {
			for _, b := range p.silentIn {
				clear(b)
			}
			if p.captureLost != nil {
				p.captureLost(q.seq - int64(q.gap-i))
			}
			p.step(p.silentIn, p.silentOut)
		}
		p.step(q.in, q.out)
		// After an error nothing more is processed, but the period
		// still comes back: the audio loop may be waiting for it.
		p.done <- q
	}
}

// step runs the firmware on one period, after telling it which playback
// was not heard.
func (p *pump) step(in, out [][]int16) {
	silence(out)
	if p.err.Load() != nil {
		return
	}
	for more := true; more; {
		select {
		case seq := <-p.lostq:
			if p.lost != nil {
				p.lost(seq)
			}
		default:
			more = false
		}
	}
	if err := p.process(in, out); err != nil {
		p.err.Store(&err)
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
	seq := p.seq
	p.seq++
	due := seq - int64(p.lead)
	// Take back the playback produced so far first, and free what came
	// too late (it was declared lost when it was due): its buffers are the
	// ones the capture may need.
	p.collect()
	for len(p.ready) > 0 && p.ready[0].seq < due {
		p.free <- p.pop()
		p.stale.Add(1)
	}
	var q *period
	if p.wait {
		q = <-p.free
	} else {
		select {
		case q = <-p.free:
		default:
			p.dropped.Add(1)
			p.gap++
		}
	}
	if q != nil {
		for i := range in {
			copy(q.in[i], in[i])
		}
		q.seq, q.gap, p.gap = seq, p.gap, 0
		q.levels = q.levels[:0]
		for _, l := range p.pins {
			q.levels = append(q.levels, l.src.Read())
		}
		p.full <- q // never blocks: at most pumpQueue periods exist
	}
	silence(out)
	if due < 0 {
		return nil
	}
	if p.wait {
		for len(p.ready) == 0 || p.ready[len(p.ready)-1].seq < due {
			p.ready = append(p.ready, <-p.done)
		}
	}
	if len(p.ready) == 0 || p.ready[0].seq != due {
		p.late.Add(1)
		select {
		case p.lostq <- due:
		default:
			p.untold.Add(1)
		}
		return nil
	}
	r := p.pop()
	for i := range out {
		copy(out[i], r.out[i])
	}
	p.free <- r
	if err := p.err.Load(); err != nil {
		return *err
	}
	return nil
}

func silence(out [][]int16) {
	for _, b := range out {
		clear(b)
	}
}

// collect moves the playback the worker has finished into ready.
func (p *pump) collect() {
	for {
		select {
		case r := <-p.done:
			p.ready = append(p.ready, r)
		default:
			return
		}
	}
}

func (p *pump) pop() *period {
	r := p.ready[0]
	p.ready = p.ready[:copy(p.ready, p.ready[1:])]
	return r
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
