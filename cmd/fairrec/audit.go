package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"fairrec/storage/audit"
)

func init() {
	register("audit", "verify or export the tamper-evident audit log", runAudit)
}

const auditUsage = `usage:
  fairrec audit verify --data DIR [--key FILE]
  fairrec audit export --data DIR [--since TIME]`

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
// is an error naming the first broken link.
func runAuditVerify(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("audit verify", stderr)
	dir := fs.String("data", "", "the data directory (holds "+audit.FileName+")")
	keyFile := fs.String("key", "", "the key-encryption key file that signs checkpoint and head (default DIR/fairrec.key if it exists)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if *dir == "" || len(pos) > 0 {
		return fmt.Errorf("%w: verify takes --data DIR and no arguments", errUsage)
	}
	if *keyFile == "" {
		if def := filepath.Join(*dir, "fairrec.key"); auditFileExists(def) {
			*keyFile = def
		}
	}
	var key []byte
	if *keyFile != "" {
		kek, err := auditLoadKEK(*keyFile)
		if err != nil {
			return err
		}
		if key, err = audit.DeriveKey(kek); err != nil {
			return err
		}
	}
	l, err := auditOpen(*dir, key)
	if err != nil {
		return err
	}
	defer l.Close()
	rep, err := l.Verify()
	if err != nil {
		return err
	}
	path := audit.PathIn(*dir)
	switch {
	case rep.Entries == 0:
		fmt.Fprintf(stdout, "%s: no entries\n", path)
	default:
		fmt.Fprintf(stdout, "%s: entries %d..%d (%d) chained intact\n", path, rep.First, rep.Last, rep.Entries)
	}
	if cp := rep.Checkpoint; cp != nil {
		fmt.Fprintf(stdout, "checkpoint: entries up to %d pruned (%d in all), last on %s\n",
			cp.Seq, cp.Pruned, cp.Time.Format(time.RFC3339))
	}
	if rep.Signed {
		fmt.Fprintf(stdout, "signatures: checkpoint and head verified with %s\n", *keyFile)
	} else {
		fmt.Fprintln(stdout, "signatures: NOT checked (no --key): removal at the end or a forged checkpoint would go unnoticed")
	}
	return nil
}

// runAuditExport writes the log as JSON lines to stdout.
func runAuditExport(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("audit export", stderr)
	dir := fs.String("data", "", "the data directory (holds "+audit.FileName+")")
	sinceText := fs.String("since", "", "only entries at or after this time (RFC 3339, or a date YYYY-MM-DD in UTC)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if *dir == "" || len(pos) > 0 {
		return fmt.Errorf("%w: export takes --data DIR and no arguments", errUsage)
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
	if !auditFileExists(path) {
		return nil, fmt.Errorf("no audit log at %s", path)
	}
	l, err := audit.Open(audit.Config{Path: path, ReadOnly: true, Key: key, Timeout: 2 * time.Second})
	if errors.Is(err, audit.ErrLocked) {
		return nil, fmt.Errorf("%w (is fairrecd running? stop it, or use the console's audit verify)", err)
	}
	return l, err
}

// auditLoadKEK returns the key-encryption key in the file at path. A plain vault
// key file ("FAIRKEK1", mode 0, 32 key bytes; see storage/vault) yields its
// key; any other file is taken as raw key bytes.
//
// TODO(lead): replace with the vault's exported KEK loader once there is one,
// which also opens passphrase-sealed key files.
func auditLoadKEK(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read key: %w", err)
	}
	const magic = "FAIRKEK1"
	if bytes.HasPrefix(b, []byte(magic)) {
		rest := b[len(magic):]
		switch {
		case len(rest) == 33 && rest[0] == 0:
			return rest[1:], nil
		case len(rest) > 0 && rest[0] == 1:
			return nil, fmt.Errorf("key file %s is sealed with a passphrase, which audit verify cannot open yet", path)
		}
		return nil, fmt.Errorf("key file %s is malformed", path)
	}
	return b, nil
}

func auditFileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
