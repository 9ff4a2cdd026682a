package vault

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// recover brings the vault to a consistent state at Open (see doc.go).
func (v *Vault) recover(next *kek) ([]Event, error) {
	var events []Event
	var erasing []ID
	var open []ID
	var recSeq uint64
	err := v.view("scan", func(tx *bolt.Tx) error {
		rb := tx.Bucket(bRec)
		// The bucket sequence is not authenticated: a tampered or restored
		// database may have lowered it. Never below the highest record,
		// so no live key is taken for an orphan and no id is reused.
		recSeq = rb.Sequence()
		if k, _ := rb.Cursor().Last(); len(k) == 8 {
			recSeq = max(recSeq, binary.BigEndian.Uint64(k))
		}
		v.seq = lastCommit(tx)
		err := tx.Bucket(bErasing).ForEach(func(k, _ []byte) error {
			if len(k) != 8 {
				return nil
			}
			erasing = append(erasing, ID(binary.BigEndian.Uint64(k)))
			return nil
		})
		if err != nil {
			return err
		}
		return tx.Bucket(bOpen).ForEach(func(k, _ []byte) error {
			if len(k) == 8 {
				id := ID(binary.BigEndian.Uint64(k))
				open = append(open, id)
				if r, _, err := peekRecord(rb.Get(k)); err == nil && r.first > 0 {
					v.seq = max(v.seq, r.first-1)
				}
			}
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	v.nextID = recSeq + 1

	// Erases cut short: destroy the keys (if still there), then the rest.
	if len(erasing) > 0 {
		slots, err := v.shred(erasing)
		if err != nil {
			return nil, fmt.Errorf("finish erase: %w", err)
		}
		err = v.change("finish erase", func(tx *bolt.Tx) error {
			if err := oweMissing(tx, erasing); err != nil {
				return err
			}
			return deleteRecords(tx, erasing)
		})
		if err != nil {
			return nil, fmt.Errorf("finish erase: %w", err)
		}
		for _, i := range slots {
			v.slots.release(i)
		}
		for _, id := range erasing {
			events = append(events, Event{Kind: EventEraseFinished, ID: id})
		}
	}

	// Key slots of ids above both the record sequence and the highest
	// record: a crash inside Create before its transaction committed.
	// Their keys protect nothing. (Slots of lower ids without a record are
	// reported by Verify, never destroyed.)
	v.slots.mu.Lock()
	ids := append([]uint64(nil), v.slots.ids...)
	v.slots.mu.Unlock()
	var orphans []uint32
	for i := 1; i < len(ids); i++ {
		if id := ids[i]; id > recSeq && id != rootSlotID {
			orphans = append(orphans, uint32(i))
		}
	}
	owners := make([]uint64, len(orphans))
	for j, i := range orphans {
		owners[j] = ids[i]
	}
	if err := v.slots.zeroMany(orphans, owners); err != nil {
		return nil, err
	}
	if len(orphans) > 0 {
		if err := v.slots.sync(); err != nil {
			return nil, err
		}
		for _, i := range orphans {
			v.slots.release(i)
			events = append(events, Event{Kind: EventOrphanKey, ID: ID(ids[i]), Detail: fmt.Sprintf("key slot %d", i)})
		}
	}

	// Recordings left open: seal as interrupted with what was committed.
	if len(open) > 0 {
		seq := v.seq + 1
		err := v.change("seal interrupted", func(tx *bolt.Tx) error {
			for _, id := range open {
				rec, key, err := v.load(tx, id)
				if err != nil {
					events = append(events, Event{Kind: EventTampered, ID: id, Detail: fmt.Sprintf("open at boot, cannot seal: %v", err)})
					continue
				}
				rec.chunks, rec.bytes = countChunks(tx, id, rec.first)
				rec.state = StateInterrupted
				rec.clear.End = rec.clear.Start.Add(time.Duration(rec.bytes) * time.Second / BytesPerSecond)
				rec.last = seq
				if err := putSealed(tx, id, &rec, key, seq); err != nil {
					return err
				}
				events = append(events, Event{Kind: EventInterrupted, ID: id, Detail: fmt.Sprintf("%d bytes kept", rec.bytes)})
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("seal interrupted recordings: %w", err)
		}
		v.seq = seq
	}

	if len(v.slots.double) > 0 && next == nil {
		// A crash in step 4 of a rotation left old copies behind.
		stale := make([]uint64, len(v.slots.ids))
		for _, i := range v.slots.double {
			stale[i] = v.slots.ids[i]
		}
		if err := v.dropStale(stale); err != nil {
			return nil, fmt.Errorf("tidy key rotation: %w", err)
		}
	}
	if next != nil {
		// A slot that opens with neither key would make the rotation fail
		// at every Open: roll it back instead (no good key is lost).
		if err := v.checkSlots(); errors.Is(err, ErrTampered) {
			rolled, err2 := v.rollback(next)
			if err2 != nil {
				return nil, fmt.Errorf("roll back key rotation: %w", err2)
			}
			events = append(events, rolled...)
			events = append(events, Event{Kind: EventTampered, Detail: fmt.Sprintf("unfinished key rotation rolled back: %v", err)})
			return events, nil
		}
		if err := v.rotateTo(next); err != nil {
			return nil, fmt.Errorf("finish key rotation: %w", err)
		}
		events = append(events, Event{Kind: EventRotated, Detail: "finished at open"})
	}
	return events, nil
}

// countChunks counts the contiguous chunks 0, 1, ... of id from commit
// first on, and their audio bytes.
func countChunks(tx *bolt.Tx, id ID, first uint64) (uint32, int64) {
	prefix := idKey(id)
	var n uint32
	var size int64
	for _, cb := range commitsFrom(tx, first) {
		cc := cb.Cursor()
		for ck, cv := cc.Seek(prefix); ck != nil && bytes.HasPrefix(ck, prefix); ck, cv = cc.Next() {
			if len(ck) != 12 || binary.BigEndian.Uint32(ck[8:]) != n {
				return n, size
			}
			n++
			size += int64(len(cv) - nonceSize - tagSize)
		}
	}
	return n, size
}
