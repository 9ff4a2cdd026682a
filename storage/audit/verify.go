package audit

import (
	"crypto/sha256"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Report describes a log that verified.
type Report struct {
	First, Last uint64      // the entries present (0, 0 when none)
	Entries     uint64      // how many
	Checkpoint  *Checkpoint // the pruning checkpoint, nil if never pruned
	// Signed is true when the checkpoint and head HMACs were checked (a
	// key was configured). Without it, removing entries from the end and
	// rewriting the head, or forging a checkpoint, cannot be detected.
	Signed bool
	// Anchored is true when the log was checked against its Anchor: it
	// was not deleted, replaced by an older copy, rolled back or trimmed
	// since the anchor's last update.
	Anchored bool
}

// Verify walks the whole chain and returns the first broken link as a
// *BreakError (errors.Is(err, ErrBroken)); other errors are I/O errors.
//
// It checks, in order: the checkpoint's HMAC; that entries follow the
// checkpoint (or start at 1) without gaps, each stored under its own sequence
// number and carrying the hash of the one before; and that the last entry is
// the one the (signed) head names; then, with an Anchor, that the log is
// the anchored one or ahead of it (else a *TamperError, errors.Is(err,
// ErrTampered)). A changed entry is told apart from a
// changed link by looking one entry further (or at the head).
func (l *Log) Verify() (Report, error) {
	l.mu.Lock()
	db, key := l.db, l.key
	l.mu.Unlock()
	if db == nil {
		return Report{}, fmt.Errorf("audit: verify: %w", ErrClosed)
	}
	var rep Report
	err := view(db, "verify", func(tx *bolt.Tx) error {
		var err error
		if rep, err = verifyTx(tx, key); err != nil {
			return err
		}
		if l.cfg.Anchor != nil {
			rep.Anchored = true
			if why, _, _ := checkAnchor(tx, l.cfg.Anchor); why != "" {
				return &TamperError{Reason: why}
			}
		}
		return nil
	})
	return rep, err
}

func verifyTx(tx *bolt.Tx, key []byte) (Report, error) {
	rep := Report{Signed: key != nil}
	meta, entries := tx.Bucket(bucketMeta), tx.Bucket(bucketEntries)
	var cp *Checkpoint
	var hd *head
	if meta != nil {
		if v := meta.Get(keyCheckpoint); v != nil {
			c, err := decodeCheckpoint(v)
			if err != nil {
				return rep, &BreakError{Kind: ForgedCheckpoint, Reason: "unreadable: " + err.Error()}
			}
			if key != nil && !c.signedBy(key) {
				return rep, &BreakError{Kind: ForgedCheckpoint, Seq: c.Seq, Reason: "its HMAC does not match the key (forged, or not the key it was signed with)"}
			}
			cp = &c
			rep.Checkpoint = cp
		}
		if v := meta.Get(keyHead); v != nil {
			h, err := decodeHead(v)
			if err != nil {
				return rep, &BreakError{Kind: ForgedHead, Reason: "unreadable: " + err.Error()}
			}
			hd = &h
		}
	}
	w := walker{start: 1, head: hd}
	if cp != nil {
		w.start, w.startHash = cp.Seq+1, cp.Hash
	}
	if entries != nil {
		if err := w.walk(entries, &rep); err != nil {
			return rep, err
		}
	}
	last := w.start - 1
	if rep.Entries > 0 {
		last = rep.Last
	}
	if hd == nil {
		if rep.Entries > 0 {
			return rep, &BreakError{Kind: ForgedHead, Seq: last, Reason: "the head is missing"}
		}
		return rep, nil
	}
	if key != nil && !hd.signedBy(key) {
		why := "its HMAC does not match the key (forged, or not the key it was signed with)"
		if hd.mac == nil {
			why = "it is not signed"
		}
		return rep, &BreakError{Kind: ForgedHead, Seq: hd.seq, Reason: why}
	}
	switch {
	case hd.seq > last:
		return rep, &BreakError{Kind: Removed, Seq: last + 1, Count: hd.seq - last,
			Reason: fmt.Sprintf("the head says the log ends at %d", hd.seq)}
	case hd.seq < last:
		return rep, &BreakError{Kind: Appended, Seq: hd.seq + 1, Count: last - hd.seq,
			Reason: fmt.Sprintf("the head says the log ends at %d", hd.seq)}
	case hd.hash != w.prev:
		return rep, &BreakError{Kind: Changed, Seq: last, Reason: "its hash does not match the head"}
	}
	return rep, nil
}

// walker checks the entries bucket link by link.
type walker struct {
	start     uint64   // the first seq expected (1, or the checkpoint's + 1)
	startHash [32]byte // what entry start must carry as Prev
	head      *head
	prev      [32]byte // hash of the last entry that checked out
}

func (w *walker) walk(b *bolt.Bucket, rep *Report) error {
	c := b.Cursor()
	lastKey, _ := c.Last()
	maxSeq := keySeq(lastKey)
	expected := w.start
	w.prev = w.startHash
	for k, v := c.First(); k != nil; k, v = c.Next() {
		seq := keySeq(k)
		switch {
		case len(k) != 8:
			return &BreakError{Kind: Changed, Seq: expected, Reason: fmt.Sprintf("a malformed key of %d bytes stands in its place", len(k))}
		case seq < expected:
			return &BreakError{Kind: Changed, Seq: seq,
				Reason: fmt.Sprintf("it precedes the checkpoint at %d and should have been pruned", w.start-1)}
		case seq > expected:
			return &BreakError{Kind: Removed, Seq: expected, Count: seq - expected,
				Reason: fmt.Sprintf("the sequence jumps from %d to %d", expected-1, seq)}
		}
		e, err := decode(v)
		if err != nil {
			return &BreakError{Kind: Changed, Seq: seq, Reason: "it cannot be decoded: " + err.Error()}
		}
		h := sha256.Sum256(v)
		if e.Seq != seq {
			if e.Seq >= w.start && e.Seq <= maxSeq && w.genuine(b, e, h) {
				return &BreakError{Kind: Reordered, Seq: seq, Found: e.Seq}
			}
			return &BreakError{Kind: Changed, Seq: seq, Reason: fmt.Sprintf("it carries sequence number %d", e.Seq)}
		}
		if e.Prev != w.prev {
			return w.linkBreak(c, seq, h)
		}
		w.prev = h
		expected = seq + 1
		rep.Entries++
		if rep.First == 0 {
			rep.First = seq
		}
		rep.Last = seq
	}
	return nil
}

// genuine reports whether e (hash h), found out of place, is the real entry
// e.Seq: some stored entry, wherever it stands now, links to it or is linked
// from it, or the head names it. Only run once a break is found, so the scan
// costs nothing on an intact log.
func (w *walker) genuine(b *bolt.Bucket, e Entry, h [32]byte) bool {
	if w.head != nil && w.head.seq == e.Seq && w.head.hash == h ||
		e.Seq == w.start && e.Prev == w.startHash {
		return true
	}
	c := b.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		x, err := decode(v)
		if err != nil {
			continue
		}
		if x.Seq == e.Seq+1 && x.Prev == h || x.Seq+1 == e.Seq && sha256.Sum256(v) == e.Prev {
			return true
		}
	}
	return false
}

// linkBreak explains an entry seq (hash h) whose Prev does not match the
// entry before it. Either the entry before was changed (then seq's own bytes
// are intact and the next link or the head still matches h), or seq itself
// was changed.
func (w *walker) linkBreak(c *bolt.Cursor, seq uint64, h [32]byte) error {
	if seq == w.start {
		if w.start > 1 {
			return &BreakError{Kind: Changed, Seq: seq, Reason: fmt.Sprintf("it does not link to the checkpoint at %d", w.start-1)}
		}
		return &BreakError{Kind: Changed, Seq: seq, Reason: "the first entry does not start the chain"}
	}
	intact := false
	if k, v := c.Next(); k != nil {
		if keySeq(k) == seq+1 {
			next, err := decode(v)
			intact = err == nil && next.Prev == h
		}
	} else if w.head != nil {
		intact = w.head.seq == seq && w.head.hash == h
	}
	if intact {
		return &BreakError{Kind: Changed, Seq: seq - 1, Reason: fmt.Sprintf("its hash no longer matches what entry %d recorded", seq)}
	}
	return &BreakError{Kind: Changed, Seq: seq, Reason: fmt.Sprintf("it does not carry the hash of entry %d", seq-1)}
}
