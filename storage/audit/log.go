package audit

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"fairrec/storage/boltfile"
)

// FileName is the log's file inside the data directory.
const FileName = "audit.db"

// PathIn returns the log's path inside the data directory dir.
func PathIn(dir string) string { return filepath.Join(dir, FileName) }

// DefaultRetention is how long entries are kept when Config.Retention is
// zero: two years of 365 days.
const DefaultRetention = 2 * 365 * 24 * time.Hour

// DefaultPruneEvery is how often Run prunes when Config.PruneEvery is zero.
const DefaultPruneEvery = 24 * time.Hour

// trustFloor: a time before this cannot be right (the firmware did not exist
// yet), so it is flagged approximate even if the caller claims trust. A Pi
// without an RTC boots in 1970.
var trustFloor = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// Clock is the wall clock the log reads: entry times come from Now, Run's
// pruning rounds and the Forwarder's backoff from After. It is declared
// here, not imported, because storage sits below the firmware: the
// firmware's clock and its trusted-time lower bound satisfy it as they are.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

// Recorder is how other packages write to the audit log. *Log implements it;
// audittest.Recorder is a fake for tests.
type Recorder interface {
	Record(Entry) error
}

// Sink receives every entry after it was committed, in order. Enqueue must
// not block. *Forwarder implements it.
type Sink interface {
	Enqueue(Entry)
}

// Config configures Open. Path is required; Clock is required unless
// ReadOnly. The other zero values mean: trusted clock, no key (head unsigned,
// no pruning), two years' retention, daily pruning in Run, no forwarding, a
// one-second lock timeout, durable commits, and a discarding logger.
type Config struct {
	Path  string
	Clock Clock
	// Trusted reports whether the clock is currently trusted (set by
	// whoever keeps the firmware's time lower bound). Entries written while
	// it returns false are flagged Approximate and Prune refuses to run.
	Trusted func() bool
	// Key signs the checkpoint and the head (HMAC-SHA256). Derive it from
	// the key-encryption key with DeriveKey. Without it the head is
	// unsigned and Prune returns ErrNoKey.
	Key        []byte
	Retention  time.Duration
	PruneEvery time.Duration
	Sink       Sink
	// Anchor keeps the log's seq and head hash outside its file (the
	// vault's key-slot file); nil: none, and a deleted, older or rolled
	// back file cannot be told from the real one. See the package doc.
	Anchor Anchor
	// Timeout bounds the wait for bbolt's file lock (the daemon holds it
	// while running; the tool then fails instead of hanging).
	Timeout  time.Duration
	ReadOnly bool
	// NoFreelistSync stops bbolt writing its freelist with each commit
	// (one page less per entry, see BenchmarkRecord); the freelist is then
	// rebuilt by scanning the file at each writable Open.
	NoFreelistSync bool
	// NoSync skips fsync on commit. Tests only: a power cut would lose
	// entries.
	NoSync bool
	Logger *slog.Logger
}

// Log is an open audit log. Its methods are safe for concurrent use.
type Log struct {
	cfg  Config
	log  *slog.Logger
	mu   sync.Mutex // serialises appends so that Seq and Prev are consistent
	db   *boltfile.DB
	head head
	key  []byte // Config.Key until Rekey
}

var (
	bucketEntries = []byte("entries")
	bucketMeta    = []byte("meta")
	keyHead       = []byte("head")
	keyCheckpoint = []byte("checkpoint")
	keyFormat     = []byte("format")
	formatValue   = []byte("fairrec audit log 1")
)

