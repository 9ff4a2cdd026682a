package console_test

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"fairrec/firmware/auth"
	"fairrec/firmware/clock/clocktest"
	"fairrec/firmware/console"
	"fairrec/storage/audit"
	"fairrec/storage/audit/audittest"
)

const (
	installerPIN  = "inst-4711"
	supervisorPIN = "super-0815"
)

// authFixture is a real secrets store in a temporary data directory, with
// cheap hash parameters, a fake clock and a fake audit log.
type authFixture struct {
	dir   string
	clk   *clocktest.Clock
	rec   *audittest.Recorder
	store *auth.Store
}

func newAuth(t *testing.T, withSecrets bool) *authFixture {
	t.Helper()
	clk := clocktest.New(time.Date(2027, 5, 3, 8, 0, 0, 0, time.UTC))
	f := &authFixture{dir: t.TempDir(), clk: clk, rec: &audittest.Recorder{Clock: clk}}
	f.reopen(t)
	if withSecrets {
		by := audit.Actor{Kind: audit.ActorTool, ID: "fairrec"}
		if err := f.store.SetSecret(auth.Installer, []byte(installerPIN), by); err != nil {
			t.Fatal(err)
		}
		if err := f.store.SetSecret(auth.Supervisor, []byte(supervisorPIN), by); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func (f *authFixture) reopen(t *testing.T) error {
	t.Helper()
	s, err := auth.Open(auth.Config{Dir: f.dir, Key: []byte("console test key, thirty-two b.."), Clock: f.clk, Audit: f.rec,
		Params: auth.Params{Time: 1, Memory: 64, Threads: 1}})
	f.store = s
	return err
}

func (f *authFixture) config() console.Config {
	return console.Config{System: twoLines, Auth: f.store, Clock: f.clk, Commands: []console.Command{
		{Name: "wipe", Summary: "an installer's command", Run: func(w io.Writer, _ []string) error {
			fmt.Fprintln(w, "wiped")
			return nil
		}},
		{Name: "review", Role: auth.Supervisor, Summary: "a supervisor's command", Run: func(w io.Writer, _ []string) error {
			fmt.Fprintln(w, "reviewing")
			return nil
		}},
	}}
}

// TestLoginGates runs scripts on a plain stream: each line's answer, in
// order, for a role table a supervisor and an installer would meet.
func TestLoginGates(t *testing.T) {
	tests := []struct {
		name   string
		script []string
		want   []string // in order in the output
		absent []string
	}{
		{
			name:   "nothing before login",
			script: []string{"status", "recordings", "wipe", "review", "passwd supervisor", "logout", "help"},
			want: []string{"error: status: log in first\n", "error: recordings: log in first\n", "error: wipe: log in first\n",
				"error: review: log in first\n", "error: passwd: log in first\n", "error: logout: not logged in\n",
				"  login ROLE", "log in for the other commands"},
			absent: []string{"line 2", "wiped", "reviewing", "  status"},
		},
		{
			name:   "supervisor",
			script: []string{"login supervisor", supervisorPIN, "status", "recordings", "review", "wipe", "passwd supervisor", "help"},
			want: []string{"logged in as supervisor", "line 2   off-hook", "2 recordings", "reviewing",
				"error: wipe: needs the installer role (logged in as supervisor)\n",
				"error: passwd: needs the installer role (logged in as supervisor)\n", "  review", "logged in as supervisor\n"},
			absent: []string{"wiped", "  wipe", "  passwd", supervisorPIN},
		},
		{
			name:   "installer, then logout",
			script: []string{"login installer", installerPIN, "wipe", "review", "status", "logout", "status"},
			want:   []string{"logged in as installer", "wiped", "reviewing", "line 2", "logged out\n", "error: status: log in first\n"},
			absent: []string{installerPIN},
		},
		{
			name: "wrong secret, wrong role, no secret on the command line",
			// The line after "login" is its secret even when the login
			// line is a usage mistake: never run, never echoed.
			script: []string{"login installer", supervisorPIN, "login root", "x", "login", "stray-secret", "status"},
			want: []string{"error: login: wrong secret (1 of 5 failed logins before the console locks)\n",
				`error: login: unknown role "root"`, "error: login: usage: login installer|supervisor", "error: status: log in first\n"},
			absent: []string{"stray-secret"},
		},
		{
			name:   "installer changes the supervisor's secret",
			script: []string{"login installer", installerPIN, "passwd supervisor", "new-sup-1", "new-sup-2", "passwd supervisor", "short", "passwd supervisor", "new-sup-1", "new-sup-1", "logout", "login supervisor", "new-sup-1", "review"},
			want: []string{"error: passwd: the two entries differ; nothing changed\n", "error: passwd: secret not accepted: 5 characters; use 6 to 128\n",
				"secret of supervisor changed\n", "logged in as supervisor", "reviewing"},
			absent: []string{"new-sup-1"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newAuth(t, true)
			out := runScript(t, f.config(), strings.Join(tc.script, "\n")+"\n")
			pos := 0
			for _, w := range tc.want {
				i := strings.Index(out[pos:], w)
				if i < 0 {
					t.Fatalf("output lacks %q after position %d:\n%s", w, pos, out)
				}
				pos += i + len(w)
			}
			for _, a := range tc.absent {
				if strings.Contains(out, a) {
					t.Errorf("output holds %q:\n%s", a, out)
				}
			}
		})
	}
}

// TestFirstBoot: only setup works until the installer secret is set; the
// audit log records it as a configuration change.
func TestFirstBoot(t *testing.T) {
	f := newAuth(t, false)
	out := runScript(t, f.config(), "status\nlogin installer\nx\nhelp\nsetup\n"+installerPIN+"\n"+installerPIN+"\nwipe\nsetup\n")
	for _, w := range []string{"first boot: no installer secret is set", "error: status: log in first\n",
		"error: login: no installer secret is set yet; type setup\n", "  setup", "installer secret set; logged in as installer",
		"wiped\n", "error: setup: the installer secret is already set"} {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
	want := []audit.Action{audit.ActionConfigChange, audit.ActionLogin, audit.ActionLogout}
	if diff := cmp.Diff(want, f.rec.Actions()); diff != "" {
		t.Errorf("audit (-want +got):\n%s", diff)
	}
}

// TestLockedConsole: five wrong secrets lock; the sixth attempt is refused
// without asking for the secret (the next line is a command again), also
// after a restart; when the lock ends the right secret works.
func TestLockedConsole(t *testing.T) {
	f := newAuth(t, true)
	script := strings.Repeat("login supervisor\nguess-me\n", 5) + "login installer\n" + installerPIN + "\nstatus\n"
	out := runScript(t, f.config(), script)
	for _, w := range []string{"error: login: wrong secret (4 of 5 failed logins before the console locks)\n",
		"error: login: wrong secret; locked after too many failed logins, until 2027-05-03T08:05:00Z (5m0s from now)\n",
		"error: login: locked after too many failed logins, until 2027-05-03T08:05:00Z", "error: status: log in first\n"} {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
	if err := f.reopen(t); err != nil {
		t.Fatal(err)
	}
	f.clk.Advance(4 * time.Minute)
	out = runScript(t, f.config(), "login installer\n"+installerPIN+"\n")
	if !strings.Contains(out, "until 2027-05-03T08:05:00Z (1m0s from now)") {
		t.Errorf("after a restart the lock is gone or moved:\n%s", out)
	}
	f.clk.Advance(time.Minute)
	out = runScript(t, f.config(), "login installer\n"+installerPIN+"\nwipe\n")
	if !strings.Contains(out, "wiped") {
		t.Errorf("after the lock, login fails:\n%s", out)
	}
	var got []audit.Action
	for _, e := range f.rec.Entries()[2:] { // after the two secrets were set
		got = append(got, e.Action)
	}
	want := []audit.Action{audit.ActionLoginFailed, audit.ActionLoginFailed, audit.ActionLoginFailed, audit.ActionLoginFailed,
		audit.ActionLoginFailed, audit.ActionLockout, audit.ActionLockoutEnd, audit.ActionLogin, audit.ActionLogout}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("audit (-want +got):\n%s", diff)
	}
	for _, e := range f.rec.Entries() {
		if e.Action == audit.ActionLoginFailed && e.Actor.ID != "supervisor" {
			t.Errorf("failed login recorded as %v, want the role attempted", e.Actor)
		}
		if strings.Contains(e.Detail, "guess-me") || strings.Contains(e.Detail, installerPIN) {
			t.Errorf("audit entry holds a secret: %+v", e)
		}
	}
}

// TestCorruptSecrets: a damaged secrets file leaves the console locked,
// says why, and offers no first-boot setup.
func TestCorruptSecrets(t *testing.T) {
	f := newAuth(t, true)
	if err := os.WriteFile(filepath.Join(f.dir, auth.FileName), []byte(`{"state":{"version":1},"mac":"AAAA"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	err := f.reopen(t)
	if !errors.Is(err, auth.ErrTampered) {
		t.Fatalf("reopen = %v, want tampered", err)
	}
	out := runScript(t, f.config(), "login installer\n"+installerPIN+"\nsetup\nstatus\n")
	if strings.Contains(out, installerPIN) {
		t.Errorf("the refused login's secret was read as a command:\n%s", out)
	}
	for _, w := range []string{"console LOCKED: secrets file was tampered with", "error: login: secrets file was tampered with",
		"error: setup: secrets file was tampered with", "error: status: log in first\n"} {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
}

// TestIdleLogout: ten minutes without a command on the injected clock end
// the session, announced on the console and recorded; a command before
// then restarts the ten minutes.
func TestIdleLogout(t *testing.T) {
	f := newAuth(t, true)
	cfg := f.config()
	var ended atomic.Int32 // the daemon drops a review selection here
	cfg.OnSessionEnd = func() { ended.Add(1) }
	s := start(t, cfg)
	s.typ("login installer\n" + installerPIN + "\n")
	pos := s.expect(0, "logged in as installer; logged out after 10m0s without a command\n")
	waitPending(t, f.clk)
	f.clk.Advance(9 * time.Minute)
	s.typ("wipe\n")
	pos = s.expect(pos, "wiped\n")
	waitPending(t, f.clk)
	f.clk.Advance(9 * time.Minute) // 9 after the last command
	waitPending(t, f.clk)
	f.clk.Advance(time.Minute)
	pos = s.expect(pos, "logged out: no command for 10m0s\n")
	s.typ("wipe\n")
	s.expect(pos, "error: wipe: log in first\n")
	if n := ended.Load(); n != 1 {
		t.Errorf("OnSessionEnd ran %d times, want once at the idle logout", n)
	}
	var found bool
	for _, e := range f.rec.Entries() {
		if e.Action == audit.ActionLogout && e.Actor.ID == "installer" && e.Detail == "console: idle 10m0s" {
			found = !e.Time.Before(time.Date(2027, 5, 3, 8, 19, 0, 0, time.UTC))
		}
	}
	if !found {
		t.Errorf("no idle logout at 08:19 in the audit log: %+v", f.rec.Entries())
	}
}

// waitPending waits until the idle watcher has armed its timer.
func waitPending(t *testing.T, clk *clocktest.Clock) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for clk.Pending() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the idle watcher armed no timer")
		}
		time.Sleep(time.Millisecond)
	}
}
