package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"fairrec/board"
	"fairrec/board/sim"
	"fairrec/drivers/disk"
	"fairrec/drivers/gpio"
	"fairrec/firmware/notice"
	"fairrec/firmware/selfcheck"
	"fairrec/storage/audit"
)

func init() {
	register("selftest", "run the appliance's self-test (the console's selftest): one PASS/FAIL/SKIP line per check", runSelftest)
}

// runSelftest runs firmware/selfcheck's checks on the data directory (and,
// with --board, the board's pins) and exits 1 when any fails. What does not
// open is that check's FAIL; every other check still runs.
func runSelftest(args []string, _ io.Reader, stdout, stderr io.Writer) (err error) {
	fs := newFlags("selftest", stderr)
	vf := addVaultFlags(fs)
	notices := fs.String("notices", "", "directory of the installer's notices (default: the built-in ones only)")
	boardName := fs.String("board", "", "also read this board's pins: rpi4-4line or sim (default: no pins)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("%w: unexpected arguments %q", errUsage, pos)
	}
	env := selfcheck.Env{KeyFile: vf.keyPath(), DataDir: *vf.data, Lines: 1, Free: disk.Free, Board: *boardName}

	if *boardName == "" {
		env.PinsErr = selfcheck.Skip("no --board given: no pins read")
	} else {
		pins, lines, closePins, err := selftestPins(*boardName)
		if errors.Is(err, errUsage) {
			return err
		}
		env.Pins, env.PinsErr, env.Lines = pins, err, max(lines, 1)
		defer closePins()
	}

	env.Notices, env.NoticesErr = loadNotices(*notices)

	if v, err := vf.open(); err != nil {
		env.VaultErr = err
	} else {
		env.Vault = v
		// After the audit log below is closed: closing the vault writes
		// what it raised at open to the log.
		defer vf.closeVault(v, &err)
	}

	path := audit.PathIn(*vf.data)
	if _, serr := os.Stat(path); errors.Is(serr, os.ErrNotExist) {
		env.AuditErr = selfcheck.Skip(fmt.Sprintf("no audit log at %s yet (fairrecd writes it)", path))
	} else if key, err := auditKey(vf); err != nil {
		env.AuditErr = err
	} else if anchor, err := auditAnchor(vf, key); err != nil {
		env.AuditErr = err
	} else {
		if anchor != nil {
			defer anchor.Close()
		}
		// Checked against its anchor, as audit verify does.
		if l, err := auditOpen(*vf.data, key, anchor); err != nil {
			env.AuditErr = err
		} else {
			env.Audit = l
			defer l.Close()
		}
	}

	if n := selfcheck.Failed(selfcheck.Run(stdout, selfcheck.Standard(env))); n > 0 {
		return fmt.Errorf("%d of the checks failed", n)
	}
	return nil
}

// loadNotices loads the notices as the daemon does: the installer's
// directory over the built-in ones.
func loadNotices(dir string) (*notice.Library, error) {
	cfg := notice.Config{}
	if dir != "" {
		fi, err := os.Stat(dir)
		if err != nil {
			return nil, err
		}
		if !fi.IsDir() {
			return nil, fmt.Errorf("%s is not a directory", dir)
		}
		cfg.Dir = os.DirFS(dir)
	}
	return notice.Load(cfg)
}

// selftestScenario is the sim board at rest: no calls, only its pins
// (registered in gpioreg by sim.New) for the GPIO check to read.
const selftestScenario = "rate = 8000\nlines = %d\nend = \"0.1s\"\n"

// selftestPins opens the named board's pins as the daemon does, and lists
// its inputs. close releases them (and the sim board's files).
func selftestPins(name string) (pins []selfcheck.Pin, lines int, closeAll func(), err error) {
	closeAll = func() {}
	b, err := board.Lookup(name)
	if err != nil {
		return nil, 0, closeAll, fmt.Errorf("%w: %v", errUsage, err)
	}
	lines = len(b.Lines)
	var s *sim.Sim
	if name == board.SimName {
		sc, err := sim.ParseScenario(fmt.Appendf(nil, selftestScenario, lines), "")
		if err != nil {
			return nil, lines, closeAll, err
		}
		if s, err = sim.New(sim.Config{Scenario: sc}); err != nil {
			return nil, lines, closeAll, err
		}
		b = s.Board()
	}
	p, err := gpio.Open(b)
	if err != nil {
		if s != nil {
			s.Close()
		}
		return nil, lines, closeAll, fmt.Errorf("board %s: %w (is this the board's hardware? --board sim runs without any)", b.Name, err)
	}
	closeAll = func() {
		p.Close()
		if s != nil {
			s.Close()
		}
	}
	ls := make([]selfcheck.Line, len(p.Lines))
	for i, l := range p.Lines {
		ls[i] = selfcheck.Line{Hook: l.Hook, Ring: l.Ring, Button: l.Button}
	}
	return selfcheck.BoardPins(ls, p.Supervisor), lines, closeAll, nil
}
