package audit

import (
	"bufio"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// JSONEntry is the exported form of an entry: one JSON object per line, with
// the fields in this fixed order. Hash is the entry's own hash, so that a
// reader can follow the chain (Prev of one line equals Hash of the line
// before); recomputing Hash needs the canonical encoding, not the JSON.
type JSONEntry struct {
	Seq         uint64    `json:"seq"`
	Time        time.Time `json:"time"`
	Approximate bool      `json:"approximate,omitempty"`
	Actor       string    `json:"actor"`
	ActorID     string    `json:"actor_id,omitempty"`
	Action      string    `json:"action"`
	Recording   uint64    `json:"recording,omitempty"`
	Purpose     string    `json:"purpose,omitempty"`
	Detail      string    `json:"detail,omitempty"`
	Prev        string    `json:"prev"`
	Hash        string    `json:"hash"`
}

// JSON returns the exported form of e.
func (e *Entry) JSON() JSONEntry {
	h := e.Hash()
	return JSONEntry{
		Seq: e.Seq, Time: e.Time, Approximate: e.Approximate,
		Actor: e.Actor.Kind.String(), ActorID: e.Actor.ID, Action: e.Action.String(),
		Recording: e.Recording, Purpose: e.Purpose, Detail: e.Detail,
		Prev: hex.EncodeToString(e.Prev[:]), Hash: hex.EncodeToString(h[:]),
	}
}

// Export writes the entries whose time is not before since as JSON lines and
// returns how many it wrote. It does not verify the chain; run Verify first
// when the export is evidence. An Approximate entry is compared with since by
// its recorded time, which may be far off (1970 after a boot without RTC).
func (l *Log) Export(w io.Writer, since time.Time) (int, error) {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	n := 0
	err := l.Each(since, func(e Entry) error {
		if err := enc.Encode(e.JSON()); err != nil {
			return err
		}
		n++
		return nil
	})
	if err == nil {
		err = bw.Flush()
	}
	if err != nil {
		return n, fmt.Errorf("audit: export: %w", err)
	}
	return n, nil
}
