package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	"fairrec/storage/audit"
	"fairrec/storage/vault"
)

func init() {
	register("audit", "verify or export the tamper-evident audit log", runAudit)
}

const auditUsage = `usage:
  fairrec audit verify [--data DIR] [--key FILE] [--passphrase-file FILE]
  fairrec audit export [--data DIR] [--since TIME]`

func runAudit(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: no subcommand\n%s", errUsage, auditUsage)
	}
	switch args[0] {
	case "verify":
		return runAuditVerify(args[1:], stdout, stderr)
	case "export":
		return runAuditExport(args[1:], stdout, stderr)
	}
	return fmt.Errorf("%w: unknown subcommand %q\n%s", errUsage, args[0], auditUsage)
}

// runAuditVerify walks the chain and prints what it checked; a broken chain
// is an error naming the first broken link. The signing key is the vault
// secret for audit.KeyLabel (vault.DeriveSecret), the one fairrecd uses: it
// survives `fairrec keys rotate`.
func runAuditVerify(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("audit verify", stderr)
	vf := addVaultFlags(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("%w: verify takes no arguments", errUsage)
	}
	key, err := auditKey(vf)
	if err != nil {
		return err
	}
	l, err := auditOpen(*vf.data, key)
	if err != nil {
		return err
	}
	defer l.Close()
	rep, err := l.Verify()
	if err != nil {
		return err
	}
	path := audit.PathIn(*vf.data)
	if rep.Entries == 0 {
		fmt.Fprintf(stdout, "%s: no entries\n", path)
	} else {
		fmt.Fprintf(stdout, "%s: entries %d..%d (%d) chained intact\n", path, rep.First, rep.Last, rep.Entries)
	}
	if cp := rep.Checkpoint; cp != nil {
		fmt.Fprintf(stdout, "checkpoint: entries up to %d pruned (%d in all), last on %s\n",
			cp.Seq, cp.Pruned, cp.Time.Format(time.RFC3339))
	}
	if rep.Signed {
		fmt.Fprintf(stdout, "signatures: checkpoint and head verified with %s\n", vf.keyPath())
	} else {
		fmt.Fprintf(stdout, "signatures: NOT checked (no key file %s): removal at the end or a forged checkpoint would go unnoticed\n", vf.keyPath())
	}
	return nil
}

// auditKey returns the audit signing key, or nil when the default key file
// does not exist (verify then checks the chain only, and says so). A key
// file named with --key must exist.
func auditKey(vf *vaultFlags) ([]byte, error) {
	cfg, err := vf.config()
	if err != nil {
		return nil, err
	}
	if *vf.key == "" {
		if _, err := os.Stat(cfg.KeyFile); errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
	}
	return vault.DeriveSecret(cfg, audit.KeyLabel)
}

// runAuditExport writes the log as JSON lines to stdout.
func runAuditExport(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("audit export", stderr)
	dir := fs.String("data", defaultDataDir, "data directory (holds "+audit.FileName+")")
	sinceText := fs.String("since", "", "only entries at or after this time (RFC 3339, or a date YYYY-MM-DD in UTC)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("%w: export takes no arguments", errUsage)
	}
	var since time.Time
	if *sinceText != "" {
		if since, err = auditParseSince(*sinceText); err != nil {
			return err
		}
	}
	l, err := auditOpen(*dir, nil)
	if err != nil {
		return err
	}
	defer l.Close()
	_, err = l.Export(stdout, since)
	return err
}

func auditParseSince(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%w: --since %q: want RFC 3339 (2026-01-31T12:00:00Z) or a date (2026-01-31)", errUsage, s)
}

func auditOpen(dir string, key []byte) (*audit.Log, error) {
	path := audit.PathIn(dir)
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("no audit log at %s", path)
	}
	l, err := audit.Open(audit.Config{Path: path, ReadOnly: true, Key: key, Timeout: 2 * time.Second})
	if errors.Is(err, audit.ErrLocked) {
		return nil, fmt.Errorf("%w (is fairrecd running? stop it, or use the console's audit verify)", err)
	}
	return l, err
}
