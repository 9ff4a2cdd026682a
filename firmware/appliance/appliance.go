package appliance

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"periph.io/x/conn/v3/gpio"

	"fairrec/firmware/callflow"
	"fairrec/firmware/clock"
	"fairrec/firmware/dsp"
)

// Pin is an input read with each period; periph's gpio.PinIn satisfies it.
type Pin interface {
	Read() gpio.Level
}

// Light is an output; periph's gpio.PinOut satisfies it.
type Light interface {
	Out(l gpio.Level) error
}

// Line is one phone line's firmware; *callflow.Line satisfies it.
type Line interface {
	Capture(in []int16)
	Playback(out []int16)
	Status() callflow.Status
	PlaybackLost(from, to int64)
	CaptureLost(from, to int64)
	Close(end time.Time) error
}

// Review is the supervisor's player; *review.Player satisfies it.
type Review interface {
	Fill(out []int16)
	Close()
}

// Inputs are a line's inputs as its firmware must read them.
type Inputs struct {
	Hook, Ring, Button Pin
}

// Wiring is one line's place on the board: its capture and playback
// channels (0-based) and its inputs as the hardware gives them (nil if
// absent).
type Wiring struct {
	In, Out            int
	Hook, Ring, Button Pin
}

// Config configures an Appliance. Rate and Period describe the sound
// interface (Hz, frames per period); InChannels and OutChannels its
// channel counts. Zero ReviewOut with no NewReview means no review output.
type Config struct {
	Rate, Period            int
	InChannels, OutChannels int
	Lines                   []Wiring

	// NewLine makes line n (1-based) reading in, which the appliance
	// latches per period on a real board; what the line produces plays
	// playbackDelay later than the period it was produced for.
	NewLine func(n int, in Inputs, playbackDelay time.Duration) (Line, error)

	// Supervisor is the playback button, ReviewOut the channel the
	// supervisor hears on (-1: none). NewReview makes the player reading
	// the button as latched; nil or ReviewOut -1: no review.
	Supervisor Pin
	ReviewOut  int
	NewReview  func(button Pin) (Review, error)

	Fault Light // lit while any line cannot record, or BoxFault says so; nil if absent
	// BoxFault, if set, reports a fault of the box rather than of a line
	// (the audit log was found tampered with at start): non-empty lights
	// the fault LED. Read once per period; must not block.
	BoxFault func() string

	// Wait is for the simulated board: the audio loop blocks on the
	// worker instead of dropping capture or playing silence, and the pins
	// are read by the lines themselves (the scenario moves them in sample
	// time).
	Wait bool
	// Before, if set, runs in the worker before each period reaches the
	// lines, with the frames captured so far (per channel): the simulated
	// board moves its pins there. It returns true to end Run after this
	// period (the scenario is over).
	Before func(captured int64) (stop bool)

	Clock  clock.Clock // required: dates the seal at shutdown
	Logger *slog.Logger
}

// Appliance is the running recorder between the sound interface and
// storage.
type Appliance struct {
	cfg    Config
	log    *slog.Logger
	pump   *pump
	lines  []Line
	review Review

	captured  int64 // frames captured, per channel (worker)
	fault     bool  // the fault LED is lit (worker)
	processed atomic.Int64
}

// New builds the appliance: the pump, then each line and the review
// player with their inputs read through it.
func New(cfg Config) (*Appliance, error) {
	if cfg.Rate <= 0 || cfg.Period <= 0 || cfg.InChannels <= 0 || cfg.OutChannels <= 0 {
		return nil, fmt.Errorf("appliance: sound interface of %d Hz, %d frames per period, %d in, %d out", cfg.Rate, cfg.Period, cfg.InChannels, cfg.OutChannels)
	}
	if cfg.NewLine == nil || cfg.Clock == nil {
		return nil, errors.New("appliance: needs NewLine and a Clock")
	}
	a := &Appliance{cfg: cfg, log: cfg.Logger}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	a.pump = newPump(cfg.InChannels, cfg.OutChannels, cfg.Period, cfg.Wait, a.process)
	a.pump.lost, a.pump.captureLost = a.playbackLost, a.captureLost
	delay := time.Duration(a.pump.lead*cfg.Period) * time.Second / time.Duration(cfg.Rate)
	for i, w := range cfg.Lines {
		if w.In < 0 || w.In >= cfg.InChannels || w.Out < 0 || w.Out >= cfg.OutChannels {
			return nil, fmt.Errorf("appliance: line %d on channels %d in, %d out of %d in, %d out", i+1, w.In, w.Out, cfg.InChannels, cfg.OutChannels)
		}
		l, err := cfg.NewLine(i+1, Inputs{Hook: a.pump.latch(w.Hook), Ring: a.pump.latch(w.Ring), Button: a.pump.latch(w.Button)}, delay)
		if err != nil {
			return nil, fmt.Errorf("line %d (input channel %d): %w", i+1, w.In, err)
		}
		a.lines = append(a.lines, l)
	}
	if cfg.NewReview != nil && cfg.ReviewOut >= 0 {
		if cfg.ReviewOut >= cfg.OutChannels {
			return nil, fmt.Errorf("appliance: review output channel %d of %d", cfg.ReviewOut, cfg.OutChannels)
		}
		r, err := cfg.NewReview(a.pump.latch(cfg.Supervisor))
		if err != nil {
			return nil, fmt.Errorf("review output (channel %d): %w", cfg.ReviewOut, err)
		}
		a.review = r
	}
	return a, nil
}

