package clocktest

import (
	"testing"
	"time"
)

func TestAfterFiresInOrderAsTimeAdvances(t *testing.T) {
	start := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	c := New(start)
	late := c.After(2 * time.Second)
	early := c.After(time.Second)
	if got := c.Pending(); got != 2 {
		t.Fatalf("Pending = %d, want 2", got)
	}
	c.Advance(999 * time.Millisecond)
	select {
	case <-early:
		t.Fatal("a 1 s timer fired after 999 ms")
	default:
	}
	c.Advance(time.Millisecond)
	if at := <-early; !at.Equal(start.Add(time.Second)) {
		t.Errorf("early fired at %v", at)
	}
	select {
	case <-late:
		t.Fatal("a 2 s timer fired after 1 s")
	default:
	}
	c.Set(start.Add(time.Hour)) // a forward jump fires everything due
	<-late
	if got := c.Pending(); got != 0 {
		t.Errorf("Pending after firing = %d", got)
	}
}

func TestSetBackwardsKeepsTimers(t *testing.T) {
	start := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	c := New(start)
	ch := c.After(time.Minute)
	c.Set(time.Unix(0, 0)) // a boot in 1970
	if !c.Now().Equal(time.Unix(0, 0)) {
		t.Fatalf("Now = %v", c.Now())
	}
	select {
	case <-ch:
		t.Fatal("a timer fired when the clock went backwards")
	default:
	}
	if c.After(0) == nil || len(c.After(-time.Second)) != 1 {
		t.Error("a timer for a non-positive duration must fire at once")
	}
}
