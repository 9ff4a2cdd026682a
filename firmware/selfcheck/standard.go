package selfcheck

import (
	"fmt"

	"periph.io/x/conn/v3/gpio"

	"fairrec/firmware/notice"
)

// Env is what the standard checks look at. The console passes what the
// daemon holds open; the tool what it opened for the test. An interface
// field must be a nil interface, not a typed nil, when absent: its Err
// field then says why.
type Env struct {
	Notices    *notice.Library
	NoticesErr error
	Vault      Vaulter
	VaultErr   error
	Audit      Auditor
	AuditErr   error // wraps ErrSkip: the audit check is skipped
	Pins       []Pin
	PinsErr    error // wraps ErrSkip: the GPIO check is skipped
	KeyFile    string
	DataDir    string
	Lines      int                              // lines on the board: the free space asked for
	Free       func(dir string) (uint64, error) // free bytes in dir; nil skips the disk check
	Board      string                           // board name, "" when none was given
}

// Standard is the appliance's self-test, in the order it prints: the
// signal path first, then storage, then the board.
func Standard(e Env) []Check {
	return []Check{
		DTMF(),
		CallerID(),
		Notices(e.Notices, e.NoticesErr),
		Vault(e.Vault, e.VaultErr),
		Audit(e.Audit, e.AuditErr),
		Pins(e.Pins, e.PinsErr),
		KeyFile(e.KeyFile),
		Disk(e.DataDir, e.Lines, e.Free),
		NoLoopback(e.Board),
	}
}

// Line is one line's inputs.
type Line struct {
	Hook, Ring, Button gpio.PinIn // nil: absent
}

// BoardPins lists a board's inputs by role: each line's hook sense, ring
// sense and objection button, then the supervisor's button.
func BoardPins(lines []Line, supervisor gpio.PinIn) []Pin {
	var ps []Pin
	for i, l := range lines {
		n := i + 1
		ps = append(ps,
			Pin{fmt.Sprintf("line %d hook", n), l.Hook},
			Pin{fmt.Sprintf("line %d ring", n), l.Ring},
			Pin{fmt.Sprintf("line %d button", n), l.Button})
	}
	return append(ps, Pin{"supervisor button", supervisor})
}
