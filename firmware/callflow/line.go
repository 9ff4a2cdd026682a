package callflow

import (
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"periph.io/x/conn/v3/gpio"

	"fairrec/firmware/callerid"
	"fairrec/firmware/clock"
	"fairrec/firmware/debounce"
	"fairrec/firmware/dsp"
	"fairrec/firmware/dtmf"
	"fairrec/firmware/notice"
	"fairrec/firmware/policy"
	"fairrec/storage/audit"
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
	Erase(id vault.ID) error
	SetNotes(id vault.ID, notes string) error
	// AddCaller adds a number heard during an open recording (call
	// waiting) to its sealed metadata.
	AddCaller(id vault.ID, number string) error
}

// Policy decides what a call may be recorded for and applies objections;
// *policy.Engine satisfies it.
type Policy interface {
	Start(line int, objected bool, actor audit.Actor) (policy.Start, error)
	Object(id vault.ID, actor audit.Actor) (policy.Result, error)
}

// Active is the level an input reads while active (off hook, ringing,
// pressed): the board convention, pull-up inputs pulled to ground.
const Active = gpio.Low

// Defaults of Config's zero values.
const (
	// DefaultDebounce is the number of frames (20 ms each) the hook sense
	// and the button must hold a new level before it counts: 60 ms, longer
	// than contact bounce, shorter than any human action. Ring sense, which
	// pulses at the ring frequency, has its own rule (debounce.Ring).
	DefaultDebounce = 3
	// DefaultObjectionDigit is the key a caller presses to object; the
	// built-in notices announce it.
	DefaultObjectionDigit = '9'
	// DefaultLongPress is how long the employee holds the button to pause
	// (or resume) storing: 1 s, far longer than a press meant as an
	// objection.
	DefaultLongPress = time.Second
	// DefaultAloneBefore and DefaultAloneAfter make the objection digit an
	// objection only when it is pressed by itself: no other key within 3 s
	// before it began, none within 2 s after it ended. People type card
	// numbers, PINs, menu choices and numbers in runs with gaps of well
	// under a second (a pause to read a card's next group rarely reaches
	// 2 s), so a 9 inside such a run is data, never an objection; a 9
	// pressed alone, as the notice asks, takes effect 2 s after its release.
	DefaultAloneBefore = 3 * time.Second
	DefaultAloneAfter  = 2 * time.Second
	// DefaultDialDelay is how long after the last dialled digit an
	// outgoing call's notice plays when the employee has not pressed the
	// button.
	DefaultDialDelay = 4 * time.Second
	// DefaultMaxSegment is the longest one recording grows before a new,
	// linked segment starts.
	DefaultMaxSegment = 2 * time.Hour
	// DefaultMaxSilence ends the recording of a line that has been silent
	// this long: a handset left off the hook must not fill the disk.
	DefaultMaxSilence = 10 * time.Minute
)

// silentPeak is the peak below which a frame counts as silence: -50 dBm0.
const silentPeak = 72

