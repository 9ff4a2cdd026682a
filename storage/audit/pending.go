package audit

import (
	"errors"
	"sync"

	"fairrec/storage/vault"
)

// Pending is a Recorder that keeps entries until the log is open. The vault
// raises events while it opens (a recording a power cut interrupted, an
// erase a crash cut short), and the audit log can only be opened after the
// vault, because its signing key derives from the vault's key slots: Pending
// bridges that gap. The zero value is ready to use.
type Pending struct {
	mu      sync.Mutex
	log     *Log
	pending []Entry
}

// vaultActions maps the vault's events to audit actions. Events not listed
// are not audited here: an erase is recorded by whoever asked for it (the
// vault does not know why), a failed commit only goes to the daemon's log.
var vaultActions = map[vault.EventKind]Action{
	vault.EventTampered:      ActionTamperDetected,
	vault.EventInconsistent:  ActionTamperDetected,
	vault.EventInterrupted:   ActionInterruptedAtBoot,
	vault.EventEraseFinished: ActionInterruptedAtBoot,
	vault.EventOrphanKey:     ActionInterruptedAtBoot,
	vault.EventRotated:       ActionKeyRotation,
}

// VaultEvent records a vault event; use it as vault.Config.OnEvent.
func (p *Pending) VaultEvent(ev vault.Event) {
	a, ok := vaultActions[ev.Kind]
	if !ok {
		return
	}
	// An error is kept by Record's caller's log; OnEvent cannot return it.
	_ = p.Record(Entry{Actor: Actor{Kind: ActorDevice, ID: "vault"}, Action: a,
		Recording: uint64(ev.ID), Detail: Redact("vault " + string(ev.Kind) + ": " + ev.Detail)})
}

// Record writes e to the log, or keeps it until Set.
func (p *Pending) Record(e Entry) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.log == nil {
		p.pending = append(p.pending, e)
		return nil
	}
	return p.log.Record(e)
}

// Waiting reports how many entries wait for the log.
func (p *Pending) Waiting() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.pending)
}

// Set opens Pending to log and writes the entries that waited, in order.
func (p *Pending) Set(log *Log) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.log = log
	var errs []error
	for _, e := range p.pending {
		errs = append(errs, log.Record(e))
	}
	p.pending = nil
	return errors.Join(errs...)
}
