package review

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"fairrec/firmware/policy"
	"fairrec/storage/audit"
	"fairrec/storage/vault"
)

// Status is a snapshot of the player.
type Status struct {
	Phase    Phase
	ID       vault.ID      // the recording selected or playing; 0 when Idle
	Purpose  string        // the purpose it is (to be) reviewed under
	Length   time.Duration // of the recording
	Position time.Duration // heard so far (Playing, Paused)
	Lapses   time.Time     // Selected: when the selection lapses
	// Last says how the last selection or playback ended, "" if none
	// did yet.
	Last string
}

// String is the console's answer to `review`.
func (s Status) String() string {
	var b strings.Builder
	switch s.Phase {
	case Idle:
		b.WriteString("nothing selected for review (type review ID)")
	case Selected:
		fmt.Fprintf(&b, "recording %v (%s) selected for review under %s: press the playback button (lapses %s)",
			s.ID, seconds(s.Length), s.Purpose, stamp(s.Lapses))
	case Playing, Paused:
		fmt.Fprintf(&b, "recording %v %s under %s: %s of %s", s.ID, s.Phase, s.Purpose, seconds(s.Position), seconds(s.Length))
	}
	if s.Last != "" && s.Phase == Idle {
		b.WriteString("\nlast: " + s.Last)
	}
	return b.String()
}

// Status returns a snapshot; a selection past its lapse reads Idle.
func (p *Player) Status() Status {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.phase == Selected && !p.cfg.Clock.Now().Before(p.sel.lapses) {
		p.unselect(fmt.Sprintf("recording %v: the selection lapsed (not played within %v)", p.sel.id, p.cfg.Lapse), "lapsed", p.device())
	}
	st := Status{Phase: p.phase, Last: p.last}
	if p.phase != Idle {
		st.ID, st.Purpose, st.Length, st.Lapses = p.sel.id, p.sel.purpose, p.sel.length, p.sel.lapses
		st.Position = p.heardTime()
	}
	if p.phase != Selected {
		st.Lapses = time.Time{}
	}
	return st
}

// Select checks that recording id may be reviewed now and selects it for
// the playback button; it returns the console's answer. A refusal wraps
// ErrNotReviewable (and the cause) and says exactly why, e.g. "recording
// 42: no purpose that allows review is still granted (quality expired
// 2026-11-01 09:00 UTC)". A selection replaces an earlier one not yet
// played; during a playback it fails with ErrBusy. The selection is
// audited as by, the console role that chose the recording (the playback
// itself is the button's): whoever listened must be provable. When the
// audit log (Config.Trail) cannot be read to explain a refusal, the refusal
// stands, its answer says the explanation may be incomplete, and the error
// also wraps the read error.
func (p *Player) Select(id vault.ID, by audit.Actor) (string, error) {
	p.mu.Lock()
	err := p.busyLocked()
	p.mu.Unlock()
	if err != nil {
		return "", err
	}
	info, err := p.cfg.Store.Info(id)
	if err != nil {
		return "", p.explain(id, err)
	}
	if info.State == vault.StateOpen {
		// Listening in on a call in progress is not review.
		return "", &refusal{msg: fmt.Sprintf("recording %v: still being recorded on line %d; review it after the call", id, info.Line),
			cause: ErrInProgress}
	}
	purpose, err := p.cfg.Policy.Review(id)
	if err != nil {
		return "", p.explain(id, err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.busyLocked(); err != nil {
		return "", err
	}
	if p.cfg.Button == nil {
		return "", fmt.Errorf("recording %v: this board has no playback button: %w", id, ErrNotReviewable)
	}
	if err := p.record(audit.Entry{Actor: by, Action: audit.ActionReviewSelection, Recording: uint64(id), Purpose: purpose,
		Detail: "selected"}); err != nil {
		return "", fmt.Errorf("recording %v: the audit log refuses the selection, so it cannot be made: %w", id, err)
	}
	lapses := p.cfg.Clock.Now().Add(p.cfg.Lapse)
	p.sel = selection{id: id, purpose: purpose, length: info.Duration, lapses: lapses}
	p.phase, p.pending = Selected, 0 // a console selection wins over a press pending
	p.log.Info("review: selected", "recording", id, "purpose", purpose, "length", info.Duration)
	return fmt.Sprintf("recording %v (line %d, %s, %s) selected for review under %s: press the playback button within %v",
		id, info.Line, stamp(info.Start), seconds(info.Duration), purpose, p.cfg.Lapse), nil
}

func (p *Player) busyLocked() error {
	if p.phase == Playing || p.phase == Paused {
		return fmt.Errorf("recording %v is playing; type review stop first: %w", p.sel.id, ErrBusy)
	}
	return nil
}

// Stop ends the playback (recorded as stopped by actor) or cancels the
// selection, and returns the console's answer.
func (p *Player) Stop(actor audit.Actor) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch p.phase {
	case Playing, Paused:
		p.end("stopped", actor, "")
	case Selected:
		p.unselect(fmt.Sprintf("recording %v: selection cancelled", p.sel.id), "cancelled", actor)
	default:
		return "nothing selected or playing"
	}
	return p.last
}

// Cancel drops a selection not yet played; the daemon calls it when the
// console session that made it ends, so that nobody presses the button on
// someone else's selection. A playback in progress goes on.
func (p *Player) Cancel() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.phase == Selected {
		p.unselect(fmt.Sprintf("recording %v: selection cancelled at logout", p.sel.id), "session ended", p.device())
	}
}

// Close ends a playback in progress as interrupted by the shutdown; the
// daemon calls it after its audio loop has stopped.
func (p *Player) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch p.phase {
	case Playing, Paused:
		p.end("interrupted", p.button(), "shutdown")
	case Selected:
		p.unselect(fmt.Sprintf("recording %v: selection dropped at shutdown", p.sel.id), "shutdown", p.device())
	}
}

