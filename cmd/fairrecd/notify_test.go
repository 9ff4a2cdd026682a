package main

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"fairrec/drivers/sdnotify/sdnotifytest"
)

// notifyScenario is one long call in real time: the line records for the
// whole test.
const notifyScenario = `
rate = 48000
lines = 1
end = "60s"

[[line]]
events = [
  { at = "0.05s", ring = "0.1s" },
  { at = "0.2s", offhook = true },
  { at = "0.9s", audio = "long.wav" },
  { at = "59s", onhook = true },
]
`

// notifyInterval is the WatchdogSec the test gives the daemon; it checks
// every quarter of it.
const notifyInterval = 2 * time.Second

// TestSystemdNotify runs the real daemon as systemd would, with a fake
// notify socket: READY once audio flows, WATCHDOG=1 at least every half
// interval while it does, and no more WATCHDOG=1 from one interval after the
// vault can no longer commit (the file size limit is set to 1 byte under the
// running daemon, so every write to the database fails with EFBIG), with a
// STATUS saying why. Then SIGTERM: STOPPING=1.
func TestSystemdNotify(t *testing.T) {
	sock, err := sdnotifytest.Listen(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer sock.Close()
	notices, _ := testNotices(t)
	data := dataDir(t)
	// The sim board's playback file would hit the size limit too and end
	// the run as a lost audio device; played into /dev/null it is not
	// limited (only regular files are).
	simDir := t.TempDir()
	if err := os.Symlink(os.DevNull, filepath.Join(simDir, "playback.raw")); err != nil {
		t.Fatal(err)
	}
	cmd := daemonCmd(t, "--board", "sim", "--scenario", writeScenario(t, notifyScenario), "--data", data,
		"--console", "none", "--notices", notices, "--realtime", "--sim-dir", simDir)
	cmd.Env = append(cmd.Env, "NOTIFY_SOCKET="+sock.Path,
		"WATCHDOG_USEC="+strconv.FormatInt(notifyInterval.Microseconds(), 10))
	errPipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stderr := watch(errPipe)
	defer func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	}()
	started := time.Now()
	if _, ok := sock.Wait("READY=1", 90*time.Second); !ok {
		t.Fatalf("no READY=1; sent %q\n--- stderr:\n%s", states(sock), stderr.String())
	}
	stderr.waitFor(t, 0, `msg=recording `)
	time.Sleep(2 * notifyInterval) // the line records; the watchdog feeds
	broken := time.Now()
	if err := unix.Prlimit(cmd.Process.Pid, unix.RLIMIT_FSIZE, &unix.Rlimit{Cur: 1, Max: 1}, nil); err != nil {
		t.Fatalf("prlimit: %v", err)
	}
	if _, ok := sock.Wait("STATUS=unhealthy: the vault cannot commit", 2*notifyInterval); !ok {
		t.Fatalf("no unhealthy STATUS after the vault broke; sent %q\n--- stderr:\n%s", states(sock), stderr.String())
	}
	time.Sleep(notifyInterval) // long enough to see that nothing more is fed
	if err := cmd.Process.Signal(unix.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waitErr := make(chan error, 1)
	go func() { waitErr <- cmd.Wait() }()
	select {
	case <-waitErr:
	case <-time.After(20 * time.Second):
		t.Fatalf("fairrecd did not stop on SIGTERM\n--- stderr:\n%s", stderr.String())
	}

	var feeds []time.Duration // since the start
	var ready time.Duration
	for _, m := range sock.Messages() {
		if sdnotifytest.Has(m.State, "READY=1") {
			ready = m.At.Sub(started)
		}
		if sdnotifytest.Has(m.State, "WATCHDOG=1") {
			feeds = append(feeds, m.At.Sub(started))
		}
	}
	brokenAt := broken.Sub(started)
	var before []time.Duration
	for _, f := range feeds {
		if f >= brokenAt+notifyInterval {
			t.Errorf("WATCHDOG=1 at %v, one interval (%v) after the vault broke at %v", f, notifyInterval, brokenAt)
		}
		if f > ready && f < brokenAt {
			before = append(before, f)
		}
	}
	// Regular feeding while healthy: no gap of half an interval or more.
	prev := ready
	for _, f := range before {
		if f-prev >= notifyInterval/2+notifyInterval/8 {
			t.Errorf("no WATCHDOG=1 between %v and %v while audio flowed (interval %v)", prev, f, notifyInterval)
		}
		prev = f
	}
	if len(before) < 4 {
		t.Errorf("only %d WATCHDOG=1 between READY at %v and the break at %v: %v", len(before), ready, brokenAt, feeds)
	}
	if _, ok := sock.Wait("STOPPING=1", 0); !ok {
		t.Errorf("no STOPPING=1 on SIGTERM; sent %q", states(sock))
	}
	if t.Failed() {
		t.Logf("sent: %q\n--- stderr:\n%s", states(sock), stderr.String())
	}
}

func states(s *sdnotifytest.Socket) []string {
	var out []string
	for _, m := range s.Messages() {
		out = append(out, m.State)
	}
	return out
}
