package main

import (
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
	"fairrec/storage/vault"
)

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
// the position after it.
func (w *watched) waitFor(t *testing.T, from int, want string, more ...*watched) int {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
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
	pos = term.waitFor(t, pos, "line 1   on-hook, idle\r\n", stderr)
	pos = term.waitFor(t, pos, "line 2   off-hook, recording 2 (", stderr)
	master.Write([]byte("recordings\r"))
	pos = term.waitFor(t, pos, "2 recordings\r\n", stderr)
	if out := term.String(); !strings.Contains(out, "sealed") || !strings.Contains(out, "open") {
		t.Errorf("recordings should list one sealed and one open recording:\n%s", out)
	}
	master.Write([]byte("\x1b\x00junk\xff\r"))
	term.waitFor(t, pos, "error:", stderr)

	stopDaemon(t, cmd, stderr)
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
	io.WriteString(in, "help\nstatus\n")
	pos := stdout.waitFor(t, 0, "recordings", stderr)
	pos = stdout.waitFor(t, pos, "line 2   off-hook, recording 2", stderr)
	// The supervisor's and the people's requests work on the daemon's own
	// vault and audit log, which the fairrec tool cannot open meanwhile.
	io.WriteString(in, "hold 1 complaint-7\nrelease 1\nhold x y\nregister\nreport json\naudit verify\nclock\n")
	pos = stdout.waitFor(t, pos, "recording 1 held for quality", stderr)
	pos = stdout.waitFor(t, pos, "released", stderr)
	pos = stdout.waitFor(t, pos, `error: hold: "x" is not a recording id`, stderr)
	pos = stdout.waitFor(t, pos, "GDPR art. 30", stderr)
	pos = stdout.waitFor(t, pos, `"recordings": 2`, stderr)
	pos = stdout.waitFor(t, pos, "chained intact; checkpoint and head signatures verified", stderr)
	stdout.waitFor(t, pos, "lower bound of the time", stderr)
	in.Close()
	stderr.waitFor(t, 0, "console input ended")
	stopDaemon(t, cmd, stderr)
	checkSealed(t, data, 2)
	if strings.Contains(stdout.String(), "fairrec> ") {
		t.Error("a console on a pipe printed a prompt")
	}
}
