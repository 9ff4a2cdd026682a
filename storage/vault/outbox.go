package vault

import (
	"encoding/json"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// bOutbox holds the audit entries the vault owes: seq -> owed (JSON). An
// entry is put in the same transaction as the change it describes (the
// creation of a recording, the mark that starts an erase) and deleted only
// after the Journal has written it, so no crash between a change and its
// entry loses the entry: the next Journal set (at the next open) writes it.
var bOutbox = []byte("outbox")

// Why says why a recording is created or erased, for the audit entry the
// vault owes for it. It holds no personal data: Cause is one of the Cause
// constants, Actor names who asked as the audit log names actors
// ("tool:fairrec", "caller-dtmf:line1"; "" is the device), Detail is a
// short note ("line=1 incoming segment=0").
type Why struct {
	Cause  Cause  `json:"c,omitempty"`
	Actor  string `json:"a,omitempty"`
	Detail string `json:"d,omitempty"`
}

// Cause is why a recording was created or erased.
type Cause string

// Causes.
const (
	CauseCreated   Cause = "created"   // a call started recording
	CauseTimer     Cause = "timer"     // the last grant expired
	CauseRequest   Cause = "request"   // an erasure request (console or tool)
	CauseObjection Cause = "objection" // the caller or the employee objected
	CauseDiscard   Cause = "discard"   // the call was shorter than the minimum
	// CauseUnknown: erased through Erase or EraseMany, which give no
	// reason. The entry is still written.
	CauseUnknown Cause = ""
)

// EventCreated is raised (to the Journal only) when a recording's creation
// is committed.
const EventCreated EventKind = "created"

// Journal writes one owed audit entry durably: an Event of kind
// EventCreated or EventErased with its Why. It returns nil only once the
// entry is written; on an error the vault keeps the entry and retries it.
// storage/vaultevent.Journal maps the events onto storage/audit.
type Journal func(Event) error

type owed struct {
	Kind EventKind `json:"k"`
	ID   ID        `json:"i"`
	Why  Why       `json:"w"`
}

// owe puts an entry into the outbox in tx.
func owe(tx *bolt.Tx, kind EventKind, id ID, why Why) error {
	b, err := tx.CreateBucketIfNotExists(bOutbox)
	if err != nil {
		return err
	}
	n, err := b.NextSequence()
	if err != nil {
		return err
	}
	val, err := json.Marshal(owed{Kind: kind, ID: id, Why: why})
	if err != nil {
		return err
	}
	return b.Put(idKey(ID(n)), val)
}

// SetJournal makes j the writer of the audit entries the vault owes, and
// writes those still owed (entries of changes a crash cut off from their
// entry, or that an earlier Journal failed to write). From then on every
// Create and erase writes its entry through j before it returns. The
// vault is opened before the audit log (whose key derives from the key
// slots), hence a setter rather than a Config field.
func (v *Vault) SetJournal(j Journal) error {
	v.omu.Lock()
	v.journal = j
	v.omu.Unlock()
	return v.deliver()
}

// Owed reports how many audit entries wait in the outbox.
func (v *Vault) Owed() (int, error) {
	n := 0
	err := v.view("outbox", func(tx *bolt.Tx) error {
		if b := tx.Bucket(bOutbox); b != nil {
			n = b.Stats().KeyN
		}
		return nil
	})
	return n, err
}

// deliver writes the owed entries through the journal, in order, and
// deletes each written one. It stops at the first the journal refuses. It
// is called without wmu held, so a slow log never stalls the commits.
func (v *Vault) deliver() error {
	v.omu.Lock()
	defer v.omu.Unlock()
	if v.journal == nil || v.crashed {
		return nil
	}
	type item struct {
		key []byte
		o   owed
	}
	var items []item
	err := v.view("outbox", func(tx *bolt.Tx) error {
		b := tx.Bucket(bOutbox)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, val []byte) error {
			var o owed
			if len(k) != 8 || json.Unmarshal(val, &o) != nil {
				// Unreadable: still an entry owed, about something.
				o = owed{Kind: EventTampered, Why: Why{Detail: "unreadable audit outbox entry"}}
			}
			items = append(items, item{append([]byte(nil), k...), o})
			return nil
		})
	})
	if err != nil {
		return fmt.Errorf("vault: audit outbox: %w", err)
	}
	var done [][]byte
	var jerr error
	for _, it := range items {
		ev := Event{Time: v.cfg.Clock.Now(), Kind: it.o.Kind, ID: it.o.ID, Why: it.o.Why}
		if jerr = v.journal(ev); jerr != nil {
			break
		}
		done = append(done, it.key)
	}
	if err := v.crashPoint("outbox-written"); err != nil {
		return err
	}
	if len(done) > 0 {
		err = v.change("outbox delivered", func(tx *bolt.Tx) error {
			b := tx.Bucket(bOutbox)
			for _, k := range done {
				if err := b.Delete(k); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			// The entries are written; they will be written again.
			v.log.Warn("vault: audit outbox: written entries not yet dropped; they will be written again", "err", err)
		}
	}
	if jerr != nil {
		return fmt.Errorf("vault: audit outbox: %d entries still owed: %w", len(items)-len(done), jerr)
	}
	return nil
}

// deliverAfter delivers the outbox after a change that owes entries. The
// change itself is durable, and so are its entries: a journal failure is
// logged, not returned, and the entries are written at the next delivery.
func (v *Vault) deliverAfter(op string) {
	if err := v.deliver(); err != nil && !errors.Is(err, ErrClosed) {
		v.log.Error("vault: "+op+": audit entry owed; written at the next open or change", "err", err)
	}
}

// oweMissing owes an erase entry for each of ids the outbox does not name
// yet: an erase marked by firmware that kept no outbox, finished at Open.
func oweMissing(tx *bolt.Tx, ids []ID) error {
	named := map[ID]bool{}
	if b := tx.Bucket(bOutbox); b != nil {
		err := b.ForEach(func(_, val []byte) error {
			var o owed
			if json.Unmarshal(val, &o) == nil && o.Kind == EventErased {
				named[o.ID] = true
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	for _, id := range ids {
		if !named[id] {
			if err := owe(tx, EventErased, id, Why{Detail: "finished at open"}); err != nil {
				return err
			}
		}
	}
	return nil
}