// Config configures a Line. Zero values: Rate 8 kHz (no resampling),
// Debounce DefaultDebounce, no pins (never off hook), objection digit '9',
// the defaults above, no minimum call length, a discarding logger.
type Config struct {
	Line int // 1-based line number, stored with each recording
	Rate int // device sample rate of the audio passed to Capture and Playback

	// Inputs, nil if absent. Ring must read active for every frame in
	// which the ring voltage was present at any moment: a pulsed
	// ring-sense input needs its edges latched (drivers/gpio does so for
	// boards whose profile says RingPulsed).
	Hook, Ring, Button Pin
	LEDRecording       Light // lit while recording; blinks (per second) while paused
	LEDObjection       Light // lit after an objection until the line is on hook

	Store  Store       // required
	Clock  clock.Clock // required: recording start and end times
	Logger *slog.Logger

	// Notices holds the line's notices. Nil means the line plays no notice
	// and records from the off-hook on: only for tests of the audio path;
	// the daemon always gives one. A line whose notice is missing from the
	// library refuses to record (Status.Fault says why).
	Notices *notice.Library
	// NoticeProfile and Language select the line's notices in Notices;
	// "" means notice.DefaultProfile and "nl".
	NoticeProfile, Language string

	// Policy grants purposes and applies objections; nil records with no
	// grants and erases the whole recording on objection.
	Policy Policy
	// Audit receives the line's events (created, sealed, notice receipt,
	// objections when there is no Policy, which records its own); nil
	// records nothing.
	Audit audit.Recorder

	Debounce       int  // frames, for hook sense and the button
	ObjectionDigit byte // '0'-'9', '*', '#'; 0 means '9'
	// AloneBefore and AloneAfter are the quiet a key press of the
	// objection digit needs around it to be an objection: no other key
	// within AloneBefore before it began, none within AloneAfter after it
	// ended (0 means DefaultAloneBefore, DefaultAloneAfter).
	AloneBefore, AloneAfter time.Duration
	LongPress               time.Duration // button held this long pauses/resumes
	DialDelay               time.Duration // outgoing: notice this long after the last digit
	// NoCallerID switches off caller ID decoding: on hook (DTMF CLIP, V.23
	// and Bell 202 FSK) and during calls (call waiting). By default an
	// incoming call's number, and the number of every caller announced by
	// call waiting, go into the recording's sealed metadata.
	NoCallerID bool
	// PlaybackDelay is how much later than the period it is produced for
	// the line hears what Playback returns (the daemon's audio pump holds
	// it back one period). A recording after a notice starts this much
	// after the notice's end, where the notice really ends on the line.
	PlaybackDelay time.Duration
	MinCall       time.Duration // recordings with less stored audio are erased
	MaxSegment    time.Duration // a recording this long continues in a new one
	MaxSilence    time.Duration // a recording silent this long is sealed; the call is then not recorded further

	// VOX starts and ends calls by the line's level on a board without
	// hook sense (Hook nil), as classic line recorders do: a call begins
	// at the first frame above VOX dBm0 (e.g. -40) and ends VOXHold
	// (default 5 s) after the last. Zero turns VOX off. Such a call counts
	// as incoming (the notice plays at once) and what was heard before the
	// notice ended is discarded like any other call's.
	VOX     float64
	VOXHold time.Duration
}

// Status is a snapshot of a line.
type Status struct {
	Line      int
	OffHook   bool
	Ringing   bool
	Pressed   bool     // the objection button is held
	Phase     Phase    // where the call is
	Recording vault.ID // the open recording, 0 if none
	Frames    int64    // frames stored in the open recording
	Paused    bool     // storing paused (card payment)
	Objected  bool     // an objection was taken in this call
	// Refused names the purposes the objection refused (a contract): the
	// agreement cannot be concluded by phone; the objection LED flashes.
	Refused []string
	Fault   string // why the line cannot record or the last recording failed, "" if neither
	Calls   int    // recordings started since the line was made
}

