package vault

import (
	"fmt"
	"runtime/debug"

	bolt "go.etcd.io/bbolt"
)

// bbolt trusts its file: a damaged page makes it panic (bad page type,
// page id beyond the high-water mark, index out of range) or read outside
// the memory map, a fault that would kill the process. A vault must answer a
// damaged database with an error, so every transaction runs through guard.
//
// One kind of damage no recover can stop: a branch page whose children lead
// back to itself makes bbolt's cursor loop until memory runs out. Open
// therefore walks the page graph first (checkPageGraph, pages.go).

// guard runs fn, turning a panic or a memory fault in it into an error that
// names op and wraps ErrCorrupt and ErrTampered. Faults become panics only on
// the calling goroutine (debug.SetPanicOnFault), and only while fn runs.
func guard(op string, fn func() error) (err error) {
	old := debug.SetPanicOnFault(true)
	defer func() {
		debug.SetPanicOnFault(old)
		if r := recover(); r != nil {
			err = fmt.Errorf("%s: database damaged (%v): %w: %w", op, r, ErrCorrupt, ErrTampered)
		}
	}()
	return fn()
}

// view runs fn in a read transaction under guard.
func (v *Vault) view(op string, fn func(*bolt.Tx) error) error {
	return guard(op, func() error { return v.db.View(fn) })
}

// change runs fn in a write transaction under guard. If fn or the commit
// panics, bbolt's deferred rollback has released the transaction.
func (v *Vault) change(op string, fn func(*bolt.Tx) error) error {
	return guard(op, func() error { return v.db.Update(fn) })
}
