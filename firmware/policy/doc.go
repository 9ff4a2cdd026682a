// Package policy decides why and how long each recording is kept, and
// erases it on time and never early.
//
// # Purposes are data
//
// A purpose (Purpose, read from a TOML purposes file; default.toml ships)
// has a name, a description for the notice and the register, a lawful
// basis of GDPR art. 6(1), a retention rule (a duration, or until an event
// such as "completed" plus a period, with a hard maximum), the effect of an
// objection (ends, continues, refuses) and whether supervisors may review
// under it. Line profiles say which purposes apply on which line and which
// notice the caller hears first (art. 13: informed before recording). The
// defaults follow the Dutch regulator's (Autoriteit Persoonsgegevens)
// guidance on recording telephone calls: have a purpose, announce it, keep
// no longer than necessary (art. 5(1)(e)), let people object (art. 21).
//
// # Grants
//
// Each recording carries one vault.Grant per purpose with its own deadline.
// Access(id, purpose) fails once that grant has expired (judged by the
// latest the time may be) or is restricted. When the last grant is gone the
// recording is erased (vault: its key is destroyed). Holds (a complaint)
// extend holdable grants until released, at most Rules.HoldMax; Event
// ("contract completed REF") starts the post-event period of the grants
// waiting for it under that reference. References are stored only as a
// keyed hash in the grant (see tags), never as text.
//
// Requests: EraseCaller (art. 17) erases every recording of a number, but
// grants an objection does not end (a legal obligation, art. 17(3)(b)) are
// restricted instead (art. 18) and the result says so: which grants end is
// the engine's decision. What only reads the engine's state lives beside
// it: firmware/access answers an access request (art. 15) and records it
// through Engine.Record; firmware/compliance generates the compliance
// report and the register (art. 30) from the rules and Engine.List.
//
// # Changing the rules
//
// Marshal writes rules as the purposes file Parse reads (Parse(Marshal(r))
// is r), Diff says what changes between two, and ParseChecked adds a
// program's own checks to Parse's, placed in the file like its own.
// Engine.SetRules puts new rules in force while the engine runs, for the
// grants decided after it. Each grant carries the rule it was given under
// (see tags), and holds, releases and events recompute its deadline from
// that rule: a recording keeps the grants it got, whatever is in force
// later.
//
// # Never erase early
//
// Deadlines are compared with a lower bound of the true time kept by
// trustclock.Keeper: max(wall clock, last persisted bound + monotonic time
// since boot). The wall clock moves the bound only while it agrees: not
// before 2025 (a Pi without RTC boots in 1970), not behind the bound, and
// not ahead of it by more than Rules.MaxClockJump (a bad RTC) unless
// confirmed (Engine.Confirm, by the installer or NTP). The clock is trusted
// when it agrees and was confirmed in this boot (or, with
// trustclock.Config.RTC, agreed at start). Timestamps taken while it is not trusted are flagged
// approximate and stamped with trustclock.Keeper.Steps, the sum of the bound's
// forward steps: such a timestamp lagged the true time by at most the
// steps that followed it (plus the time off), so its deadline is moved
// forward by them and is never met before the true one. Trust changes are
// audited (audit.ActionClockTrust). The sweeper (Engine.Run) erases what
// expired while the box was off at start, then within a second of each
// deadline: it sleeps on Clock.After until the next one, and re-checks
// against the bound on every wake. Firmware never reads time.Now.
//
// Invariants: no grant is ended and no recording erased before the bound
// reaches its deadline; an erase is audited after it is durable; every
// grant change is one vault.UpdateGrants (durable when it returns).
package policy
