package vault

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Erase destroys a recording: its data key is overwritten in the key-slot
// file and fsynced before Erase returns, then its metadata and chunks are
// deleted from the database. An open recording may be erased (an
// objection); later Appends to it fail with ErrNotFound.
func (v *Vault) Erase(id ID) error { return v.EraseMany([]ID{id}) }

// EraseMany erases several recordings with one fsync and two transactions
// (the retention sweeper erases in batches). Ids that do not exist are
// reported with ErrNotFound after the others are erased.
func (v *Vault) EraseMany(ids []ID) error {
	v.wmu.Lock()
	defer v.wmu.Unlock()
	v.mu.Lock()
	for _, id := range ids {
		delete(v.open, id) // its pending audio goes with it
	}
	v.mu.Unlock()
	type victim struct {
		id   ID
		slot uint32
	}
	var victims []victim
	var missing []ID
	// Step 1: mark, so a crash from here on finishes the erase at Open.
	err := v.commitLocked(func(tx *bolt.Tx, _ uint64, _ []pendingChunk) error {
		victims, missing = victims[:0], missing[:0]
		rb, eb := tx.Bucket(bRec), tx.Bucket(bErasing)
		seen := map[ID]bool{}
		for _, id := range ids {
			val := rb.Get(idKey(id))
			if val == nil || seen[id] {
				if val == nil {
					missing = append(missing, id)
				}
				continue
			}
			seen[id] = true
			r, _, _ := peekRecord(val)
			if err := eb.Put(idKey(id), nil); err != nil {
				return err
			}
			victims = append(victims, victim{id, r.slot})
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("vault: erase: mark: %w", err)
	}
	if err := v.crashPoint("erase-marked"); err != nil {
		return err
	}
	// Step 2: destroy the keys. zero checks that the slot still names the
	// recording, so a tampered slot index cannot destroy another key.
	for _, vi := range victims {
		if _, err := v.slots.zero(vi.slot, uint64(vi.id)); err != nil {
			return fmt.Errorf("vault: erase %v: %w", vi.id, err)
		}
	}
	if len(victims) > 0 {
		if err := v.slots.sync(); err != nil {
			return fmt.Errorf("vault: erase: sync key slots: %w", err)
		}
	}
	if err := v.crashPoint("erase-shredded"); err != nil {
		return err
	}
	// Step 3: remove the ciphertext. The keys are gone already; if this
	// fails, Open finishes it.
	err = v.db.Update(func(tx *bolt.Tx) error {
		for _, vi := range victims {
			if err := deleteRecord(tx, vi.id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		v.log.Error("vault erase: keys destroyed, deleting ciphertext failed; Open will finish", "err", err)
	} else {
		for _, vi := range victims {
			v.slots.release(vi.slot)
		}
	}
	events := make([]Event, 0, len(victims))
	for _, vi := range victims {
		events = append(events, Event{Kind: EventErased, ID: vi.id})
	}
	v.emit(events)
	if len(missing) > 0 {
		return fmt.Errorf("vault: erase %v: %w", missing, ErrNotFound)
	}
	return nil
}

func (v *Vault) crashPoint(step string) error {
	if v.crash == nil {
		return nil
	}
	return v.crash(step)
}

// deleteRecord removes a recording's record, index entries and chunks. It
// trusts the unauthenticated header only to find things.
func deleteRecord(tx *bolt.Tx, id ID) error {
	rb := tx.Bucket(bRec)
	val := rb.Get(idKey(id))
	if val != nil {
		r, end, err := peekRecord(val)
		if err == nil {
			var cm clearMeta
			if json.Unmarshal(val[recHeader:end], &cm) == nil && len(cm.CallerMAC) > 0 {
				if err := tx.Bucket(bCaller).Delete(append(bytes.Clone(cm.CallerMAC), idKey(id)...)); err != nil {
					return err
				}
			}
			if err := deleteChunks(tx, id, r.first, r.last); err != nil {
				return err
			}
		}
		if err := rb.Delete(idKey(id)); err != nil {
			return err
		}
	}
	if err := tx.Bucket(bOpen).Delete(idKey(id)); err != nil {
		return err
	}
	return tx.Bucket(bErasing).Delete(idKey(id))
}

// deleteChunks deletes id's chunks from commit buckets first..last (to the
// end when last is 0), and commit buckets left empty.
func deleteChunks(tx *bolt.Tx, id ID, first, last uint64) error {
	ab := tx.Bucket(bAudio)
	prefix := idKey(id)
	var empty [][]byte
	c := ab.Cursor()
	for k, v := c.Seek(seqKey(first)); k != nil; k, v = c.Next() {
		if v != nil || len(k) != 8 {
			continue
		}
		if last != 0 && binary.BigEndian.Uint64(k) > last {
			break
		}
		cb := ab.Bucket(k)
		var dead [][]byte
		cc := cb.Cursor()
		for ck, _ := cc.Seek(prefix); ck != nil && bytes.HasPrefix(ck, prefix); ck, _ = cc.Next() {
			dead = append(dead, bytes.Clone(ck))
		}
		for _, ck := range dead {
			if err := cb.Delete(ck); err != nil {
				return err
			}
		}
		if len(dead) > 0 {
			if fk, _ := cb.Cursor().First(); fk == nil {
				empty = append(empty, bytes.Clone(k))
			}
		}
	}
	for _, k := range empty {
		if err := ab.DeleteBucket(k); err != nil {
			return err
		}
	}
	return nil
}