// reason says in a few words why a recording may not be played (on) under
// purpose; no personal data, as it goes into the audit log.
func reason(err error, purpose string) string {
	switch {
	case errors.Is(err, vault.ErrNotFound):
		return "the recording was erased"
	case errors.Is(err, vault.ErrTampered):
		return "the recording failed authentication"
	case errors.Is(err, policy.ErrExpired):
		return purpose + " expired"
	case errors.Is(err, policy.ErrRestricted):
		return purpose + " is restricted"
	case errors.Is(err, policy.ErrNoGrant):
		return "no purpose that allows review is granted"
	}
	return "error: " + err.Error()
}

// refusal is a Select error: its message is the console's answer.
type refusal struct {
	msg   string
	cause error
	trail error // the audit log could not be read to explain the refusal; nil if it could
}

func (r *refusal) Error() string { return r.msg }
func (r *refusal) Unwrap() []error {
	if r.trail != nil {
		return []error{ErrNotReviewable, r.cause, r.trail}
	}
	return []error{ErrNotReviewable, r.cause}
}

// explain turns why id may not be reviewed into the console's answer. If
// the audit log cannot be read, the refusal stands (the vault or the
// policy decided it), but the answer says that it may be incomplete, e.g.
// "no such recording" for one that was erased, and wraps the read error.
func (p *Player) explain(id vault.ID, cause error) error {
	hist, trailErr := p.history(id)
	if trailErr != nil {
		p.log.Error("review: cannot explain a refusal", "recording", id, "err", trailErr)
	}
	msg := func(format string, args ...any) error {
		m := fmt.Sprintf("recording %v: ", id) + fmt.Sprintf(format, args...)
		if trailErr != nil {
			m += fmt.Sprintf("; the audit log could not be read, so this may not be the whole story: %v", trailErr)
		}
		return &refusal{msg: m, cause: cause, trail: trailErr}
	}
	switch {
	case errors.Is(cause, vault.ErrNotFound):
		if hist.erased != "" {
			return msg("erased %s", hist.erased)
		}
		return msg("no such recording")
	case errors.Is(cause, vault.ErrTampered):
		return msg("failed authentication (tampered or corrupt); see the audit log")
	case errors.Is(cause, policy.ErrExpired), errors.Is(cause, policy.ErrRestricted), errors.Is(cause, policy.ErrNoGrant):
	default:
		return msg("%v", cause)
	}
	// Why each purpose that allows review is out of reach: the grants
	// still present, then what the audit log says of those gone.
	info, err := p.cfg.Store.Info(id)
	if err != nil {
		return msg("%v", err)
	}
	var why, held []string
	for _, g := range info.Grants {
		held = append(held, g.Purpose)
		if !g.Review {
			continue
		}
		switch err := p.cfg.Policy.Access(id, g.Purpose); {
		case errors.Is(err, policy.ErrExpired):
			why = append(why, g.Purpose+" expired "+stamp(g.Deadline))
		case errors.Is(err, policy.ErrRestricted):
			why = append(why, g.Purpose+" is restricted")
		case err != nil:
			why = append(why, fmt.Sprintf("%s: %v", g.Purpose, err))
		}
	}
	for _, h := range hist.ended {
		if !slices.Contains(held, h.purpose) && p.reviewable(h.purpose) {
			why = append(why, h.purpose+" "+h.how)
		}
	}
	if len(why) == 0 {
		switch {
		case len(held) == 0:
			why = append(why, "it has no grant left")
		default:
			why = append(why, "granted only for "+strings.Join(held, ", ")+", none of which allows review")
		}
	}
	return msg("no purpose that allows review is still granted (%s)", strings.Join(why, "; "))
}

func (p *Player) reviewable(purpose string) bool {
	r := p.cfg.Policy.Rules()
	if r == nil {
		return true
	}
	pp := r.Purpose(purpose)
	return pp == nil || pp.Review
}

// history is what the audit log says happened to a recording's grants.
type history struct {
	erased string // "on 2026-11-01 09:00 UTC (retention ended)"; "" if not erased
	ended  []ended
}

type ended struct{ purpose, how string }

// history reads the trail for id; without a Trail it knows nothing. It
// reads the whole log, which is fine for a refusal at the console, never
// in the audio loop. On a read error it returns what it read before it.
func (p *Player) history(id vault.ID) (history, error) {
	var h history
	if p.cfg.Trail == nil {
		return h, nil
	}
	err := p.cfg.Trail.Each(time.Time{}, func(e audit.Entry) error {
		if e.Recording != uint64(id) {
			return nil
		}
		switch e.Action {
		case audit.ActionGrantExpired:
			h.ended = append(h.ended, ended{e.Purpose, "expired " + stamp(e.Time)})
		case audit.ActionObjection:
			if list, ok := strings.CutPrefix(e.Detail, "ended="); ok {
				for _, name := range strings.Split(list, ",") {
					h.ended = append(h.ended, ended{name, "ended by an objection " + stamp(e.Time)})
				}
			}
		case audit.ActionEraseTimer:
			h.erased = stamp(e.Time) + " (its retention ended)"
		case audit.ActionEraseRequest:
			if e.Purpose == "" {
				h.erased = stamp(e.Time) + " (erasure request)"
			}
		case audit.ActionEraseObjection:
			h.erased = stamp(e.Time) + " (objection)"
		}
		return nil
	})
	if err != nil {
		return h, fmt.Errorf("review: read the audit log: %w", err)
	}
	return h, nil
}

// stamp prints a time for the console, to the minute, in UTC.
func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }
