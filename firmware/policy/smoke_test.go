package policy

import (
	"testing"
	"time"
)

func TestSmokeRetention(t *testing.T) {
	b := newBox(t, testRules(t))
	id := b.call(1, "+31201234567", false)
	g := b.grants(id)
	if !g["training"].Equal(t0.Add(30*day)) || !g["quality"].Equal(t0.Add(90*day)) {
		t.Fatalf("grants %v", g)
	}
	b.advance(30*day - time.Second)
	b.sweep()
	if len(b.grants(id)) != 2 {
		t.Fatalf("early: %v", b.grants(id))
	}
	b.advance(time.Second)
	b.sweep()
	if g := b.grants(id); len(g) != 1 {
		t.Fatalf("training not expired: %v", g)
	}
	if err := b.e.Access(id, "training"); err == nil {
		t.Fatal("training access after expiry")
	}
	b.restart(100*day, time.Time{})
	b.sweep()
	if !b.exists(id) {
		t.Fatal("erased after an unconfirmed jump of 100 days")
	}
	if err := b.e.Confirm(supervisor); err != nil {
		t.Fatal(err)
	}
	b.sweep()
	if b.exists(id) {
		t.Fatal("not erased after confirmation")
	}
	t.Log(b.rec.Actions())
}
