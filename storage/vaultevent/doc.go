// Package vaultevent writes what the vault finds on its own into the audit
// log: a recording a power cut left open and sealed as interrupted, an erase
// a crash cut short, an orphaned key slot, tampering, a key rotation.
//
// It is the one place that knows both storage/vault's events and
// storage/audit's actions, so that neither of those packages imports the
// other and the daemon and the operator's tool map events the same way.
//
// Invariant: an audited event is never silently lost. The vault's OnEvent
// callback cannot return an error, so entries go through audit.Pending.Keep,
// which keeps an entry that fails to be written and retries it. Events not
// mapped here are only logged (a failed commit goes to the daemon's log).
//
// The entries of a recording's creation and of its erasure are not events
// but debts: the vault puts each in its outbox in the same bbolt transaction
// as the change (the create, the mark that starts an erase) and deletes it
// only after Journal wrote it into the log, so a kill at any moment leaves
// the entry owed, never lost; it is written at the next open. The price is
// at-least-once: a kill between the log's commit and the outbox's delete
// writes the entry twice.
package vaultevent
