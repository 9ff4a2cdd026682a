// Package clocktest provides a manual clock for tests: time only moves when
// the test says so, and timers fire in order as it does.
package clocktest
