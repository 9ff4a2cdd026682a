package main

import (
	"errors"
	"flag"
	"time"

	"fairrec/drivers/systime"
	"fairrec/firmware/datadir"
	"fairrec/storage/audit"
	"fairrec/storage/vault"
	"fairrec/storage/vaultevent"
)

// defaultDataDir is where the appliance keeps its data.
const defaultDataDir = "/var/lib/fairrec"

// vaultFlags are the flags every vault command takes.
//
//	--data DIR             data directory (default /var/lib/fairrec)
//	--key FILE             key file (default DIR/fairrec.key)
//	--passphrase-file FILE read the key file's passphrase from FILE (first
//	                       line); else from $FAIRREC_PASSPHRASE if set
type vaultFlags struct {
	data, key, passFile *string
	// events keeps what the vault raises (recovery at open, tampering
	// found) until closeVault writes it to the audit log.
	events audit.Pending
}

func addVaultFlags(fs *flag.FlagSet) *vaultFlags {
	return &vaultFlags{
		data:     fs.String("data", defaultDataDir, "data directory (holds vault.db and keys.slots)"),
		key:      fs.String("key", "", "key-encryption key file (default DIR/fairrec.key)"),
		passFile: fs.String("passphrase-file", "", "file whose first line is the key file's passphrase (default: $FAIRREC_PASSPHRASE)"),
	}
}

func (f *vaultFlags) keyPath() string { return datadir.KeyPath(*f.data, *f.key) }

func (f *vaultFlags) passphrase() ([]byte, error) { return datadir.Passphrase(*f.passFile) }

func (f *vaultFlags) config() (vault.Config, error) {
	pass, err := f.passphrase()
	if err != nil {
		return vault.Config{}, err
	}
	// The same numbering as the daemon's (the purposes file's country), or
	// the vault would rebuild its caller index under another.
	rules, err := datadir.Rules(*f.data, "")
	if err != nil {
		return vault.Config{}, err
	}
	numbers, err := datadir.Numbers(rules)
	if err != nil {
		return vault.Config{}, err
	}
	return vault.Config{Dir: *f.data, KeyFile: f.keyPath(), Passphrase: pass, Clock: systime.Clock{}, Numbers: numbers}, nil
}

// dirConfig is the data directory as datadir.Open (and the daemon) opens
// it, on the policy commands' clock and boot id.
func (f *vaultFlags) dirConfig() (datadir.Config, error) {
	pass, err := f.passphrase()
	if err != nil {
		return datadir.Config{}, err
	}
	return datadir.Config{Dir: *f.data, KeyFile: f.keyPath(), Passphrase: pass, Clock: policyClock, BootIDFile: policyBootIDFile}, nil
}

func (f *vaultFlags) open() (*vault.Vault, error) {
	cfg, err := f.config()
	if err != nil {
		return nil, err
	}
	cfg.OnEvent = vaultevent.Into(&f.events)
	v, err := vault.Open(cfg)
	return v, inUse(*f.data, err)
}

// closeVault closes v, keeping the first error, and writes what the vault
// raised meanwhile to the audit log: a `fairrec list` that happened to be
// the first to open the vault after a power cut sealed the interrupted
// recording, and the log must say so.
func (f *vaultFlags) closeVault(v *vault.Vault, err *error) {
	errs := []error{v.Close()}
	if f.events.Waiting() > 0 {
		errs = append(errs, f.flushEvents())
	}
	if e := errors.Join(errs...); *err == nil {
		*err = e
	}
}

func (f *vaultFlags) flushEvents() error {
	cfg, err := f.config()
	if err != nil {
		return err
	}
	key, err := vault.DeriveSecret(cfg, audit.KeyLabel)
	if err != nil {
		return err
	}
	// Times are stamped by the retention clock's lower bound and flagged
	// approximate when it is not trusted, as every other entry is.
	dcfg, err := f.dirConfig()
	if err != nil {
		return err
	}
	k, _, err := datadir.OpenKeeper(dcfg)
	if err != nil {
		return err
	}
	log, err := audit.Open(audit.Config{Path: audit.PathIn(*f.data), Clock: k, Trusted: k.Trusted, Key: key, Timeout: 2 * time.Second})
	if err != nil {
		return inUse(*f.data, err)
	}
	return errors.Join(f.events.Set(log), log.Close())
}
