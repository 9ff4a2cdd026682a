package audit

import (
	"bytes"
	"crypto/sha256"

	bolt "go.etcd.io/bbolt"
)

// Anchor keeps the log's last sequence number and head hash outside the
// log's own file, where deleting, replacing or rolling back audit.db cannot
// reach it. storage/vault's Anchor (in the key-slot file, overwritten in
// place) satisfies it; firmware/datadir wires the two together.
//
// Load returns what was stored last. A nil head means nothing was ever
// anchored (a store made before anchoring); seq 0 with a head is the empty
// log. head may be a prefix of the SHA-256 (at least 16 bytes): it is
// compared as one. An error means the anchor cannot be trusted (it failed
// its own authentication, or could not be read): Open reports tampering.
//
// Store durably records seq and the hash of entry seq (32 bytes), and may
// be called with a lower seq than before (the log continued after
// tampering).
type Anchor interface {
	Load() (seq uint64, head []byte, err error)
	Store(seq uint64, head []byte) error
}

// TamperError says why the log does not match its anchor, or its head. It
// wraps ErrTampered.
type TamperError struct {
	Reason string
}

func (e *TamperError) Error() string { return "audit log tampered with: " + e.Reason }

// Unwrap makes errors.Is(err, ErrTampered) true.
func (e *TamperError) Unwrap() error { return ErrTampered }

// checkAnchor compares the log in tx with a's anchor and returns why they
// disagree ("" when the log is the anchored one or ahead of it) and the
// anchored seq (the second result is meaningful only when ok).
func checkAnchor(tx *bolt.Tx, a Anchor) (reason string, anchored uint64, ok bool) {
	seq, want, err := a.Load()
	if err != nil {
		return "its anchor in the key-slot file cannot be trusted: " + err.Error(), 0, false
	}
	var last uint64
	entries, meta := tx.Bucket(bucketEntries), tx.Bucket(bucketMeta)
	if entries != nil {
		if k, _ := entries.Cursor().Last(); k != nil {
			last = keySeq(k)
		}
	}
	var cp *Checkpoint
	var headAnchored bool
	if meta != nil {
		if v := meta.Get(keyCheckpoint); v != nil {
			if c, err := decodeCheckpoint(v); err == nil {
				cp = &c
			}
		}
		if v := meta.Get(keyHead); v != nil {
			if h, err := decodeHead(v); err == nil {
				headAnchored = h.anchored
			}
		}
	}
	switch {
	case want == nil && last == 0 && cp == nil:
		return "the log is missing or empty, and the vault, in use before its log was anchored, holds no anchor", 0, false
	case want == nil && headAnchored:
		return "the log was anchored but its anchor is gone from the key-slot file", 0, false
	case want == nil:
		return "", 0, false // the first open since anchoring came: anchor it now
	case seq == 0:
		return "", 0, true // anchored at the empty log: every log is ahead of it
	}
	if entries != nil {
		if v := entries.Get(seqKey(seq)); v != nil {
			if h := sha256.Sum256(v); !bytes.HasPrefix(h[:], want) {
				return "the entry its anchor names has another hash (the log was replaced)", seq, true
			}
			return "", seq, true
		}
	}
	if cp != nil && seq <= cp.Seq {
		// Pruned since: a signed checkpoint (Verify checks its MAC) at or
		// past the anchor shows the log went on from it.
		if seq == cp.Seq && !bytes.HasPrefix(cp.Hash[:], want) {
			return "the entry its anchor names has another hash (the log was replaced)", seq, true
		}
		return "", seq, true
	}
	if last < seq {
		return "it ends before the entry its anchor names (deleted, replaced by an older copy, rolled back or trimmed)", seq, true
	}
	return "the entry its anchor names is missing", seq, true
}

// anchorAt stores h in the anchor, after h's transaction committed: the
// log may be ahead of its anchor (a power cut between the two writes),
// never behind it. A failure is logged; the next write stores again.
// The caller holds l.mu.
func (l *Log) anchorAt(h head) {
	if l.cfg.Anchor == nil || l.cfg.ReadOnly {
		return
	}
	if err := l.cfg.Anchor.Store(h.seq, h.hash[:]); err != nil {
		l.log.Error("audit: anchor not updated; the next entry tries again", "seq", h.seq, "err", err)
	}
}
