package review

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"periph.io/x/conn/v3/gpio"

	"fairrec/firmware/clock"
	"fairrec/firmware/debounce"
	"fairrec/firmware/dsp"
	"fairrec/firmware/policy"
	"fairrec/storage/audit"
	"fairrec/storage/vault"
)

// Pin is the supervisor button, polled once per frame; periph's gpio.PinIn
// satisfies it.
type Pin interface {
	Read() gpio.Level
}

// Active is the level the button reads while pressed: the board
// convention, a pull-up input pulled to ground.
const Active = gpio.Low

// Store holds the recordings; *vault.Vault satisfies it.
type Store interface {
	Info(vault.ID) (vault.Info, error)
	Audio(vault.ID) (io.ReadCloser, error)
	// List serves the button alone: the most recent recording that may
	// be reviewed.
	List(vault.Query) ([]vault.Info, error)
}

// Policy decides whether a recording may be reviewed; *policy.Engine
// satisfies it.
type Policy interface {
	// Review returns the purpose a supervisor may review id under now.
	Review(id vault.ID) (string, error)
	// Access fails once id may no longer be used for purpose.
	Access(id vault.ID, purpose string) error
	// Rules are the purposes, to tell which of them allow review.
	Rules() *policy.Rules
}

// Trail is the audit log as read back; *audit.Log satisfies it. It only
// serves to explain a refusal ("quality expired on ...").
type Trail interface {
	Each(since time.Time, fn func(audit.Entry) error) error
}

// Defaults of Config's zero values.
const (
	// DefaultDebounce: the button must read the same for 3 frames (60 ms),
	// as the line buttons (firmware/callflow).
	DefaultDebounce = 3
	// DefaultLongPress stops the playback: far longer than a press meant
	// to pause.
	DefaultLongPress = time.Second
	// DefaultLapse: a selection not played this long after `review ID`
	// lapses, so a press much later (another supervisor, the next day)
	// plays nothing the console did not just decide.
	DefaultLapse = 10 * time.Minute
	// DefaultRecheck is how often, in playback time, the grant is checked
	// again during a playback.
	DefaultRecheck = 100 * time.Millisecond
	// DefaultDoublePress: two short presses whose releases are at most
	// this far apart are one double press (with nothing selected at the
	// console).
	DefaultDoublePress = 400 * time.Millisecond
)

// The denial tone: what the review output plays when the button alone
// finds nothing that may be reviewed; short, low and quiet, so that the
// supervisor hears "no" without anything being decrypted.
const (
	DenialFreq  = 480.0 // Hz
	DenialLevel = -12.0 // dBm0
	DenialTime  = 300 * time.Millisecond
)

// ButtonID is the playback button's name in the audit log.
const ButtonID = "playback"

// frameTime is the button's polling interval, one line frame.
const frameTime = 20 * time.Millisecond

// Config configures a Player. Store, Policy and Clock are required.
type Config struct {
	// Rate is the device sample rate of the review output; 0 means 8 kHz.
	Rate int
	// Button is the supervisor's playback button; nil means the board has
	// none, and nothing is ever played.
	Button Pin
	Store  Store
	Policy Policy
	// Clock is the wall clock the selection lapses by.
	Clock clock.Clock
	// Audit receives each playback's start and end; nil records nothing
	// (tests). A start the audit log refuses is not played.
	Audit audit.Recorder
	// Trail, if set, explains refusals with what happened to the
	// recording (a grant that expired, an erasure).
	Trail  Trail
	Logger *slog.Logger

	// Lines are the lines whose recordings the button alone plays (with
	// nothing selected at the console); nil means all lines. A console
	// selection is not limited by it.
	Lines []int

	Debounce    int           // frames; 0 means DefaultDebounce
	LongPress   time.Duration // 0 means DefaultLongPress
	Lapse       time.Duration // 0 means DefaultLapse
	Recheck     time.Duration // 0 means DefaultRecheck
	DoublePress time.Duration // audio time; 0 means DefaultDoublePress
}

// Phase is where the player is.
type Phase int

// Phases.
const (
	Idle     Phase = iota // nothing selected
	Selected              // a recording waits for the button
	Playing
	Paused
)

var phaseNames = [...]string{"idle", "selected", "playing", "paused"}

func (ph Phase) String() string {
	if ph < 0 || int(ph) >= len(phaseNames) {
		return fmt.Sprintf("Phase(%d)", int(ph))
	}
	return phaseNames[ph]
}

// Errors Select returns, wrapped with the reason; the message is for the
// person at the console.
var (
	// ErrNotReviewable: the recording does not exist or may not be
	// reviewed now; the error also wraps the cause (policy.ErrExpired,
	// policy.ErrNoGrant, vault.ErrNotFound, ErrInProgress, ...).
	ErrNotReviewable = errors.New("may not be reviewed")
	// ErrInProgress: the recording's call is still going on; listening in
	// is not review.
	ErrInProgress = errors.New("recording in progress")
	// ErrBusy: a playback is in progress; stop it first.
	ErrBusy = errors.New("a playback is in progress")
)

