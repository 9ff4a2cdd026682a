package vault

import (
	"context"
	"errors"
	"fmt"
	"sort"

	bolt "go.etcd.io/bbolt"
)

// Run commits pending appends every CommitInterval until ctx is done, then
// commits once more and returns nil. A failed commit is logged and raised as
// EventCommitFailed; its audio stays pending for the next try.
func (v *Vault) Run(ctx context.Context) error {
	for {
		select {
		case <-ctx.Done():
			if err := v.Commit(); err != nil && !errors.Is(err, ErrClosed) {
				return err
			}
			return nil
		case <-v.cfg.Clock.After(v.cfg.CommitInterval):
		}
		err := v.Commit()
		v.runs.note(err)
		if err != nil {
			if errors.Is(err, ErrClosed) {
				return err
			}
			v.log.Error("vault commit failed", "err", err)
			v.emit([]Event{{Kind: EventCommitFailed, Detail: err.Error()}})
		}
	}
}

// Commit makes every pending append durable now, in one transaction.
func (v *Vault) Commit() error {
	v.wmu.Lock()
	defer v.wmu.Unlock()
	if err := v.commitLocked(nil); err != nil {
		return fmt.Errorf("vault: commit: %w", err)
	}
	return nil
}

type pendingChunk struct {
	id   ID
	r    *openRec
	idx  uint32
	data []byte
}

// commitLocked writes every pending chunk into a new commit bucket, runs
// extra in the same transaction, and on success advances the in-memory
// counters. On failure the audio goes back to pending. Caller holds wmu.
func (v *Vault) commitLocked(extra func(tx *bolt.Tx, seq uint64, batch []pendingChunk) error) error {
	v.mu.Lock()
	if v.closed {
		v.mu.Unlock()
		return ErrClosed
	}
	var batch []pendingChunk
	for id, r := range v.open {
		if len(r.pending) > 0 {
			batch = append(batch, pendingChunk{id: id, r: r, idx: r.next, data: r.pending})
			r.pending, r.spare = r.spare, nil
			r.next++
		}
	}
	v.mu.Unlock()
	if len(batch) == 0 && extra == nil {
		return nil
	}
	// Ascending keys let bbolt fill the bucket's leaves completely.
	sort.Slice(batch, func(i, j int) bool { return batch[i].id < batch[j].id })
	seq := v.seq + 1
	sealed := make([][]byte, len(batch))
	for i, c := range batch {
		sealed[i] = sealAppend(nil, c.r.key, c.data, chunkAD(c.id, c.idx, false))
	}
	err := v.change("commit", func(tx *bolt.Tx) error {
		if len(batch) > 0 {
			cb, err := commitBucket(tx, seq)
			if err != nil {
				return err
			}
			for i, c := range batch {
				if err := cb.Put(chunkKey(c.id, c.idx), sealed[i]); err != nil {
					return err
				}
			}
		}
		if extra != nil {
			return extra(tx, seq, batch)
		}
		return nil
	})
	v.mu.Lock()
	defer v.mu.Unlock()
	if err != nil {
		for _, c := range batch {
			c.r.pending = append(c.data, c.r.pending...)
			c.r.next--
		}
		return err
	}
	for _, c := range batch {
		// Sealing copied the audio: its buffer can take the next
		// second's (after a wipe, so no plaintext lingers in it).
		clear(c.data)
		c.r.spare = c.data[:0]
		c.r.committed = c.idx + 1
		c.r.bytes += int64(len(c.data))
		c.r.last = seq
	}
	v.seq = seq
	return nil
}

// Append buffers A-law audio for an open recording; it is durable after the
// next commit. It never blocks on the disk.
func (v *Vault) Append(id ID, alaw []byte) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.closed {
		return fmt.Errorf("vault: append %v: %w", id, ErrClosed)
	}
	r, ok := v.open[id]
	if !ok {
		return fmt.Errorf("vault: append %v: %w", id, v.notOpen(id))
	}
	r.pending = append(r.pending, alaw...)
	return nil
}

// notOpen tells why id is not open: ErrSealed, ErrNotFound, or the error
// that kept the database from saying (a damaged page gives ErrCorrupt): a
// failed look-up is not a missing recording, and a caller told "not found"
// might stop keeping audio that still belongs to a live one. Caller holds
// mu.
func (v *Vault) notOpen(id ID) error {
	var found bool
	err := v.view("look up", func(tx *bolt.Tx) error {
		b := tx.Bucket(bRec)
		if b == nil {
			return fmt.Errorf("bucket %q missing: %w", bRec, errDamaged)
		}
		found = b.Get(idKey(id)) != nil
		return nil
	})
	switch {
	case err != nil:
		return fmt.Errorf("look up: %w", err)
	case found:
		return ErrSealed
	}
	return ErrNotFound
}
