package policy

import (
	"slices"
	"testing"
	"time"

	"fairrec/storage/audit"
)

// TestClockTrustAudited: changes of trust reach the audit log, and a
// sweep without a known bound erases nothing.
func TestClockTrustAudited(t *testing.T) {
	b := newBox(t, testRules(t))
	id := b.call(1, "0201", false)
	b.restart(time.Hour, time.Unix(0, 0))
	b.advance(90*day - 30*time.Minute) // true time is past the deadline, the bound is not
	b.sweep()
	if !b.exists(id) {
		t.Fatal("erased while the clock is in 1970 and the bound has not reached the deadline")
	}
	b.jump(b.now)
	if err := b.e.Confirm(supervisor); err != nil {
		t.Fatal(err)
	}
	b.sweep()
	if b.exists(id) {
		t.Fatal("not erased once the clock was confirmed")
	}
	var trust []string
	for _, e := range b.rec.Entries() {
		if e.Action == audit.ActionClockTrust {
			trust = append(trust, e.Actor.String()+" "+e.Detail)
		}
	}
	want := []string{"device:clock untrusted reason=implausible", "role:supervisor trusted reason=confirmed shift=1h0m0s"}
	if !slices.Equal(trust, want) {
		t.Fatalf("clock trust entries %q, want %q", trust, want)
	}
}

// TestClockTrustOnlyChanges: starting again and again without an RTC and
// without a confirmation (each run of the tool) is no change of trust and
// adds no entry; a confirmation and a jump while running do.
func TestClockTrustOnlyChanges(t *testing.T) {
	b := newBox(t, testRules(t))
	b.noRTC = true
	trust := func() []string {
		var out []string
		for _, e := range b.rec.Entries() {
			if e.Action == audit.ActionClockTrust {
				out = append(out, e.Detail)
			}
		}
		return out
	}
	for range 5 {
		b.restart(time.Minute, time.Time{})
		if _, err := b.e.EraseCaller("0201", supervisor); err != nil {
			t.Fatal(err)
		}
		b.sweep()
	}
	if got := trust(); len(got) != 0 {
		t.Fatalf("five unconfirmed starts wrote clock trust entries %q, want none", got)
	}
	if err := b.e.Confirm(supervisor); err != nil {
		t.Fatal(err)
	}
	b.jump(b.now.Add(365 * day))
	b.e.Now()
	b.sweep()
	want := []string{"trusted reason=confirmed", "untrusted reason=jump"}
	if got := trust(); !slices.Equal(got, want) {
		t.Fatalf("clock trust entries %q, want %q", got, want)
	}
}
