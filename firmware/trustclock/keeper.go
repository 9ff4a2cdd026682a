package trustclock

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"fairrec/firmware/clock"
)

// File is the keeper's state file inside the data directory.
const File = "clock.json"

// DefaultMaxJump is Config.MaxJump when zero: the largest forward step of
// the wall clock taken on trust, and of the sum of the steps between two
// confirmations.
const DefaultMaxJump = 48 * time.Hour

// MinPlausible returns the earliest wall-clock time taken as possibly
// true: a Raspberry Pi without an RTC boots in 1970 or at its image's
// build date.
func MinPlausible() time.Time { return time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC) }

// AheadLimit is how far a saved bound may lie ahead of a plausible wall
// clock at start (or Config.MaxJump if larger) and still be the lower
// bound: a battery clock that lost a few days leaves the saved bound in
// force (a recording is then erased late by at most the time the box was
// off), but a bound months or years ahead of it is no evidence of the
// time: the clock is untrusted ("state-ahead") and nothing is erased
// until it is confirmed.
const AheadLimit = 30 * 24 * time.Hour

// behindTolerance is how far the wall clock may fall behind the lower bound
// (an NTP step) without the clock being called untrusted.
const behindTolerance = 2 * time.Minute

// Config configures New.
type Config struct {
	Clock clock.Clock // required: the wall clock
	// Path is the state file holding the last lower bound (File in
	// the data directory); "" keeps nothing across restarts (tests).
	Path string
	// MaxJump is the most the bound may run ahead of the monotonic clock
	// between two confirmations, in sum over all forward steps of the
	// wall clock (and the time the box was off); a step beyond it waits
	// for Confirm. Zero means 48 h.
	MaxJump time.Duration
	// Key derives the key that signs the state file (HMAC-SHA256;
	// firmware/datadir derives it from the key file under KeyLabel). It is
	// called once, when the file is first read or written. A state file
	// that is not signed with it is not a lower bound: the clock is
	// untrusted and nothing is erased until Confirm, and the next save
	// signs it. Nil: the file is neither signed nor checked (tests).
	Key func() ([]byte, error)
	// Elapsed returns the monotonic time since boot. Nil means the
	// monotonic reading carried by Clock.Now (the real clock's time.Time
	// has one); tests pass a counter that a clock jump does not move.
	Elapsed func() time.Duration
	// RTC says the board keeps time while off (a battery-backed clock):
	// a wall clock that agrees with the saved bound at start is then
	// trusted. Without one (a Raspberry Pi), a clock that agrees may
	// merely be where it stopped (fake-hwclock), so it is trusted only
	// once confirmed (Confirm: the installer or NTP).
	RTC bool
	// BootID identifies the operating system's boot (Linux:
	// /proc/sys/kernel/random/boot_id). A keeper started in the boot in
	// which the saved state was trusted (the operator tool between two
	// runs of the daemon) trusts an agreeing clock as well. "" never
	// matches.
	BootID string
	Logger *slog.Logger
}

// Change is a change of the clock's trust.
type Change struct {
	Trusted bool
	// Reason: "implausible", "behind", "jump", "unconfirmed", "confirmed",
	// "agrees", "first-start", or why the state file is no lower bound:
	// "state-lost", "state-unsigned", "state-tampered", "state-no-key",
	// "state-ahead".
	Reason  string
	Wall    time.Time     // the wall clock's reading
	Bound   time.Time     // the lower bound after the change
	Shift   time.Duration // when becoming trusted: how far the bound moved forward
	Initial bool          // the state at start, not a change while running
}

// Keeper keeps a lower bound of the true time:
//
//	bound = max(wall clock, last persisted bound + monotonic time since boot)
//
// where the wall clock only counts while it is trusted: plausible (not
// before MinPlausible), not behind the bound, and not ahead of it by more
// than MaxJump unless confirmed; MaxJump bounds the sum of the forward
// steps since the last confirmation, so many small steps are no better
// than one large one. The bound never decreases within a boot
// and never counts the time the box was off, so a deadline compared with
// it is never met early. Keeper implements clock.Clock with the bound as
// Now, so timestamps taken through it are never in the future either.
type Keeper struct {
	cfg  Config
	boot time.Time

	mu       sync.Mutex
	known    bool          // a lower bound is known (persisted, or a trusted reading)
	anchored bool          // anchor is set (maybe provisionally)
	anchor   time.Time     // the bound at anchorEl
	anchorEl time.Duration // elapsed time at which anchor was taken
	trusted  bool
	reason   string
	confirm  bool // accept the next reading whatever its jump
	lost     bool // no lower bound from the state file: wait for Confirm
	lostWhy  string
	// fromFile: the anchor is the state file's bound, not yet agreed
	// with by a wall-clock reading in this boot.
	fromFile bool
	started  bool // the first reading was taken
	settled  bool // the wall clock was confirmed (or vouched for) in this boot
	// steps is the sum of all forward steps of the bound beyond the
	// monotonic clock, over the box's life (persisted). A timestamp taken
	// while the clock was untrusted lagged the true time by at most the
	// steps that followed it (plus time off), so its deadline counts from
	// it moved forward by steps-now minus steps-then (see firmware/policy's Engine).
	steps      time.Duration
	savedSteps time.Duration
	// unconf is the part of steps since the last confirmation
	// (persisted); it may not exceed MaxJump.
	unconf  time.Duration
	macKey  []byte
	resign  bool // the file on disk is not signed (or wrongly): sign it at the next save
	changes []Change
	notify  chan struct{}
	saved   time.Time
}

