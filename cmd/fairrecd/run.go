package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"fairrec/board"
	"fairrec/board/sim"
	"fairrec/drivers/audio"
	"fairrec/drivers/gpio"
	"fairrec/drivers/serial"
	"fairrec/drivers/systime"
	"fairrec/firmware/appliance"
	"fairrec/firmware/clock"
	"fairrec/firmware/console"
	"fairrec/firmware/notice"
	"fairrec/firmware/policy"
	"fairrec/firmware/review"
	"fairrec/firmware/trustclock"
	"fairrec/storage/audit"
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

	Purposes      string        // purposes file; "" means policy's defaults
	Notices       string        // directory of the installer's notices; "" means the built-in ones only
	Language      string        // notice language; "" means nl
	NoticeProfile string        // notice profile of every line; "" means default
	MinCall       time.Duration // calls with less recorded audio are discarded
	DialDelay     time.Duration // outgoing: the notice plays this long after the last digit
	VOX           float64       // dBm0; lines without hook sense start calls on this level (0: off)

	Syslog      string // HOST:PORT of a syslog server the audit log is forwarded to; "" none
	SyslogCA    string // CA certificate (PEM) the server's TLS certificate must chain to; "" the system's
	SyslogPlain bool   // forward over plain TCP instead of TLS
}

// memoryLimit is the Go runtime's soft memory limit unless GOMEMLIMIT says
// otherwise.
const memoryLimit = 24 << 20

// ConsoleNone turns the console off.
const ConsoleNone = "none"

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
	// A JACK client library behind PortAudio would otherwise try to start
	// a JACK server and print about it; the appliance never uses JACK.
	os.Setenv("JACK_NO_START_SERVER", "1")
	if os.Getenv("GOMEMLIMIT") == "" {
		// An appliance with little RAM: collect harder before the heap
		// grows past this rather than double it (GOGC's default). The
		// live heap of 8 recording lines is a few MB; decoding notices at
		// start makes garbage that would otherwise set the peak.
		debug.SetMemoryLimit(memoryLimit)
	}
	d := &daemon{cfg: cfg, logw: &logWriter{w: cfg.Stderr}, logs: &logs{}}
	var level slog.Level
	if err := level.UnmarshalText([]byte(cmpOr(cfg.LogLevel, "info"))); err != nil {
		return usagef("--log-level %q: want debug, info, warn or error", cfg.LogLevel)
	}
	d.log = newLogger(d.logs, d.logw, level)
	// Hold the log until everything is open: a failed start then prints
	// only the one line that says why, not the chatter of what did open.
	d.logs.hold()
	err := d.open()
	if err == nil {
		err = d.openSyslog()
	}
	if err != nil {
		cerr := d.close()
		d.logs.drop()
		return errors.Join(err, cerr)
	}
	d.logs.release()
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
	logs     *logs // where the log's records go: the terminal, the log file
	board    board.Board
	sim      *sim.Sim
	vault    *vault.Vault
	key      string
	pins     *gpio.Pins
	audio    *audio.Stream
	app      *appliance.Appliance // the lines, the review player, the pump
	audioDev string
	keeper   *trustclock.Keeper
	audit    *audit.Log
	sink     audit.Pending    // vault events and entries until the audit log is open
	forward  *audit.Forwarder // nil without --syslog
	tampered string           // why the audit log was found tampered with at start ("" if not): the fault LED
	policy   *policy.Engine
	notices  *notice.Library
	review   *review.Player // nil without a review output
	// playing is the notice set and language each line was made with
	// (line n at n-1): a line keeps them until the daemon restarts, also
	// when a config import names others.
	playing [][2]string
	port    *serial.Port
	con     *console.Console
	authKey []byte // keys the console's secrets file (vault-derived)
	start   time.Time

	simDone bool // the sim scenario is over
}

