// Package selfcheck runs the appliance's self-test (the console's and the
// tool's `selftest`; the package is not called selftest because a name
// ending in "test" is reserved for fakes): a list of checks, each a
// name and a function, and one line per check saying PASS, FAIL or SKIP
// with the reason. The console's `selftest` and `fairrec selftest` run the
// same list (Standard), so an installer gets the same answer from either.
//
// A check passes when its function returns a nil error (the text it
// returns says what it found), is skipped when the error wraps ErrSkip
// (Skip makes one: the reason is the message), and fails otherwise. A check
// that panics fails with the panic's value: bad data never stops the
// others from running.
//
// The signal checks generate what the line would carry and run the
// production detectors on it: a DTMF digit sequence (ITU-T Q.23 tone
// pairs at the levels of Q.24) through firmware/dtmf, and a V.23 FSK
// call set-up message (ETSI EN 300 659-1/-3: channel seizure, marks, the
// MDMF message with its checksum) through firmware/callerid. The generators
// here are production code, not test helpers, since the appliance runs
// them on site.
//
// The package reads no wall clock and opens no device: the data directory's
// free space comes from a function the caller passes (syscall.Statfs lives
// in drivers/), the pins are periph gpio inputs the caller opened.
package selfcheck
