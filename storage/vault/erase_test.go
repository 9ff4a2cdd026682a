package vault

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// damageRecord rewrites the stored record of id with change applied.
func damageRecord(t *testing.T, v *Vault, id ID, change func(val []byte) []byte) {
	t.Helper()
	err := v.db.Bolt().Update(func(tx *bolt.Tx) error {
		val := change(bytes.Clone(tx.Bucket(bRec).Get(idKey(id))))
		return tx.Bucket(bRec).Put(idKey(id), val)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// slotsOnDisk returns the owner id written in each slot of the slot file.
func slotsOnDisk(t *testing.T, dir string) []uint64 {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, SlotsFile))
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]uint64, len(b)/slotSize)
	for i := range ids {
		ids[i] = binary.BigEndian.Uint64(b[i*slotSize:])
	}
	return ids
}

// chunksLeft counts the chunks of id still in the database.
func chunksLeft(t *testing.T, dir string, id ID) int {
	t.Helper()
	db, err := bolt.Open(filepath.Join(dir, DBFile), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	n := 0
	_ = db.View(func(tx *bolt.Tx) error {
		for _, cb := range commitsFrom(tx, 0) {
			_ = cb.ForEach(func(k, _ []byte) error {
				if bytes.HasPrefix(k, idKey(id)) {
					n++
				}
				return nil
			})
		}
		return nil
	})
	return n
}

// An erase destroys the victim's key and chunks even when the record header
// (which is not authenticated) names the wrong key slot or cannot be parsed,
// and never destroys another recording's key. Both the erase itself and the
// one finished at Open after a crash are checked.
func TestEraseDamagedHeaderStillDestroysKey(t *testing.T) {
	damages := []struct {
		name   string
		change func(val []byte, otherSlot uint32) []byte
	}{
		{"slot index 0", func(val []byte, _ uint32) []byte { binary.BigEndian.PutUint32(val[2:], 0); return val }},
		{"slot index past end", func(val []byte, _ uint32) []byte { binary.BigEndian.PutUint32(val[2:], 1<<30); return val }},
		{"slot of another recording", func(val []byte, o uint32) []byte { binary.BigEndian.PutUint32(val[2:], o); return val }},
		{"version byte", func(val []byte, _ uint32) []byte { val[0] = 9; return val }},
		{"truncated", func(val []byte, _ uint32) []byte { return val[:3] }},
	}
	for _, crash := range []bool{false, true} {
		for _, d := range damages {
			name := d.name
			if crash {
				name += "/crash after mark"
			}
			t.Run(name, func(t *testing.T) {
				dir := newDir(t)
				cfg := testConfig(dir)
				v := mustOpen(t, cfg)
				var ids [3]ID
				for i := range ids {
					id, err := v.Create(Meta{Line: 1, Start: t0, Caller: "0201234567"})
					if err != nil {
						t.Fatal(err)
					}
					if err := v.Append(id, pattern(i, 4000)); err != nil {
						t.Fatal(err)
					}
					if err := v.Commit(); err != nil {
						t.Fatal(err)
					}
					if err := v.Seal(id, t0); err != nil {
						t.Fatal(err)
					}
					ids[i] = id
				}
				victim, other := ids[1], ids[2]
				var otherSlot uint32
				_ = v.db.Bolt().View(func(tx *bolt.Tx) error {
					r, _, err := peekRecord(tx.Bucket(bRec).Get(idKey(other)))
					otherSlot = r.slot
					return err
				})
				damageRecord(t, v, victim, func(val []byte) []byte { return d.change(val, otherSlot) })
				if crash {
					v.crash = func(step string) error {
						if step == "erase-marked" {
							return errors.New("simulated crash")
						}
						return nil
					}
					if err := v.Erase(victim); err == nil {
						t.Fatal("Erase with a crash after marking returned nil")
					}
					v.crash = nil
					v.Close()
					v = mustOpen(t, cfg)
				} else if err := v.Erase(victim); err != nil {
					t.Fatalf("Erase(%v) = %v", victim, err)
				}
				if _, err := v.Info(victim); !errors.Is(err, ErrNotFound) {
					t.Errorf("Info(erased %v) = %v, want ErrNotFound", victim, err)
				}
				for _, id := range []ID{ids[0], other} {
					if _, err := readAll(t, v, id); err != nil {
						t.Errorf("reading untouched recording %v after the erase: %v", id, err)
					}
				}
				if got, err := v.List(Query{Caller: "0201234567"}); err != nil || len(got) != 2 {
					t.Errorf("List by caller after the erase = %d recordings, %v; want 2", len(got), err)
				}
				v.Close()
				for i, owner := range slotsOnDisk(t, dir) {
					if i > 0 && owner == uint64(victim) {
						t.Errorf("slot %d still holds the key of erased recording %v", i, victim)
					}
				}
				if n := chunksLeft(t, dir, victim); n != 0 {
					t.Errorf("%d chunks of erased recording %v remain", n, victim)
				}
			})
		}
	}
}
