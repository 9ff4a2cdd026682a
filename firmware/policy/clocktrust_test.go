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
