package vault

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"sort"

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
	slots, owners := make([]uint32, len(victims)), make([]uint64, len(victims))
	for i, vi := range victims {
		slots[i], owners[i] = vi.slot, uint64(vi.id)
	}
	if err := v.slots.zeroMany(slots, owners); err != nil {
		return fmt.Errorf("vault: erase: %w", err)
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
		ids := make([]ID, len(victims))
		for i, vi := range victims {
			ids[i] = vi.id
		}
		return deleteRecords(tx, ids)
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

// deleteRecords removes recordings' records, index entries and chunks in
// one transaction. It trusts the unauthenticated headers only to find
// things. Commit buckets holding nothing but victims' chunks are dropped
// whole, which frees their pages without rewriting them.
func deleteRecords(tx *bolt.Tx, ids []ID) error {
	rb := tx.Bucket(bRec)
	type span struct{ first, last uint64 }
	var spans []span
	victims := make(map[uint64]bool, len(ids))
	for _, id := range ids {
		victims[uint64(id)] = true
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
				last := r.last
				if last == 0 || r.state == StateOpen {
					last = ^uint64(0)
				}
				spans = append(spans, span{r.first, last})
			}
			if err := rb.Delete(idKey(id)); err != nil {
				return err
			}
		}
		if err := tx.Bucket(bOpen).Delete(idKey(id)); err != nil {
			return err
		}
		if err := tx.Bucket(bErasing).Delete(idKey(id)); err != nil {
			return err
		}
	}
	// Merge the spans so each commit bucket is visited once.
	sort.Slice(spans, func(i, j int) bool { return spans[i].first < spans[j].first })
	var merged []span
	for _, sp := range spans {
		if n := len(merged); n > 0 && (merged[n-1].last == ^uint64(0) || sp.first <= merged[n-1].last+1) {
			merged[n-1].last = max(merged[n-1].last, sp.last)
			continue
		}
		merged = append(merged, sp)
	}
	var drop []uint64
	for _, sp := range merged {
		for seq, cb := range commitsFrom(tx, sp.first) {
			if seq > sp.last {
				break
			}
			var dead [][]byte
			total := 0
			cc := cb.Cursor()
			for ck, _ := cc.First(); ck != nil; ck, _ = cc.Next() {
				total++
				if len(ck) >= 8 && victims[binary.BigEndian.Uint64(ck)] {
					dead = append(dead, ck)
				}
			}
			switch {
			case len(dead) == 0:
			case len(dead) == total:
				drop = append(drop, seq)
			default:
				for _, ck := range dead {
					if err := cb.Delete(bytes.Clone(ck)); err != nil {
						return err
					}
				}
			}
		}
	}
	for _, seq := range drop {
		if err := tx.DeleteBucket(seqKey(seq)); err != nil {
			return err
		}
	}
	return nil
}
