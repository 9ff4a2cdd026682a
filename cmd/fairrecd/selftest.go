package main

import (
	"fmt"
	"io"

	"fairrec/drivers/disk"
	"fairrec/firmware/auth"
	"fairrec/firmware/console"
	"fairrec/firmware/selfcheck"
)

// selftestCommands is the console's `selftest`: firmware/selfcheck's
// checks (the same as `fairrec selftest`) on what the daemon holds open,
// which the tool cannot open while the daemon runs.
func (d *daemon) selftestCommands() []console.Command {
	return []console.Command{{Name: "selftest", Role: auth.Installer,
		Summary: "check the detectors, notices, vault, audit log, pins, key file and free disk: one PASS/FAIL/SKIP line each",
		Run: func(w io.Writer, args []string) error {
			if len(args) > 0 {
				return fmt.Errorf("usage: selftest (no arguments)")
			}
			if n := selfcheck.Failed(selfcheck.Run(w, selfcheck.Standard(d.selftestEnv()))); n > 0 {
				return fmt.Errorf("%d of the checks failed", n)
			}
			return nil
		}}}
}

func (d *daemon) selftestEnv() selfcheck.Env {
	env := selfcheck.Env{Notices: d.notices, KeyFile: d.key, DataDir: d.cfg.Data,
		Lines: len(d.board.Lines), Free: disk.Free, Board: d.board.Name}
	// Interfaces stay nil, not typed nils, when a piece is absent.
	if d.vault != nil {
		env.Vault = d.vault
	} else {
		env.VaultErr = fmt.Errorf("the vault is not open")
	}
	if d.audit != nil {
		env.Audit = d.audit
	} else {
		env.AuditErr = fmt.Errorf("the audit log is not open")
	}
	if d.notices == nil {
		env.NoticesErr = fmt.Errorf("no notices loaded")
	}
	if d.pins != nil {
		ls := make([]selfcheck.Line, len(d.pins.Lines))
		for i, l := range d.pins.Lines {
			ls[i] = selfcheck.Line{Hook: l.Hook, Ring: l.Ring, Button: l.Button}
		}
		env.Pins = selfcheck.BoardPins(ls, d.pins.Supervisor)
	} else {
		env.PinsErr = fmt.Errorf("the board's pins are not open")
	}
	return env
}
