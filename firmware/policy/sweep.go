package policy

import (
	"context"
	"errors"
	"fmt"
	"time"

	"fairrec/firmware/trustclock"
	"fairrec/storage/audit"
	"fairrec/storage/vault"
)

// SweepResult says what a sweep did.
type SweepResult struct {
	Expired int // grants that ended
	Erased  []vault.ID
	Next    time.Time // the next deadline (zero if none)
	Bound   time.Time // the lower bound of the time the sweep used
	NoBound bool      // no lower bound known: nothing was erased
}

// Sweep ends every grant whose deadline the lower bound of the time has
// reached and erases the recordings left without a grant (in one batch).
// A sealed recording that never had a grant is erased too: nothing
// allows keeping it. An open one is left to its call.
func (e *Engine) Sweep() (SweepResult, error) {
	e.handleClock()
	e.mu.Lock()
	defer e.mu.Unlock()
	now, ok := e.keeper.Bound()
	steps := e.keeper.Steps()
	res := SweepResult{Bound: now, NoBound: !ok}
	infos, err := e.cfg.Store.List(vault.Query{})
	if err != nil {
		return res, fmt.Errorf("policy: sweep: %w", err)
	}
	type expiry struct {
		id       vault.ID
		purposes []string
	}
	var erase []vault.ID
	var expired []expiry
	var errs []error
	for _, in := range infos {
		if in.Tampered {
			continue
		}
		var kept []vault.Grant
		var gone []string
		moved := false
		for _, g := range in.Grants {
			// Grants stamped before a forward step of the bound move
			// with it (see effective); the move is stored here.
			moved = normalize(&g, steps) || moved
			if ok && !now.Before(g.Deadline) {
				gone = append(gone, g.Purpose)
				continue
			}
			kept = append(kept, g)
			if res.Next.IsZero() || g.Deadline.Before(res.Next) {
				res.Next = g.Deadline
			}
		}
		switch {
		case len(in.Grants) == 0:
			if ok && in.State != vault.StateOpen {
				erase = append(erase, in.ID)
			}
		case len(gone) == 0:
			if moved {
				if err := e.cfg.Store.UpdateGrants(in.ID, kept); err != nil {
					errs = append(errs, err)
				}
			}
		case len(kept) == 0:
			erase = append(erase, in.ID)
			expired = append(expired, expiry{in.ID, gone})
		default:
			if err := e.cfg.Store.UpdateGrants(in.ID, kept); err != nil {
				errs = append(errs, err)
				continue
			}
			expired = append(expired, expiry{in.ID, gone})
		}
	}
	if len(erase) > 0 {
		if err := e.erase(erase, audit.ActionEraseTimer, audit.Actor{}); err != nil && !errors.Is(err, vault.ErrNotFound) {
			return res, fmt.Errorf("policy: sweep: %w", err)
		}
	}
	for _, x := range expired {
		for _, p := range x.purposes {
			e.record(audit.Entry{Action: audit.ActionGrantExpired, Recording: uint64(x.id), Purpose: p})
			res.Expired++
		}
	}
	res.Erased = erase
	if len(erase) > 0 {
		e.log.Info("retention: erased", "count", len(erase), "bound", now)
	}
	if err := errors.Join(errs...); err != nil {
		return res, fmt.Errorf("policy: sweep: %w", err)
	}
	return res, nil
}

// Run sweeps at once (erasing what expired while the box was off), then
// again when the next deadline is reached, after each change made through
// the engine (Wake) and after each change of the clock's trust. Between
// full sweeps it only reads the clock, at least every MaxWait, so that a
// jump is noticed. A recording created meanwhile (by the call flow, in
// the vault) cannot end before its start plus the shortest initial
// retention of any purpose, so the next full sweep is planned no later
// than that. Run saves the clock bound every PersistEvery and when ctx
// ends, and returns nil then.
func (e *Engine) Run(ctx context.Context) error {
	defer func() {
		if err := e.keeper.Save(); err != nil {
			e.log.Error("clock state not saved", "err", err)
		}
	}()
	var saved, next time.Time // next: when a full sweep is due; zero: now
	for {
		// Wake-ups that came before this pass are answered by it.
		select {
		case <-e.kick:
			next = time.Time{}
		default:
		}
		// This reading may itself notice a change of trust; the pass
		// answers it, so its signal is taken after the reading.
		now, ok := e.keeper.Bound()
		select {
		case <-e.keeper.Changed():
			next = time.Time{}
		default:
		}
		res := SweepResult{Bound: now, NoBound: !ok, Next: next}
		if next.IsZero() || !now.Before(next) || !ok {
			var err error
			res, err = e.Sweep()
			shortest := e.rules.Load().shortest
			next = res.Bound.Add(shortest - min(time.Minute, shortest/2))
			if !res.Next.IsZero() && res.Next.Before(next) {
				next = res.Next
			}
			if err != nil {
				e.log.Error("retention sweep failed; retrying", "err", err, "in", e.cfg.MaxWait)
				next = res.Bound.Add(e.cfg.MaxWait)
			}
			now = res.Bound
		} else {
			e.handleClock()
		}
		if now.Sub(saved) >= e.cfg.PersistEvery || now.Before(saved) {
			if err := e.keeper.Save(); err != nil {
				e.log.Error("clock state not saved", "err", err)
			}
			saved = now
		}
		wait := min(max(next.Sub(now), 0), e.cfg.MaxWait)
		timer := e.keeper.After(wait)
		if e.onSweep != nil {
			e.onSweep(res) // the timer is armed: a test may move the clock
		}
		select {
		case <-ctx.Done():
			return nil
		case <-e.kick:
			next = time.Time{}
		case <-e.keeper.Changed():
			next = time.Time{}
		case <-timer:
		}
	}
}

