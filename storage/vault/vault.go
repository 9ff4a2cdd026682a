package vault

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"fairrec/storage/atomicfile"
	"fairrec/storage/boltfile"
	bolt "go.etcd.io/bbolt"
)

// Sentinel errors; operations wrap them with %w.
var (
	// ErrNotFound: no such recording (never created, or erased).
	ErrNotFound = errors.New("recording not found")
	// ErrTampered: a chunk, the metadata or the key slot of a recording
	// failed authentication. Other recordings stay readable.
	ErrTampered = errors.New("recording failed authentication (tampered or corrupt)")
	// ErrNoKey: the key file (or its passphrase, or the key-slot file) is
	// missing. The daemon must refuse to record.
	ErrNoKey = errors.New("key missing")
	// ErrWrongKey: the key file or passphrase is not the one this vault
	// was made with. The daemon must refuse to record.
	ErrWrongKey = errors.New("wrong key")
	// ErrInUse: another process has the database open.
	ErrInUse = errors.New("data directory in use by another process")
	// ErrClosed: the vault was closed.
	ErrClosed = errors.New("vault closed")
	// ErrSealed: the recording is no longer open for appends.
	ErrSealed = errors.New("recording is sealed")
	// ErrCorrupt: a page of the database file is damaged, so bbolt could
	// not read it. Errors wrapping ErrCorrupt also wrap ErrTampered; the
	// operation that hit the page failed, nothing was changed by it.
	ErrCorrupt = errors.New("database file damaged")
)

// File names inside Config.Dir.
const (
	DBFile    = "vault.db"
	SlotsFile = "keys.slots"
	KeyFile   = "fairrec.key" // the default key file
)

// Config configures Open. Its zero value, given a Dir and a Clock, opens
// Dir/vault.db with the key in Dir/fairrec.key.
type Config struct {
	Dir            string        // data directory: holds vault.db and keys.slots
	KeyFile        string        // key-encryption key; "" means Dir/fairrec.key
	Passphrase     []byte        // when the key file is sealed with one
	Clock          Clock         // required: event times and commit ticks
	Logger         *slog.Logger  // nil = discard
	CommitInterval time.Duration // 0 = 1 s
	OnEvent        func(Event)   // for the audit log; called without vault locks held; may be nil
	NoSync         bool          // tests only: no fsync (bbolt NoSync, slot file not synced)
	// Numbers puts every number the vault indexes and every caller it is
	// asked for into one form (firmware/phone: E.164 in the box's
	// country), so that any written form of a number finds its
	// recordings. Nil: separators are dropped, nothing more; an index
	// made under other Numbers is then left as it is.
	Numbers Numbering
}

// Clock is the wall clock the vault reads: event and seal times come from
// Now, commit ticks from After. It is declared here, not imported, because
// storage sits below the firmware: the firmware's clock (and its trusted-time
// lower bound) satisfies it without the vault knowing either.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

// EventKind names what happened. Events carry no personal data.
type EventKind string

// Event kinds.
const (
	EventTampered      EventKind = "tampered"       // authentication failed
	EventInterrupted   EventKind = "interrupted"    // a recording left open was sealed as interrupted at Open
	EventErased        EventKind = "erased"         // a recording was erased (key destroyed)
	EventEraseFinished EventKind = "erase-finished" // an erase cut short by a crash was finished at Open
	EventOrphanKey     EventKind = "orphan-key"     // a key slot of a recording whose creation never committed was cleared
	EventCommitFailed  EventKind = "commit-failed"  // a periodic commit failed; audio stays pending
	EventRotated       EventKind = "rotated"        // every data key was re-wrapped under a new key file
	EventInconsistent  EventKind = "inconsistent"   // found at Open: e.g. a key slot with no record; nothing destroyed
)

// Event is raised for the audit log.
type Event struct {
	Time   time.Time
	Kind   EventKind
	ID     ID     // 0 when not about one recording
	Detail string // no personal data
	Why    Why    // for the Journal: why it was created or erased
}

