package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"fairrec/firmware/notice"
	"fairrec/firmware/policy"
	"fairrec/storage/audit"
	"fairrec/storage/vault"
)

// auditSink feeds the audit log with the vault's events. The vault raises
// events while it opens (a recording interrupted by a power cut), before
// the audit log can be opened (its key derives from the vault's key slots),
// so events wait here until the log is set.
type auditSink struct {
	mu      sync.Mutex
	log     *audit.Log
	pending []audit.Entry
	onErr   func(error)
}

// vaultActions maps the vault's events to audit actions; events not listed
// (erased: the policy records why; commit-failed: logged) are not audited
// here.
var vaultActions = map[vault.EventKind]audit.Action{
	vault.EventTampered:      audit.ActionTamperDetected,
	vault.EventInconsistent:  audit.ActionTamperDetected,
	vault.EventInterrupted:   audit.ActionInterruptedAtBoot,
	vault.EventEraseFinished: audit.ActionInterruptedAtBoot,
	vault.EventOrphanKey:     audit.ActionInterruptedAtBoot,
	vault.EventRotated:       audit.ActionKeyRotation,
}

func (s *auditSink) vaultEvent(ev vault.Event) {
	a, ok := vaultActions[ev.Kind]
	if !ok {
		return
	}
	s.Record(audit.Entry{Actor: audit.Actor{Kind: audit.ActorDevice, ID: "vault"}, Action: a,
		Recording: uint64(ev.ID), Detail: audit.Redact("vault " + string(ev.Kind) + ": " + ev.Detail)})
}

// Record writes e, or keeps it until the log is open.
func (s *auditSink) Record(e audit.Entry) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.log == nil {
		s.pending = append(s.pending, e)
		return nil
	}
	err := s.log.Record(e)
	if err != nil && s.onErr != nil {
		s.onErr(err)
	}
	return err
}

// set opens the sink to log and writes what waited.
func (s *auditSink) set(log *audit.Log) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log = log
	var errs []error
	for _, e := range s.pending {
		errs = append(errs, log.Record(e))
	}
	s.pending = nil
	return errors.Join(errs...)
}

// openPolicy opens the clock keeper, the audit log and the policy engine,
// and loads the notices. The vault is opened in between (openVault), with
// the keeper as its clock.
func (d *daemon) openKeeper() error {
	rules := policy.Default()
	path := d.cfg.Purposes
	if path == "" {
		// The installer's purposes live in the data directory, where the
		// fairrec tool reads them too: both must apply the same rules.
		if def := filepath.Join(d.cfg.Data, purposesFile); fileExists(def) {
			path = def
		}
	}
	if path != "" {
		r, err := policy.Load(path)
		if err != nil {
			return err
		}
		rules = r
	}
	d.rules = rules
	k, err := policy.NewKeeper(policy.KeeperConfig{Clock: d.cfg.Clock, Path: filepath.Join(d.cfg.Data, policy.ClockFile),
		MaxJump: rules.MaxClockJump, BootID: bootID(), Logger: d.log})
	if err != nil {
		return fmt.Errorf("clock: %w", err)
	}
	d.keeper = k
	return nil
}

func bootID() string {
	b, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		return ""
	}
	return string(b)
}

func (d *daemon) openPolicy(vcfg vault.Config) error {
	key, err := vault.DeriveSecret(vcfg, audit.KeyLabel)
	if err != nil {
		return fmt.Errorf("audit log key: %w", err)
	}
	lg, err := audit.Open(audit.Config{Path: audit.PathIn(d.cfg.Data), Clock: d.keeper, Trusted: d.keeper.Trusted,
		Key: key, Timeout: 2 * time.Second, NoFreelistSync: true, Logger: d.log})
	if err != nil {
		return fmt.Errorf("audit log: %w", err)
	}
	d.audit = lg
	if err := d.sink.set(lg); err != nil {
		d.log.Error("audit: vault events at open", "err", err)
	}
	refKey, err := vault.DeriveSecret(vcfg, policy.RefKeyLabel)
	if err != nil {
		return fmt.Errorf("policy key: %w", err)
	}
	e, err := policy.New(policy.Config{Rules: d.rules, Store: d.vault, Keeper: d.keeper, Audit: &d.sink, RefKey: refKey, Logger: d.log})
	if err != nil {
		return err
	}
	d.policy = e
	ncfg := notice.Config{Logger: d.log}
	if d.cfg.Notices != "" {
		if _, err := os.Stat(d.cfg.Notices); err != nil {
			return fmt.Errorf("notices: %w", err)
		}
		ncfg.Dir = os.DirFS(d.cfg.Notices)
	}
	lib, err := notice.Load(ncfg)
	if err != nil {
		// The lines whose notice failed refuse to record and say why;
		// the others record.
		d.log.Error("notices", "err", err)
	}
	d.notices = lib
	return nil
}

// purposesFile is the installer's purposes file in the data directory
// (the fairrec tool's PurposesFile).
const purposesFile = "purposes.toml"

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
