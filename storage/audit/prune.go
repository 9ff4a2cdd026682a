package audit

import (
	"crypto/sha256"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// PruneResult says what Prune did.
type PruneResult struct {
	Pruned     uint64     // entries deleted by this call
	Checkpoint Checkpoint // the checkpoint now in force (zero if none)
}

// Prune deletes the entries older than the retention period and leaves a
// signed checkpoint naming the last one deleted, then records an
// ActionPruned entry. It needs the key (ErrNoKey) and a trusted clock
// (ErrClockUntrusted), and it refuses to prune a broken chain (the
// *BreakError is returned): pruning must never destroy evidence of tampering.
//
// Entries are deleted as a prefix, up to the last entry with a trusted time
// before the cutoff. An entry flagged Approximate is deleted only when a
// trusted entry after it is old enough: its own time may be 1970 or may be in
// the future, but it cannot be younger than the trusted entry that follows
// it, so it is never deleted early.
func (l *Log) Prune() (PruneResult, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.key == nil {
		return PruneResult{}, fmt.Errorf("audit: prune: %w", ErrNoKey)
	}
	if l.db == nil {
		return PruneResult{}, fmt.Errorf("audit: prune: %w", ErrClosed)
	}
	if l.cfg.ReadOnly {
		return PruneResult{}, fmt.Errorf("audit: prune: %w", ErrReadOnly)
	}
	now := l.cfg.Clock.Now()
	if !l.trusted(now) {
		return PruneResult{}, fmt.Errorf("audit: prune: %w", ErrClockUntrusted)
	}
	cutoff := now.Add(-l.cfg.Retention)
	var res PruneResult
	var added *Entry
	var newHead head
	err := update(l.db, "prune", func(tx *bolt.Tx) error {
		if _, err := verifyTx(tx, l.key); err != nil {
			return err
		}
		meta, b := tx.Bucket(bucketMeta), tx.Bucket(bucketEntries)
		if v := meta.Get(keyCheckpoint); v != nil {
			cp, err := decodeCheckpoint(v)
			if err != nil {
				return err
			}
			res.Checkpoint = cp
		}
		var cut uint64
		var cutHash [32]byte
		c := b.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			e, err := decode(v)
			if err != nil {
				return err // verifyTx accepted it, so this does not happen
			}
			if e.Approximate {
				continue
			}
			if !e.Time.Before(cutoff) {
				break
			}
			cut, cutHash = e.Seq, sha256.Sum256(v)
		}
		if cut == 0 {
			return nil
		}
		for k, _ := c.First(); k != nil && keySeq(k) <= cut; k, _ = c.First() {
			if err := c.Delete(); err != nil {
				return err
			}
			res.Pruned++
		}
		cp := Checkpoint{Seq: cut, Hash: cutHash, Time: time.Unix(0, now.UnixNano()).UTC(), Pruned: res.Checkpoint.Pruned + res.Pruned}
		cp.sign(l.key)
		if err := meta.Put(keyCheckpoint, cp.encode()); err != nil {
			return err
		}
		res.Checkpoint = cp
		detail := "entries before " + cutoff.UTC().Format("2006-01-02") + " pruned"
		if res.Pruned <= 99999 {
			detail += fmt.Sprintf(" count=%d", res.Pruned)
		}
		e := Entry{Actor: Actor{Kind: ActorDevice}, Action: ActionPruned, Detail: detail}
		h, err := l.append(tx, &e)
		newHead, added = h, &e
		return err
	})
	if err != nil {
		return PruneResult{}, fmt.Errorf("audit: prune: %w", err)
	}
	if added != nil {
		l.head = newHead
		l.anchorAt(newHead)
		if l.cfg.Sink != nil {
			l.cfg.Sink.Enqueue(*added)
		}
	}
	return res, nil
}

// Rekey re-signs the checkpoint and the head under a new key, after checking
// the chain under the current one. Call it when the key-encryption key is
// rotated (and record ActionKeyRotation).
func (l *Log) Rekey(newKey []byte) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.key == nil || newKey == nil {
		return fmt.Errorf("audit: rekey: %w", ErrNoKey)
	}
	if l.db == nil {
		return fmt.Errorf("audit: rekey: %w", ErrClosed)
	}
	if l.cfg.ReadOnly {
		return fmt.Errorf("audit: rekey: %w", ErrReadOnly)
	}
	var h head
	err := update(l.db, "rekey", func(tx *bolt.Tx) error {
		if _, err := verifyTx(tx, l.key); err != nil {
			return err
		}
		meta := tx.Bucket(bucketMeta)
		if v := meta.Get(keyCheckpoint); v != nil {
			cp, err := decodeCheckpoint(v)
			if err != nil {
				return err
			}
			cp.sign(newKey)
			if err := meta.Put(keyCheckpoint, cp.encode()); err != nil {
				return err
			}
		}
		h = l.head
		h.sign(newKey)
		return meta.Put(keyHead, h.encode())
	})
	if err != nil {
		return fmt.Errorf("audit: rekey: %w", err)
	}
	l.head = h
	l.key = append([]byte(nil), newKey...)
	return nil
}
