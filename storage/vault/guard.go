package vault

import (
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// A vault must answer a damaged database with an error, never a crash or a
// hang: the database is opened through storage/boltfile, which walks the
// page graph first and runs every transaction under a guard. Damage is
// reported as ErrCorrupt, which also wraps ErrTampered (errDamaged).
var errDamaged = fmt.Errorf("%w: %w", ErrCorrupt, ErrTampered)

// skipAudio names the commit buckets (an 8-byte key starting with a zero
// byte, one per second of recording, millions in a full vault): Open leaves
// their pages out of the walk and stays fast; Verify walks them.
func skipAudio(name []byte) bool { return len(name) == 8 && name[0] == 0 }

// view runs fn in a read transaction under boltfile's guard.
func (v *Vault) view(op string, fn func(*bolt.Tx) error) error {
	return v.db.View(op, fn)
}

// change runs fn in a write transaction under boltfile's guard. If fn or
// the commit panics, bbolt's deferred rollback has released the transaction.
func (v *Vault) change(op string, fn func(*bolt.Tx) error) error {
	return v.db.Update(op, fn)
}