func (d *daemon) run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	vctx, stopVault := context.WithCancel(context.Background())
	vaultDone := make(chan error, 1)
	go func() { vaultDone <- d.vault.Run(vctx) }()
	stopSyslog := d.startSyslog()
	var bg sync.WaitGroup
	bg.Add(2)
	var sweeping atomic.Bool // for the watchdog (notify.go)
	sweeping.Store(true)
	go func() {
		defer bg.Done()
		defer sweeping.Store(false)
		if err := d.policy.Run(vctx); err != nil && vctx.Err() == nil {
			d.log.Error("retention sweeper stopped", "err", err)
		}
	}()
	go func() {
		defer bg.Done()
		if err := d.audit.Run(vctx); err != nil && vctx.Err() == nil {
			d.log.Error("audit log pruning stopped", "err", err)
		}
	}()

	var conWG sync.WaitGroup
	if d.con != nil {
		conWG.Add(1)
		go func() {
			defer conWG.Done()
			d.runConsole(ctx, cancel)
		}()
	}

	d.log.Info("fairrecd running", "board", d.board.Name, "lines", len(d.app.Lines()),
		"rate", d.audio.Rate(), "data", d.cfg.Data, "console", d.consoleName())
	stopWatchdog := d.startWatchdog(ctx, sweeping.Load)
	// Run seals every recording in progress before it returns: before the
	// vault stops, so that each is a complete one, not one found
	// interrupted at the next start.
	err := d.app.Run(ctx, d.audio.Run)
	stopWatchdog()
	if h := d.app.Health(); h.Late+h.Dropped > 0 {
		d.log.Warn("the firmware fell behind the sound interface",
			"playback periods not heard", h.Late, "capture periods lost", h.Dropped, "losses the lines were not told of", h.Untold)
	}
	if err != nil {
		err = fmt.Errorf("audio: %w", err)
		d.log.Error("audio loop stopped", "err", err)
	}
	var errs []error
	stopVault()
	bg.Wait()
	if e := <-vaultDone; e != nil {
		errs = append(errs, e)
	}
	stopSyslog() // after the vault: its last events are forwarded too
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
			d.loud()
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

// simPeriod runs before each period reaches the lines on the sim board:
// the pins are brought up to the end of the period just read, so that each
// line sees a scripted change in the period that contains it.
func (d *daemon) simPeriod(captured int64) (stop bool) {
	d.sim.Advance(captured)
	if !d.simDone && d.sim.Done(captured) {
		d.simDone = true
		if d.cfg.ExitWhenDone {
			d.log.Info("scenario done; exiting")
			return true
		}
		d.log.Info("scenario done; the console stays up (Ctrl-C or SIGTERM to stop)")
	}
	if d.simDone && !d.cfg.Realtime {
		// The file-backed device would otherwise spin a core replaying
		// silence; idle at the pace of real audio.
		time.Sleep(time.Duration(d.audio.Period()) * time.Second / time.Duration(d.audio.Rate()))
	}
	return false
}

// close releases everything open, in reverse order; safe after a partial
// open.
func (d *daemon) close() error {
	var errs []error
	d.logw.set(nil) // back to stderr before the terminal leaves raw mode
	// The log file keeps the chatter of shutting down too; only what
	// comes after (Run's own error, if any) reaches the terminal.
	defer d.loud()
	if d.port != nil {
		errs = append(errs, d.port.Close())
	}
	if d.audio != nil {
		errs = append(errs, d.audio.Close())
	}
	if d.vault != nil {
		errs = append(errs, d.vault.Close())
	}
	if d.audit != nil {
		// Entries a failed write left waiting get a last try.
		if err := d.sink.Flush(); err != nil {
			errs = append(errs, fmt.Errorf("audit entries still waiting at shutdown: %w", err))
		}
		errs = append(errs, d.audit.Close())
	}
	if d.keeper != nil {
		errs = append(errs, d.keeper.Save())
	}
	if d.pins != nil {
		errs = append(errs, d.pins.Close())
	}
	if d.sim != nil {
		errs = append(errs, d.sim.Close())
	}
	return errors.Join(errs...)
}
