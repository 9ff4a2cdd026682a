package datadir

import (
	"errors"
	"fairrec/firmware/phone"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"fairrec/firmware/clock"
	"fairrec/firmware/policy"
	"fairrec/firmware/trustclock"
	"fairrec/storage/audit"
	"fairrec/storage/vault"
	"fairrec/storage/vaultevent"
)

// AuditMode says how Open opens the audit log.
type AuditMode int

const (
	// AuditWrite opens (or creates) the audit log for writing; the
	// engine's entries go to it. The zero value.
	AuditWrite AuditMode = iota
	// AuditRead opens an existing audit log read-only (a report); the
	// engine writes nothing. When opening the vault changed it (it sealed
	// an interrupted recording, finished an erase), the log is opened for
	// writing after all, so that the entries saying so are not lost.
	AuditRead
	// AuditNone opens no audit log (the engine writes nothing), unless
	// opening the vault changed it: then as AuditWrite.
	AuditNone
)

// Config says which data directory to open, and how.
type Config struct {
	Dir        string      // required: the data directory
	KeyFile    string      // "" means vault.KeyFile in Dir
	Passphrase []byte      // the key file's passphrase, if it has one
	Purposes   string      // "" means PurposesFile in Dir if it exists, else the shipped defaults
	Clock      clock.Clock // required: the wall clock
	// BootIDFile is read by BootID ("" means BootIDFile, Linux's).
	BootIDFile string
	Audit      AuditMode
	// Events receives what the vault raises while it opens and the
	// engine's entries, and is Set to the audit log once that is open
	// (the daemon's lines record through it too). Nil: Open keeps its
	// own, and the engine records to the log directly.
	Events *audit.Pending
	// Actor is how the engine appears in the audit log when it acts on
	// its own (the zero value: the device).
	Actor audit.Actor
	// NoFreelistSync is passed to the audit log (a long-running daemon).
	NoFreelistSync bool
	Logger         *slog.Logger
}

// Numbers is the numbering of the box's country (the purposes file's
// country): every program that opens the vault must give it the same, or
// the caller index is rebuilt under the other at each open.
func Numbers(rules *policy.Rules) (*phone.Plan, error) {
	p, err := phone.New(phone.Config{Country: rules.Country})
	if err != nil {
		return nil, fmt.Errorf("datadir: %w", err)
	}
	return p, nil
}

// Dir is an open data directory.
type Dir struct {
	Rules  *policy.Rules
	Keeper *trustclock.Keeper
	Vault  *vault.Vault
	Audit  *audit.Log // nil when opened with AuditRead and there is none
	Policy *policy.Engine
	// Tampered is set (wrapping audit.ErrTampered) when a writable Open
	// found the audit log deleted, replaced, rolled back or trimmed
	// against its anchor and continued it in a new segment: light the
	// fault.
	Tampered error

	vcfg vault.Config
}

// OpenKeeper reads the purposes (for their max_clock_jump) and starts the
// clock keeper on the data directory's state file, as Open does.
func OpenKeeper(cfg Config) (*trustclock.Keeper, *policy.Rules, error) {
	if cfg.Dir == "" {
		return nil, nil, errors.New("datadir: open: no data directory")
	}
	rules, err := Rules(cfg.Dir, cfg.Purposes)
	if err != nil {
		return nil, nil, err
	}
	// clock.json is signed under a key only the key file opens; derived
	// when first needed (a new vault has no key slots before it opens).
	vcfg := vault.Config{Dir: cfg.Dir, KeyFile: KeyPath(cfg.Dir, cfg.KeyFile), Passphrase: cfg.Passphrase}
	k, err := trustclock.New(trustclock.Config{Clock: cfg.Clock, Path: filepath.Join(cfg.Dir, trustclock.File),
		MaxJump: rules.MaxClockJump, BootID: BootID(cfg.BootIDFile), Logger: cfg.Logger,
		Key: func() ([]byte, error) { return vault.DeriveSecret(vcfg, trustclock.KeyLabel) }})
	if err != nil {
		return nil, nil, fmt.Errorf("clock: %w", err)
	}
	return k, rules, nil
}