// Open opens or creates the log at cfg.Path. If the stored head and the last
// entry disagree, or the log is not the one its Anchor names (deleted,
// replaced by an older copy, rolled back or trimmed), Open starts a new
// segment: it records an ActionTamperDetected entry, continuing the chain
// from the head (from entry 1 in a new file), anchors the log there, and
// returns the open log together with a *TamperError (errors.Is(err,
// ErrTampered)): the one error with which Open also returns a log, which the
// caller must close. Read-only, Open writes nothing and returns no such
// error; Verify reports the tampering.
func Open(cfg Config) (*Log, error) {
	if cfg.Path == "" {
		return nil, errors.New("audit: open: no path")
	}
	if cfg.Clock == nil && !cfg.ReadOnly {
		return nil, errors.New("audit: open: no clock")
	}
	if cfg.Retention <= 0 {
		cfg.Retention = DefaultRetention
	}
	if cfg.PruneEvery <= 0 {
		cfg.PruneEvery = DefaultPruneEvery
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = time.Second
	}
	l := &Log{cfg: cfg, log: cfg.Logger, key: append([]byte(nil), cfg.Key...)}
	if l.log == nil {
		l.log = slog.New(slog.DiscardHandler)
	}
	// boltfile walks the page graph before bbolt follows it: the daemon
	// opens with NoFreelistSync, and bbolt rebuilds the freelist on a
	// goroutine of its own, where a looping or damaged page would hang or
	// crash the process beyond any recover.
	db, err := boltfile.Open(cfg.Path, boltfile.Options{
		Timeout: cfg.Timeout, ReadOnly: cfg.ReadOnly, NoSync: cfg.NoSync, NoFreelistSync: cfg.NoFreelistSync,
		Damaged: ErrCorrupt,
	})
	if errors.Is(err, boltfile.ErrLocked) {
		return nil, fmt.Errorf("audit: open %s: %w", cfg.Path, ErrLocked)
	}
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	l.db = db
	var mismatch string
	var lastSeq uint64
	err = view(db, "read head", func(tx *bolt.Tx) error {
		var err error
		l.head, lastSeq, mismatch, err = readHead(tx, cfg.Key)
		return err
	})
	if err == nil && !cfg.ReadOnly {
		err = update(db, "create buckets", func(tx *bolt.Tx) error {
			meta, err := tx.CreateBucketIfNotExists(bucketMeta)
			if err != nil {
				return err
			}
			if _, err := tx.CreateBucketIfNotExists(bucketEntries); err != nil {
				return err
			}
			if f := meta.Get(keyFormat); f == nil {
				return meta.Put(keyFormat, formatValue)
			} else if !bytes.Equal(f, formatValue) {
				return fmt.Errorf("unknown format %q", f)
			}
			return nil
		})
	}
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("audit: open %s: %w", cfg.Path, err)
	}
	if cfg.ReadOnly {
		return l, nil
	}
	var anchored uint64
	var haveAnchor bool
	if cfg.Anchor != nil && mismatch == "" {
		_ = view(db, "check anchor", func(tx *bolt.Tx) error {
			mismatch, anchored, haveAnchor = checkAnchor(tx, cfg.Anchor)
			return nil
		})
	}
	if mismatch == "" {
		if cfg.Anchor != nil && (!haveAnchor || anchored != l.head.seq) {
			l.mu.Lock()
			l.anchorAt(l.head) // catch up: the first anchored open, or a write the anchor missed
			l.mu.Unlock()
		}
		return l, nil
	}
	l.log.Error("audit: log tampered with", "reason", mismatch, "head", l.head.seq, "last", lastSeq, "anchored", anchored)
	// Redact: whatever the reason says, it must not keep the log from
	// opening.
	err = l.Record(Entry{Actor: Actor{Kind: ActorDevice}, Action: ActionTamperDetected, Detail: Redact(SegmentDetail + mismatch)})
	if err != nil {
		db.Close()
		return nil, err
	}
	return l, &TamperError{Reason: mismatch}
}

// SegmentDetail begins the Detail of the ActionTamperDetected entry with
// which Open starts a new segment of a log found tampered with.
const SegmentDetail = "audit log at open: "

// readHead returns the head to continue the chain from, the sequence number
// of the last stored entry, and a description of any disagreement between
// the stored head and the last stored entry.
func readHead(tx *bolt.Tx, key []byte) (head, uint64, string, error) {
	var h head
	var hasHead bool
	if meta := tx.Bucket(bucketMeta); meta != nil {
		if f := meta.Get(keyFormat); f != nil && !bytes.Equal(f, formatValue) {
			return h, 0, "", fmt.Errorf("unknown format %q", f)
		}
		if v := meta.Get(keyHead); v != nil {
			var err error
			if h, err = decodeHead(v); err != nil {
				return h, 0, "", fmt.Errorf("reading head: %w", err)
			}
			hasHead = true
		}
	}
	var last head
	if b := tx.Bucket(bucketEntries); b != nil {
		if k, v := b.Cursor().Last(); k != nil {
			last = head{seq: keySeq(k), hash: sha256.Sum256(v)}
		}
	}
	switch {
	case !hasHead && last.seq == 0:
		return h, last.seq, "", nil
	case !hasHead:
		return last, last.seq, "head missing", nil
	case key != nil && !h.signedBy(key):
		return h, last.seq, "head signature invalid", nil
	case h.seq != last.seq || h.hash != last.hash:
		// No sequence numbers here: the reason becomes an entry's Detail,
		// where six digits in a row are refused as a possible phone
		// number, so a log past entry 99999 could not be opened. Verify
		// names the entries; Open logs them.
		return h, last.seq, "last entry does not match head", nil
	}
	return h, last.seq, "", nil
}

// Path returns the file the log is stored in.
func (l *Log) Path() string { return l.cfg.Path }

