package main

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	"fairrec/storage/vault"
)

// TestConsoleSelftest runs `selftest` at the console on the daemon's own
// open vault, audit log, notices and sim pins: every check passes (the
// loopback is skipped, saying why); then the key file is made readable by
// others and the same command says FAIL for it, with the chmod to run,
// while the others still pass.
func TestConsoleSelftest(t *testing.T) {
	data := dataDir(t)
	setSecrets(t, data)
	notices, _ := testNotices(t)
	cmd, in, stdout, stderr := consoleDaemon(t, data, notices)
	stderr.waitFor(t, 0, "scenario done")
	io.WriteString(in, "selftest\nlogin installer\n"+testInstallerPIN+"\nselftest\n")
	pos := stdout.waitFor(t, 0, "error: selftest: log in first\n", stderr)
	pos = stdout.waitFor(t, pos, "logged in as installer", stderr)
	for _, want := range []string{
		"PASS dtmf: 16 keys", "PASS callerid: V.23", "PASS notices: ", "PASS vault: database and key slots verify: 2 recordings",
		"PASS audit: chain of ", "PASS gpio: 7 inputs read: line 1 hook idle,", "PASS key file: ", "PASS disk: ",
		"SKIP loopback: board sim wires no audio output back to an input\n",
	} {
		pos = stdout.waitFor(t, pos, want, stderr)
	}
	key := filepath.Join(data, vault.KeyFile)
	if err := os.Chmod(key, 0o644); err != nil {
		t.Fatal(err)
	}
	io.WriteString(in, "selftest\n")
	for _, want := range []string{
		"PASS dtmf: ", "PASS callerid: ", "PASS notices: ", "PASS vault: ", "PASS audit: ", "PASS gpio: ",
		"FAIL key file: key file " + key + " is mode 0644: group or others can read it; run: chmod 400 " + key + "\n",
		"PASS disk: ", "SKIP loopback: ", "error: selftest: 1 of the checks failed\n",
	} {
		pos = stdout.waitFor(t, pos, want, stderr)
	}
	in.Close()
	stderr.waitFor(t, 0, "console input ended")
	stopDaemon(t, cmd, stderr)
}
