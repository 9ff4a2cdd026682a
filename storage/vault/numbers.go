package vault

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Numbering puts telephone numbers into one form; firmware/phone's Plan
// satisfies it. Name identifies the form (it changes with the country), so
// that an index made under another is rebuilt at Open.
type Numbering interface {
	Normalize(number string) (string, error)
	Name() string
}

// ErrNotNumber is wrapped by List when asked for a caller that is not a
// telephone number under Config.Numbers: a request in a form nobody can
// match must fail, never match nothing silently.
var ErrNotNumber = errors.New("not a telephone number")

// notNumber is Numbering's refusal, which already says why, as an
// ErrNotNumber.
type notNumber struct{ err error }

func (e notNumber) Error() string   { return e.err.Error() }
func (e notNumber) Unwrap() []error { return []error{ErrNotNumber, e.err} }

// bIndex holds the name of the numbering the caller index was made under.
var (
	bIndex     = []byte("index")
	kNumbering = []byte("numbering")
)

// plainNumbering is the name of the index Config.Numbers nil makes.
const plainNumbering = "digits"

// canonical is the form of number the caller index keys: Config.Numbers'
// when it can read the number, else its digits (an internal extension, a
// caller ID the exchange garbled), "" for no number at all.
func (v *Vault) canonical(number string) string {
	if v.cfg.Numbers != nil {
		if n, err := v.cfg.Numbers.Normalize(number); err == nil {
			return n
		}
	}
	return normalizeNumber(number)
}

// queryMAC is the lookup key of a caller asked for: one Config.Numbers
// cannot read is refused.
func (v *Vault) queryMAC(number string) ([]byte, error) {
	if v.cfg.Numbers != nil {
		n, err := v.cfg.Numbers.Normalize(number)
		if err != nil {
			return nil, notNumber{err}
		}
		return v.mac(n), nil
	}
	mac := v.callerMAC(number)
	if mac == nil {
		return nil, fmt.Errorf("%w: no digits in %q", ErrNotNumber, number)
	}
	return mac, nil
}

func (v *Vault) numberingName() string {
	if v.cfg.Numbers == nil {
		return plainNumbering
	}
	return v.cfg.Numbers.Name()
}

// reindex rebuilds the caller index once when it was made under another
// numbering than Config.Numbers (a vault from before numbers were
// normalised, or a box moved to another country): every record's numbers
// get new lookup keys, in one transaction. A record that fails
// authentication keeps its entries; List reports it as tampered anyway.
func (v *Vault) reindex() (int, error) {
	if v.cfg.Numbers == nil {
		return 0, nil
	}
	want := []byte(v.numberingName())
	var stale bool
	err := v.view("read index numbering", func(tx *bolt.Tx) error {
		b := tx.Bucket(bIndex)
		stale = b == nil || !bytes.Equal(b.Get(kNumbering), want)
		return nil
	})
	if err != nil || !stale {
		return 0, err
	}
	n := 0
	v.wmu.Lock()
	defer v.wmu.Unlock()
	err = v.commitLocked(func(tx *bolt.Tx, _ uint64, _ []pendingChunk) error {
		n = 0
		var ids []ID
		c := tx.Bucket(bRec).Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			if len(k) == 8 {
				ids = append(ids, ID(binary.BigEndian.Uint64(k)))
			}
		}
		cb := tx.Bucket(bCaller)
		for _, id := range ids {
			r, key, err := v.load(tx, id)
			if err != nil {
				continue // erasing, or tampered: nothing to index
			}
			caller := v.callerMAC(r.personal.Caller)
			others := make([][]byte, len(r.personal.Others))
			for i, o := range r.personal.Others {
				others[i] = v.callerMAC(o)
			}
			for _, m := range r.macs() {
				if err := cb.Delete(append(bytes.Clone(m), idKey(id)...)); err != nil {
					return err
				}
			}
			r.clear.CallerMAC, r.clear.OtherMACs = caller, others
			for _, m := range r.macs() {
				if m != nil {
					if err := cb.Put(append(bytes.Clone(m), idKey(id)...), nil); err != nil {
						return err
					}
				}
			}
			val, err := r.encode(id, key)
			if err != nil {
				return err
			}
			if err := tx.Bucket(bRec).Put(idKey(id), val); err != nil {
				return err
			}
			n++
		}
		b, err := tx.CreateBucketIfNotExists(bIndex)
		if err != nil {
			return err
		}
		return b.Put(kNumbering, want)
	})
	if err != nil {
		return 0, fmt.Errorf("rebuild the caller index under %s: %w", want, err)
	}
	return n, nil
}
