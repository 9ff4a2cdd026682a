package policy

import (
	"fmt"
	"strings"
	"time"

	"fairrec/storage/audit"
	"fairrec/storage/vault"
)

// Hold keeps recording id for a complaint with reference ref: each grant
// whose purpose allows holds (e.g. quality) is extended until Release,
// at most Rules.HoldMax from now (and never beyond the purpose's max).
// Holding a held recording again renews the hold.
func (e *Engine) Hold(id vault.ID, ref string, actor audit.Actor) (Result, error) {
	if strings.TrimSpace(ref) == "" {
		return Result{}, fmt.Errorf("policy: hold %v: no reference", id)
	}
	e.handleClock()
	e.mu.Lock()
	defer e.mu.Unlock()
	in, err := e.cfg.Store.Info(id)
	if err != nil {
		return Result{}, fmt.Errorf("policy: hold %v: %w", id, err)
	}
	now, trusted := e.Now()
	steps := e.keeper.Steps()
	r := Result{Recordings: []vault.ID{id}}
	gs := cloneGrants(in.Grants)
	for i, g := range gs {
		p := e.asGranted(g)
		if p == nil || !p.Hold || !now.Before(effective(g, steps)) {
			continue
		}
		normalize(&g, steps)
		t := parseTags(g.Event)
		t.hold, t.held = refTag(e.cfg.RefKey, ref), now
		t.untrusted(trusted, steps)
		gs[i].Granted, gs[i].Deadline = g.Granted, e.deadline(p, g, t)
		gs[i].Event = t.String()
		r.Kept = append(r.Kept, g.Purpose)
		if gs[i].Deadline.After(r.Until) {
			r.Until = gs[i].Deadline
		}
	}
	if len(r.Kept) == 0 {
		return r, fmt.Errorf("policy: hold %v: %w", id, ErrNotHoldable)
	}
	if err := e.cfg.Store.UpdateGrants(id, gs); err != nil {
		return r, fmt.Errorf("policy: hold %v: %w", id, err)
	}
	e.record(audit.Entry{Actor: actor, Action: audit.ActionHold, Recording: uint64(id),
		Purpose: r.Kept[0], Detail: "until " + r.Until.UTC().Format("2006-01-02 15:04")})
	e.wake()
	r.Text = fmt.Sprintf("recording %v held for %s until released, at most until %s",
		id, strings.Join(r.Kept, ", "), r.Until.UTC().Format(time.DateOnly))
	return r, nil
}

// Release lifts the hold on recording id: its grants fall back to their
// own deadlines (a deadline already passed erases it at the next sweep).
func (e *Engine) Release(id vault.ID, actor audit.Actor) (Result, error) {
	e.handleClock()
	e.mu.Lock()
	defer e.mu.Unlock()
	in, err := e.cfg.Store.Info(id)
	if err != nil {
		return Result{}, fmt.Errorf("policy: release %v: %w", id, err)
	}
	r := Result{Recordings: []vault.ID{id}}
	steps := e.keeper.Steps()
	gs := cloneGrants(in.Grants)
	for i, g := range gs {
		t := parseTags(g.Event)
		if t.hold == "" {
			continue
		}
		normalize(&g, steps)
		t = parseTags(g.Event)
		t.hold, t.held = "", time.Time{}
		gs[i].Granted, gs[i].Deadline = g.Granted, g.Deadline
		if p := e.asGranted(g); p != nil {
			gs[i].Deadline = e.deadline(p, g, t)
		}
		gs[i].Event = t.String()
		r.Kept = append(r.Kept, g.Purpose)
		if gs[i].Deadline.After(r.Until) {
			r.Until = gs[i].Deadline
		}
	}
	if len(r.Kept) == 0 {
		return r, fmt.Errorf("policy: release %v: %w", id, ErrNotHeld)
	}
	if err := e.cfg.Store.UpdateGrants(id, gs); err != nil {
		return r, fmt.Errorf("policy: release %v: %w", id, err)
	}
	e.record(audit.Entry{Actor: actor, Action: audit.ActionRelease, Recording: uint64(id), Purpose: r.Kept[0]})
	e.wake()
	r.Text = fmt.Sprintf("recording %v released: kept for %s until %s", id, strings.Join(r.Kept, ", "),
		r.Until.UTC().Format(time.DateOnly))
	return r, nil
}

