package vault

import (
	"errors"
	"path/filepath"
	"testing"

	"fairrec/firmware/clock/clocktest"
	"fairrec/storage/audit"
)

var errKilled = errors.New("simulated kill")

// openLog opens the audit log in dir, as the data directory does.
func openLog(t *testing.T, dir string) *audit.Log {
	t.Helper()
	key, err := audit.DeriveKey([]byte("owed test key-encryption key 32b"))
	if err != nil {
		t.Fatal(err)
	}
	l, err := audit.Open(audit.Config{Path: filepath.Join(dir, audit.FileName), Clock: clocktest.New(t0), Key: key, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// journalInto is storage/vaultevent.Journal reduced to what this test
// checks (vaultevent imports this package, so it cannot be used here).
func journalInto(l *audit.Log) Journal {
	return func(ev Event) error {
		a := audit.ActionEraseRequest
		switch {
		case ev.Kind == EventCreated:
			a = audit.ActionRecordingCreated
		case ev.Why.Cause == CauseTimer:
			a = audit.ActionEraseTimer
		}
		return l.Record(audit.Entry{Actor: audit.Actor{Kind: audit.ActorDevice, ID: "vault"}, Action: a, Recording: uint64(ev.ID)})
	}
}

// kill drops v as a SIGKILL would: nothing pending is committed, no entry
// is written.
func kill(v *Vault, l *audit.Log) {
	v.db.Close()
	v.slots.close()
	l.Close()
}

// TestNoKillLosesAnEntry kills a create and an erase at every step
// boundary: after reopening, every recording created has its
// recording-created entry, every recording gone has an erase entry naming
// it, and the audit chain verifies.
func TestNoKillLosesAnEntry(t *testing.T) {
	steps := []string{"", "create-committed", "erase-marked", "erase-shredded", "erase-deleted", "outbox-written"}
	for _, step := range steps {
		name := step
		if name == "" {
			name = "no kill"
		}
		t.Run(name, func(t *testing.T) {
			dir := newDir(t)
			cfg := testConfig(dir)
			v := mustOpen(t, cfg)
			l := openLog(t, dir)
			if err := v.SetJournal(journalInto(l)); err != nil {
				t.Fatal(err)
			}
			v.crash = func(s string) error {
				if s == step {
					return errKilled
				}
				return nil
			}
			var ids []ID
			killed := false
			for i := range 3 {
				id, err := v.CreateWhy(Meta{Line: 1, Start: t0, Caller: "0201234567"}, Why{Detail: "line=1"})
				if errors.Is(err, errKilled) {
					ids, killed = append(ids, id), true
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, id)
				if err := v.Append(id, pattern(i, 800)); err != nil {
					t.Fatal(err)
				}
				if err := v.Seal(id, t0); err != nil {
					t.Fatal(err)
				}
			}
			erased := ids[:0:0]
			if !killed {
				erased = ids[:2]
				err := v.EraseWhy(erased, Why{Cause: CauseTimer})
				if step != "" && step != "create-committed" && !errors.Is(err, errKilled) && step != "outbox-written" {
					t.Fatalf("EraseWhy = %v, want the simulated kill", err)
				}
			}
			kill(v, l)

			v = mustOpen(t, testConfig(dir))
			defer v.Close()
			l = openLog(t, dir)
			defer l.Close()
			if err := v.SetJournal(journalInto(l)); err != nil {
				t.Fatal(err)
			}
			if n, err := v.Owed(); err != nil || n != 0 {
				t.Errorf("Owed after the journal is set = %d, %v; want 0", n, err)
			}
			created := map[uint64]int{}
			erasedEntries := map[uint64]int{}
			err := l.Each(t0.AddDate(-1, 0, 0), func(e audit.Entry) error {
				switch e.Action {
				case audit.ActionRecordingCreated:
					created[e.Recording]++
				case audit.ActionEraseTimer, audit.ActionEraseRequest:
					erasedEntries[e.Recording]++
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			for _, id := range ids {
				if created[uint64(id)] == 0 {
					t.Errorf("recording %v has no recording-created entry", id)
				}
				_, err := v.Info(id)
				gone := errors.Is(err, ErrNotFound)
				if gone && erasedEntries[uint64(id)] == 0 {
					t.Errorf("recording %v is gone without an erase entry", id)
				}
				if !gone && err != nil {
					t.Errorf("Info(%v) = %v", id, err)
				}
			}
			for _, id := range erased {
				if _, err := v.Info(id); !errors.Is(err, ErrNotFound) {
					t.Errorf("recording %v survived its erase (killed at %q): %v", id, step, err)
				}
			}
			if _, err := l.Verify(); err != nil {
				t.Errorf("audit chain after the kill: %v", err)
			}
		})
	}
}
