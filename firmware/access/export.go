package access

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"fairrec/firmware/wav"
	"fairrec/storage/audit"
	"fairrec/storage/vault"
)

// Store is where an export finds a caller's recordings and reads their
// audio; *vault.Vault implements it.
type Store interface {
	List(vault.Query) ([]vault.Info, error)
	Audio(vault.ID) (io.ReadCloser, error)
}

// Auditor records that a recording was exported. *policy.Engine
// implements it (Engine.Record): the entries go where the engine's own
// go, redacted, and a failure to record is logged there, not returned.
type Auditor interface {
	Record(audit.Entry)
}

// Trail is the audit log as an export reads it; *audit.Log implements it.
type Trail interface {
	Each(since time.Time, fn func(audit.Entry) error) error
}

// Recording is one recording in a subject access export (metadata.json).
type Recording struct {
	vault.Info
	File string `json:"file,omitempty"` // the WAV file, relative to the export
	// Withheld says why the audio is not in the export (e.g. restricted).
	Withheld string `json:"withheld,omitempty"`
}

// Result is the outcome of an export.
type Result struct {
	Recordings []vault.ID // the recordings exported
	Text       string     // one or more sentences for the console or the tool
}

// Export answers a subject access request (GDPR art. 15) for a caller's
// number: into dir (created; must not exist or be empty) it writes one
// WAV (16-bit PCM, 8 kHz) per recording of store, metadata.json with what
// the box knows about them (times, purposes, lawful bases, deadlines), and
// audit.jsonl with the audit entries about them. Each recording exported
// is recorded with aud as actor's audit.ActionExport. trail may be nil
// when no audit log is at hand; the result then says so.
func Export(store Store, aud Auditor, number, dir string, trail Trail, actor audit.Actor) (Result, error) {
	if strings.TrimSpace(number) == "" {
		return Result{}, errors.New("access: export: no caller number")
	}
	infos, err := store.List(vault.Query{Caller: number})
	if err != nil {
		return Result{}, fmt.Errorf("access: export: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return Result{}, fmt.Errorf("access: export: %w", err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) > 0 {
		return Result{}, fmt.Errorf("access: export: %s is not empty", dir)
	}
	var r Result
	recs := make([]Recording, 0, len(infos))
	ids := map[uint64]bool{}
	for _, in := range infos {
		if in.Tampered {
			continue
		}
		r.Recordings = append(r.Recordings, in.ID)
		ids[uint64(in.ID)] = true
		rec := Recording{Info: in}
		name := fmt.Sprintf("recording-%v.wav", in.ID)
		if err := writeWAV(store, in.ID, filepath.Join(dir, name)); err != nil {
			rec.Withheld = "audio could not be read: " + err.Error()
		} else {
			rec.File = name
		}
		recs = append(recs, rec)
		aud.Record(audit.Entry{Actor: actor, Action: audit.ActionExport, Recording: uint64(in.ID), Detail: "subject access request"})
	}
	b, err := json.MarshalIndent(recs, "", "  ")
	if err != nil {
		return r, err
	}
	if err := os.WriteFile(filepath.Join(dir, "metadata.json"), append(b, '\n'), 0o600); err != nil {
		return r, fmt.Errorf("access: export: %w", err)
	}
	entries := 0
	if trail != nil {
		f, err := os.OpenFile(filepath.Join(dir, "audit.jsonl"), os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o600)
		if err != nil {
			return r, fmt.Errorf("access: export: %w", err)
		}
		w := bufio.NewWriter(f)
		enc := json.NewEncoder(w)
		err = trail.Each(time.Time{}, func(en audit.Entry) error {
			if !ids[en.Recording] {
				return nil
			}
			entries++
			return enc.Encode(en.JSON())
		})
		if err == nil {
			err = w.Flush()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return r, fmt.Errorf("access: export: audit trail: %w", err)
		}
	}
	// The request itself, found something or not, without the number:
	// the report counts requests and their results from this entry.
	aud.Record(audit.Entry{Actor: actor, Action: audit.ActionExport, Detail: fmt.Sprintf("subject access request found=%d", len(recs))})
	r.Text = fmt.Sprintf("access request: %d recording(s) exported to %s with metadata.json", len(recs), dir)
	if trail != nil {
		r.Text += fmt.Sprintf(" and %d audit entries in audit.jsonl", entries)
	} else {
		r.Text += " (no audit trail: the audit log was not available)"
	}
	return r, nil
}

// writeWAV streams the recording's audio into a new WAV file at path, a
// chunk at a time (wav.Writer): memory does not grow with the recording.
// A file that could not be completed is removed.
func writeWAV(s Store, id vault.ID, path string) error {
	rc, err := s.Audio(id)
	if err != nil {
		return err
	}
	defer rc.Close()
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	w, err := wav.NewWriter(f, vault.BytesPerSecond, 1, wav.PCM16)
	if err == nil {
		err = w.CopyALaw(rc)
	}
	if err == nil {
		err = w.Close()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
	}
	return err
}
