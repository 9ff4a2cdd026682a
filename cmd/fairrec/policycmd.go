package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"fairrec/drivers/systime"
	"fairrec/firmware/clock"
	"fairrec/firmware/policy"
	"fairrec/firmware/trustclock"
	"fairrec/storage/audit"
	"fairrec/storage/vault"
)

// PurposesFile is the purposes file the tool (and the daemon) read from the
// data directory when --purposes is not given; without it the shipped
// defaults apply.
const PurposesFile = "purposes.toml"

// policyClock is the wall clock of the policy commands; tests replace it.
var policyClock clock.Clock = systime.Clock{}

// policyBootID identifies the operating system's boot, so that the tool
// trusts the clock the daemon trusted in the same boot; tests replace it.
var policyBootID = func() string {
	b, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// toolActor is how the tool appears in the audit log.
var toolActor = audit.Actor{Kind: audit.ActorTool, ID: "fairrec"}

// policyFlags are the flags of the commands that apply the purposes.
type policyFlags struct {
	*vaultFlags
	purposes *string
}

func addPolicyFlags(fs *flag.FlagSet) *policyFlags {
	return &policyFlags{
		vaultFlags: addVaultFlags(fs),
		purposes:   fs.String("purposes", "", "purposes file (default DIR/"+PurposesFile+" if it exists, else the shipped defaults)"),
	}
}

// rules loads the purposes in force.
func (f *policyFlags) rules() (*policy.Rules, error) {
	path := *f.purposes
	if path == "" {
		def := filepath.Join(*f.data, PurposesFile)
		if _, err := os.Stat(def); err != nil {
			return policy.Default(), nil
		}
		path = def
	}
	return policy.Load(path)
}

// policySession is an open vault with its engine and, if wanted, the
// audit log.
type policySession struct {
	v   *vault.Vault
	k   *trustclock.Keeper
	e   *policy.Engine
	log *audit.Log // nil when not opened
}

// open opens the vault, the clock keeper and the engine. withAudit opens
// the audit log too: writable (the tool's actions are recorded) unless
// readOnly.
func (f *policyFlags) open(withAudit, readOnly bool) (*policySession, error) {
	rules, err := f.rules()
	if err != nil {
		return nil, err
	}
	vcfg, err := f.config()
	if err != nil {
		return nil, err
	}
	k, err := trustclock.New(trustclock.Config{Clock: policyClock, Path: filepath.Join(*f.data, trustclock.File),
		MaxJump: rules.MaxClockJump, BootID: policyBootID()})
	if err != nil {
		return nil, err
	}
	vcfg.Clock = k
	s := &policySession{k: k}
	// What the vault finds while it opens (a recording a power cut
	// interrupted, an erase a crash cut short) belongs in the audit log
	// whichever program opened it first.
	var events audit.Pending
	vcfg.OnEvent = events.VaultEvent
	if s.v, err = vault.Open(vcfg); err != nil {
		return nil, err
	}
	refKey, err := vault.DeriveSecret(vcfg, policy.RefKeyLabel)
	if err != nil {
		s.close()
		return nil, err
	}
	ecfg := policy.Config{Rules: rules, Store: s.v, Keeper: k, RefKey: refKey, Actor: toolActor}
	if withAudit && readOnly && events.Waiting() > 0 {
		// Opening the vault changed it (it sealed an interrupted
		// recording, finished an erase): even a report then writes the
		// audit entries that say so.
		readOnly = false
	}
	if withAudit {
		acfg := audit.Config{Path: audit.PathIn(*f.data), Clock: k, Trusted: k.Trusted, ReadOnly: readOnly, Timeout: 2 * time.Second}
		// The same signing key as `fairrec audit verify` and the daemon:
		// one derived from the vault's root secret, which survives
		// `fairrec keys rotate`.
		if acfg.Key, err = vault.DeriveSecret(vcfg, audit.KeyLabel); err != nil {
			s.close()
			return nil, err
		}
		if _, err := os.Stat(acfg.Path); err == nil || !readOnly {
			if s.log, err = audit.Open(acfg); err != nil {
				s.close()
				return nil, err
			}
			if !readOnly {
				ecfg.Audit = s.log
				if err := events.Set(s.log); err != nil {
					s.close()
					return nil, err
				}
			}
		}
	}
	if s.e, err = policy.New(ecfg); err != nil {
		s.close()
		return nil, err
	}
	return s, nil
}

// trail returns the audit log as a Trail, or nil when it is not open.
func (s *policySession) trail() policy.Trail {
	if s.log == nil {
		return nil
	}
	return s.log
}

// warnClock tells the operator when the times the command used are only
// a lower bound: the clock jumped since the daemon last saved the time.
func (s *policySession) warnClock(stderr io.Writer) {
	if !s.k.Trusted() {
		fmt.Fprintf(stderr, "warning: clock not trusted (system clock %s, lower bound %s): times are approximate and nothing is erased early; check the clock and run `fairrec clock confirm`\n",
			policyClock.Now().UTC().Format(time.RFC3339), s.k.Now().UTC().Format(time.RFC3339))
	}
}

func (s *policySession) close() error {
	var errs []error
	if s.k != nil {
		errs = append(errs, s.k.Save())
	}
	if s.log != nil {
		errs = append(errs, s.log.Close())
	}
	if s.v != nil {
		errs = append(errs, s.v.Close())
	}
	return errors.Join(errs...)
}

func closeSession(s *policySession, err *error) {
	if e := s.close(); *err == nil {
		*err = e
	}
}

func init() {
	register("clock", "show or confirm the clock the retention timers trust", runClock)
}

const clockUsage = "usage: fairrec clock status|confirm [--data DIR]"

// runClock shows the trusted lower bound of the time, or confirms the
// system clock after a jump (the installer checked it).
func runClock(args []string, _ io.Reader, stdout, stderr io.Writer) (err error) {
	fs := newFlags("clock", stderr)
	pf := addPolicyFlags(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || (pos[0] != "status" && pos[0] != "confirm") {
		return fmt.Errorf("%w: %s", errUsage, clockUsage)
	}
	s, err := pf.open(pos[0] == "confirm", false)
	if err != nil {
		return err
	}
	defer closeSession(s, &err)
	if pos[0] == "confirm" {
		if err := s.e.Confirm(toolActor); err != nil {
			return err
		}
	}
	bound, ok := s.k.Bound()
	state := "trusted"
	if !s.k.Trusted() {
		state = "NOT trusted (retention timers use the lower bound; confirm with `fairrec clock confirm` once the clock is right)"
	}
	if !ok {
		state = "NOT trusted, no lower bound known: nothing is erased until the clock is confirmed"
	}
	fmt.Fprintf(stdout, "system clock: %s\nlower bound:  %s\nclock is %s\n",
		policyClock.Now().UTC().Format(time.RFC3339), bound.UTC().Format(time.RFC3339), state)
	return nil
}
