package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"fairrec/firmware/notice"
	"fairrec/firmware/policy"
	"fairrec/firmware/trustclock"
	"fairrec/storage/audit"
	"fairrec/storage/vault"
)

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
	k, err := trustclock.New(trustclock.Config{Clock: d.cfg.Clock, Path: filepath.Join(d.cfg.Data, trustclock.File),
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
	if err := d.sink.Set(lg); err != nil {
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
	d.recordConfig()
	return nil
}

// recordConfig writes the configuration in force at start to the audit
// log: which purposes (with their retention) and which notices. A regulator
// asking which rules applied to a recording finds them in the last entry of
// this kind before it; a change shows between two starts.
func (d *daemon) recordConfig() {
	var ps []string
	for _, p := range d.rules.Purposes {
		ps = append(ps, p.Name+" "+p.Rule())
	}
	notices := "built-in"
	if d.cfg.Notices != "" {
		notices = "built-in and " + filepath.Base(d.cfg.Notices)
	}
	err := d.sink.Record(audit.Entry{Actor: audit.Actor{Kind: audit.ActorDevice, ID: "fairrecd"}, Action: audit.ActionConfigChange,
		Detail: audit.Redact(fmt.Sprintf("in force at start: purposes from %s: %s; notices %s",
			filepath.Base(d.rules.Source), strings.Join(ps, ", "), notices))})
	if err != nil {
		d.log.Error("audit: configuration", "err", err)
	}
}

// purposesFile is the installer's purposes file in the data directory
// (the fairrec tool's PurposesFile).
const purposesFile = "purposes.toml"

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
