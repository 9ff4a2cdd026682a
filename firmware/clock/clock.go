package clock

import "time"

// Clock is the wall clock as the firmware sees it.
//
// Now may be wrong: a Raspberry Pi without an RTC boots in 1970 or at a stale
// time. Code that erases on a deadline must not trust it blindly (see
// firmware/policy for the lower bound it keeps).
type Clock interface {
	// Now returns the current wall-clock time. Its monotonic reading, if any,
	// is only meaningful within one boot.
	Now() time.Time
	// After delivers the time on the returned channel once d has passed.
	After(d time.Duration) <-chan time.Time
}