// SetSink replaces the Sink (nil for none). Use it when the sink needs the
// log, as a Forwarder that records its drops does.
func (l *Log) SetSink(s Sink) {
	l.mu.Lock()
	l.cfg.Sink = s
	l.mu.Unlock()
}

// Close closes the file. Further calls return ErrClosed.
func (l *Log) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.db == nil {
		return ErrClosed
	}
	err := l.db.Close()
	l.db = nil
	if err != nil {
		return fmt.Errorf("audit: close: %w", err)
	}
	return nil
}

// trusted reports whether t, read from the clock, may be taken as true.
func (l *Log) trusted(t time.Time) bool {
	if t.Before(trustFloor) {
		return false
	}
	return l.cfg.Trusted == nil || l.cfg.Trusted()
}

// Record validates e, stamps it (Seq, Time, Approximate, Prev) and commits it
// durably before returning. The committed entry is then handed to the Sink.
func (l *Log) Record(e Entry) error {
	if err := e.Validate(); err != nil {
		return fmt.Errorf("audit: record %v: %w", e.Action, err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.db == nil {
		return fmt.Errorf("audit: record: %w", ErrClosed)
	}
	if l.cfg.ReadOnly {
		return fmt.Errorf("audit: record: %w", ErrReadOnly)
	}
	var h head
	err := update(l.db, "append", func(tx *bolt.Tx) error {
		var err error
		h, err = l.append(tx, &e)
		return err
	})
	if err != nil {
		return fmt.Errorf("audit: record %v: %w", e.Action, err)
	}
	l.head = h
	l.anchorAt(h)
	if l.cfg.Sink != nil {
		l.cfg.Sink.Enqueue(e)
	}
	return nil
}

// append stamps e and writes it and the new head in tx. The caller holds
// l.mu and sets l.head once tx commits.
func (l *Log) append(tx *bolt.Tx, e *Entry) (head, error) {
	now := l.cfg.Clock.Now()
	e.Time = time.Unix(0, now.UnixNano()).UTC()
	e.Approximate = !l.trusted(now)
	e.Seq = l.head.seq + 1
	e.Prev = l.head.hash
	b := tx.Bucket(bucketEntries)
	// Keys only ever grow: full pages waste no space and halve the pages
	// rewritten as the log grows.
	b.FillPercent = 1
	v := e.encode()
	if err := b.Put(seqKey(e.Seq), v); err != nil {
		return head{}, err
	}
	h := head{seq: e.Seq, hash: sha256.Sum256(v), anchored: l.cfg.Anchor != nil}
	h.sign(l.key)
	return h, tx.Bucket(bucketMeta).Put(keyHead, h.encode())
}

// Each calls fn for every stored entry whose time is not before since, in
// order. It stops at fn's first error and returns it.
func (l *Log) Each(since time.Time, fn func(Entry) error) error {
	l.mu.Lock()
	db := l.db
	l.mu.Unlock()
	if db == nil {
		return fmt.Errorf("audit: read: %w", ErrClosed)
	}
	return view(db, "read entries", func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketEntries)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			e, err := decode(v)
			if err != nil {
				return fmt.Errorf("audit: read entry at key %x: %w", k, err)
			}
			if e.Time.Before(since) {
				continue
			}
			if err := fn(e); err != nil {
				return err
			}
		}
		return nil
	})
}

// Run prunes once at start and then every Config.PruneEvery until ctx ends.
// Failures (no key, untrusted clock) are logged, not fatal: the log keeps
// growing until they are fixed. It returns ctx.Err().
func (l *Log) Run(ctx context.Context) error {
	for {
		if res, err := l.Prune(); err != nil {
			l.log.Warn("audit: prune", "err", err)
		} else if res.Pruned > 0 {
			l.log.Info("audit: pruned", "entries", res.Pruned, "checkpoint", res.Checkpoint.Seq)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-l.cfg.Clock.After(l.cfg.PruneEvery):
		}
	}
}

func seqKey(seq uint64) []byte {
	var k [8]byte
	binary.BigEndian.PutUint64(k[:], seq)
	return k[:]
}

// keySeq returns the sequence number of a key, or 0 for a malformed key.
func keySeq(k []byte) uint64 {
	if len(k) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(k)
}

// view and update run a bbolt transaction under boltfile's guard: bbolt
// trusts its file and panics on a damaged page; it rolls the transaction
// back before the panic reaches the guard, so the DB stays usable.
func view(db *boltfile.DB, op string, fn func(*bolt.Tx) error) error { return db.View(op, fn) }

func update(db *boltfile.DB, op string, fn func(*bolt.Tx) error) error { return db.Update(op, fn) }
