package vaultevent

import (
	"errors"
	"fmt"

	"fairrec/storage/audit"
	"fairrec/storage/vault"
)

// Journal returns a vault.Journal that writes the entries the vault owes
// (a recording created, a recording erased, with why) into r. The vault
// deletes an owed entry only after Journal returned nil for it, so r must
// be durable when Record returns: an *audit.Log, or an *audit.Pending
// that is Set.
func Journal(r audit.Recorder) vault.Journal {
	return func(ev vault.Event) error {
		e, err := Owed(ev)
		if err != nil {
			return err
		}
		if err := r.Record(e); errors.Is(err, audit.ErrInvalid) && e.Detail != "" {
			// The action, the actor and the recording still belong in
			// the log; a refused detail must not keep them out forever.
			e.Detail = ""
			return r.Record(e)
		} else if err != nil {
			return err
		}
		return nil
	}
}

// causes maps an erase's cause to its audit action. A short call discarded
// is erased because nothing allows keeping it, as the sweeper erases a
// recording with no grant left.
var causes = map[vault.Cause]audit.Action{
	vault.CauseTimer:     audit.ActionEraseTimer,
	vault.CauseRequest:   audit.ActionEraseRequest,
	vault.CauseObjection: audit.ActionEraseObjection,
	vault.CauseDiscard:   audit.ActionEraseTimer,
	vault.CauseUnknown:   audit.ActionEraseRequest,
}

// Owed returns the audit entry of an event the vault owes to its Journal.
func Owed(ev vault.Event) (audit.Entry, error) {
	e := audit.Entry{Actor: ParseActor(ev.Why.Actor), Recording: uint64(ev.ID), Detail: audit.Redact(ev.Why.Detail)}
	switch ev.Kind {
	case vault.EventCreated:
		e.Action = audit.ActionRecordingCreated
	case vault.EventErased:
		a, ok := causes[ev.Why.Cause]
		if !ok {
			a = audit.ActionEraseRequest
			e.Detail = audit.Redact("cause " + string(ev.Why.Cause) + " " + ev.Why.Detail)
		}
		e.Action = a
		switch {
		case ev.Why.Cause == vault.CauseDiscard && e.Detail == "":
			e.Detail = "discarded: shorter than the minimum call"
		case ev.Why.Cause == vault.CauseUnknown && e.Detail == "":
			e.Detail = "no cause given"
		}
	case vault.EventTampered:
		e.Action = audit.ActionTamperDetected
		e.Actor = device
	default:
		return audit.Entry{}, fmt.Errorf("vaultevent: journal: event %q is not owed", ev.Kind)
	}
	return e, nil
}

var device = audit.Actor{Kind: audit.ActorDevice, ID: "vault"}

// ActorString is how a vault.Why names an actor: audit.Actor.String.
func ActorString(a audit.Actor) string {
	if a.Kind == audit.ActorNone {
		return ""
	}
	return a.String()
}

// ParseActor reverses ActorString; anything it does not know is the
// device.
func ParseActor(s string) audit.Actor {
	if s == "" {
		return device
	}
	kind, id := s, ""
	for i := 0; i < len(s); i++ {
		if s[i] == ':' {
			kind, id = s[:i], s[i+1:]
			break
		}
	}
	for k := audit.ActorKind(1); k.Known(); k++ {
		if k.String() == kind {
			return audit.Actor{Kind: k, ID: id}
		}
	}
	return device
}
