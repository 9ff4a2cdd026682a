package watchdog

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"fairrec/firmware/appliance"
	"fairrec/firmware/clock"
	"fairrec/storage/vault"
)

// Pipeline is the recorder's pipeline; *appliance.Appliance satisfies it.
type Pipeline interface {
	Health() appliance.Health
}

// Vault is the vault's commit loop; *vault.Vault satisfies it.
type Vault interface {
	CommitHealth() vault.CommitHealth
}

// Notifier sends one sd_notify state; *sdnotify.Notifier satisfies it.
type Notifier interface {
	Notify(state string) error
}

// The states sent (sd_notify(3)).
const (
	stateReady    = "READY=1"
	stateWatchdog = "WATCHDOG=1"
	statusPrefix  = "STATUS="
)

// Config configures a Watchdog. Interval 0 means no watchdog is armed:
// READY and STATUS are still sent, with checks every StatusEvery.
type Config struct {
	Pipeline Pipeline // required
	Vault    Vault    // required
	// Sweeper reports whether the retention sweeper runs; nil: it is
	// not checked.
	Sweeper func() bool
	// Faults lists why lines cannot record, for STATUS; nil: only
	// Health.Fault is known.
	Faults   func() []string
	Lines    int           // how many lines, for STATUS
	Notifier Notifier      // required
	Interval time.Duration // systemd's WatchdogSec (WATCHDOG_USEC); 0: none
	// StatusEvery is how often STATUS is refreshed without a watchdog;
	// 0 means 10 s.
	StatusEvery time.Duration
	Clock       clock.Clock // required
	Logger      *slog.Logger
}

// Watchdog runs the checks; see the package doc.
type Watchdog struct {
	cfg Config
	log *slog.Logger

	ready     bool
	prev      appliance.Health
	lastAudio time.Time // when Processed last grew (or the start)
	ticks     uint64    // vault ticks at lastVault
	lastVault time.Time
	status    string // the last STATUS sent
}

// New returns a watchdog; it sends nothing until Run.
func New(cfg Config) (*Watchdog, error) {
	if cfg.Pipeline == nil || cfg.Vault == nil || cfg.Notifier == nil || cfg.Clock == nil {
		return nil, errors.New("watchdog: needs a Pipeline, a Vault, a Notifier and a Clock")
	}
	if cfg.Interval < 0 {
		return nil, fmt.Errorf("watchdog: interval %v", cfg.Interval)
	}
	if cfg.StatusEvery <= 0 {
		cfg.StatusEvery = 10 * time.Second
	}
	w := &Watchdog{cfg: cfg, log: cfg.Logger}
	if w.log == nil {
		w.log = slog.New(slog.DiscardHandler)
	}
	return w, nil
}

// readyPoll is how often the watchdog checks until READY.
const readyPoll = 100 * time.Millisecond

// minVaultStall is the shortest time without a commit tick that counts as
// a hung commit loop: the vault ticks once a second.
const minVaultStall = 3 * time.Second

// every is the check period once ready.
func (w *Watchdog) every() time.Duration {
	if w.cfg.Interval > 0 {
		return w.cfg.Interval / 4
	}
	return w.cfg.StatusEvery
}

// Run checks until ctx ends; it returns nil then. A notify error is
// logged, not returned: recording must not depend on the service manager.
func (w *Watchdog) Run(ctx context.Context) error {
	w.Start()
	for {
		wait := w.every()
		if !w.ready {
			wait = min(wait, readyPoll)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-w.cfg.Clock.After(wait):
		}
		w.Check()
	}
}

// Start takes the counters as they are now as the base of the first
// check; Run calls it. Tests call Start and then Check themselves.
func (w *Watchdog) Start() {
	now := w.cfg.Clock.Now()
	w.lastAudio, w.lastVault = now, now
	w.prev = w.cfg.Pipeline.Health()
	w.ticks = w.cfg.Vault.CommitHealth().Ticks
	w.setStatus(waiting)
}

const waiting = "starting: waiting for the first audio period and vault commit"

// Check runs one check now and sends what it calls for; Run calls it.
func (w *Watchdog) Check() {
	now := w.cfg.Clock.Now()
	h := w.cfg.Pipeline.Health()
	vh := w.cfg.Vault.CommitHealth()
	problem := w.problem(now, h, vh)
	w.prev = h
	if problem != "" {
		state := "unhealthy: "
		if !w.ready {
			state = "starting: "
		}
		w.setStatus(state + problem)
		return
	}
	if !w.ready {
		if h.Processed == 0 || vh.Ticks == 0 {
			w.setStatus(waiting)
			return
		}
		w.ready = true
		w.send(stateReady)
		w.log.Info("recording: ready")
	}
	w.setStatus(w.healthy(h))
	if w.cfg.Interval > 0 {
		w.send(stateWatchdog)
	}
}

// problem says what is wrong, "" if nothing.
func (w *Watchdog) problem(now time.Time, h appliance.Health, vh vault.CommitHealth) string {
	if h.Processed != w.prev.Processed {
		w.lastAudio = now
	}
	if vh.Ticks != w.ticks {
		w.ticks, w.lastVault = vh.Ticks, now
	}
	half := w.cfg.Interval / 2
	if half == 0 {
		half = w.cfg.StatusEvery
	}
	if w.cfg.Sweeper != nil && !w.cfg.Sweeper() {
		return "the retention sweeper stopped"
	}
	if vh.Failing {
		return "the vault cannot commit (see the journal)"
	}
	if d := now.Sub(w.lastVault); d >= max(half, minVaultStall) {
		return fmt.Sprintf("the vault has not committed for %v", d.Round(time.Second))
	}
	if d := now.Sub(w.lastAudio); d >= half && (w.ready || h.Processed > 0) {
		return fmt.Sprintf("no audio from the sound interface for %v", d.Round(100*time.Millisecond))
	}
	periods := h.Processed - w.prev.Processed
	lost := (h.Dropped - w.prev.Dropped) + (h.Late - w.prev.Late)
	if lost > 0 && lost*2 > uint64(periods) {
		return fmt.Sprintf("the firmware is behind the sound interface: %d of %d periods lost", lost, periods)
	}
	return ""
}

// healthy is the STATUS of a healthy pipeline.
func (w *Watchdog) healthy(h appliance.Health) string {
	s := fmt.Sprintf("recording: %d lines", w.cfg.Lines)
	if w.cfg.Lines == 1 {
		s = "recording: 1 line"
	}
	if n := h.Dropped + h.Late; n > 0 {
		s += fmt.Sprintf("; %d periods lost since start", n)
	}
	if h.Fault {
		var faults []string
		if w.cfg.Faults != nil {
			faults = w.cfg.Faults()
		}
		if len(faults) == 0 {
			faults = []string{"a line cannot record"}
		}
		s += "; " + strings.Join(faults, "; ")
	}
	return s
}

func (w *Watchdog) setStatus(s string) {
	s = strings.ReplaceAll(s, "\n", " ")
	if s == w.status {
		return
	}
	if strings.HasPrefix(s, "unhealthy") {
		w.log.Warn("watchdog: " + s)
	} else if strings.HasPrefix(w.status, "unhealthy") {
		w.log.Info("watchdog: healthy again: " + s)
	}
	w.status = s
	w.send(statusPrefix + s)
}

func (w *Watchdog) send(state string) {
	if err := w.cfg.Notifier.Notify(state); err != nil {
		w.log.Warn("watchdog: notify", "err", err)
	}
}