// Bucket names.
var (
	bRec     = []byte("rec")     // id -> record
	bOpen    = []byte("open")    // id -> "" while the recording is open
	bErasing = []byte("erasing") // id -> "" while an erase is under way
	bCaller  = []byte("caller")  // HMAC(16) || id -> ""
	// and one bucket per commit: seq (8 bytes) -> id||chunk -> sealed chunk (commits.go)
)

// Vault is an open data directory. Its methods are safe for concurrent use.
type Vault struct {
	cfg      Config
	log      *slog.Logger
	db       *boltfile.DB
	slots    *slotFile
	kek      *kek   // wraps new keys
	keks     []*kek // kek, plus the outgoing one while a rotation is unfinished
	indexKey []byte // HMAC key for caller lookups

	wmu    sync.Mutex // serialises writers: commits, create, seal, erase, rotation
	seq    uint64     // last commit sequence used; under wmu
	nextID uint64     // under wmu

	mu     sync.Mutex // guards open and closed
	open   map[ID]*openRec
	closed bool

	omu     sync.Mutex // serialises outbox deliveries; guards journal
	journal Journal

	runs commitRuns // what Run's periodic commits did, for CommitHealth

	// crash, when set by a test, is called between the steps of an erase
	// and a rotation; an error return stops the operation there as a crash
	// would.
	crash   func(step string) error
	crashed bool // the crash hook stopped an operation: deliver nothing more
}

// openRec is a recording being written.
type openRec struct {
	key     []byte
	rec     record // as last stored
	pending []byte // appended, not yet committed
	// spare is the buffer of the last committed chunk, given back to
	// pending at the next commit: two buffers per recording alternate
	// instead of a new one growing every second.
	spare     []byte
	next      uint32 // index of the next chunk to assign
	committed uint32 // chunks durable
	bytes     int64  // audio bytes durable
	last      uint64 // last commit seq holding a chunk
}

// Open opens (creating if needed) the vault in cfg.Dir. It fails with
// ErrNoKey or ErrWrongKey when the key file is missing or does not fit, and
// ErrInUse when another process holds the database. It seals recordings left
// open as interrupted and finishes erases and rotations a crash cut short.
func Open(cfg Config) (*Vault, error) {
	if cfg.Dir == "" {
		return nil, errors.New("vault: open: Config.Dir is empty")
	}
	if cfg.Clock == nil {
		return nil, errors.New("vault: open: Config.Clock is nil")
	}
	if cfg.KeyFile == "" {
		cfg.KeyFile = filepath.Join(cfg.Dir, KeyFile)
	}
	if cfg.CommitInterval <= 0 {
		cfg.CommitInterval = time.Second
	}
	v := &Vault{cfg: cfg, log: cfg.Logger, open: map[ID]*openRec{}}
	if v.log == nil {
		v.log = slog.New(slog.DiscardHandler)
	}
	k, err := readKeyFile(cfg.KeyFile, cfg.Passphrase)
	if err != nil {
		return nil, fmt.Errorf("vault: open: %w", err)
	}
	v.kek, v.keks = k, []*kek{k}
	// A rotation cut short left the new key next to the old one.
	var next *kek
	if _, err := os.Stat(cfg.KeyFile + ".next"); err == nil {
		next, err = readKeyFile(cfg.KeyFile+".next", cfg.Passphrase)
		if err != nil {
			return nil, fmt.Errorf("vault: open: unfinished rotation: %w", err)
		}
		v.keks = append(v.keks, next)
	}
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("vault: open: %w", err)
	}
	dbPath := filepath.Join(cfg.Dir, DBFile)
	_, statErr := os.Stat(dbPath)
	newDB := errors.Is(statErr, os.ErrNotExist)
	db, err := boltfile.Open(dbPath, boltfile.Options{
		Timeout:      500 * time.Millisecond,
		NoSync:       cfg.NoSync,
		NoGrowSync:   cfg.NoSync,
		FreelistType: bolt.FreelistMapType,
		Damaged:      errDamaged,
		Skip:         skipAudio,
	})
	if errors.Is(err, boltfile.ErrLocked) {
		return nil, fmt.Errorf("vault: open %s: %w", dbPath, ErrInUse)
	}
	if err != nil {
		return nil, fmt.Errorf("vault: %w", err)
	}
	v.db = db
	if err := v.openSlots(newDB); err != nil {
		db.Close()
		return nil, fmt.Errorf("vault: open: %w", err)
	}
	events, err := v.recover(next)
	if err != nil {
		v.slots.close()
		db.Close()
		return nil, fmt.Errorf("vault: open: %w", err)
	}
	if n, err := v.reindex(); err != nil {
		v.slots.close()
		db.Close()
		return nil, fmt.Errorf("vault: open: %w", err)
	} else if n > 0 {
		v.log.Info("caller index rebuilt", "numbering", v.numberingName(), "recordings", n)
	}
	v.emit(events)
	return v, nil
}