// Player plays recordings on the review output for the supervisor.
type Player struct {
	cfg      Config
	log      *slog.Logger
	frameLen int // device samples per frame
	recheck  int // frames between grant checks during a playback

	mu       sync.Mutex
	inFrame  int // device samples of the current frame already filled
	btn      debounce.Input
	held     int // frames the button has been held (confirmed)
	longDone bool
	phase    Phase
	sel      selection
	s        *stream
	heard    int64 // device samples of the recording played
	frames   int   // frames since the last grant check
	last     string

	// The button alone (nothing selected at the console).
	window  int      // frames within which a second short press is a double press
	pending int      // frames left for a second press; 0: no press pending
	auto    bool     // the playback was chosen by the button alone
	cursor  vault.ID // the recording the button alone played last; 0: none
	tone    int      // device samples of the denial tone still to play
	phi     float64  // the denial tone's phase
}

type selection struct {
	id      vault.ID
	purpose string
	length  time.Duration
	lapses  time.Time
}

// New returns an idle player.
func New(cfg Config) (*Player, error) {
	if cfg.Store == nil || cfg.Policy == nil || cfg.Clock == nil {
		return nil, errors.New("review: new player: Store, Policy and Clock are required")
	}
	if cfg.Rate == 0 {
		cfg.Rate = dsp.LineRate
	}
	if cfg.Rate < 0 {
		return nil, fmt.Errorf("review: new player: rate %d Hz", cfg.Rate)
	}
	if _, err := dsp.NewResampler(dsp.LineRate, cfg.Rate); err != nil {
		return nil, fmt.Errorf("review: new player: %w", err)
	}
	if cfg.Debounce <= 0 {
		cfg.Debounce = DefaultDebounce
	}
	if cfg.LongPress <= 0 {
		cfg.LongPress = DefaultLongPress
	}
	if cfg.Lapse <= 0 {
		cfg.Lapse = DefaultLapse
	}
	if cfg.Recheck <= 0 {
		cfg.Recheck = DefaultRecheck
	}
	if cfg.DoublePress <= 0 {
		cfg.DoublePress = DefaultDoublePress
	}
	p := &Player{cfg: cfg, log: cfg.Logger}
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	p.frameLen = max(1, cfg.Rate*int(frameTime/time.Millisecond)/1000)
	p.recheck = max(1, int((cfg.Recheck+frameTime-1)/frameTime))
	p.window = max(1, int((cfg.DoublePress+frameTime-1)/frameTime))
	p.btn = debounce.Input{Need: cfg.Debounce}
	return p, nil
}

// Fill writes the review output's next samples, at the device rate, into
// out: the recording while it plays, else silence. The audio loop calls it
// once per period; the button is polled, the selection's lapse and the
// grant checked once per 20 ms frame of it.
func (p *Player) Fill(out []int16) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for len(out) > 0 {
		if p.inFrame == 0 {
			p.tick()
		}
		n := min(len(out), p.frameLen-p.inFrame)
		p.render(out[:n])
		out = out[n:]
		if p.inFrame += n; p.inFrame == p.frameLen {
			p.inFrame = 0
		}
	}
}

// render fills dst from the recording while playing.
func (p *Player) render(dst []int16) {
	if p.phase != Playing {
		clear(dst)
		if k := min(p.tone, len(dst)); k > 0 {
			p.phi = dsp.Sine(dst[:k], p.cfg.Rate, DenialFreq, DenialLevel, p.phi)
			p.tone -= k
		}
		return
	}
	n, done := p.s.read(dst)
	clear(dst[n:])
	p.heard += int64(n)
	if !done {
		return
	}
	if err := p.s.err; err != nil {
		p.interrupt(err)
		return
	}
	p.end("completed", p.button(), "")
}

// tick runs once per frame: button, lapse, grant.
func (p *Player) tick() {
	if p.pending > 0 {
		if p.pending--; p.pending == 0 {
			p.single()
		}
	}
	if p.btn.Update(p.cfg.Button != nil && p.cfg.Button.Read() == Active) {
		if !p.btn.Active && !p.longDone {
			p.short()
		}
		p.held, p.longDone = 0, false
	}
	if p.btn.Active {
		p.held++
		if !p.longDone && time.Duration(p.held+p.cfg.Debounce-1)*frameTime >= p.cfg.LongPress {
			p.longDone = true
			p.long()
		}
	}
	switch p.phase {
	case Selected:
		if !p.cfg.Clock.Now().Before(p.sel.lapses) {
			p.unselect(fmt.Sprintf("recording %v: the selection lapsed (not played within %v)", p.sel.id, p.cfg.Lapse), "lapsed", p.device())
		}
	case Playing, Paused:
		if p.frames++; p.frames >= p.recheck {
			p.frames = 0
			if err := p.cfg.Policy.Access(p.sel.id, p.sel.purpose); err != nil {
				p.interrupt(err)
			}
		}
	}
}

