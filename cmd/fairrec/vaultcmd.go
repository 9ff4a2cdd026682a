package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"fairrec/drivers/systime"
	"fairrec/firmware/trustclock"
	"fairrec/storage/audit"
	"fairrec/storage/vault"
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

func (f *vaultFlags) keyPath() string {
	if *f.key != "" {
		return *f.key
	}
	return filepath.Join(*f.data, vault.KeyFile)
}

func (f *vaultFlags) passphrase() ([]byte, error) {
	if *f.passFile != "" {
		b, err := os.ReadFile(*f.passFile)
		if err != nil {
			return nil, fmt.Errorf("read passphrase: %w", err)
		}
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			b = b[:i]
		}
		b = bytes.TrimSuffix(b, []byte("\r"))
		if len(b) == 0 {
			return nil, fmt.Errorf("passphrase file %s is empty", *f.passFile)
		}
		return b, nil
	}
	if p := os.Getenv("FAIRREC_PASSPHRASE"); p != "" {
		return []byte(p), nil
	}
	return nil, nil
}

func (f *vaultFlags) config() (vault.Config, error) {
	pass, err := f.passphrase()
	if err != nil {
		return vault.Config{}, err
	}
	return vault.Config{Dir: *f.data, KeyFile: f.keyPath(), Passphrase: pass, Clock: systime.Clock{}}, nil
}

func (f *vaultFlags) open() (*vault.Vault, error) {
	cfg, err := f.config()
	if err != nil {
		return nil, err
	}
	cfg.OnEvent = f.events.VaultEvent
	return vault.Open(cfg)
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
	k, err := trustclock.New(trustclock.Config{Clock: policyClock, Path: filepath.Join(*f.data, trustclock.File), BootID: policyBootID()})
	if err != nil {
		return err
	}
	log, err := audit.Open(audit.Config{Path: audit.PathIn(*f.data), Clock: k, Trusted: k.Trusted, Key: key, Timeout: 2 * time.Second})
	if err != nil {
		return err
	}
	return errors.Join(f.events.Set(log), log.Close())
}
