package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"

	"fairrec/drivers/systime"
	"fairrec/firmware/auth"
	"fairrec/storage/audit"
	"fairrec/storage/audit/audittest"
	"fairrec/storage/vault"
)

// The console secrets the tests set in their data directories.
const (
	testInstallerPIN  = "inst-pin-4711"
	testSupervisorPIN = "sup-pin-0815"
)

// setSecrets sets both roles' console secrets in data as `fairrec passwd`
// would, with cheap hash parameters (they are stored with each hash, so the
// daemon verifies them as they are).
func setSecrets(t testing.TB, data string) {
	t.Helper()
	// The key-slot file the secrets key derives from exists once the vault
	// has been opened.
	v, err := vault.Open(vault.Config{Dir: data, Clock: systime.Clock{}})
	if err != nil {
		t.Fatal(err)
	}
	v.Close()
	key, err := vault.DeriveSecret(vault.Config{Dir: data}, auth.KeyLabel)
	if err != nil {
		t.Fatal(err)
	}
	s, err := auth.Open(auth.Config{Dir: data, Key: key, Clock: systime.Clock{}, Params: auth.Params{Time: 1, Memory: 1024, Threads: 1}})
	if err != nil {
		t.Fatal(err)
	}
	tool := audit.Actor{Kind: audit.ActorTool, ID: "fairrec"}
	if err := s.SetSecret(auth.Installer, []byte(testInstallerPIN), tool); err != nil {
		t.Fatal(err)
	}
	if err := s.SetSecret(auth.Supervisor, []byte(testSupervisorPIN), tool); err != nil {
		t.Fatal(err)
	}
}

// hangingCall has a finished call on line 1 and a call on line 2 that is
// still going when the scenario ends, so that shutdown must seal it.
const hangingCall = `
rate = 48000
lines = 2
end = "2.5s"

[[line]]
events = [
  { at = "0.05s", ring = "0.1s" },
  { at = "0.2s", offhook = true },
  { at = "0.9s", audio = "caller1.wav" },
  { at = "1.6s", onhook = true },
]

[[line]]
events = [
  { at = "0.3s", ring = "0.1s" },
  { at = "0.5s", offhook = true },
]
`

