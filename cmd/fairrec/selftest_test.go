package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fairrec/storage/audit"
	"fairrec/storage/vault"
)

// TestSelftest runs fairrec selftest on a good data directory and on ones
// with one thing made wrong: that check says FAIL with the reason, the
// others still PASS (or SKIP, saying why), and the exit status is 1.
func TestSelftest(t *testing.T) {
	tests := []struct {
		name   string
		spoil  func(t *testing.T, dir string)
		args   []string
		code   int
		failed int      // checks that fail; 0 means 1 when code is 1
		want   []string // lines, or their starts
	}{
		{name: "good", code: 0, want: []string{
			"PASS dtmf: 16 keys", "PASS callerid: V.23", "PASS notices: ", "PASS vault: database and key slots verify",
			"PASS audit: chain of 5 entries intact, signatures checked", "SKIP gpio: no --board given",
			"PASS key file: ", "PASS disk: ", "SKIP loopback: no board given"}},
		{name: "sim board", args: []string{"--board", "sim"}, code: 0, want: []string{
			"PASS dtmf: ", "PASS callerid: ", "PASS notices: ", "PASS vault: ", "PASS audit: ",
			"PASS gpio: 7 inputs read: line 1 hook idle, line 1 ring idle, line 1 button idle,",
			"PASS key file: ", "PASS disk: ", "SKIP loopback: board sim wires no audio output back to an input"}},
		{name: "key file readable", code: 1, spoil: func(t *testing.T, dir string) {
			if err := os.Chmod(filepath.Join(dir, vault.KeyFile), 0o644); err != nil {
				t.Fatal(err)
			}
		}, failed: 3, want: []string{
			// The vault and the audit log refuse to open on a key file
			// others can read, and say why.
			"PASS dtmf: ", "PASS callerid: ", "PASS notices: ",
			"FAIL vault: open vault: vault: open: key file open to group or others",
			"FAIL audit: open audit log: vault: derive secret: key file open to group or others", "SKIP gpio: ",
			"FAIL key file: key file " + "DIR/fairrec.key is mode 0644: group or others can read it; run: chmod 400 DIR/fairrec.key",
			"PASS disk: ", "SKIP loopback: "}},
		{name: "audit tampered", code: 1, spoil: func(t *testing.T, dir string) {
			path := audit.PathIn(dir)
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, bytes.ReplaceAll(b, []byte("step c"), []byte("step x")), 0o600); err != nil {
				t.Fatal(err)
			}
		}, want: []string{
			"PASS dtmf: ", "PASS callerid: ", "PASS notices: ", "PASS vault: ",
			"FAIL audit: verify audit log: ", "SKIP gpio: ", "PASS key file: ", "PASS disk: ", "SKIP loopback: "}},
		{name: "notice broken", code: 1, args: []string{"--notices", "NOTICES"}, spoil: func(t *testing.T, dir string) {
			if err := os.WriteFile(filepath.Join(dir, "notices", "default.nl.notice.mp3"), []byte("not an mp3"), 0o644); err != nil {
				t.Fatal(err)
			}
		}, want: []string{
			"PASS dtmf: ", "PASS callerid: ", "FAIL notices: 1 notices do not decode: default/nl/notice: ", "PASS vault: ",
			"PASS audit: ", "SKIP gpio: ", "PASS key file: ", "PASS disk: ", "SKIP loopback: "}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := auditDir(t)
			if err := os.Mkdir(filepath.Join(dir, "notices"), 0o755); err != nil {
				t.Fatal(err)
			}
			if tt.spoil != nil {
				tt.spoil(t, dir)
			}
			args := []string{"selftest", "--data", dir}
			for _, a := range tt.args {
				args = append(args, strings.ReplaceAll(a, "NOTICES", filepath.Join(dir, "notices")))
			}
			code, out, errOut := runTool(args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr %q", code, tt.code, errOut)
			}
			lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
			if len(lines) != len(tt.want) {
				t.Fatalf("%d lines, want %d:\n%s", len(lines), len(tt.want), out)
			}
			for i, w := range tt.want {
				w = strings.ReplaceAll(w, "DIR", dir)
				if !strings.HasPrefix(lines[i], w) {
					t.Errorf("line %d: %q\nwant it to start with %q", i+1, lines[i], w)
				}
			}
			failed := max(tt.failed, 1)
			if tt.code != 0 && !strings.Contains(errOut, fmt.Sprintf("%d of the checks failed", failed)) {
				t.Errorf("stderr %q: want the count of failed checks", errOut)
			}
		})
	}
}