// New reads the state file and takes the first reading. A missing
// file is a first start; an unreadable or unauthenticated one (see
// Config.Key), or one whose bound lies ahead of a plausible wall clock by
// more than MaxJump, leaves no lower bound, so nothing is erased until the
// clock is confirmed (the reason is the first Change; the error is logged,
// not returned: the box must keep recording).
func New(cfg Config) (*Keeper, error) {
	if cfg.Clock == nil {
		return nil, errors.New("trustclock: new keeper: no clock")
	}
	if cfg.MaxJump <= 0 {
		cfg.MaxJump = DefaultMaxJump
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	k := &Keeper{cfg: cfg, boot: cfg.Clock.Now(), notify: make(chan struct{}, 1)}
	k.mu.Lock()
	defer k.mu.Unlock()
	if cfg.Path != "" {
		st, err := k.loadState()
		var bad *errUntrusted
		switch {
		case errors.As(err, &bad):
			k.lost, k.lostWhy = true, bad.reason
			if st != nil {
				// The best estimate of the steps there is: a grant's
				// deadline moves by the steps after it was stamped.
				k.steps, k.savedSteps = st.Steps, st.Steps
			}
			cfg.Logger.Error("clock state is no lower bound of the time: nothing is erased until the clock is confirmed", "file", cfg.Path, "err", err)
		case st != nil:
			k.known, k.anchored, k.anchor, k.anchorEl, k.fromFile = true, true, st.Bound, 0, true
			k.saved, k.steps, k.savedSteps, k.unconf = st.Bound, st.Steps, st.Steps, st.Unconfirmed
			// A state written with the kernel's trailing newline (fairrecd
			// before firmware/datadir read the boot id once) matches too.
			k.settled = st.Trusted && cfg.BootID != "" && strings.TrimSpace(st.BootID) == strings.TrimSpace(cfg.BootID)
		}
	}
	k.resign = k.lost && k.lostWhy != reasonLost
	k.readLocked()
	return k, nil
}

func (k *Keeper) elapsed(wall time.Time) time.Duration {
	if k.cfg.Elapsed != nil {
		return k.cfg.Elapsed()
	}
	return wall.Sub(k.boot)
}

// readLocked takes a reading and returns the bound; ok is false while no
// lower bound is known (state lost and not yet confirmed).
func (k *Keeper) readLocked() (bound time.Time, ok bool) {
	wall := k.cfg.Clock.Now()
	el := k.elapsed(wall)
	if k.fromFile && !wall.Before(MinPlausible()) && k.anchor.Add(el-k.anchorEl).After(wall.Add(max(k.cfg.MaxJump, AheadLimit))) {
		// The saved bound lies far ahead of a plausible wall clock: it
		// is no evidence of the time, and no reason to erase (a bound
		// set ahead would erase what is not due).
		k.cfg.Logger.Error("clock state lies ahead of the wall clock: nothing is erased until the clock is confirmed",
			"bound", k.anchor.Add(el-k.anchorEl), "wall", wall)
		k.known, k.anchored, k.fromFile, k.lost, k.lostWhy = false, false, false, true, reasonAhead
	}
	if !k.anchored {
		// Nothing persisted: a provisional anchor, so that the bound
		// still advances with the monotonic clock.
		k.anchor, k.anchorEl, k.anchored = wall, el, true
	}
	base := k.anchor.Add(el - k.anchorEl)
	agree, reason := true, "agrees"
	switch {
	case wall.Before(MinPlausible()):
		agree, reason = false, "implausible"
	case k.confirm:
		reason = "confirmed"
	case k.lost:
		agree, reason = false, k.lostWhy
	case !k.known && k.started:
		// Nothing saved and the first reading was implausible: a
		// plausible clock now is not evidence enough.
		agree, reason = false, "unconfirmed"
	case !k.known:
		reason = "first-start"
	case wall.Before(base.Add(-behindTolerance)):
		agree, reason = false, "behind"
	case wall.After(base.Add(k.cfg.MaxJump - k.unconf)):
		// Not only this step: all forward steps since the last
		// confirmation count, so small steps do not add up to a large one.
		agree, reason = false, "jump"
	}
	bound = base
	if agree {
		if wall.After(base) || reason != "agrees" {
			bound = wall
		}
		if bound.After(base) {
			k.steps += bound.Sub(base)
			k.unconf += bound.Sub(base)
		}
		if k.confirm || !k.known {
			k.unconf = 0 // a confirmation, or the first start
		}
		if k.confirm || (!k.started && k.cfg.RTC) {
			k.settled = true
		}
		k.anchor, k.anchorEl = bound, el
		k.known, k.lost, k.confirm, k.fromFile = true, false, false, false
	}
	trusted := agree && k.settled
	if !trusted && reason == "agrees" {
		reason = "unconfirmed"
	}
	k.setTrust(trusted, reason, wall, bound, bound.Sub(base))
	if k.steps-k.savedSteps >= time.Second {
		// A step must outlive a crash: grants stamped before it rely on it.
		if err := k.saveLocked(bound); err != nil {
			k.cfg.Logger.Error("clock state not saved", "err", err)
		}
	}
	return bound, k.known
}

// Elapsed returns the monotonic time since the keeper started: no change
// of the wall clock moves it (firmware/auth times its lockout on it).
func (k *Keeper) Elapsed() time.Duration { return k.elapsed(k.cfg.Clock.Now()) }

// Steps returns the sum of the bound's forward steps so far (see Keeper).
func (k *Keeper) Steps() time.Duration {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.readLocked()
	return k.steps
}

func (k *Keeper) setTrust(trusted bool, reason string, wall, bound time.Time, shift time.Duration) {
	if k.started && trusted == k.trusted {
		if !trusted {
			k.reason = reason
		}
		return
	}
	if shift < 0 {
		shift = 0
	}
	c := Change{Trusted: trusted, Reason: reason, Wall: wall, Bound: bound, Shift: shift, Initial: !k.started}
	k.started, k.trusted, k.reason = true, trusted, reason
	k.changes = append(k.changes, c)
	select {
	case k.notify <- struct{}{}:
	default:
	}
}

// Now returns the lower bound of the true time (implements clock.Clock).
// While no bound is known it returns the wall clock, flagged by Bound.
func (k *Keeper) Now() time.Time {
	t, _ := k.Bound()
	return t
}

// After is the wall clock's timer (implements clock.Clock).
func (k *Keeper) After(d time.Duration) <-chan time.Time { return k.cfg.Clock.After(d) }

// Bound returns the lower bound and whether one is known. Erasing is only
// allowed when ok.
func (k *Keeper) Bound() (t time.Time, ok bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.readLocked()
}

// Latest returns the latest the time may be: the wall clock if it is ahead
// of the bound. Access checks use it, so an expired grant is never used.
func (k *Keeper) Latest() time.Time {
	k.mu.Lock()
	defer k.mu.Unlock()
	b, _ := k.readLocked()
	if w := k.cfg.Clock.Now(); w.After(b) {
		return w
	}
	return b
}

// Trusted reports whether the wall clock is trusted now; timestamps taken
// while it is not are approximate (audit.Config.Trusted).
func (k *Keeper) Trusted() bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.readLocked()
	return k.trusted
}