// openSlots opens the key-slot file and the vault's root secret in slot 0.
func (v *Vault) openSlots(newDB bool) error {
	path := filepath.Join(v.cfg.Dir, SlotsFile)
	var empty, ready bool
	err := v.view("read buckets", func(tx *bolt.Tx) error {
		ready = true
		for _, b := range [][]byte{bRec, bOpen, bErasing, bCaller} {
			ready = ready && tx.Bucket(b) != nil
		}
		empty = !ready || tx.Bucket(bRec).Sequence() == 0
		return nil
	})
	if err != nil {
		return err
	}
	if !ready {
		err = v.change("create buckets", func(tx *bolt.Tx) error {
			for _, b := range [][]byte{bRec, bOpen, bErasing, bCaller} {
				if _, err := tx.CreateBucketIfNotExists(b); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	s, err := openSlots(path, false, v.cfg.NoSync)
	if errors.Is(err, os.ErrNotExist) && (newDB || empty) {
		s, err = openSlots(path, true, v.cfg.NoSync)
		if err != nil {
			return err
		}
		s.ids = []uint64{0}
		if err := s.put(0, rootSlotID, randomKey(), v.kek); err != nil {
			s.close()
			return err
		}
		if err := s.sync(); err != nil {
			s.close()
			return err
		}
		if err := atomicfile.SyncDir(v.cfg.Dir); err != nil {
			s.close()
			return err
		}
	} else if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("%w: key-slot file %s is missing; without it no recording can be decrypted", ErrNoKey, path)
	} else if err != nil {
		return fmt.Errorf("key-slot file: %w", err)
	}
	v.slots = s
	if len(s.ids) == 0 {
		s.close()
		return fmt.Errorf("%w: key-slot file %s is empty", ErrNoKey, path)
	}
	b, err := s.read(0)
	if err == nil {
		var root []byte
		root, _, err = unwrapSlot(b, 0, rootSlotID, v.keks)
		if errors.Is(err, ErrTampered) {
			// The root wrap did not open: either a different key or
			// damage. A different key is far likelier and safer to say.
			err = fmt.Errorf("%w: the key file does not open this vault's key slots", ErrWrongKey)
		}
		v.indexKey = derive(root, "fairrec v1 caller index")
	}
	if err != nil {
		s.close()
		return err
	}
	return nil
}

func (v *Vault) emit(events []Event) {
	for _, e := range events {
		if e.Time.IsZero() {
			e.Time = v.cfg.Clock.Now()
		}
		v.log.Info("vault event", "kind", string(e.Kind), "id", uint64(e.ID), "detail", e.Detail)
		if v.cfg.OnEvent != nil {
			v.cfg.OnEvent(e)
		}
	}
}

// Close commits pending audio and closes the files. Open recordings stay
// open in the database and are sealed as interrupted at the next Open.
func (v *Vault) Close() error {
	v.wmu.Lock()
	defer v.wmu.Unlock()
	err := v.commitLocked(nil)
	if errors.Is(err, ErrClosed) {
		return nil
	}
	v.mu.Lock()
	v.closed = true
	v.mu.Unlock()
	if e := v.db.Close(); err == nil {
		err = e
	}
	if e := v.slots.close(); err == nil {
		err = e
	}
	if err != nil {
		return fmt.Errorf("vault: close: %w", err)
	}
	return nil
}
