package systime

import (
	"testing"
	"time"

	"fairrec/firmware/clock"
)

var _ clock.Clock = Clock{}

func TestClockFollowsTheSystem(t *testing.T) {
	var c Clock
	before := time.Now()
	got := c.Now()
	if got.Before(before) || got.Sub(before) > time.Minute {
		t.Fatalf("Now = %v, system says %v", got, before)
	}
	select {
	case <-c.After(time.Millisecond):
	case <-time.After(10 * time.Second):
		t.Fatal("After(1ms) did not fire within 10 s")
	}
}
