// Command fairrecd is the recorder daemon: it picks a board, opens the audio
// interface, the GPIO pins, the vault and the console, and runs one call state
// machine per phone line until SIGINT or SIGTERM, when it seals the recordings
// in progress and flushes the vault.
//
//	fairrecd --board rpi4-4line                      # on the appliance
//	fairrecd --board sim --scenario demo.toml --realtime
//
// Every problem at start (a missing audio device, an unknown pin, a malformed
// scenario, an unwritable data directory, a missing key file) is one line on
// standard error and exit status 1; a usage mistake exits 2.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
)

func main() {
	os.Exit(runMain(os.Args[1:], os.Stderr))
}

// usageError is a mistake in how the daemon was called; it exits 2.
type usageError struct{ error }

func (e usageError) Unwrap() error { return e.error }

func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

func isUsage(err error) bool {
	var u usageError
	return errors.As(err, &u)
}

// runMain parses args, runs the daemon until a signal, and returns the exit
// status.
func runMain(args []string, stderr io.Writer) int {
	cfg, err := parseArgs(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if errors.Is(err, errVersion) {
		printVersion(os.Stdout)
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "fairrecd: %v\n", err)
		return 2
	}
	cfg.Stderr = stderr
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := Run(ctx, cfg); err != nil {
		fmt.Fprintf(stderr, "fairrecd: %v\n", err)
		if isUsage(err) {
			return 2
		}
		return 1
	}
	return 0
}

func parseArgs(args []string, stderr io.Writer) (Config, error) {
	var cfg Config
	fs := flag.NewFlagSet("fairrecd", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.Board, "board", "", "board profile: rpi4-4line or sim (required)")
	fs.StringVar(&cfg.Data, "data", defaultData(), "data directory (vault, key file)")
	fs.StringVar(&cfg.Key, "key", "", "key file (default DATA/fairrec.key)")
	fs.StringVar(&cfg.PassphraseFile, "passphrase-file", "", "file whose first line unseals a passphrase-sealed key file (or set FAIRREC_PASSPHRASE)")
	fs.StringVar(&cfg.Console, "console", "", "console: stdio, a serial device, or none (default: the board's)")
	fs.StringVar(&cfg.Scenario, "scenario", "", "scenario file (sim board only)")
	fs.BoolVar(&cfg.Realtime, "realtime", false, "pace the sim board to the wall clock")
	fs.BoolVar(&cfg.ExitWhenDone, "exit-when-done", false, "exit when the sim scenario is over (tests)")
	fs.StringVar(&cfg.AudioDevice, "audio-device", "", "audio device name, overriding the board's")
	fs.StringVar(&cfg.LogLevel, "log-level", "info", "debug, info, warn or error")
	fs.StringVar(&cfg.SimDir, "sim-dir", "", "sim board: keep its capture, playback and ALSA files in this directory (default: a temporary one)")
	fs.StringVar(&cfg.Purposes, "purposes", "", "purposes file (default: DATA/purposes.toml if it exists, else the built-in purposes)")
	fs.StringVar(&cfg.Notices, "notices", "", "directory of the installer's notices, PROFILE.LANGUAGE.KIND.mp3 (default: built-in only)")
	fs.StringVar(&cfg.Language, "language", "", "language of the notices (default nl)")
	fs.StringVar(&cfg.NoticeProfile, "notice-profile", "", "notice set of every line (default: each line's purposes profile's notice)")
	fs.DurationVar(&cfg.MinCall, "min-call", 0, "discard recordings shorter than this")
	fs.Float64Var(&cfg.VOX, "vox", 0, "lines without hook sense: a call starts when the line's level reaches this many dBm0, e.g. -40 (default off)")
	fs.DurationVar(&cfg.DialDelay, "dial-delay", 0, "outgoing calls: play the notice this long after the last digit (default 4s)")
	fs.StringVar(&cfg.Syslog, "syslog", "", "forward the audit log to this syslog server, HOST:PORT, over TLS (RFC 5425; port 6514)")
	fs.StringVar(&cfg.SyslogCA, "syslog-ca", "", "CA certificate (PEM) the syslog server's certificate must chain to (default: the system's)")
	fs.BoolVar(&cfg.SyslogPlain, "syslog-plain", false, "forward over plain TCP instead of TLS (anyone on the network can read and alter it)")
	showVersion := fs.Bool("version", false, "print the version, commit and date of this build, then exit")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: fairrecd --board NAME [flags]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if *showVersion {
		return cfg, errVersion
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected argument %q (flags only; see fairrecd -h)", fs.Arg(0))
	}
	if cfg.Board == "" {
		return cfg, errors.New("--board is required (rpi4-4line or sim)")
	}
	if err := checkSyslogFlags(cfg); err != nil {
		return cfg, err
	}
	return cfg, nil
}

// defaultData is ./var when run from a source checkout (a go.mod or .git in
// the working directory: `make run`, a developer's shell) and the appliance's
// /var/lib/fairrec otherwise.
func defaultData() string {
	for _, marker := range []string{"go.mod", ".git"} {
		if _, err := os.Stat(marker); err == nil {
			return "var"
		}
	}
	return filepath.FromSlash("/var/lib/fairrec")
}
