package policy

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"fairrec/firmware/wav"
	"fairrec/storage/audit"
	"fairrec/storage/vault"
)

// EraseCaller handles an erasure request (GDPR art. 17) for every
// recording of a caller's number: each is erased, except that grants an
// objection does not end (a legal obligation, art. 17(3)(b)) are kept and
// their processing restricted (art. 18); the result names those.
func (e *Engine) EraseCaller(number string, actor audit.Actor) (Result, error) {
	if strings.TrimSpace(number) == "" {
		return Result{}, errors.New("policy: erasure request: no caller number")
	}
	e.handleClock()
	e.mu.Lock()
	defer e.mu.Unlock()
	infos, err := e.cfg.Store.List(vault.Query{Caller: number})
	if err != nil {
		return Result{}, fmt.Errorf("policy: erasure request: %w", err)
	}
	var r Result
	var errs []error
	for _, in := range infos {
		if in.Tampered {
			errs = append(errs, fmt.Errorf("recording %v failed authentication: not erased", in.ID))
			continue
		}
		r.Recordings = append(r.Recordings, in.ID)
		var kept []vault.Grant
		for _, g := range in.Grants {
			if e.objectable(g) {
				continue
			}
			g.Restricted = true
			kept = append(kept, g)
		}
		if err := e.apply(in, kept, audit.ActionEraseRequest, actor, &r); err != nil {
			errs = append(errs, fmt.Errorf("recording %v: %w", in.ID, err))
			continue
		}
		if len(kept) > 0 {
			r.Restricted = append(r.Restricted, in.ID)
			for _, g := range kept {
				e.record(audit.Entry{Actor: actor, Action: audit.ActionEraseRequest, Recording: uint64(in.ID),
					Purpose: g.Purpose, Detail: "restricted, not erased: " + string(g.Basis)})
			}
		}
	}
	var b strings.Builder
	switch {
	case len(r.Recordings) == 0:
		b.WriteString("erasure request: no recordings of this caller")
	default:
		fmt.Fprintf(&b, "erasure request: %d recording(s) found, %d erased", len(r.Recordings), len(r.Erased))
	}
	if len(r.Restricted) > 0 {
		fmt.Fprintf(&b, "; %d kept because the law requires it (%s), processing restricted until their deadline: %s",
			len(r.Restricted), e.restrictedBases(infos, r.Restricted), joinIDs(r.Restricted))
	}
	r.Text = b.String()
	if err := errors.Join(errs...); err != nil {
		return r, fmt.Errorf("policy: erasure request: %w", err)
	}
	return r, nil
}

func (e *Engine) restrictedBases(infos []vault.Info, ids []vault.ID) string {
	seen := map[string]bool{}
	var out []string
	for _, in := range infos {
		for _, id := range ids {
			if in.ID != id {
				continue
			}
			for _, g := range in.Grants {
				if !e.objectable(g) && !seen[g.Purpose] {
					seen[g.Purpose] = true
					out = append(out, g.Purpose+": "+g.Basis)
				}
			}
		}
	}
	return strings.Join(out, ", ")
}

func joinIDs(ids []vault.ID) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = id.String()
	}
	return strings.Join(s, ", ")
}

// Trail is the audit log as a subject access export reads it; *audit.Log
// implements it.
type Trail interface {
	Each(since time.Time, fn func(audit.Entry) error) error
}

// ExportRecord is one recording in a subject access export (metadata.json).
type ExportRecord struct {
	vault.Info
	File string `json:"file,omitempty"` // the WAV file, relative to the export
	// Withheld says why the audio is not in the export (e.g. restricted).
	Withheld string `json:"withheld,omitempty"`
}

// Export answers a subject access request (GDPR art. 15) for a caller's
// number: into dir (created; must not exist or be empty) it writes one
// WAV (16-bit PCM, 8 kHz) per recording, metadata.json with what the box
// knows about them (times, purposes, lawful bases, deadlines), and
// audit.jsonl with the audit entries about them. trail may be nil when no
// audit log is at hand; the result then says so.
func (e *Engine) Export(number, dir string, trail Trail, actor audit.Actor) (Result, error) {
	if strings.TrimSpace(number) == "" {
		return Result{}, errors.New("policy: access request: no caller number")
	}
	infos, err := e.cfg.Store.List(vault.Query{Caller: number})
	if err != nil {
		return Result{}, fmt.Errorf("policy: access request: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return Result{}, fmt.Errorf("policy: access request: %w", err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) > 0 {
		return Result{}, fmt.Errorf("policy: access request: %s is not empty", dir)
	}
	var r Result
	recs := make([]ExportRecord, 0, len(infos))
	ids := map[uint64]bool{}
	for _, in := range infos {
		if in.Tampered {
			continue
		}
		r.Recordings = append(r.Recordings, in.ID)
		ids[uint64(in.ID)] = true
		rec := ExportRecord{Info: in}
		name := fmt.Sprintf("recording-%v.wav", in.ID)
		if err := writeWAV(e.cfg.Store, in.ID, filepath.Join(dir, name)); err != nil {
			rec.Withheld = "audio could not be read: " + err.Error()
		} else {
			rec.File = name
		}
		recs = append(recs, rec)
		e.Record(audit.Entry{Actor: actor, Action: audit.ActionExport, Recording: uint64(in.ID), Detail: "subject access request"})
	}
	b, err := json.MarshalIndent(recs, "", "  ")
	if err != nil {
		return r, err
	}
	if err := os.WriteFile(filepath.Join(dir, "metadata.json"), append(b, '\n'), 0o600); err != nil {
		return r, fmt.Errorf("policy: access request: %w", err)
	}
	entries := 0
	if trail != nil {
		f, err := os.OpenFile(filepath.Join(dir, "audit.jsonl"), os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o600)
		if err != nil {
			return r, fmt.Errorf("policy: access request: %w", err)
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
			return r, fmt.Errorf("policy: access request: audit trail: %w", err)
		}
	}
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
