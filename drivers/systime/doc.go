// Package systime is the operating system's wall clock, the one real
// implementation of firmware/clock.Clock. The fake for tests is
// firmware/clock/clocktest.
package systime
