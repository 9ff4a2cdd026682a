package audit_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"fairrec/firmware/clock/clocktest"
	"fairrec/storage/audit"
	"fairrec/storage/audit/audittest"
)

// recording is what the test suite's simulated recordings carry: the caller
// number and the note are personal data held (encrypted) by the vault, and
// must never reach the audit log.
type recording struct {
	id      uint64
	line    string
	caller  string
	note    string
	purpose string
}

func suiteRecordings() []recording {
	numbers, notes := audittest.CallerNumbers(), audittest.Notes()
	var out []recording
	for i, n := range numbers {
		out = append(out, recording{id: uint64(100 + i), line: fmt.Sprintf("line%d", i%4+1), caller: n,
			note: notes[i%len(notes)], purpose: []string{"quality", "contract", "training"}[i%3]})
	}
	return out
}

// TestNoPersonalDataInLog runs the life of every test recording through the
// log the way the firmware does, tries to slip the caller number and the
// note in through every text field, prunes (so that bbolt frees pages), and
// scans the raw file for all of them.
func TestNoPersonalDataInLog(t *testing.T) {
	clk := clocktest.New(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	key, _ := audit.DeriveKey([]byte("0123456789abcdef0123456789abcdef"))
	path := filepath.Join(t.TempDir(), audit.FileName)
	l, err := audit.Open(audit.Config{Path: path, Clock: clk, Key: key, NoSync: true, Retention: 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	rec := func(e audit.Entry) {
		t.Helper()
		if err := l.Record(e); err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Second)
	}
	dev := audit.Actor{Kind: audit.ActorDevice}
	for _, r := range suiteRecordings() {
		line := audit.Actor{Kind: audit.ActorDevice, ID: r.line}
		rec(audit.Entry{Actor: line, Action: audit.ActionNoticeReceipt, Recording: r.id, Purpose: r.purpose})
		rec(audit.Entry{Actor: line, Action: audit.ActionRecordingCreated, Recording: r.id, Purpose: r.purpose})
		rec(audit.Entry{Actor: line, Action: audit.ActionRecordingSealed, Recording: r.id, Purpose: r.purpose, Detail: "seconds=95"})
		rec(audit.Entry{Actor: audit.Actor{Kind: audit.ActorRole, ID: "supervisor"}, Action: audit.ActionPlayback, Recording: r.id, Purpose: r.purpose})
		if r.id%2 == 0 {
			rec(audit.Entry{Actor: audit.Actor{Kind: audit.ActorCallerDTMF, ID: r.line}, Action: audit.ActionObjection, Recording: r.id, Detail: "key=9"})
			rec(audit.Entry{Actor: dev, Action: audit.ActionEraseObjection, Recording: r.id, Purpose: r.purpose})
		} else {
			rec(audit.Entry{Actor: dev, Action: audit.ActionEraseTimer, Recording: r.id, Purpose: r.purpose})
		}
		// Mistakes a caller might make: each must be refused.
		for _, leak := range []audit.Entry{
			{Actor: line, Action: audit.ActionExport, Recording: r.id, Detail: "caller " + r.caller},
			{Actor: audit.Actor{Kind: audit.ActorCallerDTMF, ID: r.caller}, Action: audit.ActionObjection, Recording: r.id},
			{Actor: line, Action: audit.ActionHold, Recording: r.id, Purpose: r.caller},
			{Actor: audit.Actor{Kind: audit.ActorRole, ID: r.note}, Action: audit.ActionHold, Recording: r.id},
		} {
			if err := l.Record(leak); !errors.Is(err, audit.ErrInvalid) {
				t.Errorf("recording %d: leak %+v: Record = %v, want ErrInvalid", r.id, leak, err)
			}
		}
	}
	// Before pruning too: pruning lets bbolt overwrite freed pages, which
	// could hide a leak from the final scan.
	audittest.CheckNoPersonalData(t, path)
	clk.Advance(48 * time.Hour)
	if _, err := l.Prune(); err != nil {
		t.Fatal(err)
	}
	rec(audit.Entry{Actor: dev, Action: audit.ActionConfigChange, Detail: "retention quality 30d"})
	if _, err := l.Verify(); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	audittest.CheckNoPersonalData(t, path)
}

// TestScanFindsPersonalData makes sure the scan above can fail: it finds
// each caller number and note, also in the forms Variants lists.
func TestScanFindsPersonalData(t *testing.T) {
	dir := t.TempDir()
	for _, n := range append(audittest.CallerNumbers(), audittest.Notes()...) {
		for _, v := range audittest.Variants(n) {
			path := filepath.Join(dir, "f")
			if err := os.WriteFile(path, append(append([]byte("\x00junk"), v...), 0xff), 0o600); err != nil {
				t.Fatal(err)
			}
			found, err := audittest.Scan(path, n)
			if err != nil || len(found) != 1 {
				t.Errorf("Scan of a file holding %q (for %q) = %v, %v", v, n, found, err)
			}
		}
	}
	if vs := audittest.Variants("+31612345678"); len(vs) != 3 || string(vs[2]) != "612345678" {
		t.Errorf("Variants(+31612345678) = %q, want the number, its digits and the last nine", vs)
	}
}
