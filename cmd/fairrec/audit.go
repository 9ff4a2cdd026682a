package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"fairrec/storage/audit"
	"fairrec/storage/vault"
)

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
	l, err := auditOpen(*dir, nil, nil)
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

// auditAnchor reads the audit log's anchor from the key-slot file, without
// the vault's lock; nil when there is no key file to check it with.
func auditAnchor(vf *vaultFlags, key []byte) (*vault.Anchor, error) {
	if key == nil {
		return nil, nil
	}
	cfg, err := vf.config()
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(cfg.Dir, vault.SlotsFile)); errors.Is(err, fs.ErrNotExist) {
		return nil, nil // no vault yet
	}
	return vault.ReadAnchor(cfg)
}

func auditOpen(dir string, key []byte, anchor *vault.Anchor) (*audit.Log, error) {
	path := audit.PathIn(dir)
	if _, err := os.Stat(path); err != nil {
		if seq, head, err := anchorOf(anchor); err != nil || seq > 0 || (anchor != nil && head == nil) {
			// Verify would have found it behind its anchor.
			return nil, fmt.Errorf("no audit log at %s: %w (it was deleted: the key-slot file holds its anchor)", path, audit.ErrTampered)
		}
		return nil, fmt.Errorf("no audit log at %s", path)
	}
	acfg := audit.Config{Path: path, ReadOnly: true, Key: key, Timeout: 2 * time.Second}
	if anchor != nil {
		acfg.Anchor = anchor
	}
	l, err := audit.Open(acfg)
	return l, inUse(dir, err)
}

// anchorOf loads a's anchor; nothing when a is nil.
func anchorOf(a *vault.Anchor) (uint64, []byte, error) {
	if a == nil {
		return 0, nil, nil
	}
	return a.Load()
}
