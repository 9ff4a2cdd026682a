// Package auth is the console's authentication: one secret (a PIN or a
// passphrase) per role, the check of a login against it, and the lockout
// after repeated failures. The console (firmware/console) asks it; the
// daemon and `fairrec passwd` open it on the data directory.
//
// # Roles
//
// Two fixed roles, installer (everything) and supervisor (reviewing
// recordings, status, the recordings list, the requests of the people
// recorded). They are words, not accounts: the audit log records the role,
// never a person. Role's zero value is Installer, so a console command that
// declares no role needs the most trusted one.
//
// # Secrets
//
// A secret is stored only as its argon2id hash (RFC 9106, via
// golang.org/x/crypto/argon2) with a random 16-byte salt per role and the
// parameters (time, memory, threads) next to it, so the parameters of new
// hashes can be raised later without invalidating the old ones. Before
// hashing, the secret is keyed with HMAC-SHA256 under a key derived from the
// vault (Config.Key, vault.DeriveSecret(cfg, KeyLabel)): a copy of the SD
// card alone does not allow guessing a short PIN offline. A login compares
// hashes in constant time. New secrets are 6 to 128 characters.
//
// # The file
//
// Dir/FileName (console.auth), mode 0600, written only through
// storage/atomicfile (write, fsync, rename, fsync the directory): a power cut
// leaves the old file or the new one. It is JSON: {"state": ..., "mac": ...},
// where mac is an HMAC-SHA256 of the state's exact bytes under a second key
// derived from Config.Key. A file that does not parse strictly, has an
// unknown version, out-of-range parameters or lockout state is ErrCorrupt; a
// missing or wrong MAC is ErrTampered. Either way the Store refuses every
// login and change: the console stays locked, never open. To recover, a
// person with access to the box's storage removes the file, which is a
// first boot again. Putting back an older signed copy of the file (a
// rollback) is not detected; it needs the same physical access.
//
// # First boot
//
// Without an installer secret (NeedsSetup), the console allows only setting
// it. Physical access to the serial port is the trust root of that moment:
// whoever installs the box sets the secret, and the audit log records it as
// a configuration change.
//
// # Lockout
//
// After MaxFailures (5) failed logins in a row, for any role, the console
// locks for LockFor (5 minutes), doubled on each further lockout up to
// MaxLock (an hour); a successful login resets both counts. While locked a
// login is refused without looking at the secret and says until when. The
// failure count and the lock are in the file, saved before Login returns,
// so a restart does not reset them. The lock is timed on monotonic time
// served since it began (Config.Clock's Elapsed: the daemon's
// trustclock.Keeper), so no change of the wall clock, forward or back, in
// one step or many, lifts or shortens it. The time left is saved at the
// lock's start and at most once a minute while it runs, and a restart
// counts down from it: a restart extends a lock by under a minute, and
// time the box is off serves nothing. A file from before the time left was
// kept restarts its lock in full.
//
// # Audit
//
// Through audit.Recorder: login (actor: the role), logout (the role; idle
// or typed), failed login (the role attempted, never the secret), lockout
// and lockout end (the console as a device), and secret set or changed
// (a configuration change, by whoever did it). Attempts refused while
// locked are counted in the lockout-end entry rather than one entry each,
// so hammering a locked port cannot flood the log. No entry holds a secret
// or anything derived from one.
package auth