// Open opens the data directory: the purposes, the clock keeper, the
// vault (on the keeper's bound), the audit log and the policy engine.
// On error, what was opened is closed again.
func Open(cfg Config) (d *Dir, err error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	d = &Dir{}
	if d.Keeper, d.Rules, err = OpenKeeper(cfg); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, d.Close())
			d = nil
		}
	}()
	events := cfg.Events
	if events == nil {
		events = new(audit.Pending)
	}
	numbers, err := Numbers(d.Rules)
	if err != nil {
		return d, err
	}
	d.vcfg = vault.Config{Dir: cfg.Dir, KeyFile: KeyPath(cfg.Dir, cfg.KeyFile), Passphrase: cfg.Passphrase,
		Clock: d.Keeper, Logger: cfg.Logger, OnEvent: vaultevent.Into(events), Numbers: numbers}
	if d.Vault, err = vault.Open(d.vcfg); err != nil {
		return d, fmt.Errorf("data directory %s: %w", cfg.Dir, err)
	}
	ecfg := policy.Config{Rules: d.Rules, Store: d.Vault, Keeper: d.Keeper, Actor: cfg.Actor, Logger: cfg.Logger}
	if ecfg.RefKey, err = d.Secret(policy.RefKeyLabel); err != nil {
		return d, fmt.Errorf("policy key: %w", err)
	}
	mode := cfg.Audit
	// Entries the vault owes (a creation or an erase a crash cut off
	// from its entry) are written whatever the command.
	owed, err := d.Vault.Owed()
	if err != nil {
		return d, fmt.Errorf("data directory %s: %w", cfg.Dir, err)
	}
	if events.Waiting() > 0 || owed > 0 {
		mode = AuditWrite
	}
	if mode == AuditNone {
		return d, d.startPolicy(ecfg)
	}
	readOnly := mode == AuditRead
	acfg := audit.Config{Path: audit.PathIn(cfg.Dir), Clock: d.Keeper, Trusted: d.Keeper.Trusted, ReadOnly: readOnly,
		Timeout: 2 * time.Second, NoFreelistSync: cfg.NoFreelistSync}
	// The same signing key as `fairrec audit verify`: one derived from the
	// vault's root secret, which survives `fairrec keys rotate`.
	if acfg.Key, err = d.Secret(audit.KeyLabel); err != nil {
		return d, fmt.Errorf("audit log key: %w", err)
	}
	// The log's seq and head hash kept in the key-slot file, where a
	// deleted or older audit.db cannot take them along.
	if acfg.Anchor, err = d.Vault.Anchor(); err != nil {
		return d, fmt.Errorf("audit log anchor: %w", err)
	}
	if _, serr := os.Stat(acfg.Path); serr == nil || !readOnly {
		if d.Audit, err = audit.Open(acfg); errors.Is(err, audit.ErrTampered) && d.Audit != nil {
			d.Tampered = fmt.Errorf("audit log: %w", err)
			cfg.Logger.Error("audit log tampered with: continued in a new segment", "err", err)
		} else if err != nil {
			return d, fmt.Errorf("audit log: %w", err)
		}
	}
	if !readOnly {
		if err := events.Set(d.Audit); err != nil {
			if cfg.Events == nil {
				return d, fmt.Errorf("audit: vault events at open: %w", err)
			}
			// A daemon goes on recording; the log says what was lost.
			cfg.Logger.Error("audit: vault events at open", "err", err)
		}
		// Every creation and erase writes its entry through the log
		// itself, from the vault's outbox (storage/vaultevent.Journal).
		if err := d.Vault.SetJournal(vaultevent.Journal(d.Audit)); err != nil {
			if cfg.Events == nil {
				return d, fmt.Errorf("audit: entries the vault owes: %w", err)
			}
			cfg.Logger.Error("audit: entries the vault owes; retried at the next change", "err", err)
		}
		ecfg.Audit = d.Audit
		if cfg.Events != nil {
			ecfg.Audit = cfg.Events
		}
	}
	return d, d.startPolicy(ecfg)
}

func (d *Dir) startPolicy(cfg policy.Config) (err error) {
	d.Policy, err = policy.New(cfg)
	return err
}

// Secret derives a secret from the vault's root secret under label (the
// audit log's key, the console's secrets key): see vault.DeriveSecret.
func (d *Dir) Secret(label string) ([]byte, error) {
	return vault.DeriveSecret(d.vcfg, label)
}

// Close saves the keeper's bound and closes the audit log and the vault.
func (d *Dir) Close() error {
	var errs []error
	if d.Keeper != nil {
		errs = append(errs, d.Keeper.Save())
	}
	if d.Audit != nil {
		errs = append(errs, d.Audit.Close())
	}
	if d.Vault != nil {
		errs = append(errs, d.Vault.Close())
	}
	return errors.Join(errs...)
}
