// Package trustclock keeps a lower bound of the true time, the clock the
// retention timers, the vault, the audit log, the console's lockout, the
// lines and the review button all take their time from.
//
// Keeper's bound is max(wall clock, last persisted bound + monotonic time
// since boot). The wall clock moves the bound only while it agrees: not
// before MinPlausible (a Raspberry Pi without an RTC boots in 1970), not
// behind the bound, and not ahead of it by more than Config.MaxJump (a bad
// RTC) unless confirmed (Keeper.Confirm, by the installer or NTP).
// MaxJump limits the sum of all forward steps since the last
// confirmation (persisted), not each step: fifty steps of 47 hours are
// one jump of 98 days, and only the first is taken. The
// clock is trusted when it agrees and was confirmed in this boot, or, with
// Config.RTC, agreed at start, or the state file (File in the data
// directory) says it was trusted in this very boot (Config.BootID: the
// operator's tool run between two runs of the daemon inherits its trust).
// Keeper.Steps, the sum of the bound's forward steps, lets a caller move
// a deadline stamped while the clock was untrusted forward by the steps
// that followed it, so that it is never met before the true one.
//
// The state file is signed (HMAC-SHA256 under Config.Key, which
// firmware/datadir derives from the key file under KeyLabel). A file
// that fails authentication (edited, from an earlier unsigned version,
// or the key cannot be derived), or whose bound lies ahead of a plausible
// wall clock by more than AheadLimit, is no lower bound: the clock is
// untrusted with a "state-..." reason (the audit log records it), nothing
// is erased until Confirm, and the next save after it signs the file. A
// bad state file is never a reason to erase.
//
// Keeper.Elapsed is the monotonic time since start, which no clock change
// moves; firmware/auth times its lockout on it.
//
// Invariants: the bound never decreases within a boot and never counts the
// time the box was off, so a deadline compared with it is never met early;
// a forward step of a second or more is persisted before it is used
// (storage/atomicfile: write, fsync, rename, fsync the directory).
package trustclock