// SetReference attaches a reference (e.g. an order number) to the grants
// of recording id that wait for an event, so that Event can find them.
// Only a keyed hash of ref is stored.
func (e *Engine) SetReference(id vault.ID, ref string, actor audit.Actor) (Result, error) {
	if strings.TrimSpace(ref) == "" {
		return Result{}, fmt.Errorf("policy: reference %v: empty reference", id)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	in, err := e.cfg.Store.Info(id)
	if err != nil {
		return Result{}, fmt.Errorf("policy: reference %v: %w", id, err)
	}
	r := Result{Recordings: []vault.ID{id}}
	gs := cloneGrants(in.Grants)
	for i, g := range gs {
		t := parseTags(g.Event)
		if t.until == "" || !t.done.IsZero() {
			continue
		}
		t.ref = refTag(e.cfg.RefKey, ref)
		gs[i].Event = t.String()
		r.Kept = append(r.Kept, g.Purpose)
	}
	if len(r.Kept) == 0 {
		return r, fmt.Errorf("policy: reference %v: %w (no grant waits for an event)", id, ErrNoGrant)
	}
	if err := e.cfg.Store.UpdateGrants(id, gs); err != nil {
		return r, fmt.Errorf("policy: reference %v: %w", id, err)
	}
	e.record(audit.Entry{Actor: actor, Action: audit.ActionConfigChange, Recording: uint64(id),
		Purpose: r.Kept[0], Detail: "reference set"})
	r.Text = fmt.Sprintf("recording %v: reference set for %s", id, strings.Join(r.Kept, ", "))
	return r, nil
}

// Event announces that event (e.g. "completed") happened for reference
// ref: every grant waiting for it under that reference now ends After
// the event (never beyond its hard maximum).
func (e *Engine) Event(event, ref string, actor audit.Actor) (Result, error) {
	e.handleClock()
	e.mu.Lock()
	defer e.mu.Unlock()
	tag := refTag(e.cfg.RefKey, ref)
	infos, err := e.cfg.Store.List(vault.Query{})
	if err != nil {
		return Result{}, fmt.Errorf("policy: %s: %w", event, err)
	}
	now, trusted := e.Now()
	steps := e.keeper.Steps()
	r := Result{}
	for _, in := range infos {
		gs := cloneGrants(in.Grants)
		hit := false
		for i, g := range gs {
			t := parseTags(g.Event)
			p := e.asGranted(g)
			if t.until != event || t.ref != tag || !t.done.IsZero() || p == nil {
				continue
			}
			normalize(&g, steps)
			t = parseTags(g.Event)
			t.done = now
			t.untrusted(trusted, steps)
			gs[i].Granted, gs[i].Deadline = g.Granted, e.deadline(p, g, t)
			gs[i].Event = t.String()
			hit = true
			if gs[i].Deadline.After(r.Until) {
				r.Until = gs[i].Deadline
			}
		}
		if !hit {
			continue
		}
		if err := e.cfg.Store.UpdateGrants(in.ID, gs); err != nil {
			return r, fmt.Errorf("policy: %s: %w", event, err)
		}
		r.Recordings = append(r.Recordings, in.ID)
		e.record(audit.Entry{Actor: actor, Action: audit.ActionConfigChange, Recording: uint64(in.ID),
			Detail: "event " + event + ", kept until " + r.Until.UTC().Format("2006-01-02")})
	}
	if len(r.Recordings) == 0 {
		return r, fmt.Errorf("policy: %s: %w", event, ErrNoReference)
	}
	e.wake()
	r.Text = fmt.Sprintf("%s: %d recording(s) now kept until %s at the latest", event, len(r.Recordings), r.Until.UTC().Format(time.DateOnly))
	return r, nil
}

func cloneGrants(gs []vault.Grant) []vault.Grant { return append([]vault.Grant(nil), gs...) }