// Confirm takes the wall clock as true (the installer checked it, or NTP
// synchronised): see trustclock.Keeper.Confirm. Timestamps taken while it was not
// trusted are moved forward by the jump.
func (e *Engine) Confirm(actor audit.Actor) error {
	if err := e.keeper.Confirm(); err != nil {
		return err
	}
	e.handleClockAs(actor)
	e.wake()
	return nil
}

func (e *Engine) handleClock() { e.handleClockAs(audit.Actor{}) }

// handleClockAs records the keeper's changes of trust and, when the clock
// became trusted and the bound moved forward, moves the times of grants
// stamped while it was untrusted by as much: they were stamped with a
// bound that lagged by at least that (never more, so they end no earlier
// than their true deadline, and late by at most the time the box was off).
func (e *Engine) handleClockAs(actor audit.Actor) {
	changes := e.keeper.TakeChanges()
	if len(changes) == 0 {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, c := range changes {
		if !initialDefault(c) {
			state := "untrusted"
			if c.Trusted {
				state = "trusted"
			}
			detail := fmt.Sprintf("%s reason=%s", state, c.Reason)
			if c.Shift >= time.Second {
				detail += " shift=" + words(c.Shift)
			}
			a := actor
			if a.Kind == audit.ActorNone || c.Reason != "confirmed" {
				a = audit.Actor{Kind: audit.ActorDevice, ID: "clock"}
			}
			e.record(audit.Entry{Actor: a, Action: audit.ActionClockTrust, Detail: detail})
			e.log.Warn("clock trust changed", "trusted", c.Trusted, "reason", c.Reason, "wall", c.Wall, "bound", c.Bound)
		}
		if c.Trusted {
			if err := e.settle(e.keeper.Steps()); err != nil {
				e.log.Error("approximate grants not settled", "err", err)
			}
		}
	}
}

// initialDefault reports whether c is the keeper's state at start with
// nothing to say: trusted, or untrusted only for want of a confirmation in
// this boot (a box without RTC, a tool run) while the clock agrees with
// the saved bound. That is no change of trust, and auditing it made every
// run of the tool add a "clock trust changed" entry; the entries written
// meanwhile carry the approximate flag. A state at start with evidence
// against the clock (implausible, behind, a jump, the state lost) is
// audited, as is every change while running.
func initialDefault(c trustclock.Change) bool {
	return c.Initial && (c.Trusted || c.Reason == "unconfirmed" || c.Reason == "first-start")
}

// settle clears the approximate flags once the clock is trusted, moving
// the grants' times by the steps since they were stamped.
func (e *Engine) settle(steps time.Duration) error {
	infos, err := e.cfg.Store.List(vault.Query{})
	if err != nil {
		return err
	}
	var errs []error
	for _, in := range infos {
		gs := cloneGrants(in.Grants)
		hit := false
		for i := range gs {
			hit = normalize(&gs[i], steps) || hit
			if t := parseTags(gs[i].Event); t.approx || t.stamped {
				t.approx, t.stamped, t.steps = false, false, 0
				gs[i].Event = t.String()
				hit = true
			}
		}
		if hit {
			errs = append(errs, e.cfg.Store.UpdateGrants(in.ID, gs))
		}
	}
	return errors.Join(errs...)
}

// words prints a duration in days and hours, short enough for the audit
// log's digit rule.
func words(d time.Duration) string {
	days := d / (24 * time.Hour)
	h := (d % (24 * time.Hour)).Round(time.Second)
	if days == 0 {
		return h.String()
	}
	return fmt.Sprintf("%dd%s", days, h)
}
