package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"fairrec/firmware/dsp"
	"fairrec/firmware/wav"
	"fairrec/storage/audit"
	"fairrec/storage/vault"
)

func init() {
	register("import", "bring a recording in from a WAV archive", runImport)
}

type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

func runImport(args []string, _ io.Reader, stdout, stderr io.Writer) (err error) {
	fs := newFlags("import", stderr)
	pf := addPolicyFlags(fs)
	line := fs.Int("line", 0, "the phone line the call was on (required, >= 1)")
	caller := fs.String("caller", "", "the caller's number, if known")
	start := fs.String("start", "", "when the call began, RFC 3339 (default: the file's modification time minus its duration, marked approximate)")
	var purposes stringList
	fs.Var(&purposes, "purpose", "a purpose the recording is kept for (repeatable; at least one)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("%w: want exactly one FILE.wav", errUsage)
	}
	if *line < 1 {
		return fmt.Errorf("%w: --line N (N >= 1) is required", errUsage)
	}
	if len(purposes) == 0 {
		// No purpose, no lawful reason to keep it: the retention sweeper
		// would erase it at once.
		return fmt.Errorf("%w: at least one --purpose P is required", errUsage)
	}
	f, err := os.Open(pos[0])
	if err != nil {
		return err
	}
	defer f.Close()
	a, err := wav.Decode(f)
	if err != nil {
		return fmt.Errorf("%s: %w", pos[0], err)
	}
	pcm, err := wav.Mono8k(a)
	if err != nil {
		return fmt.Errorf("%s: %w", pos[0], err)
	}
	alaw := make([]byte, len(pcm))
	dsp.EncodeALaw(alaw, pcm)
	dur := time.Duration(len(alaw)) * time.Second / vault.BytesPerSecond

	m := vault.Meta{Line: *line, Caller: *caller}
	if *start != "" {
		if m.Start, err = time.Parse(time.RFC3339, *start); err != nil {
			return fmt.Errorf("%w: --start: %v", errUsage, err)
		}
	} else {
		fi, err := f.Stat()
		if err != nil {
			return err
		}
		m.Start, m.Approximate = fi.ModTime().Add(-dur).UTC(), true
	}
	// The purposes file decides how long each purpose keeps the recording,
	// counted from the call's start, as for the box's own recordings.
	ps, err := pf.open(true, false)
	if err != nil {
		return err
	}
	defer closeSession(ps, &err)
	if m.Grants, err = ps.e.Grants(purposes, m.Start); err != nil {
		return fmt.Errorf("%w: --purpose: %v", errUsage, err)
	}
	v := ps.v
	id, err := v.Create(m)
	if err != nil {
		return err
	}
	for off := 0; off < len(alaw); off += vault.BytesPerSecond {
		if err := v.Append(id, alaw[off:min(off+vault.BytesPerSecond, len(alaw))]); err != nil {
			return err
		}
		if off%(60*vault.BytesPerSecond) == 0 {
			if err := v.Commit(); err != nil {
				return err
			}
		}
	}
	if err := v.Seal(id, m.Start.Add(dur)); err != nil {
		return err
	}
	if ps.log != nil {
		err := ps.log.Record(audit.Entry{Actor: toolActor, Action: audit.ActionRecordingCreated,
			Recording: uint64(id), Detail: "imported from an earlier recorder's archive"})
		if err != nil {
			return fmt.Errorf("recording %v imported, but the audit log refused it: %w", id, err)
		}
	}
	fmt.Fprintln(stdout, id)
	now := ps.k.Now()
	for _, g := range m.Grants {
		if !g.Deadline.After(now) {
			fmt.Fprintf(stderr, "warning: recording %v is past its %s retention (deadline %s): the retention sweeper will erase that grant\n",
				id, g.Purpose, g.Deadline.UTC().Format(time.RFC3339))
		}
	}
	return nil
}
