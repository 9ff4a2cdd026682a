package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"fairrec/board"
	"fairrec/board/sim"
	"fairrec/drivers/audio"
	"fairrec/drivers/gpio"
	"fairrec/drivers/serial"
	"fairrec/drivers/systime"
	"fairrec/firmware/callflow"
	"fairrec/firmware/clock"
	"fairrec/firmware/console"
	"fairrec/storage/vault"
)

// Config is what Run needs; the flags fill it.
type Config struct {
	Board string // board profile name (board.Lookup)
	Data  string // data directory
	Key   string // key file; "" means Data/fairrec.key
	// PassphraseFile holds the passphrase of a sealed key file on its
	// first line; "" means $FAIRREC_PASSPHRASE, if set.
	PassphraseFile string
	Console        string // "stdio", a serial device, "none"; "" means the board's
	Scenario       string // sim board only
	Realtime       bool   // pace the sim board to the wall clock
	ExitWhenDone   bool   // return when the sim scenario is over
	AudioDevice    string // overrides the board's audio device
	LogLevel       string // slog level name; "" means info
	SimDir         string // where the sim board writes its files; "" a temporary directory
	Stderr         io.Writer
	Clock          clock.Clock // nil means the system clock
}

// ConsoleNone turns the console off.
const ConsoleNone = "none"

// errDone ends the audio loop when the sim scenario is over.
var errDone = errors.New("scenario done")

// Run starts the daemon and runs it until ctx is done (or the sim scenario
// is over, with ExitWhenDone). On the way out it seals every recording in
// progress and flushes the vault. An error at start leaves nothing running.
func Run(ctx context.Context, cfg Config) error {
	if cfg.Stderr == nil {
		cfg.Stderr = os.Stderr
	}
	if cfg.Clock == nil {
		cfg.Clock = systime.Clock{}
	}
	d := &daemon{cfg: cfg, logw: &logWriter{w: cfg.Stderr}}
	var level slog.Level
	if err := level.UnmarshalText([]byte(cmpOr(cfg.LogLevel, "info"))); err != nil {
		return usagef("--log-level %q: want debug, info, warn or error", cfg.LogLevel)
	}
	d.log = slog.New(slog.NewTextHandler(d.logw, &slog.HandlerOptions{Level: level}))
	// Hold the log until everything is open: a failed start then prints
	// only the one line that says why, not the chatter of what did open.
	d.logw.hold()
	err := d.open()
	if err != nil {
		cerr := d.close()
		d.logw.drop()
		return errors.Join(err, cerr)
	}
	d.logw.release()
	err = d.run(ctx)
	return errors.Join(err, d.close())
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// daemon is the wiring of one Run.
type daemon struct {
	cfg      Config
	log      *slog.Logger
	logw     *logWriter
	board    board.Board
	sim      *sim.Sim
	vault    *vault.Vault
	key      string
	pins     *gpio.Pins
	audio    *audio.Stream
	audioDev string
	lines    []*callflow.Line
	port     *serial.Port
	con      *console.Console
	start    time.Time

	samples int64 // frames captured, per channel
	simDone bool
}

func (d *daemon) open() error {
	d.start = d.cfg.Clock.Now()
	if err := d.openBoard(); err != nil {
		return err
	}
	if err := d.openVault(); err != nil {
		return err
	}
	pins, err := gpio.Open(d.board)
	if err != nil {
		return fmt.Errorf("board %s: %w", d.board.Name, err)
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
	for i, bl := range d.board.Lines {
		pl := d.pins.Lines[i]
		l, err := callflow.New(callflow.Config{
			Line: i + 1, Rate: st.Rate(),
			// An absent pin is a nil gpio interface, which converts to a
			// nil callflow interface.
			Hook: pl.Hook, Ring: pl.Ring, Button: pl.Button,
			LEDRecording: pl.LEDRecording,
			Store:        d.vault, Clock: d.cfg.Clock, Logger: d.log,
		})
		if err != nil {
			return fmt.Errorf("line %d (input channel %d): %w", i+1, bl.In, err)
		}
		d.lines = append(d.lines, l)
	}
	return d.openConsole()
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
	d.key = d.cfg.Key
	if d.key == "" {
		d.key = filepath.Join(dir, vault.KeyFile)
	}
	if _, err := os.Stat(d.key); errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("no key file %s: recordings are only ever stored encrypted; create the key once with `fairrec keys init --data %s`", d.key, dir)
	}
	pass, err := passphrase(d.cfg.PassphraseFile)
	if err != nil {
		return err
	}
	v, err := vault.Open(vault.Config{Dir: dir, KeyFile: d.cfg.Key, Passphrase: pass, Clock: d.cfg.Clock, Logger: d.log})
	if err != nil {
		return fmt.Errorf("data directory %s: %w", dir, err)
	}
	d.vault = v
	return nil
}

// passphrase reads the key file's passphrase as `fairrec` does: the first
// line of file, else $FAIRREC_PASSPHRASE, else none.
func passphrase(file string) ([]byte, error) {
	if file == "" {
		if p := os.Getenv("FAIRREC_PASSPHRASE"); p != "" {
			return []byte(p), nil
		}
		return nil, nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("passphrase: %w", err)
	}
	line, _, _ := bytes.Cut(b, []byte("\n"))
	line = bytes.TrimSuffix(line, []byte("\r"))
	if len(line) == 0 {
		return nil, fmt.Errorf("passphrase file %s is empty", file)
	}
	return line, nil
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
	d.con = console.New(p, console.Config{Interactive: p.Interactive(), System: system{d}, Logger: d.log})
	if p.Name() == serial.Stdio && p.Interactive() {
		// The terminal is in raw mode and shared with the prompt: log lines
		// go through the console, which prints them above what is typed.
		d.logw.set(d.con)
	}
	return nil
}

func (d *daemon) run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	vctx, stopVault := context.WithCancel(context.Background())
	vaultDone := make(chan error, 1)
	go func() { vaultDone <- d.vault.Run(vctx) }()

	var conWG sync.WaitGroup
	if d.con != nil {
		conWG.Add(1)
		go func() {
			defer conWG.Done()
			d.runConsole(ctx, cancel)
		}()
	}

	d.log.Info("fairrecd running", "board", d.board.Name, "lines", len(d.lines),
		"rate", d.audio.Rate(), "data", d.cfg.Data, "console", d.consoleName())
	err := d.audio.Run(ctx, d.process)
	if errors.Is(err, errDone) {
		err = nil
	}
	if err != nil {
		err = fmt.Errorf("audio: %w", err)
		d.log.Error("audio loop stopped", "err", err)
	}

	// Seal before the vault stops: Seal commits, and a recording sealed
	// now is a complete one, not one found interrupted at the next start.
	now := d.cfg.Clock.Now()
	var errs []error
	for i, l := range d.lines {
		if e := l.Close(now); e != nil {
			errs = append(errs, fmt.Errorf("line %d: %w", i+1, e))
		}
	}
	stopVault()
	if e := <-vaultDone; e != nil {
		errs = append(errs, e)
	}
	cancel()
	conWG.Wait()
	d.log.Info("fairrecd stopped")
	return errors.Join(append([]error{err}, errs...)...)
}