// Lines are the lines, line 1 first.
func (a *Appliance) Lines() []Line { return a.lines }

// PlaybackDelay is how much later than the period it is produced for the
// line hears what it plays.
func (a *Appliance) PlaybackDelay() time.Duration {
	return time.Duration(a.pump.lead*a.cfg.Period) * time.Second / time.Duration(a.cfg.Rate)
}

// errStop ends the audio loop when Before says so.
var errStop = errors.New("appliance: stopped by Config.Before")

// Run runs the audio loop (the sound interface's, e.g. drivers/audio's
// Stream.Run) through the pump until ctx ends, the loop fails or Before
// says stop; then the worker finishes what was captured, a playback in
// progress is ended and every recording in progress is sealed. The loop's
// error is returned, joined with any seal's.
func (a *Appliance) Run(ctx context.Context, loop func(ctx context.Context, process func(in, out [][]int16) error) error) error {
	err := a.pump.runAudio(ctx, loop)
	if errors.Is(err, errStop) {
		err = nil
	}
	// A playback the shutdown cut short is audited as such.
	if a.review != nil {
		a.review.Close()
	}
	now := a.cfg.Clock.Now()
	errs := []error{err}
	for i, l := range a.lines {
		if e := l.Close(now); e != nil {
			errs = append(errs, fmt.Errorf("line %d: %w", i+1, e))
		}
	}
	return errors.Join(errs...)
}

// Health is the pipeline's state in counters, for the status and a
// watchdog: periods keep being processed while the audio flows, and the
// losses say whether the worker keeps up.
type Health struct {
	Processed int64 // periods the worker has handed to the lines
	// Late counts periods played as silence because their playback was
	// not ready, Stale the playback that came after it was due, Dropped
	// the captured periods lost to a full queue, Untold the losses the
	// lines could not be told of.
	Late, Stale, Dropped, Untold uint64
	Fault                        bool // some line reports a fault
}

// Health returns the pipeline's counters; safe from any goroutine.
func (a *Appliance) Health() Health {
	h := Health{Processed: a.processed.Load(), Late: a.pump.late.Load(), Stale: a.pump.stale.Load(),
		Dropped: a.pump.dropped.Load(), Untold: a.pump.untold.Load()}
	h.Fault = a.boxFault()
	for _, l := range a.lines {
		h.Fault = h.Fault || l.Status().Fault != ""
	}
	return h
}

func (a *Appliance) boxFault() bool { return a.cfg.BoxFault != nil && a.cfg.BoxFault() != "" }

// process is the worker's step: one period through every line.
func (a *Appliance) process(in, out [][]int16) error {
	a.captured += int64(len(in[0]))
	stop := a.cfg.Before != nil && a.cfg.Before(a.captured)
	fault := a.boxFault()
	for i, l := range a.lines {
		w := a.cfg.Lines[i]
		l.Capture(in[w.In])
		l.Playback(out[w.Out])
		fault = fault || l.Status().Fault != ""
	}
	if a.review != nil {
		a.review.Fill(out[a.cfg.ReviewOut])
	}
	if fault != a.fault && a.cfg.Fault != nil {
		lvl := gpio.Low
		if fault {
			lvl = gpio.High
		}
		if err := a.cfg.Fault.Out(lvl); err != nil {
			a.log.Warn("fault LED", "err", err)
		}
	}
	a.fault = fault
	a.processed.Add(1)
	if stop {
		return errStop
	}
	return nil
}

// playbackLost tells the lines that what they produced for capture period
// seq was never played (the firmware was late for it).
func (a *Appliance) playbackLost(seq int64) {
	from, to := a.periodSamples(seq)
	for _, l := range a.lines {
		l.PlaybackLost(from, to)
	}
}

// captureLost tells the lines that the silence they are about to get for
// capture period seq stands for audio lost to a full queue.
func (a *Appliance) captureLost(seq int64) {
	from, to := a.periodSamples(seq)
	for _, l := range a.lines {
		l.CaptureLost(from, to)
	}
}

// periodSamples is capture period seq in line samples.
func (a *Appliance) periodSamples(seq int64) (from, to int64) {
	n := int64(a.cfg.Period) * dsp.LineRate / int64(a.cfg.Rate)
	return seq * n, (seq + 1) * n
}
