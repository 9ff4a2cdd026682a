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
func (v *Vault) Erase(id ID) error { return v.EraseWhy([]ID{id}, Why{}) }

// EraseMany erases several recordings with one fsync and two transactions
// (the retention sweeper erases in batches). Ids that do not exist are
// reported with ErrNotFound after the others are erased. The audit entry
// names no cause: EraseWhy gives one.
func (v *Vault) EraseMany(ids []ID) error { return v.EraseWhy(ids, Why{}) }

// EraseWhy erases like EraseMany and owes each recording's audit entry,
// saying why: the entry is put in the outbox in the same transaction that
// marks the erase (before anything is destroyed) and written through the
// Journal after the erase, so no crash at any moment leaves a recording
// gone without its entry (see doc.go).
func (v *Vault) EraseWhy(ids []ID, why Why) error {
	err := v.eraseLocked(ids, why)
	v.deliverAfter("erase")
	return err
}

func (v *Vault) eraseLocked(ids []ID, why Why) error {
	v.wmu.Lock()
	defer v.wmu.Unlock()
	v.mu.Lock()
	for _, id := range ids {
		delete(v.open, id) // its pending audio goes with it
	}
	v.mu.Unlock()
	var victims []ID
	var missing []ID
	// Step 1: mark, so a crash from here on finishes the erase at Open.
	err := v.commitLocked(func(tx *bolt.Tx, _ uint64, _ []pendingChunk) error {
		victims, missing = victims[:0], missing[:0]
		rb, eb := tx.Bucket(bRec), tx.Bucket(bErasing)
		seen := map[ID]bool{}
		for _, id := range ids {
			if seen[id] {
				continue
			}
			seen[id] = true
			if rb.Get(idKey(id)) == nil {
				missing = append(missing, id)
				continue
			}
			if err := eb.Put(idKey(id), nil); err != nil {
				return err
			}
			if err := owe(tx, EventErased, id, why); err != nil {
				return err
			}
			victims = append(victims, id)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("vault: erase: mark: %w", err)
	}
	if err := v.crashPoint("erase-marked"); err != nil {
		return err
	}
	// Step 2: destroy the keys.
	slots, err := v.shred(victims)
	if err != nil {
		return fmt.Errorf("vault: erase: %w", err)
	}
	if err := v.crashPoint("erase-shredded"); err != nil {
		return err
	}
	// Step 3: remove the ciphertext. The keys are gone already; if this
	// fails, Open finishes it.
	err = v.change("delete", func(tx *bolt.Tx) error { return deleteRecords(tx, victims) })
	if err != nil {
		v.log.Error("vault erase: keys destroyed, deleting ciphertext failed; Open will finish", "err", err)
	} else {
		for _, i := range slots {
			v.slots.release(i)
		}
	}
	if err := v.crashPoint("erase-deleted"); err != nil {
		return err
	}
	events := make([]Event, 0, len(victims))
	for _, id := range victims {
		events = append(events, Event{Kind: EventErased, ID: id, Why: why, Detail: string(why.Cause)})
	}
	v.emit(events)
	if len(missing) > 0 {
		return fmt.Errorf("vault: erase %v: %w", missing, ErrNotFound)
	}
	return nil
}

// shred overwrites every key slot owned by one of ids with zeros and
// fsyncs the slot file. Slots are found by the owner id written in the slot
// itself, never by the unauthenticated slot index in a record header, so a
// damaged header can neither spare a victim's key nor doom another's. It
// returns the slots zeroed, and fails if any slot still names a victim.
func (v *Vault) shred(ids []ID) ([]uint32, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	want := make(map[uint64]bool, len(ids))
	for _, id := range ids {
		want[uint64(id)] = true
	}
	slots, owners := v.slots.owned(want)
	if err := v.slots.zeroMany(slots, owners); err != nil {
		return nil, err
	}
	if err := v.slots.sync(); err != nil {
		return nil, fmt.Errorf("sync key slots: %w", err)
	}
	if left, _ := v.slots.owned(want); len(left) > 0 {
		return nil, fmt.Errorf("key slots %v still hold keys of erased recordings", left)
	}
	return slots, nil
}

func (v *Vault) crashPoint(step string) error {
	if v.crash == nil {
		return nil
	}
	err := v.crash(step)
	if err != nil {
		v.crashed = true // a crashed process writes nothing more
	}
	return err
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
				if json.Unmarshal(val[recHeader:end], &cm) == nil {
					for _, mac := range append([][]byte{cm.CallerMAC}, cm.OtherMACs...) {
						if len(mac) == 0 {
							continue
						}
						if err := tx.Bucket(bCaller).Delete(append(bytes.Clone(mac), idKey(id)...)); err != nil {
							return err
						}
					}
				} else if err := deleteCallerEntries(tx, id); err != nil {
					// Which numbers the record had is unreadable: search
					// the whole index.
					return err
				}
				last := r.last
				if last == 0 || r.state == StateOpen {
					last = ^uint64(0)
				}
				spans = append(spans, span{r.first, last})
			} else {
				// The header is garbled, so where its chunks and caller
				// entry are is unknown: search everything.
				spans = append(spans, span{1, ^uint64(0)})
				if err := deleteCallerEntries(tx, id); err != nil {
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

// deleteCallerEntries removes every caller-index entry of id, scanning the
// whole index: used only when a record header is too damaged to name its
// caller HMAC.
func deleteCallerEntries(tx *bolt.Tx, id ID) error {
	cb := tx.Bucket(bCaller)
	suffix := idKey(id)
	var dead [][]byte
	c := cb.Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		if bytes.HasSuffix(k, suffix) {
			dead = append(dead, bytes.Clone(k))
		}
	}
	for _, k := range dead {
		if err := cb.Delete(k); err != nil {
			return err
		}
	}
	return nil
}
