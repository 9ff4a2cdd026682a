package main

import (
	"errors"
	"fmt"
	"io"
	"time"

	"fairrec/firmware/wav"
	"fairrec/storage/atomicfile"
	"fairrec/storage/audit"
	"fairrec/storage/vault"
)

func init() {
	register("export", "write a recording to a WAV file (PCM 16-bit 8 kHz mono)", runExport)
}

func runExport(args []string, _ io.Reader, stdout, stderr io.Writer) (err error) {
	fs := newFlags("export", stderr)
	pf := addPolicyFlags(fs)
	alaw := fs.Bool("alaw", false, "write G.711 A-law (format 6), the stored bytes, instead of PCM")
	purpose := fs.String("purpose", "", "the purpose the export serves (default: the first purpose the recording may still be used for)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return fmt.Errorf("%w: usage: fairrec export [--data DIR] [--key FILE] [--alaw] ID OUT.wav", errUsage)
	}
	id, err := vault.ParseID(pos[0])
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	ps, err := pf.open(true, false)
	if err != nil {
		return err
	}
	defer closeSession(ps, &err)
	// A recording leaves the box only for a purpose it is still granted
	// for: not after that grant expired, not while it is restricted.
	used, err := exportPurpose(ps, id, *purpose)
	if errors.Is(err, vault.ErrNotFound) {
		return erasedWhy(ps.log, id, err)
	}
	if err != nil {
		return err
	}
	r, err := ps.v.Audio(id)
	if err != nil {
		return err
	}
	defer r.Close()
	format := wav.PCM16
	if *alaw {
		format = wav.ALaw
	}
	out := pos[1]
	// The audio is streamed a chunk at a time (a two-hour recording does
	// not fit in memory twice). A half-written WAV, or one of a recording
	// found tampered halfway, must never stand where a supervisor expects
	// the export: it is written aside and renamed once complete. Exports
	// are personal data, so they are not world-readable.
	var samples int64
	err = atomicfile.WriteFrom(out, 0o600, func(f io.Writer) error {
		ws, ok := f.(io.WriteSeeker)
		if !ok {
			return fmt.Errorf("export %v: %T cannot seek", id, f)
		}
		w, err := wav.NewWriter(ws, vault.BytesPerSecond, 1, format)
		if err != nil {
			return err
		}
		if err := w.CopyALaw(r); err != nil {
			return err
		}
		samples = w.Samples()
		return w.Close()
	})
	if err != nil {
		return err
	}
	if ps.log != nil {
		err := ps.log.Record(audit.Entry{Actor: toolActor, Action: audit.ActionExport, Recording: uint64(id), Purpose: used})
		if err != nil {
			return fmt.Errorf("exported %v to %s, but the audit log refused the entry: %w", id, out, err)
		}
	}
	fmt.Fprintf(stdout, "exported %v to %s (%d samples, %s)\n", id, out, samples, format)
	return nil
}

// exportPurpose returns the purpose an export of id is made for: the one
// asked for if the recording may be used for it, else the first of its
// grants that may.
func exportPurpose(ps *policySession, id vault.ID, want string) (string, error) {
	if want != "" {
		return want, ps.e.Access(id, want)
	}
	in, err := ps.v.Info(id)
	if err != nil {
		return "", err
	}
	var last error
	for _, g := range in.Grants {
		if last = ps.e.Access(id, g.Purpose); last == nil {
			return g.Purpose, nil
		}
	}
	if last == nil {
		last = fmt.Errorf("recording %v has no grant left", id)
	}
	return "", fmt.Errorf("export refused: %w", last)
}

// eraseWords says why the audit log's erase actions erased a recording.
var eraseWords = map[audit.Action]string{
	audit.ActionEraseTimer:     "its last grant expired",
	audit.ActionEraseRequest:   "an erasure request",
	audit.ActionEraseObjection: "an objection",
}

// erasedWhy answers an export of a recording the vault does not have: if
// the audit log holds its erase, when and why it was erased; else err.
func erasedWhy(log *audit.Log, id vault.ID, err error) error {
	if log == nil {
		return err
	}
	var last *audit.Entry
	lerr := log.Each(time.Time{}, func(e audit.Entry) error {
		if _, ok := eraseWords[e.Action]; ok && e.Recording == uint64(id) {
			last = &e
		}
		return nil
	})
	if lerr != nil || last == nil {
		return err
	}
	when := last.Time.UTC().Format(time.RFC3339)
	if last.Approximate {
		when = "about " + when + " (the clock was not trusted)"
	}
	why := eraseWords[last.Action]
	if last.Purpose != "" {
		why += " (" + last.Purpose + ")"
	}
	return fmt.Errorf("recording %v was erased on %s: %s (%s by %s); nothing is left to export", id, when, why, last.Action, last.Actor)
}
