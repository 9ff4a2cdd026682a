package main

import (
	"errors"
	"fmt"
	"os"
	"time"

	"fairrec/board"
	"fairrec/board/sim"
	"fairrec/drivers/audio"
	"fairrec/drivers/gpio"
	"fairrec/drivers/serial"
	"fairrec/firmware/appliance"
	"fairrec/firmware/auth"
	"fairrec/firmware/callflow"
	"fairrec/firmware/console"
	"fairrec/firmware/datadir"
	"fairrec/storage/audit"
)

func (d *daemon) open() error {
	d.start = d.cfg.Clock.Now()
	if err := d.openBoard(); err != nil {
		return err
	}
	// The board's hardware first: on a machine without it (a PC told
	// --board rpi4-4line) the daemon says which pin or device is missing
	// and leaves no file behind.
	pins, err := gpio.Open(d.board)
	if err != nil {
		return fmt.Errorf("board %s: %w (is this the board's hardware? --board sim runs without any)", d.board.Name, err)
	}
	d.pins = pins
	dev := cmpOr(d.cfg.AudioDevice, d.board.AudioDevice)
	d.audioDev = dev
	st, err := audio.Open(audio.Config{
		Input: dev, Output: dev,
		InputChannels: d.board.InChannels, OutputChannels: d.board.OutChannels,
		Rate: d.board.Rate, Logger: d.log,
	})
	if err != nil {
		return fmt.Errorf("board %s: %w", d.board.Name, err)
	}
	d.audio = st
	if err := d.openVault(); err != nil {
		return err
	}
	wiring := make([]appliance.Wiring, len(d.board.Lines))
	for i, bl := range d.board.Lines {
		// An absent pin is a nil gpio interface, which converts to a nil
		// appliance (and callflow) interface.
		pl := d.pins.Lines[i]
		wiring[i] = appliance.Wiring{In: bl.In, Out: bl.Out, Hook: pl.Hook, Ring: pl.Ring, Button: pl.Button}
	}
	acfg := appliance.Config{
		Rate: st.Rate(), Period: st.Period(), InChannels: d.board.InChannels, OutChannels: d.board.OutChannels,
		Lines: wiring, NewLine: d.newLine, Supervisor: d.pins.Supervisor, ReviewOut: d.board.ReviewOut,
		NewReview: d.newReview, Fault: d.pins.Fault, Clock: d.keeper, Logger: d.log,
		BoxFault: func() string { return d.tampered },
	}
	if d.sim != nil {
		// The sim board's files wait for the firmware; a real board's
		// device does not.
		acfg.Wait, acfg.Before = true, d.simPeriod
	}
	app, err := appliance.New(acfg)
	if err != nil {
		return err
	}
	d.app = app
	return d.openConsole()
}

// newLine makes line n: each line plays the notice set of its purposes'
// line profile (the notice must name the purposes the line records for),
// --notice-profile overriding it for every line; a profile's language (a
// line for foreign customers) wins over the box's.
func (d *daemon) newLine(n int, in appliance.Inputs, delay time.Duration) (appliance.Line, error) {
	noticeSet, lang := d.lineNotice(n)
	d.playing = append(d.playing, [2]string{noticeSet, lang}) // lines are made in order, 1 first
	pl := d.pins.Lines[n-1]
	return callflow.New(callflow.Config{
		Line: n, Rate: d.audio.Rate(),
		Hook: in.Hook, Ring: in.Ring, Button: in.Button,
		LEDRecording: pl.LEDRecording, LEDObjection: pl.LEDObjection,
		Store: d.vault, Clock: d.keeper, Logger: d.log,
		Notices: d.notices, NoticeProfile: noticeSet, Language: lang,
		Policy: d.policy, Audit: &d.sink,
		MinCall: d.cfg.MinCall, DialDelay: d.cfg.DialDelay, VOX: d.cfg.VOX, PlaybackDelay: delay,
	})
}

func (d *daemon) openBoard() error {
	if d.cfg.Board != board.SimName {
		if d.cfg.Scenario != "" {
			return usagef("--scenario is for the sim board only")
		}
		b, err := board.Lookup(d.cfg.Board)
		if err != nil {
			return usageError{err}
		}
		d.board = b
		return nil
	}
	if d.cfg.Scenario == "" {
		return usagef("--board sim needs --scenario FILE")
	}
	sc, err := sim.LoadScenario(d.cfg.Scenario)
	if err != nil {
		return err
	}
	s, err := sim.New(sim.Config{Scenario: sc, Dir: d.cfg.SimDir, Realtime: d.cfg.Realtime, Logger: d.log})
	if err != nil {
		return err
	}
	d.sim = s
	d.board = s.Board()
	return nil
}

