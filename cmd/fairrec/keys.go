package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"fairrec/storage/vault"
)

func init() {
	register("keys", "create (init) or rotate the key-encryption key", runKeys)
}

const keysUsage = `usage:
  fairrec keys init   [--data DIR] [--key FILE] [--passphrase-file FILE]
  fairrec keys rotate [--data DIR] [--key FILE] [--passphrase-file FILE]

init creates a new random key file (mode 0400), sealed with the passphrase
(argon2id t=3 m=64MiB p=4) if one is given by --passphrase-file or
$FAIRREC_PASSPHRASE. It never overwrites a key file. rotate re-wraps every
recording's key under a new key file, in place; back the new file up.`

func runKeys(args []string, _ io.Reader, stdout, stderr io.Writer) (err error) {
	if len(args) == 0 {
		return fmt.Errorf("%w: no subcommand\n%s", errUsage, keysUsage)
	}
	fs := newFlags("keys "+args[0], stderr)
	vf := addVaultFlags(fs)
	pos, err := parseFlags(fs, args[1:])
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("%w: unexpected arguments %q\n%s", errUsage, pos, keysUsage)
	}
	switch args[0] {
	case "init":
		pass, err := vf.passphrase()
		if err != nil {
			return err
		}
		path := vf.keyPath()
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return err
		}
		if err := vault.InitKey(path, pass); err != nil {
			return err
		}
		sealed := "not sealed (no passphrase)"
		if len(pass) > 0 {
			sealed = "sealed with the passphrase"
		}
		fmt.Fprintf(stdout, "created %s, mode 0400, %s; keep a copy somewhere safe: without it no recording can be read\n", path, sealed)
		return nil
	case "rotate":
		// Opened with the audit log, so that the rotation (and whatever
		// the vault recovers while opening) is on record.
		ps, err := (&policyFlags{vaultFlags: vf, purposes: new(string)}).open(true, false)
		if err != nil {
			return err
		}
		defer closeSession(ps, &err)
		if err = ps.v.Rotate(); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "rotated: every recording key is now wrapped by the new %s; back it up, the old key file no longer opens the vault\n", vf.keyPath())
		return nil
	}
	return fmt.Errorf("%w: unknown subcommand %q\n%s", errUsage, args[0], keysUsage)
}
