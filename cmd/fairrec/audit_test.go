package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fairrec/firmware/clock/clocktest"
	"fairrec/storage/audit"
	"fairrec/storage/vault"
)

// auditDir makes a data directory with a vault (key file and key slots) and
// an audit log of five entries, one a day from 2026-02-01, signed with the
// vault's audit secret as fairrecd signs it.
func auditDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	auditLog(t, dir, auditVault(t, dir))
	return dir
}

// auditLog writes the five entries to the log in dir, signed with key.
func auditLog(t *testing.T, dir string, key []byte) {
	t.Helper()
	clk := clocktest.New(time.Date(2026, 2, 1, 12, 0, 0, 0, time.UTC))
	l, err := audit.Open(audit.Config{Path: audit.PathIn(dir), Clock: clk, Key: key, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"step a", "step b", "step c", "step d", "step e"} {
		e := audit.Entry{Actor: audit.Actor{Kind: audit.ActorRole, ID: "supervisor"}, Action: audit.ActionPlayback, Recording: 12, Purpose: "quality", Detail: d}
		if err := l.Record(e); err != nil {
			t.Fatal(err)
		}
		clk.Advance(24 * time.Hour)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
}

// auditVault creates a vault in dir and returns its audit secret.
func auditVault(t *testing.T, dir string) []byte {
	t.Helper()
	if err := vault.InitKey(filepath.Join(dir, vault.KeyFile), nil); err != nil {
		t.Fatal(err)
	}
	cfg := vault.Config{Dir: dir, Clock: clocktest.New(time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)), NoSync: true}
	v, err := vault.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	key, err := vault.DeriveSecret(cfg, audit.KeyLabel)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func runTool(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = runMain(args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func TestAuditVerify(t *testing.T) {
	dir := auditDir(t)
	other := t.TempDir()
	otherKey := auditVault(t, other) // another box's vault
	// A box whose log was signed with another key than its vault's.
	forged := t.TempDir()
	auditVault(t, forged)
	auditLog(t, forged, otherKey)

	cases := []struct {
		name   string
		args   []string
		code   int
		stdout []string
		stderr string
	}{
		{"default key file", []string{"audit", "verify", "--data", dir}, 0,
			[]string{"entries 1..5 (5) chained intact", "signatures: checkpoint and head verified with " + filepath.Join(dir, vault.KeyFile)}, ""},
		{"key named, flags last", []string{"audit", "verify", "--key", filepath.Join(dir, vault.KeyFile), "--data", dir}, 0,
			[]string{"entries 1..5 (5)", "verified with"}, ""},
		{"signed by another vault", []string{"audit", "verify", "--data", forged}, 1, nil,
			"fairrec audit: audit chain broken: entry 5 forged head"},
		{"key of another vault", []string{"audit", "verify", "--data", dir, "--key", filepath.Join(other, vault.KeyFile)}, 1, nil,
			"does not open this vault"},
		{"no log", []string{"audit", "verify", "--data", t.TempDir()}, 1, nil, "no audit log at"},
		{"missing key", []string{"audit", "verify", "--data", dir, "--key", "/nonexistent"}, 1, nil, "does not exist"},
		{"argument", []string{"audit", "verify", "--data", dir, "extra"}, 2, nil, "usage: audit verify"},
		{"no subcommand", []string{"audit"}, 2, nil, "usage: audit verify"},
		{"unknown subcommand", []string{"audit", "check"}, 2, nil, `"check" is not a subcommand`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errOut := runTool(c.args...)
			if code != c.code {
				t.Errorf("exit %d, want %d; stderr %q", code, c.code, errOut)
			}
			for _, w := range c.stdout {
				if !strings.Contains(out, w) {
					t.Errorf("stdout %q lacks %q", out, w)
				}
			}
			if !strings.Contains(errOut, c.stderr) {
				t.Errorf("stderr %q lacks %q", errOut, c.stderr)
			}
		})
	}
}

func TestAuditVerifyWithoutKey(t *testing.T) {
	dir := auditDir(t)
	os.Remove(filepath.Join(dir, vault.KeyFile))
	code, out, _ := runTool("audit", "verify", "--data", dir)
	if code != 0 || !strings.Contains(out, "NOT checked") {
		t.Errorf("exit %d, stdout %q: want success with a warning", code, out)
	}
}

// TestAuditVerifyTampered edits the raw file as an attacker would (every
// copy of entry 3's detail, including stale pages) and expects the tool to
// name entry 3.
func TestAuditVerifyTampered(t *testing.T) {
	dir := auditDir(t)
	path := audit.PathIn(dir)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte("step c")) {
		t.Fatal("entry 3 not found in the file")
	}
	if err := os.WriteFile(path, bytes.ReplaceAll(b, []byte("step c"), []byte("step x")), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runTool("audit", "verify", "--data", dir)
	if code != 1 || !strings.Contains(errOut, "entry 3 changed") {
		t.Errorf("exit %d, stderr %q: want entry 3 changed", code, errOut)
	}
}

func TestAuditExport(t *testing.T) {
	dir := auditDir(t)
	cases := []struct {
		since   string
		details []string
	}{
		{"", []string{"step a", "step b", "step c", "step d", "step e"}},
		{"2026-02-03", []string{"step c", "step d", "step e"}},
		{"2026-02-04T11:59:59Z", []string{"step d", "step e"}},
		{"2027-01-01", nil},
	}
	for _, c := range cases {
		args := []string{"audit", "export", "--data", dir}
		if c.since != "" {
			args = append(args, "--since", c.since)
		}
		code, out, errOut := runTool(args...)
		if code != 0 {
			t.Fatalf("since %q: exit %d: %s", c.since, code, errOut)
		}
		var got []string
		sc := bufio.NewScanner(strings.NewReader(out))
		for sc.Scan() {
			var j audit.JSONEntry
			if err := json.Unmarshal(sc.Bytes(), &j); err != nil {
				t.Fatalf("line %q: %v", sc.Text(), err)
			}
			if j.Action != "playback" || j.Actor != "role" || j.ActorID != "supervisor" || j.Recording != 12 {
				t.Errorf("line %q", sc.Text())
			}
			got = append(got, j.Detail)
		}
		if strings.Join(got, ",") != strings.Join(c.details, ",") {
			t.Errorf("since %q: exported %q, want %q", c.since, got, c.details)
		}
	}
	if code, _, errOut := runTool("audit", "export", "--data", dir, "--since", "yesterday"); code != 2 || !strings.Contains(errOut, "RFC 3339") {
		t.Errorf("bad --since: exit %d, %q", code, errOut)
	}
}