func writeHangingCall(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	writeWAV(t, filepath.Join(dir, "caller1.wav"), 16000, callerAudio(16000, 0.5, 0))
	path := filepath.Join(dir, "hanging.toml")
	if err := os.WriteFile(path, []byte(hangingCall), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// watched collects a stream and lets a test wait for text in it.
type watched struct {
	mu  sync.Mutex
	buf strings.Builder
}

func watch(r io.Reader) *watched {
	w := &watched{}
	go func() {
		b := make([]byte, 4096)
		for {
			n, err := r.Read(b)
			w.mu.Lock()
			w.buf.Write(b[:n])
			w.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	return w
}

func (w *watched) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

// waitFor waits until the text after position from holds want and returns
// the position after it. The deadline only guards against a hang: a daemon
// under the race detector on a loaded machine takes a while to start.
func (w *watched) waitFor(t *testing.T, from int, want string, more ...*watched) int {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		s := w.String()
		if i := strings.Index(s[from:], want); i >= 0 {
			return from + i + len(want)
		}
		if time.Now().After(deadline) {
			var ctx string
			for _, m := range more {
				ctx += "\n--- stderr:\n" + m.String()
			}
			t.Fatalf("never saw %q; got:\n%s%s", want, s[from:], ctx)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// stopDaemon sends SIGTERM and expects a clean exit.
func stopDaemon(t *testing.T, cmd *exec.Cmd, stderr *watched) {
	t.Helper()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("fairrecd after SIGTERM: %v; stderr:\n%s", err, stderr.String())
		}
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Fatalf("fairrecd did not stop on SIGTERM; stderr:\n%s", stderr.String())
	}
}

// checkSealed expects n recordings, every one sealed (not interrupted).
func checkSealed(t *testing.T, data string, n int) []vault.Info {
	t.Helper()
	v, err := vault.Open(vault.Config{Dir: data, Clock: systime.Clock{}})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	infos, err := v.List(vault.Query{})
	if err != nil {
		t.Fatal(err)
	}
	if len(infos) != n {
		t.Fatalf("vault holds %d recordings, want %d", len(infos), n)
	}
	for _, in := range infos {
		if in.State != vault.StateSealed {
			t.Errorf("recording %s on line %d is %v, want sealed", in.ID, in.Line, in.State)
		}
	}
	return infos
}

// TestSerialConsoleAndShutdown runs the real daemon with its console on a
// pty (as on a serial adapter), asks for status and recordings while a call
// is in progress, then stops it with SIGTERM: the call in progress must be
// sealed, not left to be found interrupted.
func TestSerialConsoleAndShutdown(t *testing.T) {
	master, slave, err := pty.Open()
	if err != nil {
		t.Skipf("no pty: %v", err)
	}
	defer master.Close()
	defer slave.Close()

	data := dataDir(t)
	setSecrets(t, data)
	notices, _ := testNotices(t)
	cmd := daemonCmd(t, "--board", "sim", "--scenario", writeHangingCall(t), "--data", data, "--console", slave.Name(), "--notices", notices)
	errPipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stderr := watch(errPipe)
	term := watch(master)

	stderr.waitFor(t, 0, "scenario done")
	pos := term.waitFor(t, 0, "fairrec> ", stderr)
	master.Write([]byte("status\r"))
	pos = term.waitFor(t, pos, "error: status: log in first\r\n", stderr)
	master.Write([]byte("login supervisor\r"))
	pos = term.waitFor(t, pos, "secret for supervisor: ", stderr)
	master.Write([]byte(testSupervisorPIN + "\r"))
	pos = term.waitFor(t, pos, "logged in as supervisor", stderr)
	master.Write([]byte("clock confirm\r"))
	pos = term.waitFor(t, pos, "error: clock: needs the installer role (logged in as supervisor)", stderr)
	master.Write([]byte("status\r"))
	pos = term.waitFor(t, pos, "line 1   on-hook, idle\r\n", stderr)
	pos = term.waitFor(t, pos, "         purposes quality, training; notice set default, language nl\r\n", stderr)
	pos = term.waitFor(t, pos, "line 2   off-hook, recording 2 (", stderr)
	pos = term.waitFor(t, pos, "review   idle\r\n", stderr)
	// What an installer checks before leaving: the clock the timers
	// trust, the key, the hours the disk holds, the audit chain, faults.
	pos = term.waitFor(t, pos, "clock    ", stderr)
	pos = term.waitFor(t, pos, ", APPROXIMATE: unconfirmed; nothing is erased early", stderr)
	pos = term.waitFor(t, pos, "key      "+filepath.Join(data, "fairrec.key")+" loaded, mode 0400\r\n", stderr)
	pos = term.waitFor(t, pos, " free: about ", stderr)
	pos = term.waitFor(t, pos, " hours of recording on 2 lines\r\n", stderr)
	pos = term.waitFor(t, pos, "audit    verified at start, appending\r\n", stderr)
	pos = term.waitFor(t, pos, "fault    none\r\n", stderr)
	master.Write([]byte("recordings\r"))
	pos = term.waitFor(t, pos, "2 recordings\r\n", stderr)
	if out := term.String(); !strings.Contains(out, "sealed") || !strings.Contains(out, "open") {
		t.Errorf("recordings should list one sealed and one open recording:\n%s", out)
	}
	master.Write([]byte("\x1b\x00junk\xff\r"))
	term.waitFor(t, pos, "error:", stderr)

	stopDaemon(t, cmd, stderr)
	if strings.Contains(term.String(), testSupervisorPIN) {
		t.Errorf("the terminal showed the secret:\n%s", term.String())
	}
	infos := checkSealed(t, data, 2)
	if d := infos[1].Duration; d < time.Second {
		t.Errorf("the call in progress kept %v, want at least the 1.3 s it ran after the notice in the scenario", d)
	}
}

// TestStdioConsolePipe drives the console through the daemon's standard
// input as a script would: plain lines, no prompt, and the daemon runs on
// after the input ends.
func TestStdioConsolePipe(t *testing.T) {
	data := dataDir(t)
	setSecrets(t, data)
	notices, _ := testNotices(t)
	cmd := daemonCmd(t, "--board", "sim", "--scenario", writeHangingCall(t), "--data", data, "--console", "stdio", "--notices", notices)
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	outPipe, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	errPipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stdout, stderr := watch(outPipe), watch(errPipe)
	stderr.waitFor(t, 0, "scenario done")
	io.WriteString(in, "status\nlogin installer\n"+testInstallerPIN+"\nhelp\nstatus\n")
	pos := stdout.waitFor(t, 0, "error: status: log in first\n", stderr)
	pos = stdout.waitFor(t, pos, "logged in as installer", stderr)
	pos = stdout.waitFor(t, pos, "recordings", stderr)
	pos = stdout.waitFor(t, pos, "line 2   off-hook, recording 2", stderr)
	// The supervisor's and the people's requests work on the daemon's own
	// vault and audit log, which the fairrec tool cannot open meanwhile.
	io.WriteString(in, "hold 1 complaint-7\nrelease 1\nhold x y\nregister\nreport json\naudit verify\nclock\n")
	pos = stdout.waitFor(t, pos, "recording 1 held for quality", stderr)
	pos = stdout.waitFor(t, pos, "released", stderr)
	pos = stdout.waitFor(t, pos, `error: hold: "x" is not a recording id`, stderr)
	pos = stdout.waitFor(t, pos, "GDPR art. 30", stderr)
	pos = stdout.waitFor(t, pos, `"recordings": 2`, stderr)
	pos = stdout.waitFor(t, pos, "chained intact", stderr)
	pos = stdout.waitFor(t, pos, "signatures: checkpoint and head verified", stderr)
	pos = stdout.waitFor(t, pos, "lower bound:  ", stderr)
	// recordings shows what `fairrec list` shows, but the caller.
	io.WriteString(in, "recordings\n")
	pos = stdout.waitFor(t, pos, "PURPOSES", stderr)
	stdout.waitFor(t, pos, "quality until ", stderr)
	in.Close()
	stderr.waitFor(t, 0, "console input ended")
	stopDaemon(t, cmd, stderr)
	checkSealed(t, data, 2)
	// The hold and release were the logged-in installer's.
	var held bool
	for _, e := range auditEntries(t, data) {
		if e.Action == audit.ActionHold {
			held = e.Actor == audit.Actor{Kind: audit.ActorRole, ID: "installer"}
		}
	}
	if !held {
		t.Error("the audit log does not name the installer as who held the recording")
	}
	if strings.Contains(stdout.String(), "fairrec> ") {
		t.Error("a console on a pipe printed a prompt")
	}
}

// consoleDaemon starts the daemon on data with its console on a pipe.
func consoleDaemon(t *testing.T, data, notices string) (cmd *exec.Cmd, in io.WriteCloser, stdout, stderr *watched) {
	t.Helper()
	return consoleDaemonOn(t, data, notices, writeHangingCall(t))
}

// consoleDaemonOn is consoleDaemon on another scenario.
func consoleDaemonOn(t *testing.T, data, notices, scenario string) (cmd *exec.Cmd, in io.WriteCloser, stdout, stderr *watched) {
	t.Helper()
	cmd = daemonCmd(t, "--board", "sim", "--scenario", scenario, "--data", data, "--console", "stdio", "--notices", notices)
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	outPipe, _ := cmd.StdoutPipe()
	errPipe, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, in, watch(outPipe), watch(errPipe)
}

// TestConsoleLockout: five wrong secrets lock the console, the right one is
// then refused, a restart keeps the lock, and the audit log (as `fairrec
// audit export` writes it) shows the failures and the lockout but no
// secret.
func TestConsoleLockout(t *testing.T) {
	data := dataDir(t)
	setSecrets(t, data)
	notices, _ := testNotices(t)
	wrong := []string{"guess-111", "guess-222", "guess-333", "guess-444", "guess-555"}

	cmd, in, stdout, stderr := consoleDaemon(t, data, notices)
	pos := 0
	for i, w := range wrong {
		io.WriteString(in, "login supervisor\n"+w+"\n")
		if i < 4 {
			pos = stdout.waitFor(t, pos, fmt.Sprintf("error: login: wrong secret (%d of 5 failed logins", i+1), stderr)
		}
	}
	pos = stdout.waitFor(t, pos, "error: login: wrong secret; locked after too many failed logins, until ", stderr)
	io.WriteString(in, "login installer\n"+testInstallerPIN+"\nstatus\n")
	pos = stdout.waitFor(t, pos, "error: login: locked after too many failed logins, until ", stderr)
	stdout.waitFor(t, pos, "error: status: log in first\n", stderr)
	in.Close()
	stderr.waitFor(t, 0, "console input ended")
	stopDaemon(t, cmd, stderr)

	cmd, in, stdout, stderr = consoleDaemon(t, data, notices)
	io.WriteString(in, "login installer\n"+testInstallerPIN+"\n")
	stdout.waitFor(t, 0, "error: login: locked after too many failed logins, until ", stderr)
	in.Close()
	stderr.waitFor(t, 0, "console input ended")
	stopDaemon(t, cmd, stderr)

	lg, err := audit.Open(audit.Config{Path: audit.PathIn(data), ReadOnly: true, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	var export strings.Builder
	_, err = lg.Export(&export, time.Time{})
	lg.Close()
	if err != nil {
		t.Fatal(err)
	}
	var failed, locks int
	for _, line := range strings.Split(export.String(), "\n") {
		switch {
		case strings.Contains(line, `"login-failed"`) && strings.Contains(line, `supervisor`):
			failed++
		case strings.Contains(line, `"lockout"`):
			locks++
		case strings.Contains(line, `"login"`):
			t.Errorf("a login succeeded: %s", line)
		}
	}
	if failed != 5 || locks != 1 {
		t.Errorf("audit export has %d failed logins and %d lockouts, want 5 and 1:\n%s", failed, locks, export.String())
	}
	secrets := append([]string{testInstallerPIN, testSupervisorPIN}, wrong...)
	for _, s := range secrets {
		if strings.Contains(export.String(), s) {
			t.Errorf("the audit export holds the secret %q", s)
		}
	}
	audittest.CheckNoPersonalData(t, audit.PathIn(data), secrets...)
	audittest.CheckNoPersonalData(t, filepath.Join(data, auth.FileName), secrets...)
}

// TestConsoleFirstBoot is `make run` on a fresh data directory: the console
// says no installer secret is set and lets whoever is at it set one.
func TestConsoleFirstBoot(t *testing.T) {
	data := dataDir(t)
	notices, _ := testNotices(t)
	cmd, in, stdout, stderr := consoleDaemon(t, data, notices)
	pos := stdout.waitFor(t, 0, "first boot: no installer secret is set. Type setup", stderr)
	io.WriteString(in, "status\nsetup\nfirst-pin-1\nfirst-pin-1\nstatus\n")
	pos = stdout.waitFor(t, pos, "error: status: log in first\n", stderr)
	pos = stdout.waitFor(t, pos, "installer secret set; logged in as installer", stderr)
	stdout.waitFor(t, pos, "line 1   ", stderr)
	in.Close()
	stderr.waitFor(t, 0, "console input ended")
	stopDaemon(t, cmd, stderr)
	if fi, err := os.Stat(filepath.Join(data, auth.FileName)); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("secrets file: %v, %v; want mode 0600", fi, err)
	}
}
