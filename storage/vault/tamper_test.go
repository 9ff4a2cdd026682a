package vault

import (
	"bytes"
	"errors"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// location is one stored byte of a recording.
type location struct {
	what   string
	bucket [][]byte // path of buckets; nil for the key-slot file
	key    []byte
	off    int
}

func TestTamper(t *testing.T) {
	dir := newDir(t)
	var events []Event
	cfg := testConfig(dir)
	cfg.OnEvent = func(e Event) { events = append(events, e) }
	v := mustOpen(t, cfg)
	defer v.Close()
	other := mustCreate(t, v, Meta{Line: 1, Start: t0, Caller: "123"})
	must(t, v.Append(other, pattern(7, 3000)))
	must(t, v.Seal(other, t0))
	id, err := v.Create(Meta{Line: 2, Start: t0, Caller: "0201234567", Notes: "n", Grants: []Grant{{Purpose: "quality"}}})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		must(t, v.Append(id, pattern(i, 1000)))
		must(t, v.Commit())
	}
	must(t, v.Seal(id, t0))
	want, err := readAll(t, v, id)
	if err != nil {
		t.Fatal(err)
	}

	// Every stored byte of the recording: its record, its chunks (and the
	// last-chunk marker), its key slot.
	var locs []location
	v.db.Bolt().View(func(tx *bolt.Tx) error {
		rec := tx.Bucket(bRec).Get(idKey(id))
		for o := range rec {
			locs = append(locs, location{"record", [][]byte{bRec}, idKey(id), o})
		}
		for seq, cb := range commitsFrom(tx, 0) {
			cb.ForEach(func(k, val []byte) error {
				if bytes.HasPrefix(k, idKey(id)) {
					for o := range val {
						locs = append(locs, location{"chunk", [][]byte{seqKey(seq)}, bytes.Clone(k), o})
					}
				}
				return nil
			})
		}
		return nil
	})
	r, _, _ := peekRecord(func() []byte {
		var b []byte
		v.db.Bolt().View(func(tx *bolt.Tx) error { b = bytes.Clone(tx.Bucket(bRec).Get(idKey(id))); return nil })
		return b
	}())
	for o := range copyB { // id and copy A (copy B is empty)
		locs = append(locs, location{what: "key slot", off: int(r.slot)*slotSize + o})
	}
	step := 1
	if testing.Short() {
		step = 7
	} else if len(locs) > 4000 {
		step = len(locs) / 4000
	}

	flip := func(l location) {
		if l.bucket == nil {
			b := make([]byte, 1)
			v.slots.f.ReadAt(b, int64(l.off))
			b[0] ^= 0xFF
			v.slots.f.WriteAt(b, int64(l.off))
			return
		}
		err := v.db.Bolt().Update(func(tx *bolt.Tx) error {
			b := tx.Bucket(l.bucket[0])
			for _, n := range l.bucket[1:] {
				b = b.Bucket(n)
			}
			val := bytes.Clone(b.Get(l.key))
			val[l.off] ^= 0xFF
			return b.Put(l.key, val)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	checked := 0
	for i := 0; i < len(locs); i += step {
		l := locs[i]
		events = events[:0]
		flip(l)
		_, ierr := v.Info(id)
		got, aerr := readAll(t, v, id)
		detected := errors.Is(ierr, ErrTampered) || errors.Is(aerr, ErrTampered)
		if !detected {
			t.Errorf("flip of %s byte %d: Info err %v, Audio err %v (%d bytes, same=%v)", l.what, l.off, ierr, aerr, len(got), bytes.Equal(got, want))
		} else if len(events) == 0 || events[0].Kind != EventTampered || events[0].ID != id {
			t.Errorf("flip of %s byte %d: events %+v, want a tampered event for %v", l.what, l.off, events, id)
		}
		flip(l)
		checked++
	}
	if got, err := readAll(t, v, id); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("after restoring every byte: %d bytes, %v", len(got), err)
	}
	if _, err := readAll(t, v, other); err != nil {
		t.Errorf("the other recording: %v", err)
	}
	rep, err := v.Verify()
	if err != nil || len(rep.Problems) != 0 {
		t.Errorf("Verify after restoring = %+v, %v", rep, err)
	}
	t.Logf("%d of %d positions flipped", checked, len(locs))
}

func TestVerifyReportsTamper(t *testing.T) {
	dir := newDir(t)
	v := mustOpen(t, testConfig(dir))
	defer v.Close()
	var ids []ID
	for i := range 3 {
		id := mustCreate(t, v, Meta{Line: i, Start: t0})
		must(t, v.Append(id, pattern(i, 500)))
		must(t, v.Seal(id, t0))
		ids = append(ids, id)
	}
	// Drop the middle recording's last chunk (the marker): truncation.
	v.db.Bolt().Update(func(tx *bolt.Tx) error {
		for _, cb := range commitsFrom(tx, 0) {
			cb.Delete(chunkKey(ids[1], 1))
		}
		return nil
	})
	rep, err := v.Verify()
	if err != nil {
		t.Fatal(err)
	}
	if rep.Recordings != 3 || len(rep.Problems) != 1 || rep.Problems[0].ID != ids[1] || !errors.Is(rep.Problems[0].Err, ErrTampered) {
		t.Errorf("Verify = %+v, want one tampered problem for %v", rep, ids[1])
	}
}
