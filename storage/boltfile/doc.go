// Package boltfile opens a bbolt database that may be damaged, and runs its
// transactions so that damage becomes an error, never a crash or a hang.
//
// bbolt trusts its file (the bbolt durability contract covers power cuts,
// not a failing SD card or an attacker with the card in hand): a damaged
// page makes it panic (bad page type, page id beyond the high-water mark,
// index out of range) or read outside its memory map, a fault that would
// kill the process. Every transaction therefore runs under a guard that
// turns a panic or a memory fault into an error wrapping ErrDamaged.
//
// One kind of damage no recover can stop: a branch page whose children lead
// back to itself makes bbolt's cursors loop until memory runs out, and
// bbolt's freelist rebuild (at every writable open of a file written with
// NoFreelistSync) walks the tree in a goroutine of its own, where a panic
// cannot be recovered at all. Open therefore walks the page graph first
// (Check) and refuses a file with a page reached twice, out of range or of
// the wrong type.
//
// Invariants: Open always sets bbolt's Options.Timeout, so a file another
// process holds gives ErrLocked instead of a hang; every error caused by
// damage wraps ErrDamaged and the caller's Options.Damaged. The vault
// (storage/vault) and the audit log (storage/audit) both open their files
// here, so the hardening is written once.
package boltfile
