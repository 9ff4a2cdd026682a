package callflow

import (
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"periph.io/x/conn/v3/gpio"

	"fairrec/firmware/clock"
	"fairrec/firmware/dsp"
	"fairrec/storage/vault"
)

// Pin is an input the line polls once per frame; periph's gpio.PinIn
// satisfies it.
type Pin interface {
	Read() gpio.Level
}

// Light is an output such as an LED; periph's gpio.PinOut satisfies it.
type Light interface {
	Out(l gpio.Level) error
}

// Store keeps recordings; *vault.Vault satisfies it.
type Store interface {
	Create(m vault.Meta) (vault.ID, error)
	Append(id vault.ID, alaw []byte) error
	Seal(id vault.ID, end time.Time) error
}

// Active is the level an input reads while active (off hook, ringing,
// pressed): the board convention, pull-up inputs pulled to ground.
const Active = gpio.Low

// DefaultDebounce is the number of frames (20 ms each) an input must hold a
// new level before it counts: 60 ms, longer than contact bounce and than the
// gaps of a 25 Hz ring signal, shorter than any human action.
const DefaultDebounce = 3

// Config configures a Line. Zero values: Rate 8 kHz (no resampling),
// Debounce DefaultDebounce, no pins (never off hook), a discarding logger.
type Config struct {
	Line int // 1-based line number, stored with each recording
	Rate int // device sample rate of the audio passed to Capture

	Hook, Ring, Button Pin   // inputs, nil if absent
	LEDRecording       Light // lit while recording, nil if absent

	Store  Store       // required
	Clock  clock.Clock // required: recording start and end times
	Logger *slog.Logger

	Debounce int // frames
}

// Status is a snapshot of a line.
type Status struct {
	Line      int
	OffHook   bool
	Ringing   bool
	Pressed   bool     // the objection button is held
	Recording vault.ID // the open recording, 0 if none
	Frames    int64    // frames stored in the open recording
	Fault     string   // why the last recording failed, "" if it did not
	Calls     int      // recordings started since the line was made
}

// Line is one phone line's call state machine.
type Line struct {
	cfg  Config
	log  *slog.Logger
	down *dsp.Resampler // nil at 8 kHz

	pcm   []int16 // 8 kHz samples not yet cut into a frame
	alaw  []byte  // encode buffer, one frame
	hook  debouncer
	ring  debouncer
	btn   debouncer
	held  [][]int16 // frames seen while a hook change is being confirmed
	pool  [][]int16 // spare frame buffers for held
	frame int64     // frames handled so far

	mu sync.Mutex // guards st
	st Status
}

// New returns a line, on hook and idle.
func New(cfg Config) (*Line, error) {
	if cfg.Store == nil || cfg.Clock == nil {
		return nil, errors.New("callflow: line needs a Store and a Clock")
	}
	if cfg.Rate == 0 {
		cfg.Rate = dsp.LineRate
	}
	if cfg.Debounce <= 0 {
		cfg.Debounce = DefaultDebounce
	}
	l := &Line{cfg: cfg, log: cfg.Logger, alaw: make([]byte, dsp.FrameSamples)}
	if l.log == nil {
		l.log = slog.New(slog.DiscardHandler)
	}
	l.log = l.log.With("line", cfg.Line)
	if cfg.Rate != dsp.LineRate {
		r, err := dsp.NewResampler(cfg.Rate, dsp.LineRate)
		if err != nil {
			return nil, fmt.Errorf("callflow: line %d: %w", cfg.Line, err)
		}
		l.down = r
	}
	n := cfg.Debounce
	l.hook, l.ring, l.btn = debouncer{need: n}, debouncer{need: n}, debouncer{need: n}
	l.st.Line = cfg.Line
	return l, nil
}

// Capture feeds the line's capture channel, at the device rate, in any
// chunking; each whole 20 ms frame is handled as it completes.
func (l *Line) Capture(in []int16) {
	if l.down != nil {
		l.pcm = l.down.Process(l.pcm, in)
	} else {
		l.pcm = append(l.pcm, in...)
	}
	n := 0
	for ; n+dsp.FrameSamples <= len(l.pcm); n += dsp.FrameSamples {
		l.handle(l.pcm[n : n+dsp.FrameSamples])
	}
	l.pcm = l.pcm[:copy(l.pcm, l.pcm[n:])]
}

// Playback fills out, the line's playback channel at the device rate, with
// what the line must hear from the appliance: silence, until notices play.
func (l *Line) Playback(out []int16) {
	clear(out)
}

// Status returns a snapshot of the line; safe from any goroutine.
func (l *Line) Status() Status {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.st
}

// Close seals the recording in progress, as if the line had gone on hook
// at end. Audio captured but not yet a whole frame is dropped (less than
// 20 ms).
func (l *Line) Close(end time.Time) error {
	id := l.Status().Recording
	if id == 0 {
		return nil
	}
	l.held = l.held[:0]
	return l.seal(end, "shutdown")
}

