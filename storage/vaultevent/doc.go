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
// mapped here are audited by whoever caused them (an erase is recorded by
// the request that asked for it, with its reason), or only logged (a failed
// commit goes to the daemon's log).
package vaultevent
