package audit

import (
	"testing"
	"time"

	"fairrec/storage/vault"
)

// TestPendingKeepsVaultEventsUntilTheLogOpens: what the vault reports while
// it opens (before the log can be opened) reaches the log, in order, and
// events the vault's caller audits itself do not appear twice.
func TestPendingKeepsVaultEventsUntilTheLogOpens(t *testing.T) {
	var p Pending
	p.VaultEvent(vault.Event{Kind: vault.EventInterrupted, ID: 4, Detail: "sealed as interrupted"})
	p.VaultEvent(vault.Event{Kind: vault.EventErased, ID: 5})
	p.VaultEvent(vault.Event{Kind: vault.EventTampered, ID: 6, Detail: "chunk 3"})
	if p.Waiting() != 2 {
		t.Errorf("Waiting = %d, want 2 (the erase is audited by whoever asked for it)", p.Waiting())
	}
	l, _ := testLog(t, nil)
	if err := p.Set(l); err != nil {
		t.Fatal(err)
	}
	p.VaultEvent(vault.Event{Kind: vault.EventRotated})

	var got []Entry
	if err := l.Each(time.Time{}, func(e Entry) error { got = append(got, e); return nil }); err != nil {
		t.Fatal(err)
	}
	want := []struct {
		a   Action
		rec uint64
	}{{ActionInterruptedAtBoot, 4}, {ActionTamperDetected, 6}, {ActionKeyRotation, 0}}
	if len(got) != len(want) {
		t.Fatalf("log holds %d entries, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		if got[i].Action != w.a || got[i].Recording != w.rec || got[i].Actor.Kind != ActorDevice {
			t.Errorf("entry %d = %v on %d by %v, want %v on %d by the device", i, got[i].Action, got[i].Recording, got[i].Actor, w.a, w.rec)
		}
	}
}
