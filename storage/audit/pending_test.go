package audit

import (
	"errors"
	"testing"
)

func sameEntries(t *testing.T, got []Entry, want ...uint64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("log holds %d entries, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		if got[i].Recording != w {
			t.Errorf("entry %d is about recording %d, want %d", i, got[i].Recording, w)
		}
	}
}

// TestPendingKeepsEntriesUntilTheLogOpens: what arrives before Set reaches
// the log at Set, in order, and entries after Set are written at once.
func TestPendingKeepsEntriesUntilTheLogOpens(t *testing.T) {
	var p Pending
	tamper := Entry{Actor: Actor{Kind: ActorDevice, ID: "vault"}, Action: ActionTamperDetected}
	for _, rec := range []uint64{1, 2} {
		e := tamper
		e.Recording = rec
		if err := p.Keep(e); err != nil {
			t.Fatalf("Keep before Set = %v", err)
		}
	}
	if err := p.Record(Entry{Actor: Actor{Kind: ActorDevice}, Action: ActionInterruptedAtBoot, Recording: 3}); err != nil {
		t.Fatalf("Record before Set = %v", err)
	}
	if p.Waiting() != 3 {
		t.Errorf("Waiting = %d, want 3", p.Waiting())
	}
	l, _ := testLog(t, nil)
	if err := p.Set(l); err != nil {
		t.Fatal(err)
	}
	if err := p.Record(Entry{Actor: Actor{Kind: ActorDevice}, Action: ActionKeyRotation, Recording: 4}); err != nil {
		t.Fatal(err)
	}
	if p.Waiting() != 0 {
		t.Errorf("Waiting after Set = %d", p.Waiting())
	}
	sameEntries(t, entries(t, l), 1, 2, 3, 4)
}

// TestPendingRetriesAFailedKeep: an entry from a caller that cannot handle
// an error (the vault's OnEvent) is never lost when the log fails to write
// it: it waits, in order, and reaches the log once writing works again.
func TestPendingRetriesAFailedKeep(t *testing.T) {
	tamper := func(rec uint64) Entry {
		return Entry{Actor: Actor{Kind: ActorDevice, ID: "vault"}, Action: ActionTamperDetected, Recording: rec}
	}
	tests := map[string]struct {
		retry func(p *Pending, l *Log) error // writes what waits into l
	}{
		"Set":   {retry: func(p *Pending, l *Log) error { return p.Set(l) }},
		"Flush": {retry: func(p *Pending, l *Log) error { p.mu.Lock(); p.log = l; p.mu.Unlock(); return p.Flush() }},
		"next Record": {retry: func(p *Pending, l *Log) error {
			p.mu.Lock()
			p.log = l
			p.mu.Unlock()
			return p.Record(tamper(3))
		}},
		"next Keep": {retry: func(p *Pending, l *Log) error {
			p.mu.Lock()
			p.log = l
			p.mu.Unlock()
			return p.Keep(tamper(3))
		}},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			broken, _ := testLog(t, nil)
			if err := broken.Close(); err != nil {
				t.Fatal(err)
			}
			var p Pending
			if err := p.Keep(tamper(1)); err != nil {
				t.Fatal(err)
			}
			if err := p.Set(broken); !errors.Is(err, ErrClosed) {
				t.Fatalf("Set(closed log) = %v, want ErrClosed", err)
			}
			if err := p.Keep(tamper(2)); err != nil {
				t.Fatalf("Keep into a failing log = %v, want nil (kept)", err)
			}
			if p.Waiting() != 2 {
				t.Fatalf("Waiting = %d, want 2: a failed write was dropped", p.Waiting())
			}
			if err := p.Flush(); !errors.Is(err, ErrClosed) {
				t.Errorf("Flush into a failing log = %v, want ErrClosed", err)
			}

			l, _ := testLog(t, nil)
			if err := tt.retry(&p, l); err != nil {
				t.Fatal(err)
			}
			want := []uint64{1, 2}
			if name == "next Record" || name == "next Keep" {
				want = append(want, 3)
			}
			if p.Waiting() != 0 {
				t.Errorf("Waiting after retry = %d", p.Waiting())
			}
			sameEntries(t, entries(t, l), want...)
		})
	}
}

// TestPendingRefusesInvalidEntriesAtOnce: an entry the log would refuse is
// refused to its caller when it arrives, not lost later at Set.
func TestPendingRefusesInvalidEntriesAtOnce(t *testing.T) {
	bad := Entry{Actor: Actor{Kind: ActorDevice}, Action: ActionConfigChange, Detail: "caller 0612345678"}
	var p Pending
	if err := p.Record(bad); !errors.Is(err, ErrInvalid) {
		t.Errorf("Record = %v, want ErrInvalid", err)
	}
	if err := p.Keep(bad); !errors.Is(err, ErrInvalid) {
		t.Errorf("Keep = %v, want ErrInvalid", err)
	}
	if p.Waiting() != 0 {
		t.Errorf("Waiting = %d: an invalid entry was kept", p.Waiting())
	}
	if err := p.Flush(); err != nil {
		t.Errorf("Flush with nothing waiting = %v", err)
	}
}

// TestPendingFlushBeforeSet: Flush says entries wait for a log that is not
// open, rather than pretending they were written.
func TestPendingFlushBeforeSet(t *testing.T) {
	var p Pending
	if err := p.Keep(Entry{Actor: Actor{Kind: ActorDevice}, Action: ActionInterruptedAtBoot}); err != nil {
		t.Fatal(err)
	}
	if err := p.Flush(); err == nil {
		t.Error("Flush before Set = nil with an entry waiting")
	}
	if p.Waiting() != 1 {
		t.Errorf("Waiting = %d, want 1", p.Waiting())
	}
}
