package policy

import (
	"errors"
	"fmt"
	"strings"

	"fairrec/storage/audit"
	"fairrec/storage/vault"
	"fairrec/storage/vaultevent"
)

// EraseCaller handles an erasure request (GDPR art. 17) for every
// recording of a caller's number: each is erased, except that grants an
// objection does not end (a legal obligation, art. 17(3)(b)) are kept and
// their processing restricted (art. 18); the result names those.
func (e *Engine) EraseCaller(number string, actor audit.Actor) (Result, error) {
	if strings.TrimSpace(number) == "" {
		return Result{}, errors.New("policy: erasure request: no caller number")
	}
	e.handleClock()
	e.mu.Lock()
	defer e.mu.Unlock()
	infos, err := e.cfg.Store.List(vault.Query{Caller: number})
	if err != nil {
		return Result{}, fmt.Errorf("policy: erasure request: %w", err)
	}
	var r Result
	var errs []error
	for _, in := range infos {
		if in.Tampered {
			errs = append(errs, fmt.Errorf("recording %v failed authentication: not erased", in.ID))
			continue
		}
		r.Recordings = append(r.Recordings, in.ID)
		var kept []vault.Grant
		for _, g := range in.Grants {
			if e.objectable(g) {
				continue
			}
			g.Restricted = true
			kept = append(kept, g)
		}
		if err := e.apply(in, kept, audit.ActionEraseRequest, actor, &r); err != nil {
			errs = append(errs, fmt.Errorf("recording %v: %w", in.ID, err))
			continue
		}
		if len(kept) > 0 {
			r.Restricted = append(r.Restricted, in.ID)
			for _, g := range kept {
				e.record(audit.Entry{Actor: actor, Action: audit.ActionEraseRequest, Recording: uint64(in.ID),
					Purpose: g.Purpose, Detail: "restricted, not erased: " + string(g.Basis)})
			}
		}
	}
	var b strings.Builder
	switch {
	case len(r.Recordings) == 0:
		b.WriteString("erasure request: no recordings of this caller")
	default:
		fmt.Fprintf(&b, "erasure request: %d recording(s) found, %d erased", len(r.Recordings), len(r.Erased))
	}
	if len(r.Restricted) > 0 {
		fmt.Fprintf(&b, "; %d kept because the law requires it (%s), processing restricted until their deadline: %s",
			len(r.Restricted), e.restrictedBases(infos, r.Restricted), joinIDs(r.Restricted))
	}
	r.Text = b.String()
	// The request itself, found something or not, without the number:
	// the report counts requests and their results from this entry.
	e.record(audit.Entry{Actor: actor, Action: audit.ActionEraseRequest, Detail: fmt.Sprintf("request found=%d erased=%d restricted=%d failed=%d",
		len(r.Recordings), len(r.Erased), len(r.Restricted), len(errs))})
	if err := errors.Join(errs...); err != nil {
		return r, fmt.Errorf("policy: erasure request: %w", err)
	}
	return r, nil
}

func (e *Engine) restrictedBases(infos []vault.Info, ids []vault.ID) string {
	seen := map[string]bool{}
	var out []string
	for _, in := range infos {
		for _, id := range ids {
			if in.ID != id {
				continue
			}
			for _, g := range in.Grants {
				if !e.objectable(g) && !seen[g.Purpose] {
					seen[g.Purpose] = true
					out = append(out, g.Purpose+": "+g.Basis)
				}
			}
		}
	}
	return strings.Join(out, ", ")
}

func joinIDs(ids []vault.ID) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = id.String()
	}
	return strings.Join(s, ", ")
}

// whyEraser is a Store that audits its own erasures: *vault.Vault, whose
// EraseWhy owes each recording's entry in the transaction that starts the
// erase and writes it through its Journal, so no crash loses it.
type whyEraser interface {
	EraseWhy([]vault.ID, vault.Why) error
}

// causes maps the engine's erase actions to the vault's causes.
var causes = map[audit.Action]vault.Cause{
	audit.ActionEraseTimer:     vault.CauseTimer,
	audit.ActionEraseRequest:   vault.CauseRequest,
	audit.ActionEraseObjection: vault.CauseObjection,
}

// erase erases ids, audited as action by actor (zero: the engine's
// actor). The vault writes the entries itself; a Store that cannot has
// them recorded here, after the erase.
func (e *Engine) erase(ids []vault.ID, action audit.Action, actor audit.Actor) error {
	if actor.Kind == audit.ActorNone {
		actor = e.cfg.Actor
	}
	if w, ok := e.cfg.Store.(whyEraser); ok {
		return w.EraseWhy(ids, vault.Why{Cause: causes[action], Actor: vaultevent.ActorString(actor)})
	}
	err := e.cfg.Store.EraseMany(ids)
	if err != nil && !errors.Is(err, vault.ErrNotFound) {
		return err
	}
	for _, id := range ids {
		e.record(audit.Entry{Actor: actor, Action: action, Recording: uint64(id)})
	}
	return err
}
