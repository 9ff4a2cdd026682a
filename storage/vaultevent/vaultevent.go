package vaultevent

import (
	"errors"

	"fairrec/storage/audit"
	"fairrec/storage/vault"
)

// Keeper takes an entry and keeps it until it is written. *audit.Pending
// implements it.
type Keeper interface {
	Keep(audit.Entry) error
}

// actions maps the vault's events to audit actions; events not listed are
// not audited here (see the package doc). An erase, finished at Open or
// not, and a creation are audited through Journal, from the vault's outbox.
var actions = map[vault.EventKind]audit.Action{
	vault.EventTampered:     audit.ActionTamperDetected,
	vault.EventInconsistent: audit.ActionTamperDetected,
	vault.EventInterrupted:  audit.ActionInterruptedAtBoot,
	vault.EventOrphanKey:    audit.ActionInterruptedAtBoot,
	vault.EventRotated:      audit.ActionKeyRotation,
}

// Entry returns the audit entry for ev, and false for an event that is not
// audited here. The vault's detail is redacted: whatever it says, it must
// not keep the entry out of the log.
func Entry(ev vault.Event) (audit.Entry, bool) {
	a, ok := actions[ev.Kind]
	if !ok {
		return audit.Entry{}, false
	}
	return audit.Entry{Actor: audit.Actor{Kind: audit.ActorDevice, ID: "vault"}, Action: a,
		Recording: uint64(ev.ID), Detail: audit.Redact("vault " + string(ev.Kind) + ": " + ev.Detail)}, true
}

// Into returns a vault.Config.OnEvent that keeps the entry of every audited
// event in k.
func Into(k Keeper) func(vault.Event) {
	return func(ev vault.Event) {
		e, ok := Entry(ev)
		if !ok {
			return
		}
		if err := k.Keep(e); errors.Is(err, audit.ErrInvalid) {
			// Redact should make this impossible; if the detail is
			// refused anyway, the action and the recording still
			// belong in the log.
			e.Detail = ""
			_ = k.Keep(e) // cannot fail: every field left is a constant
		}
	}
}