func (d *daemon) openVault() error {
	dir := d.cfg.Data
	if dir == "" {
		return usagef("--data is empty")
	}
	if err := checkWritable(dir); err != nil {
		return err
	}
	d.key = datadir.KeyPath(dir, d.cfg.Key)
	if _, err := os.Stat(d.key); errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("no key file %s: recordings are only ever stored encrypted; create the key once with `fairrec keys init --data %s`", d.key, dir)
	}
	pass, err := datadir.Passphrase(d.cfg.PassphraseFile)
	if err != nil {
		return err
	}
	// The same opener as the fairrec tool's: the same purposes, clock
	// state, boot id and keys. The vault's events and the lines' entries
	// wait in d.sink until the audit log is open.
	dd, err := datadir.Open(datadir.Config{Dir: dir, KeyFile: d.cfg.Key, Passphrase: pass, Purposes: d.cfg.Purposes,
		Clock: d.cfg.Clock, Events: &d.sink, NoFreelistSync: true, Logger: d.log})
	if err != nil {
		return err
	}
	d.keeper, d.vault, d.audit, d.policy = dd.Keeper, dd.Vault, dd.Audit, dd.Policy
	if dd.Tampered != nil {
		// Recording goes on in a new segment of the log; the fault LED
		// and the status say entries were lost.
		d.tampered = dd.Tampered.Error()
	}
	// The console's secrets file is signed, and each secret keyed, under
	// a key only the key file opens, as `fairrec passwd` does.
	if d.authKey, err = dd.Secret(auth.KeyLabel); err != nil {
		return fmt.Errorf("console secrets key: %w", err)
	}
	return d.openNotices()
}

// checkWritable creates dir if needed and proves a file can be written in
// it, so that an unwritable data directory is reported at start, not at the
// first call.
func checkWritable(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("data directory %s: %w", dir, unwrapPath(err))
	}
	f, err := os.CreateTemp(dir, ".fairrecd-probe-*")
	if err != nil {
		return fmt.Errorf("data directory %s is not writable: %w", dir, unwrapPath(err))
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

// unwrapPath drops the path of an *fs.PathError, which the message already
// names.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	return err
}

func (d *daemon) openConsole() error {
	name := d.cfg.Console
	if name == "" {
		name = cmpOr(d.board.Console, serial.Stdio)
	}
	if name == ConsoleNone {
		return nil
	}
	p, err := serial.Open(name)
	if err != nil && d.cfg.Console == "" {
		// The board's own console port is a convenience for installers;
		// recording must not depend on it. An explicit --console must work.
		d.log.Warn("console unavailable; running without one", "err", err)
		return nil
	}
	if err != nil {
		return err
	}
	d.port = p
	// The secrets and the lockout are timed on the lower-bound clock: it
	// never goes back and does not count the time the box was off, so
	// neither a clock step nor a power cycle serves a lock.
	store, err := auth.Open(auth.Config{Dir: d.cfg.Data, Key: d.authKey, Clock: d.keeper, Audit: &d.sink, Logger: d.log})
	if err != nil {
		// Recording goes on; the console stays locked and says why.
		d.log.Error("console secrets: the console stays locked", "err", err)
	}
	// Whoever is logged in acts in the audit log, by role.
	actor := func() audit.Actor {
		r, _ := d.con.Role()
		return audit.Actor{Kind: audit.ActorRole, ID: r.String()}
	}
	d.con = console.New(p, console.Config{Interactive: p.Interactive(), System: system{d: d, last: new(lastFault)}, Logger: d.log,
		Commands: append(append(d.requestCommands(actor), reviewCommands(d.review, actor)...), append(d.selftestCommands(), d.levelCommand())...),
		Auth:     store, Clock: d.cfg.Clock, OnSessionEnd: d.sessionEnd})
	if p.Name() == serial.Stdio && p.Interactive() {
		// The terminal is in raw mode and shared with the prompt: log lines
		// go through the console, which prints them above what is typed;
		// only warnings and errors, the rest to the log file.
		d.logw.set(d.con)
		d.quiet()
	}
	return nil
}