func (d *daemon) consoleName() string {
	if d.port == nil {
		return ConsoleNone
	}
	return d.port.Name()
}

// runConsole runs the console until ctx ends. Ctrl-C on the daemon's own
// terminal (raw mode: no SIGINT) stops the daemon; on a serial port it only
// starts a fresh prompt.
func (d *daemon) runConsole(ctx context.Context, stop context.CancelFunc) {
	for {
		err := d.con.Run(ctx)
		switch {
		case errors.Is(err, console.ErrInterrupt) && d.port.Name() == serial.Stdio:
			// The prompt is gone; until the terminal leaves raw mode, log
			// lines need their own carriage returns.
			d.logw.set(crlf{d.cfg.Stderr})
			d.log.Info("interrupted at the console; shutting down")
			stop()
			return
		case errors.Is(err, console.ErrInterrupt):
			continue
		case err != nil:
			d.log.Warn("console stopped", "err", err)
		case ctx.Err() == nil:
			d.log.Info("console input ended; running on without a console")
		}
		return
	}
}

// process handles one audio period. On the sim board the pins are first
// brought up to the end of the period just read, so that each line sees a
// scripted change in the period that contains it.
func (d *daemon) process(in, out [][]int16) error {
	d.samples += int64(len(in[0]))
	if d.sim != nil {
		d.sim.Advance(d.samples)
	}
	for i, l := range d.lines {
		bl := d.board.Lines[i]
		l.Capture(in[bl.In])
		l.Playback(out[bl.Out])
	}
	if d.sim == nil {
		return nil
	}
	if !d.simDone && d.sim.Done(d.samples) {
		d.simDone = true
		if d.cfg.ExitWhenDone {
			d.log.Info("scenario done; exiting")
			return errDone
		}
		d.log.Info("scenario done; the console stays up (Ctrl-C or SIGTERM to stop)")
	}
	if d.simDone && !d.cfg.Realtime {
		// The file-backed device would otherwise spin a core replaying
		// silence; idle at the pace of real audio.
		time.Sleep(time.Duration(len(in[0])) * time.Second / time.Duration(d.audio.Rate()))
	}
	return nil
}

// close releases everything open, in reverse order; safe after a partial
// open.
func (d *daemon) close() error {
	var errs []error
	d.logw.set(nil) // back to stderr before the terminal leaves raw mode
	if d.port != nil {
		errs = append(errs, d.port.Close())
	}
	if d.audio != nil {
		errs = append(errs, d.audio.Close())
	}
	if d.vault != nil {
		errs = append(errs, d.vault.Close())
	}
	if d.pins != nil {
		errs = append(errs, d.pins.Close())
	}
	if d.sim != nil {
		errs = append(errs, d.sim.Close())
	}
	return errors.Join(errs...)
}

// logWriter is the log's destination: stderr, or the console when the
// console owns the terminal. While held, it buffers.
type logWriter struct {
	mu   sync.Mutex
	w    io.Writer // stderr
	to   io.Writer // the console, when set
	held *strings.Builder
}

func (l *logWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case l.held != nil:
		return l.held.Write(p)
	case l.to != nil:
		return l.to.Write(p)
	}
	return l.w.Write(p)
}

func (l *logWriter) set(to io.Writer) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.to = to
}

func (l *logWriter) hold() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.held = &strings.Builder{}
}

func (l *logWriter) drop() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.held = nil
}

func (l *logWriter) release() {
	l.mu.Lock()
	held := l.held
	l.held = nil
	l.mu.Unlock()
	if held != nil {
		_, _ = l.Write([]byte(held.String()))
	}
}

// crlf writes to a terminal in raw mode, where a line feed does not return
// the carriage.
type crlf struct{ w io.Writer }

func (c crlf) Write(p []byte) (int, error) {
	if _, err := c.w.Write(bytes.ReplaceAll(p, []byte("\n"), []byte("\r\n"))); err != nil {
		return 0, err
	}
	return len(p), nil
}
