package boltfile

import (
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"syscall"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// The errors callers branch on, each wrapped with the operation and file.
var (
	// ErrDamaged: the file's page structure is damaged, so bbolt could
	// not (or must not) read it. Nothing was changed by the operation.
	ErrDamaged = errors.New("bbolt page structure damaged")
	// ErrLocked: another process holds the file; Open gave up after
	// Options.Timeout.
	ErrLocked = errors.New("bbolt file locked by another process")
)

// DefaultTimeout is how long Open waits for the file lock when
// Options.Timeout is zero.
const DefaultTimeout = time.Second

// Options configures Open. The zero value opens for writing, durably, with
// bbolt's array freelist, waiting DefaultTimeout for the lock and walking
// every bucket's pages.
type Options struct {
	// Timeout bounds the wait for bbolt's file lock; 0 means
	// DefaultTimeout. It is never passed to bbolt as 0, which would wait
	// forever.
	Timeout  time.Duration
	ReadOnly bool
	// NoSync and NoGrowSync skip fsync: tests only.
	NoSync, NoGrowSync bool
	NoFreelistSync     bool
	FreelistType       bolt.FreelistType
	// Damaged is wrapped, next to ErrDamaged, into every error that damage
	// causes, so callers keep their own documented sentinel (the vault's
	// ErrCorrupt, the audit log's ErrCorrupt). May be nil.
	Damaged error
	// Skip names top-level buckets whose pages Open's walk leaves out
	// (the vault's per-second audio buckets, millions in a full vault);
	// Check with a nil skip walks them. Nil walks everything.
	Skip func(bucket []byte) bool
}

// DB is an open bbolt database whose transactions run guarded.
type DB struct {
	bolt    *bolt.DB
	damaged error
}

// Open walks the page graph of the file at path (unless a process holds it:
// then after bbolt has taken the lock), then opens it with bbolt.
func Open(path string, o Options) (*DB, error) {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	// Walk only a file nobody writes: a writer reuses freed pages while
	// the walk follows them and would be taken for damage.
	checked, err := checkUnlocked(path, o.ReadOnly, o.Skip)
	if err != nil {
		return nil, wrapDamaged(fmt.Errorf("open %s: %w", path, err), o.Damaged)
	}
	d := &DB{damaged: o.Damaged}
	// bbolt reads the meta and freelist pages while opening, so a damaged
	// one can panic or fault here already. (Its file stays open until
	// collected: bbolt returns no handle to close.)
	err = d.Guard("open "+path+": bbolt", func() (err error) {
		d.bolt, err = bolt.Open(path, 0o600, &bolt.Options{
			Timeout: o.Timeout, ReadOnly: o.ReadOnly, NoSync: o.NoSync, NoGrowSync: o.NoGrowSync,
			NoFreelistSync: o.NoFreelistSync, FreelistType: o.FreelistType,
		})
		return err
	})
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, fmt.Errorf("open %s: %w", path, ErrLocked)
	}
	if err != nil && !errors.Is(err, ErrDamaged) {
		err = fmt.Errorf("open %s: %w", path, err)
	}
	if err != nil {
		return nil, err
	}
	if !checked {
		// Another process held the file when Open began and has let go;
		// now bbolt holds the lock, nobody else writes, and the walk is
		// sound. (A file written with NoFreelistSync had its freelist
		// rebuilt by bbolt already: the one gap, for a file that a live
		// fairrec process just had open.)
		if err := Check(path, o.Skip); err != nil {
			d.bolt.Close()
			return nil, wrapDamaged(fmt.Errorf("open %s: %w", path, err), o.Damaged)
		}
	}
	return d, nil
}

// checkUnlocked walks the file at path while holding a non-blocking flock
// of the kind bbolt takes (shared for read-only), and reports whether it
// could. A missing file is left to bbolt, which creates it.
func checkUnlocked(path string, readOnly bool, skip func([]byte) bool) (bool, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return true, nil
	}
	if err != nil {
		return false, nil // bbolt reports it
	}
	defer f.Close() // releases the lock
	how := syscall.LOCK_EX
	if readOnly {
		how = syscall.LOCK_SH
	}
	if err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB); err != nil {
		return false, nil // held: bbolt waits for it, Open walks after
	}
	return true, checkFile(f, skip)
}

// Bolt returns the underlying database, for what needs no guard (Stats,
// Path). Transactions go through View and Update.
func (d *DB) Bolt() *bolt.DB { return d.bolt }

// Close closes the database.
func (d *DB) Close() error { return d.bolt.Close() }

// View runs fn in a read transaction under Guard.
func (d *DB) View(op string, fn func(*bolt.Tx) error) error {
	return d.Guard(op, func() error { return d.bolt.View(fn) })
}

// Update runs fn in a write transaction under Guard. If fn or the commit
// panics, bbolt's deferred rollback has released the transaction, so the
// database stays usable.
func (d *DB) Update(op string, fn func(*bolt.Tx) error) error {
	return d.Guard(op, func() error { return d.bolt.Update(fn) })
}

// Guard runs fn, turning a panic or a memory fault in it into an error that
// names op and wraps ErrDamaged and Options.Damaged. A damaged page can hold
// a key or value pointer outside the memory-mapped file; SetPanicOnFault
// makes reading it a panic instead of a fatal fault. It affects only the
// calling goroutine, the one bbolt runs the transaction on, and only while
// fn runs.
func (d *DB) Guard(op string, fn func() error) error { return guard(op, d.damaged, fn) }

func guard(op string, damaged error, fn func() error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = wrapDamaged(fmt.Errorf("%s: %v", op, r), damaged)
		}
	}()
	return fn()
}

// wrapDamaged makes err wrap ErrDamaged (if it does not yet) and damaged.
func wrapDamaged(err, damaged error) error {
	if !errors.Is(err, ErrDamaged) {
		err = fmt.Errorf("%w: %w", err, ErrDamaged)
	}
	if damaged != nil {
		err = fmt.Errorf("%w: %w", err, damaged)
	}
	return err
}
