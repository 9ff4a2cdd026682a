package audit

import (
	"errors"
	"fmt"
)

// The errors callers branch on. Each is wrapped with the operation that hit it.
var (
	// ErrInvalid: Record refused an entry (unknown action or actor kind, or a
	// text field that could carry personal data). Nothing was written.
	ErrInvalid = errors.New("invalid audit entry")
	// ErrBroken: Verify found the hash chain, the checkpoint or the head
	// broken. The error is a *BreakError saying where and how.
	ErrBroken = errors.New("audit chain broken")
	// ErrNoKey: the operation needs the checkpoint key (Config.Key): Prune
	// never deletes entries without leaving a signed checkpoint.
	ErrNoKey = errors.New("no audit checkpoint key")
	// ErrClockUntrusted: Prune refused to run because the clock is not
	// trusted; an unset clock must never make entries look old.
	ErrClockUntrusted = errors.New("clock not trusted")
	// ErrLocked: another process (the daemon) holds the log open; Open gave
	// up after Config.Timeout.
	ErrLocked = errors.New("audit log is in use by another process")
	// ErrCorrupt: the file is damaged below the chain (bbolt's own page
	// structure, refused by storage/boltfile at Open or hit by a
	// transaction), so entries cannot even be read. Keep the file as
	// evidence.
	ErrCorrupt = errors.New("audit log file is corrupt")
	// ErrTampered: the log is not the one its Anchor names (deleted,
	// replaced by an older copy, rolled back or trimmed), or its head and
	// last entry disagree. Open (writable) returns it as a *TamperError
	// together with the log, continued in a new segment; Verify returns
	// it read-only. Light the fault: entries were lost.
	ErrTampered = errors.New("audit log tampered with")
	// ErrReadOnly: the log was opened read-only.
	ErrReadOnly = errors.New("audit log is read-only")
	// ErrClosed: the log was closed.
	ErrClosed = errors.New("audit log is closed")
)

// BreakKind says how the chain was broken.
type BreakKind int

// The kinds of break Verify reports.
const (
	// Changed: the entry at Seq was altered (its bytes no longer hash to
	// what the next entry, or the head, says), or cannot be decoded.
	Changed BreakKind = iota + 1
	// Removed: entries Seq .. Seq+Count-1 are missing.
	Removed
	// Reordered: the place of entry Seq holds entry Found instead.
	Reordered
	// Appended: entries from Seq on were added after the signed head.
	Appended
	// ForgedCheckpoint: the checkpoint's HMAC does not match (or it is
	// unreadable); Seq is the last pruned entry it claims.
	ForgedCheckpoint
	// ForgedHead: the head's HMAC does not match (or it is unreadable or
	// missing while entries exist); Seq is the last entry it claims.
	ForgedHead
)

var breakNames = map[BreakKind]string{
	Changed:          "changed",
	Removed:          "removed",
	Reordered:        "reordered",
	Appended:         "appended",
	ForgedCheckpoint: "forged checkpoint",
	ForgedHead:       "forged head",
}

func (k BreakKind) String() string {
	if s, ok := breakNames[k]; ok {
		return s
	}
	return fmt.Sprintf("break(%d)", int(k))
}

// BreakError is the first broken link Verify found.
type BreakError struct {
	Kind   BreakKind
	Seq    uint64 // the entry concerned (see BreakKind)
	Count  uint64 // Removed, Appended: how many entries
	Found  uint64 // Reordered: the entry found in Seq's place
	Reason string // a human explanation
}

func (e *BreakError) Error() string {
	switch e.Kind {
	case Removed:
		if e.Count > 1 {
			return fmt.Sprintf("audit chain broken: entries %d..%d removed: %s", e.Seq, e.Seq+e.Count-1, e.Reason)
		}
		return fmt.Sprintf("audit chain broken: entry %d removed: %s", e.Seq, e.Reason)
	case Reordered:
		return fmt.Sprintf("audit chain broken: entry %d reordered: entry %d stands in its place", e.Seq, e.Found)
	case Appended:
		return fmt.Sprintf("audit chain broken: %d entries from %d appended after the head: %s", e.Count, e.Seq, e.Reason)
	}
	return fmt.Sprintf("audit chain broken: entry %d %v: %s", e.Seq, e.Kind, e.Reason)
}

// Unwrap makes errors.Is(err, ErrBroken) true.
func (e *BreakError) Unwrap() error { return ErrBroken }
