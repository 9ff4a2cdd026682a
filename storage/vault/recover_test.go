package vault

import (
	"path/filepath"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// The record bucket's sequence is not authenticated. A database whose
// sequence was lowered (tampered, or restored from an old copy of the
// metadata) must neither have the keys of existing recordings cleared as
// orphans at Open nor have their ids handed out again by Create. A slot left
// by a Create that never committed, above every record, is still cleared.
func TestLoweredSequenceKeepsKeysAndIDs(t *testing.T) {
	for _, seq := range []uint64{0, 1, 2} {
		t.Run("sequence "+ID(seq).String(), func(t *testing.T) {
			dir := newDir(t)
			cfg := testConfig(dir)
			v := mustOpen(t, cfg)
			var ids []ID
			want := map[ID][]byte{}
			for i := range 3 {
				id, err := v.Create(Meta{Line: 1, Start: t0})
				if err != nil {
					t.Fatal(err)
				}
				want[id] = pattern(i, 1000)
				if err := v.Append(id, want[id]); err != nil {
					t.Fatal(err)
				}
				if err := v.Seal(id, t0); err != nil {
					t.Fatal(err)
				}
				ids = append(ids, id)
			}
			// A Create that crashed before its transaction: slot only.
			stray := uint64(ids[len(ids)-1]) + 1
			if err := v.slots.put(v.slots.alloc(), stray, randomKey(), v.kek); err != nil {
				t.Fatal(err)
			}
			v.Close()

			db, err := bolt.Open(filepath.Join(dir, DBFile), 0o600, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bRec).SetSequence(seq) }); err != nil {
				t.Fatal(err)
			}
			db.Close()

			var orphans []ID
			cfg.OnEvent = func(e Event) {
				if e.Kind == EventOrphanKey {
					orphans = append(orphans, e.ID)
				}
			}
			v = mustOpen(t, cfg)
			defer v.Close()
			if len(orphans) != 1 || orphans[0] != ID(stray) {
				t.Errorf("orphan keys cleared at Open = %v, want only [%v]", orphans, stray)
			}
			fresh, err := v.Create(Meta{Line: 2, Start: t0})
			if err != nil {
				t.Fatalf("Create after Open: %v", err)
			}
			if _, dup := want[fresh]; dup {
				t.Errorf("Create reused id %v of an existing recording", fresh)
			}
			for _, id := range ids {
				got, err := readAll(t, v, id)
				if err != nil {
					t.Errorf("recording %v after Open and Create: %v", id, err)
				} else if string(got) != string(want[id]) {
					t.Errorf("recording %v: audio changed", id)
				}
			}
		})
	}
}
