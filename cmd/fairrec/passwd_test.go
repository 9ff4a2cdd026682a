package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fairrec/firmware/auth"
	"fairrec/firmware/clock/clocktest"
	"fairrec/storage/vault"
)

func TestPasswd(t *testing.T) {
	dir := t.TempDir()
	mustRun(t, "keys", "init", "--data", dir)
	clk := clocktest.New(policyT0)
	old := policyClock
	policyClock = clk
	t.Cleanup(func() { policyClock = old })

	tests := []struct {
		name  string
		args  []string
		stdin string
		code  int
		want  string // in stdout or stderr
	}{
		{"installer", []string{"passwd", "installer", "--data", dir}, "inst-secret-1\n", 0, "console secret of installer set"},
		{"supervisor, no newline", []string{"passwd", "supervisor", "--data", dir}, "sup-secret-1", 0, "console secret of supervisor set"},
		{"CRLF line", []string{"passwd", "supervisor", "--data", dir}, "sup-secret-2\r\nignored\n", 0, "console secret of supervisor set"},
		{"unknown role", []string{"passwd", "root", "--data", dir}, "whatever-1\n", 2, `unknown role "root"`},
		{"no role", []string{"passwd", "--data", dir}, "whatever-1\n", 2, "name one role"},
		{"too short", []string{"passwd", "installer", "--data", dir}, "12345\n", 1, "5 characters; use 6 to 128"},
		{"empty input", []string{"passwd", "installer", "--data", dir}, "", 1, "first line"},
		{"no key file", []string{"passwd", "installer", "--data", t.TempDir()}, "inst-secret-1\n", 1, "key"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errs bytes.Buffer
			code := runMain(tc.args, strings.NewReader(tc.stdin), &out, &errs)
			if code != tc.code || !strings.Contains(out.String()+errs.String(), tc.want) {
				t.Fatalf("exit %d, want %d; output lacks %q?\n%s%s", code, tc.code, tc.want, out.String(), errs.String())
			}
		})
	}

	key, err := vault.DeriveSecret(vault.Config{Dir: dir}, auth.KeyLabel)
	if err != nil {
		t.Fatal(err)
	}
	s, err := auth.Open(auth.Config{Dir: dir, Key: key, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	for role, pw := range map[auth.Role]string{auth.Installer: "inst-secret-1", auth.Supervisor: "sup-secret-2"} {
		if err := s.Login(role, []byte(pw)); err != nil {
			t.Errorf("login as %s with the secret set by the tool: %v", role, err)
		}
	}
	// Three changes on record, by the tool, without the secrets.
	var export bytes.Buffer
	code := runMain([]string{"audit", "export", "--data", dir}, nil, &export, os.Stderr)
	if code != 0 {
		t.Fatalf("audit export: exit %d", code)
	}
	if n := strings.Count(export.String(), `"config-change"`); n != 3 {
		t.Errorf("audit export has %d config changes, want 3:\n%s", n, export.String())
	}
	for _, pw := range []string{"inst-secret-1", "sup-secret-1", "sup-secret-2"} {
		if strings.Contains(export.String(), pw) {
			t.Errorf("the audit log holds a secret")
		}
	}
	// A damaged file is refused, and nothing is overwritten.
	path := filepath.Join(dir, auth.FileName)
	if err := os.WriteFile(path, []byte("{broken"), 0o600); err != nil {
		t.Fatal(err)
	}
	var errs bytes.Buffer
	if code := runMain([]string{"passwd", "installer", "--data", dir}, strings.NewReader("inst-secret-9\n"), &bytes.Buffer{}, &errs); code != 1 ||
		!strings.Contains(errs.String(), "corrupt") || !strings.Contains(errs.String(), "remove the file") {
		t.Errorf("passwd on a corrupt file: exit %d: %s", code, errs.String())
	}
	if b, _ := os.ReadFile(path); string(b) != "{broken" {
		t.Error("passwd overwrote a corrupt secrets file")
	}
}
