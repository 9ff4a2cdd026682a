package main

import (
	"encoding/hex"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fairrec/internal/rsyslogtest"
	"fairrec/storage/audit/audittest"
	"fairrec/storage/vault"
)

func TestSyslogFlags(t *testing.T) {
	tests := []struct {
		args []string
		want string // "" accepted, else part of the usage error
	}{
		{[]string{"--syslog", "127.0.0.1:6514"}, ""},
		{[]string{"--syslog", "localhost:6514", "--syslog-ca", "ca.pem"}, ""},
		{[]string{"--syslog", "[::1]:514", "--syslog-plain"}, ""},
		{[]string{"--syslog", "127.0.0.1"}, "want HOST:PORT"},
		{[]string{"--syslog", ":6514"}, "want HOST:PORT"},
		{[]string{"--syslog-ca", "ca.pem"}, "need --syslog"},
		{[]string{"--syslog-plain"}, "need --syslog"},
		{[]string{"--syslog", "127.0.0.1:514", "--syslog-plain", "--syslog-ca", "ca.pem"}, "give one"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			_, err := parseArgs(append([]string{"--board", "sim"}, tt.args...), io.Discard)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want) || !isUsage(err) || errors.Is(err, flag.ErrHelp)):
				t.Errorf("error %v, want a usage error with %q", err, tt.want)
			}
		})
	}
}

// TestSyslogRsyslog: the daemon started with --syslog and --syslog-ca
// forwards its audit entries over TLS to a real rsyslogd on loopback: a
// call with caller ID, a reference keyed in during the call, a failed and
// a good console login and an erasure request by the caller's number all
// arrive as entries, and none of the caller's number (in any form), the
// reference, the console secrets or the key file does.
func TestSyslogRsyslog(t *testing.T) {
	ca := rsyslogtest.NewCA(t, t.TempDir())
	rs := rsyslogtest.StartRsyslog(t, &ca)
	t.Logf("%s, TLS on %s", rs.Version, rs.Addr)
	data := dataDir(t)
	setSecrets(t, data)
	notices, _ := testNotices(t)
	const reference = "31415926"
	scenario := writeScenario(t, `
rate = 48000
lines = 1
[[line]]
events = [
  { at = "0.1s", dtmf = "A0201234567C" },
  { at = "1.5s", ring = "0.5s", ring_hz = 25 },
  { at = "2.1s", offhook = true },
  { at = "3.0s", audio = "a.wav" },
  { at = "4.0s", dtmf = "`+reference+`" },
  { at = "6.0s", onhook = true },
]
`)
	const wrongSecret = "not-the-pin-2718"
	cmd := daemonCmd(t, "--board", "sim", "--scenario", scenario, "--data", data, "--console", "stdio",
		"--notices", notices, "--syslog", rs.Addr, "--syslog-ca", ca.CertFile)
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	outPipe, _ := cmd.StdoutPipe()
	errPipe, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stdout, stderr := watch(outPipe), watch(errPipe)
	stderr.waitFor(t, 0, "scenario done")
	io.WriteString(in, "login supervisor\n"+wrongSecret+"\nlogin supervisor\n"+testSupervisorPIN+"\nerasure +31 20 123 4567\n")
	pos := stdout.waitFor(t, 0, "logged in as supervisor", stderr)
	stdout.waitFor(t, pos, "erasure request: 1 recording(s) found, 1 erased", stderr)
	rs.WaitFor(t, 1, " erase-request ", 20*time.Second)
	stopDaemon(t, cmd, stderr)

	got := rs.Messages(t, "fairrec@32473")
	for _, action := range []string{"recording-created", "login-failed", "login", "erase-request"} {
		if len(rs.Messages(t, " "+action+" [")) == 0 {
			t.Errorf("no %s entry arrived; rsyslogd received:\n%s", action, strings.Join(got, "\n"))
		}
	}
	key, err := os.ReadFile(filepath.Join(data, vault.KeyFile))
	if err != nil {
		t.Fatal(err)
	}
	secrets := []string{reference, wrongSecret, testSupervisorPIN, testInstallerPIN,
		"020 123 4567", "31 20 123 4567", "0031201234567", hex.EncodeToString(key[len(key)-16:])}
	audittest.CheckNoPersonalData(t, rs.Out, secrets...)
	if t.Failed() {
		t.Logf("rsyslogd received:\n%s", strings.Join(got, "\n"))
	}
}