// Line is one phone line's call state machine.
type Line struct {
	cfg  Config
	log  *slog.Logger
	down *dsp.Resampler // capture, nil at 8 kHz
	up   *dsp.Resampler // playback, nil at 8 kHz

	lead    *notice.Notice // nil: no notice configured (Config.Notices nil) or failed
	refused string         // why the line refuses to record, "" if it does not

	det    *dtmf.Detector
	events []dtmf.Event

	// Caller ID arrives on hook, before the first ring or between rings;
	// the number is kept (never logged) until the call it belongs to is
	// answered, and goes into the recording's sealed metadata.
	cid      *callerid.Decoder
	cidRes   []callerid.Result
	caller   string
	callerAt int64
	// During a call the exchange may announce a waiting caller (alerting
	// tone, then FSK); that number joins the recording's sealed metadata.
	cw    *callerid.CallWaiting
	cwRes []callerid.Result

	pcm    []int16 // 8 kHz samples not yet cut into a frame
	out    []int16 // 8 kHz playback not yet converted
	quiet  int     // silent 8 kHz playback samples in a row
	upIdle bool    // l.up skipped since the last Reset
	outD   []int16 // playback at the device rate, not yet handed out
	play   []int16 // one frame of playback

	hook, btn debounce.Input
	ring      debounce.Ring
	voxOn     bool  // VOX: the line is in a call
	voxQuiet  int   // VOX: frames below the threshold in a row
	rang      bool  // the line rang (ringExpiry ago at most): an off-hook answers
	ringEnd   int64 // line sample the last ring ended at
	pressed   int   // frames the button has been held (confirmed)
	longDone  bool
	pos       int64 // line samples handled before the current frame
	dl        delayLine
	alaw      []byte
	scratch   []int16

	c *call // the call in progress, nil when on hook

	mu sync.Mutex // guards st
	st Status
	m  meter // the installer's level meter (Meter)
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
	if cfg.ObjectionDigit == 0 {
		cfg.ObjectionDigit = DefaultObjectionDigit
	}
	if cfg.AloneBefore <= 0 {
		cfg.AloneBefore = DefaultAloneBefore
	}
	if cfg.AloneAfter <= 0 {
		cfg.AloneAfter = DefaultAloneAfter
	}
	if cfg.LongPress <= 0 {
		cfg.LongPress = DefaultLongPress
	}
	if cfg.DialDelay <= 0 {
		cfg.DialDelay = DefaultDialDelay
	}
	if cfg.MaxSegment <= 0 {
		cfg.MaxSegment = DefaultMaxSegment
	}
	if cfg.MaxSilence <= 0 {
		cfg.MaxSilence = DefaultMaxSilence
	}
	if cfg.VOXHold <= 0 {
		cfg.VOXHold = 5 * time.Second
	}
	if cfg.NoticeProfile == "" {
		cfg.NoticeProfile = notice.DefaultProfile
	}
	if cfg.Language == "" {
		cfg.Language = "nl"
	}
	l := &Line{cfg: cfg, log: cfg.Logger, alaw: make([]byte, dsp.FrameSamples),
		play: make([]int16, dsp.FrameSamples), scratch: make([]int16, dsp.FrameSamples)}
	if l.log == nil {
		l.log = slog.New(slog.DiscardHandler)
	}
	l.log = l.log.With("line", cfg.Line)
	if cfg.Rate != dsp.LineRate {
		var err error
		if l.down, err = dsp.NewResampler(cfg.Rate, dsp.LineRate); err != nil {
			return nil, fmt.Errorf("callflow: line %d: %w", cfg.Line, err)
		}
		if l.up, err = dsp.NewResampler(dsp.LineRate, cfg.Rate); err != nil {
			return nil, fmt.Errorf("callflow: line %d: %w", cfg.Line, err)
		}
	}
	det, err := dtmf.New(dtmf.Config{})
	if err != nil {
		return nil, fmt.Errorf("callflow: line %d: %w", cfg.Line, err)
	}
	l.det = det
	if !cfg.NoCallerID {
		if l.cid, err = callerid.NewDecoder(callerid.Config{Logger: l.log}); err != nil {
			return nil, fmt.Errorf("callflow: line %d: %w", cfg.Line, err)
		}
		if l.cw, err = callerid.NewCallWaiting(callerid.Config{Logger: l.log}); err != nil {
			return nil, fmt.Errorf("callflow: line %d: %w", cfg.Line, err)
		}
	}
	// The delay line holds back what is stored long enough to blank a
	// digit from its true start (the detector reports it up to 60 ms
	// late) and to drop the frames that confirmed an on-hook.
	l.dl.frames = max(delayFrames, cfg.Debounce+1)
	n := cfg.Debounce
	l.hook, l.btn = debounce.Input{Need: n}, debounce.Input{Need: n}
	l.st.Line, l.st.Phase = cfg.Line, PhaseIdle
	if cfg.Notices != nil {
		key := notice.Key{Profile: cfg.NoticeProfile, Language: cfg.Language, Kind: notice.KindNotice}
		n, err := cfg.Notices.Lookup(key)
		if err != nil {
			l.refused = fmt.Sprintf("refuses to record: no usable notice %s: %v", key, err)
			l.st.Fault = l.refused
			l.log.Error("line refuses to record", "notice", key.String(), "err", err)
		}
		l.lead = n
	}
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
// what the line must hear from the appliance: the notices the frames
// captured so far started, else silence. Call it after Capture with a
// buffer of the same length, as a duplex audio callback does.
func (l *Line) Playback(out []int16) {
	silent := !slices.ContainsFunc(l.out, func(x int16) bool { return x != 0 })
	if silent {
		l.quiet += len(l.out)
	} else {
		l.quiet = 0
	}
	switch {
	case l.up != nil && l.quiet > quietAfter:
		// Long silence: the converter's state is all zeros, so its output
		// is too; skip the work (most lines are silent most of the time)
		// and start it afresh when a notice plays.
		if !l.upIdle {
			l.up.Reset()
			l.upIdle = true
		}
		n := len(l.out) * l.cfg.Rate / dsp.LineRate
		k := len(l.outD)
		l.outD = slices.Grow(l.outD, n)[:k+n]
		clear(l.outD[k:])
	case l.up != nil:
		l.upIdle = false
		l.outD = l.up.Process(l.outD, l.out)
	default:
		l.outD = append(l.outD, l.out...)
	}
	l.out = l.out[:0]
	n := copy(out, l.outD)
	clear(out[n:])
	l.outD = l.outD[:copy(l.outD, l.outD[n:])]
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
	if l.c == nil {
		return nil
	}
	// A lone objection digit just before the end stands: no key can
	// follow it now.
	l.alone(l.pos, true)
	l.dl.flush(l.emit)
	err := l.endCall(end, "shutdown")
	l.c = nil
	return err
}

// read polls an input: a nil pin is never active.
func read(p Pin) bool { return p != nil && p.Read() == Active }

// handle runs one frame through the state machine.
func (l *Line) handle(f []int16) {
	pos := l.pos
	l.pos += dsp.FrameSamples
	back := int64(l.cfg.Debounce-1) * dsp.FrameSamples // a confirmed change began this far back
	if l.ring.Update(read(l.cfg.Ring)) {
		l.log.Debug("ringing", "on", l.ring.Active, "sample", pos)
		l.set(func(s *Status) { s.Ringing = l.ring.Active })
		if l.ring.Active && l.c == nil {
			l.rang = true
		}
		if !l.ring.Active {
			l.ringEnd = pos
		}
	}
	// A ring the line did not answer expires: the ring cadence pauses at
	// most 4 s (NL: 1 s on, 4 s off), so after ringExpiry without a ring
	// the caller has given up, and lifting the handset is an outgoing call.
	if l.rang && !l.ring.Active && l.c == nil && pos-l.ringEnd > ringExpiry {
		l.rang = false
	}
	if l.btn.Update(read(l.cfg.Button)) {
		l.log.Info("button", "pressed", l.btn.Active, "sample", pos)
		l.set(func(s *Status) { s.Pressed = l.btn.Active })
		if !l.btn.Active && !l.longDone && l.c != nil {
			l.shortPress(pos)
		}
		l.pressed, l.longDone = 0, false
	}
	if l.btn.Active {
		l.pressed++
		if !l.longDone && time.Duration(l.pressed+l.cfg.Debounce-1)*frameTime >= l.cfg.LongPress {
			l.longDone = true
			if l.c != nil {
				l.longPress(pos)
			}
		}
	}

	if l.cid != nil && l.c == nil {
		l.callerID(f, pos)
	}
	l.dl.push(pos, f)
	l.m.frame(f)
	l.events = l.det.Process(l.events[:0], f)
	for _, e := range l.events {
		l.m.digit(e)
		l.digit(e)
	}

	off := read(l.cfg.Hook)
	if l.cfg.Hook == nil && l.cfg.VOX != 0 {
		off = l.vox(f)
	}
	if l.hook.Update(off) {
		if l.hook.Active {
			l.log.Info("off hook", "sample", pos-back)
			l.set(func(s *Status) { s.OffHook = true })
			l.offHook(pos-back, pos)
		} else {
			l.log.Info("on hook", "sample", pos-back)
			l.set(func(s *Status) { s.OffHook = false })
			if l.c != nil {
				l.c.end = pos - back
				l.alone(pos, true) // a caller who presses 9 and hangs up objected
				l.dl.flush(l.emit)
				_ = l.endCall(l.cfg.Clock.Now(), "on hook")
				l.c = nil
			}
			l.rang = false
		}
	}
	if l.c != nil && l.cw != nil {
		l.cwRes = l.cw.Process(l.cwRes[:0], f)
		l.waiting(l.cwRes)
	}
	if l.c != nil {
		l.silence(f)
	}
	if l.c != nil {
		l.tick(pos)
	} else {
		clear(l.play)
	}
	l.out = append(l.out, l.play...)
	l.dl.pop(l.emit)
}

// callerIDValid is how long a caller ID stays with the line: ETSI sends it
// before the first ring or between the first two, and a call is answered
// within a minute of ringing or not at all.
const callerIDValid = 60 * dsp.LineRate

// callerID runs the caller ID decoder over an on-hook frame. It only runs
// on hook: during a call the caller's own key presses would look like DTMF
// CLIP, and the decoder's cost stays off the recording path.
func (l *Line) callerID(f []int16, pos int64) {
	l.cidRes = l.cid.Process(l.cidRes[:0], f)
	for _, r := range l.cidRes {
		l.m.callerID(r, pos, false)
		switch {
		case r.Err != nil:
			l.log.Warn("caller ID rejected", "format", r.Format.String(), "err", r.Err)
		case r.Number != "":
			l.caller, l.callerAt = r.Number, pos
			l.log.Info("caller ID received", "format", r.Format.String()) // never the number
		default:
			l.caller = "" // withheld or unavailable: a number from before is not this caller's
		}
	}
}

// waiting takes the call-waiting caller IDs decoded during the call: each
// new number joins the open recording's sealed metadata (and the metadata
// of the call's later segments). The number is never logged.
func (l *Line) waiting(res []callerid.Result) {
	c := l.c
	for _, r := range res {
		l.m.callerID(r, l.pos, true)
		switch {
		case r.Err != nil:
			l.log.Warn("call-waiting caller ID rejected", "format", r.Format.String(), "err", r.Err)
			continue
		case r.Number == "":
			l.log.Info("call waiting: caller ID withheld or unavailable", "format", r.Format.String())
			continue
		case slices.Contains(c.others, r.Number) || r.Number == c.callerID:
			continue
		}
		l.log.Info("call waiting: caller ID received", "format", r.Format.String())
		c.others = append(c.others, r.Number)
		if c.id == 0 {
			continue // the recording to come gets it (startRecording)
		}
		if err := l.cfg.Store.AddCaller(c.id, r.Number); err != nil {
			// Tried again before the recording is sealed; the call's later
			// segments get it at their start anyway.
			l.log.Warn("call-waiting caller ID not yet stored with the recording", "id", c.id, "err", err)
			c.unsaved = append(c.unsaved, r.Number)
		}
	}
}

// vox reports whether a VOX line is in a call after frame f.
func (l *Line) vox(f []int16) bool {
	if dsp.LevelDBm0(f) >= l.cfg.VOX {
		l.voxOn, l.voxQuiet = true, 0
	} else if l.voxOn {
		l.voxQuiet++
		if time.Duration(l.voxQuiet)*frameTime >= l.cfg.VOXHold {
			l.voxOn = false
		}
	}
	return l.voxOn
}

// ringExpiry is how long after the last ring an off-hook still answers it,
// in line samples: 6 s.
const ringExpiry = 6 * dsp.LineRate

// quietAfter is how many silent line samples make the playback converter's
// state all zeros: far more than its filter spans (1 s).
const quietAfter = dsp.LineRate

// frameTime is the length of one frame.
const frameTime = 20 * time.Millisecond

func (l *Line) set(f func(*Status)) {
	l.mu.Lock()
	f(&l.st)
	l.mu.Unlock()
}

func (l *Line) fail(err error) {
	l.log.Error("line fault", "err", err)
	l.set(func(s *Status) { s.Fault = err.Error() })
}

func light(log *slog.Logger, p Light, name string, on bool) {
	if p == nil {
		return
	}
	v := gpio.Low
	if on {
		v = gpio.High
	}
	if err := p.Out(v); err != nil {
		log.Warn("LED", "led", name, "err", err)
	}
}
