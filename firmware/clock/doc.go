// Package clock declares the wall-clock dependency of the firmware and storage
// layers.
//
// Time inside a call is counted in samples; wall-clock time is only used for
// timestamps and retention deadlines, and it always comes through a Clock so
// that tests can let days and years pass in milliseconds. The real clock lives
// in drivers/systime (an OS boundary); a manual fake lives in clocktest.
package clock