// Reason says in a word why the clock is trusted or not ("agrees",
// "confirmed", "implausible", "jumped", ...), as the last Change did.
func (k *Keeper) Reason() string {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.readLocked()
	return k.reason
}

// Confirm takes the wall clock as true (the installer checked it, or NTP
// synchronised), even after a jump or with the state lost. A clock before
// MinPlausible cannot be confirmed.
func (k *Keeper) Confirm() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if w := k.cfg.Clock.Now(); w.Before(MinPlausible()) {
		return fmt.Errorf("confirm clock: %s is before %s; set the clock first", w.UTC().Format(time.RFC3339), MinPlausible().Format(time.DateOnly))
	}
	k.confirm = true
	k.readLocked()
	return nil
}

// Changed is signalled after a change of trust; TakeChanges says which.
func (k *Keeper) Changed() <-chan struct{} { return k.notify }

// TakeChanges returns the changes of trust since the last call.
func (k *Keeper) TakeChanges() []Change {
	k.mu.Lock()
	defer k.mu.Unlock()
	c := k.changes
	k.changes = nil
	return c
}

// Save persists the bound and the steps (storage/atomicfile: write, fsync,
// rename, fsync the directory). The daemon calls it periodically and at
// exit; a bound saved while the clock was untrusted is still a lower bound.
// When Config.Key cannot derive the key, nothing is saved and Save returns
// nil: an unsigned state would be no lower bound at the next start, and
// whoever opens the key file has already reported why it does not open (a
// daemon that fails to start says so in one line).
func (k *Keeper) Save() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	b, ok := k.readLocked()
	if !ok || (!b.After(k.saved) && k.steps == k.savedSteps && !k.resign) {
		return nil
	}
	if _, err := k.key(); err != nil {
		return nil
	}
	return k.saveLocked(b)
}