// read polls an input: a nil pin is never active.
func read(p Pin) bool { return p != nil && p.Read() == Active }

// handle runs one frame through the state machine.
func (l *Line) handle(f []int16) {
	l.frame++
	if l.ring.update(read(l.cfg.Ring)) {
		l.log.Info("ringing", "on", l.ring.state, "frame", l.frame)
		l.set(func(s *Status) { s.Ringing = l.ring.state })
	}
	if l.btn.update(read(l.cfg.Button)) {
		l.log.Info("button", "pressed", l.btn.state, "frame", l.frame)
		l.set(func(s *Status) { s.Pressed = l.btn.state })
	}

	raw := read(l.cfg.Hook)
	changed := l.hook.update(raw)
	switch {
	case changed && l.hook.state: // off hook, confirmed
		l.log.Info("off hook", "frame", l.frame)
		l.set(func(s *Status) { s.OffHook = true })
		l.start()
		l.flushHeld()
		l.store(f)
	case changed: // on hook, confirmed: the held frames were after the call
		l.log.Info("on hook", "frame", l.frame)
		l.set(func(s *Status) { s.OffHook = false })
		l.dropHeld()
		if l.Status().Recording != 0 {
			_ = l.seal(l.cfg.Clock.Now(), "on hook")
		}
	case raw != l.hook.state: // a change not yet confirmed: hold the frame
		l.hold(f)
	default: // the state stands; a change that bounced back loses nothing
		if l.hook.state {
			l.flushHeld()
			l.store(f)
		} else {
			l.dropHeld()
		}
	}
}

func (l *Line) set(f func(*Status)) {
	l.mu.Lock()
	f(&l.st)
	l.mu.Unlock()
}

func (l *Line) hold(f []int16) {
	var b []int16
	if n := len(l.pool); n > 0 {
		b, l.pool = l.pool[n-1], l.pool[:n-1]
	}
	l.held = append(l.held, append(b[:0], f...))
}

func (l *Line) flushHeld() {
	for _, f := range l.held {
		l.store(f)
	}
	l.dropHeld()
}

func (l *Line) dropHeld() {
	l.pool = append(l.pool, l.held...)
	l.held = l.held[:0]
}

// start creates the call's recording. On failure the line reports a fault
// and the call goes unrecorded; there is no retry within the call, because
// a recording that silently starts late would misrepresent the call.
func (l *Line) start() {
	now := l.cfg.Clock.Now()
	id, err := l.cfg.Store.Create(vault.Meta{Line: l.cfg.Line, Start: now})
	if err != nil {
		l.fail(fmt.Errorf("start recording: %w", err))
		return
	}
	l.log.Info("recording", "id", id)
	l.set(func(s *Status) { s.Recording, s.Frames, s.Fault = id, 0, ""; s.Calls++ })
	l.light(gpio.High)
}

// store appends one frame to the open recording, if any.
func (l *Line) store(f []int16) {
	id := l.Status().Recording
	if id == 0 {
		return
	}
	dsp.EncodeALaw(l.alaw, f)
	if err := l.cfg.Store.Append(id, l.alaw); err != nil {
		l.fail(fmt.Errorf("append to recording %s: %w", id, err))
		_ = l.seal(l.cfg.Clock.Now(), "store error")
		return
	}
	l.set(func(s *Status) { s.Frames++ })
}

func (l *Line) seal(end time.Time, why string) error {
	st := l.Status()
	l.set(func(s *Status) { s.Recording, s.Frames = 0, 0 })
	l.light(gpio.Low)
	err := l.cfg.Store.Seal(st.Recording, end)
	if err != nil && !errors.Is(err, vault.ErrNotFound) {
		l.fail(fmt.Errorf("seal recording %s: %w", st.Recording, err))
		return err
	}
	dur := time.Duration(st.Frames) * 20 * time.Millisecond
	l.log.Info("recording sealed", "id", st.Recording, "duration", dur, "reason", why)
	return nil
}

func (l *Line) fail(err error) {
	l.log.Error("line fault", "err", err)
	l.set(func(s *Status) { s.Fault = err.Error() })
}

func (l *Line) light(v gpio.Level) {
	if l.cfg.LEDRecording == nil {
		return
	}
	if err := l.cfg.LEDRecording.Out(v); err != nil {
		l.log.Warn("recording LED", "err", err)
	}
}

// debouncer confirms a level once it has read the same for need frames.
type debouncer struct {
	need  int
	state bool // the confirmed level: true = active
	run   int  // frames in a row reading !state
}

// update takes one reading and reports whether the confirmed state changed.
func (d *debouncer) update(active bool) bool {
	if active == d.state {
		d.run = 0
		return false
	}
	d.run++
	if d.run < d.need {
		return false
	}
	d.state, d.run = active, 0
	return true
}
