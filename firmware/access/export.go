package access

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
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
// number: into dir (a new directory whose parent exists, created with
// mode 0700, or an existing empty one; never a symbolic link, else
// ErrBadDir) it writes, each file new (O_EXCL|O_NOFOLLOW, mode 0600), one
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
	root, err := openDir(dir)
	if err != nil {
		return Result{}, fmt.Errorf("access: export: %w", err)
	}
	defer root.Close()
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
		f, err := root.OpenFile(name, createFlags, 0o600)
		if err != nil {
			// Something was put in the directory since it was found
			// empty: write nothing more there.
			return r, fmt.Errorf("access: export: %w", err)
		}
		if err := writeWAV(store, in.ID, f); err != nil {
			root.Remove(name)
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
	if err := writeFile(root, "metadata.json", append(b, '\n')); err != nil {
		return r, fmt.Errorf("access: export: %w", err)
	}
	entries := 0
	if trail != nil {
		f, err := root.OpenFile("audit.jsonl", createFlags, 0o600)
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

// writeFile writes b into a new file name in root.
func writeFile(root *os.Root, name string, b []byte) error {
	f, err := root.OpenFile(name, createFlags, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// writeWAV streams the recording's audio into f, a new file, and closes
// it, a chunk at a time (wav.Writer): memory does not grow with the
// recording. The caller removes a file that could not be completed.
func writeWAV(s Store, id vault.ID, f *os.File) error {
	rc, err := s.Audio(id)
	if err != nil {
		f.Close()
		return err
	}
	defer rc.Close()
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
	return err
}
