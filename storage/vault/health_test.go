package vault

import (
	"context"
	"testing"
	"time"

	"fairrec/firmware/clock/clocktest"
)

// TestCommitHealth: each periodic commit is a tick, a failed one is counted
// and leaves Failing set until a commit succeeds again.
func TestCommitHealth(t *testing.T) {
	dir := newDir(t)
	clk := clocktest.New(t0)
	cfg := testConfig(dir)
	cfg.Clock = clk
	v := mustOpen(t, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- v.Run(ctx) }()
	defer func() { cancel(); <-done; v.Close() }() // errors of a database closed under the vault

	// tick advances the fake clock past one commit interval once Run is
	// waiting on it, and waits for that commit's outcome.
	tick := func(want CommitHealth) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for clk.Pending() == 0 {
			if time.Now().After(deadline) {
				t.Fatal("Run never armed its commit timer")
			}
			time.Sleep(time.Millisecond)
		}
		clk.Advance(time.Second)
		for v.CommitHealth().Ticks < want.Ticks {
			if time.Now().After(deadline) {
				t.Fatalf("CommitHealth = %+v, want %+v", v.CommitHealth(), want)
			}
			time.Sleep(time.Millisecond)
		}
		if got := v.CommitHealth(); got != want {
			t.Fatalf("CommitHealth = %+v, want %+v", got, want)
		}
	}
	if got := v.CommitHealth(); got != (CommitHealth{}) {
		t.Fatalf("CommitHealth before any commit = %+v", got)
	}
	tick(CommitHealth{Ticks: 1}) // nothing pending: the loop is alive

	id, err := v.Create(Meta{Line: 1, Start: t0})
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Append(id, pattern(1, BytesPerSecond)); err != nil {
		t.Fatal(err)
	}
	tick(CommitHealth{Ticks: 2})

	// A database that can no longer be written (closed under the vault):
	// the commit fails at every tick, the audio stays pending.
	if err := v.Append(id, pattern(2, BytesPerSecond)); err != nil {
		t.Fatal(err)
	}
	if err := v.db.Close(); err != nil {
		t.Fatal(err)
	}
	tick(CommitHealth{Ticks: 3, Failed: 1, Failing: true})
	tick(CommitHealth{Ticks: 4, Failed: 2, Failing: true})
}
