package vaultevent_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"fairrec/storage/audit"
	"fairrec/storage/audit/audittest"
	"fairrec/storage/vault"
	"fairrec/storage/vaultevent"
)

// fixedClock reads one time; these tests need no other.
type fixedClock struct{}

func (fixedClock) Now() time.Time { return time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC) }
func (fixedClock) After(time.Duration) <-chan time.Time {
	return make(chan time.Time)
}

// TestEventsReachTheLogAfterItOpens: what the vault reports while it opens
// (before the log can be opened) reaches the log, in order, and events the
// vault's caller audits itself do not appear twice.
func TestEventsReachTheLogAfterItOpens(t *testing.T) {
	var p audit.Pending
	on := vaultevent.Into(&p)
	on(vault.Event{Kind: vault.EventInterrupted, ID: 4, Detail: "sealed as interrupted"})
	on(vault.Event{Kind: vault.EventErased, ID: 5})
	on(vault.Event{Kind: vault.EventTampered, ID: 6, Detail: "chunk 3"})
	if p.Waiting() != 2 {
		t.Errorf("Waiting = %d, want 2 (the erase is audited by whoever asked for it)", p.Waiting())
	}
	l := audittest.NewLog(t, fixedClock{})
	if err := p.Set(l); err != nil {
		t.Fatal(err)
	}
	on(vault.Event{Kind: vault.EventRotated})

	var got []audit.Entry
	if err := l.Each(time.Time{}, func(e audit.Entry) error { got = append(got, e); return nil }); err != nil {
		t.Fatal(err)
	}
	want := []struct {
		a   audit.Action
		rec uint64
	}{{audit.ActionInterruptedAtBoot, 4}, {audit.ActionTamperDetected, 6}, {audit.ActionKeyRotation, 0}}
	if len(got) != len(want) {
		t.Fatalf("log holds %d entries, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		if got[i].Action != w.a || got[i].Recording != w.rec || got[i].Actor.Kind != audit.ActorDevice {
			t.Errorf("entry %d = %v on %d by %v, want %v on %d by the device", i, got[i].Action, got[i].Recording, got[i].Actor, w.a, w.rec)
		}
	}
}

// TestEntry: every event kind maps as documented, and whatever the vault's
// detail says, the entry is one the log accepts.
func TestEntry(t *testing.T) {
	tests := []struct {
		kind vault.EventKind
		want audit.Action // ActionNone: not audited here
	}{
		{vault.EventTampered, audit.ActionTamperDetected},
		{vault.EventInconsistent, audit.ActionTamperDetected},
		{vault.EventInterrupted, audit.ActionInterruptedAtBoot},
		{vault.EventEraseFinished, audit.ActionNone}, // Journal, from the outbox
		{vault.EventOrphanKey, audit.ActionInterruptedAtBoot},
		{vault.EventRotated, audit.ActionKeyRotation},
		{vault.EventErased, audit.ActionNone},
		{vault.EventCommitFailed, audit.ActionNone},
	}
	details := []string{"", "chunk 3", "caller +31612345678 <a@b>", strings.Repeat("x\n", 200)}
	for _, tt := range tests {
		for _, d := range details {
			e, ok := vaultevent.Entry(vault.Event{Kind: tt.kind, ID: 9, Detail: d})
			if ok != (tt.want != audit.ActionNone) || e.Action != tt.want {
				t.Errorf("Entry(%s) = %v, %v; want %v", tt.kind, e.Action, ok, tt.want)
				continue
			}
			if !ok {
				continue
			}
			if err := e.Validate(); err != nil {
				t.Errorf("Entry(%s, %q) is refused by the log: %v", tt.kind, d, err)
			}
			if e.Recording != 9 {
				t.Errorf("Entry(%s).Recording = %d", tt.kind, e.Recording)
			}
		}
	}
}

// refusing refuses every entry that has a detail, as a log would one whose
// detail it considers personal data.
type refusing struct{ kept []audit.Entry }

func (r *refusing) Keep(e audit.Entry) error {
	if e.Detail != "" {
		return errors.Join(errors.New("test refuses details"), audit.ErrInvalid)
	}
	r.kept = append(r.kept, e)
	return nil
}

// TestIntoKeepsARefusedEventWithoutItsDetail: the action and the recording
// reach the log even if the detail is refused.
func TestIntoKeepsARefusedEventWithoutItsDetail(t *testing.T) {
	var r refusing
	vaultevent.Into(&r)(vault.Event{Kind: vault.EventTampered, ID: 6, Detail: "chunk 3"})
	if len(r.kept) != 1 || r.kept[0].Action != audit.ActionTamperDetected || r.kept[0].Recording != 6 {
		t.Errorf("kept %+v, want the tamper entry for recording 6", r.kept)
	}
}