// short is a short press. With a console selection (selected, or playing
// what the console selected) it acts at once: start, pause or resume. With
// nothing selected, or during a playback the button alone chose, it waits
// for a second press: single or double.
func (p *Player) short() {
	if p.phase == Idle || p.auto {
		if p.pending > 0 {
			p.pending = 0
			p.double()
		} else {
			p.pending = p.window
		}
		return
	}
	switch p.phase {
	case Selected:
		p.start()
	case Playing:
		p.phase = Paused
		p.log.Info("review: paused", "recording", p.sel.id, "at", p.position())
	case Paused:
		p.phase = Playing
		p.log.Info("review: resumed", "recording", p.sel.id, "at", p.position())
	}
}

// long is a long press: stop, or cancel a selection.
func (p *Player) long() {
	switch p.phase {
	case Selected:
		p.unselect(fmt.Sprintf("recording %v: selection cancelled by a long press of the playback button", p.sel.id), "cancelled", p.button())
	case Playing, Paused:
		p.end("stopped", p.button(), "")
	}
}

// start begins the playback of the selection, if policy still allows it.
func (p *Player) start() {
	id := p.sel.id
	purpose, err := p.cfg.Policy.Review(id)
	if err != nil {
		p.refuse(err)
		return
	}
	r, err := p.cfg.Store.Audio(id)
	if err != nil {
		p.refuse(err)
		return
	}
	s, err := newStream(r, p.cfg.Rate)
	if err != nil {
		_ = r.Close()
		p.refuse(err)
		return
	}
	err = p.record(audit.Entry{Actor: p.button(), Action: audit.ActionPlayback, Recording: uint64(id), Purpose: purpose,
		Detail: "start length=" + seconds(p.sel.length)})
	if err != nil {
		s.close()
		p.idle(fmt.Sprintf("recording %v: not played: the audit log refused the entry (%v)", id, err))
		p.log.Error("review: " + p.last)
		return
	}
	p.sel.purpose, p.s, p.heard, p.frames, p.phase = purpose, s, 0, 0, Playing
	p.log.Info("review: playing", "recording", id, "purpose", purpose, "length", p.sel.length)
}

// refuse ends a selection that may not be played after all.
func (p *Player) refuse(err error) {
	p.unselect(fmt.Sprintf("recording %v: not played: %s", p.sel.id, reason(err, p.sel.purpose)), "refused: "+reason(err, p.sel.purpose), p.device())
}

// interrupt stops the playback because it may no longer go on.
func (p *Player) interrupt(err error) {
	why := reason(err, p.sel.purpose)
	p.end("interrupted", p.button(), why)
}

// end stops the playback and records its end.
func (p *Player) end(how string, actor audit.Actor, why string) {
	id, purpose, heard := p.sel.id, p.sel.purpose, p.heardTime()
	p.s.close()
	p.s = nil
	detail := "end=" + how + " heard=" + seconds(heard)
	msg := fmt.Sprintf("recording %v: playback %s after %s under %s", id, how, seconds(heard), purpose)
	if why != "" {
		detail += " (" + why + ")"
		msg += ": " + why
	}
	if err := p.record(audit.Entry{Actor: actor, Action: audit.ActionPlayback, Recording: uint64(id), Purpose: purpose,
		Detail: audit.Redact(detail)}); err != nil {
		p.log.Error("review: audit of the playback's end failed", "recording", id, "err", err)
	}
	p.idle(msg)
	if how == "interrupted" {
		p.log.Warn("review: " + msg)
	} else {
		p.log.Info("review: " + msg)
	}
}

func (p *Player) idle(last string) {
	p.phase, p.last, p.sel, p.auto = Idle, last, selection{}, false
}

// unselect ends a selection that was never played, audited as by actor
// with why, and leaves last as the console's answer: the log shows every
// choice of a recording and how it ended.
func (p *Player) unselect(last, why string, actor audit.Actor) {
	err := p.record(audit.Entry{Actor: actor, Action: audit.ActionReviewSelection, Recording: uint64(p.sel.id),
		Purpose: p.sel.purpose, Detail: "ended unplayed: " + why})
	if err != nil {
		p.log.Error("review: audit", "err", err)
	}
	p.idle(last)
	p.log.Info("review: " + p.last)
}

// device is the box itself as the actor of a lapse or a logout.
func (p *Player) device() audit.Actor { return audit.Actor{Kind: audit.ActorDevice, ID: "review"} }

func (p *Player) record(e audit.Entry) error {
	if p.cfg.Audit == nil {
		return nil
	}
	return p.cfg.Audit.Record(e)
}

func (p *Player) button() audit.Actor { return audit.Actor{Kind: audit.ActorButton, ID: ButtonID} }

func (p *Player) heardTime() time.Duration {
	return time.Duration(p.heard) * time.Second / time.Duration(p.cfg.Rate)
}

func (p *Player) position() string { return seconds(p.heardTime()) }

// seconds prints d as "12.3s".
func seconds(d time.Duration) string { return fmt.Sprintf("%.1fs", d.Seconds()) }
