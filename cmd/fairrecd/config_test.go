package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"

	"fairrec/firmware/policy"
	"fairrec/storage/audit"
)

// configCalls has a call on line 1 at once, with its caller's number as
// DTMF caller ID before the ring, and another at 30 s (in real time), after
// the test has imported new purposes at the console.
const configCalls = `
rate = 48000
lines = 1
end = "36s"

[[line]]
events = [
  { at = "0.1s", dtmf = "A0201234567C" },
  { at = "2s", ring = "1s" },
  { at = "3.2s", offhook = true },
  { at = "4s", audio = "caller1.wav" },
  { at = "5s", onhook = true },
  { at = "30s", ring = "0.3s" },
  { at = "30.4s", offhook = true },
  { at = "31.2s", audio = "caller1.wav" },
  { at = "32.2s", onhook = true },
]
`

// poll types cmd at the console until its answer (up to the line that
// ends it, end) holds want, and returns the position after that answer.
// The deadline only guards against a hang.
func (w *watched) poll(t *testing.T, typ func(string), cmd, end, want string, more ...*watched) int {
	t.Helper()
	deadline := time.Now().Add(120 * time.Second)
	for {
		from := len(w.String())
		typ(cmd + "\r")
		pos := w.waitFor(t, from, cmd+"\r\n", more...) // the echo, which may hold end too
		pos = w.waitFor(t, pos, end, more...)
		if strings.Contains(w.String()[from:pos], want) {
			return pos
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never answered %q; last:\n%s", cmd, want, w.String()[from:pos])
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// TestConsoleConfigImport is an installer's visit at the daemon's own
// terminal (make run): the log's info lines stay off the prompt (in the
// log file) while an error shows; purposes; config export; an import with
// three mistakes, one of them the daemon's own check, applies nothing and
// names all three with their lines; a good one shows the diff, is applied
// and audited as the installer's; the next call gets the new grants, and
// the recording made before keeps its own. Then recordings --callers is
// refused to the installer and shown, audited, to the supervisor.
func TestConsoleConfigImport(t *testing.T) {
	master, slave, err := pty.Open()
	if err != nil {
		t.Skipf("no pty: %v", err)
	}
	defer master.Close()
	defer slave.Close()
	pty.Setsize(master, &pty.Winsize{Rows: 50, Cols: 200})

	data := dataDir(t)
	setSecrets(t, data)
	notices, _ := testNotices(t)
	// A notice set no line uses that does not decode: an error at start,
	// which must show on the console.
	os.WriteFile(filepath.Join(notices, "other.nl.notice.mp3"), []byte("not an mp3"), 0o644)
	dir := t.TempDir()
	writeWAV(t, filepath.Join(dir, "caller1.wav"), 16000, callerAudio(16000, 0.8, 0))
	scenario := filepath.Join(dir, "calls.toml")
	os.WriteFile(scenario, []byte(configCalls), 0o644)

	cmd := daemonCmd(t, "--board", "sim", "--scenario", scenario, "--data", data, "--console", "stdio",
		"--notices", notices, "--realtime")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	term := watch(master)
	typ := func(s string) { master.Write([]byte(s)) }
	logFile := filepath.Join(data, LogFile)

	pos := term.waitFor(t, 0, "log: warnings and errors show here; every log line goes to "+logFile)
	term.waitFor(t, 0, "level=ERROR msg=notices")
	pos = term.waitFor(t, pos, "fairrec> ")
	typ("login installer\r")
	pos = term.waitFor(t, pos, "secret for installer: ")
	typ(testInstallerPIN + "\r")
	term.waitFor(t, pos, "logged in as installer")
	pos = term.poll(t, typ, "recordings", " recordings\r\n", "sealed")

	typ("purposes\r")
	pos = term.waitFor(t, pos, "purposes in force (from defaults):")
	pos = term.waitFor(t, pos, "training  legitimate-interests, 30 days, objection ends")
	pos = term.waitFor(t, pos, "every other line  purposes quality, training; notice set default")

	exported := filepath.Join(dir, "export.toml")
	typ("config export " + exported + "\r")
	pos = term.waitFor(t, pos, "written to "+exported)
	b, err := os.ReadFile(exported)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)

	bad := strings.Replace(text, `retention = "30d"`, `retention = "30 dayz"`, 1)
	bad = strings.Replace(bad, `basis = "contract"`, `basis = "kontract"`, 1)
	bad = strings.Replace(bad, `notice = "default"`, `notice = "other"`, 1)
	badFile := filepath.Join(dir, "bad.toml")
	os.WriteFile(badFile, []byte(bad), 0o644)
	typ("config import " + badFile + " --apply\r")
	pos = term.waitFor(t, pos, "error: config: import "+badFile+": 3 problems; nothing was applied:")
	for _, want := range []string{`retention: duration "30 dayz"`, `basis "kontract"`, `notice set "other" in language nl`} {
		term.waitFor(t, pos, want)
	}
	if _, err := os.Stat(filepath.Join(data, "purposes.toml")); !os.IsNotExist(err) {
		t.Errorf("a refused import wrote the purposes file: %v", err)
	}

	good := strings.Replace(text, `retention = "30d"`, `retention = "7d"`, 1)
	goodFile := filepath.Join(dir, "good.toml")
	os.WriteFile(goodFile, []byte(good), 0o644)
	typ("config import " + goodFile + "\r")
	pos = term.waitFor(t, pos, `purpose "training": retention 30 days -> 7 days`)
	pos = term.waitFor(t, pos, "nothing applied yet: config import "+goodFile+" --apply applies it")
	typ("config import " + goodFile + " --apply\r")
	pos = term.waitFor(t, pos, `purpose "training": retention 30 days -> 7 days`)
	pos = term.waitFor(t, pos, "applied: "+filepath.Join(data, "purposes.toml")+" holds them")
	typ("purposes\r")
	pos = term.waitFor(t, pos, "training  legitimate-interests, 7 days, objection ends")
	typ("recordings\r")
	pos = term.waitFor(t, pos, "recordings\r\n")
	pos = term.waitFor(t, pos, " recordings\r\n")
	if strings.Contains(term.String()[pos-20:pos], "2 recordings") {
		t.Fatal("the second call was recorded before the import: the machine was too slow for the scenario's 30 s")
	}

	pos = term.poll(t, typ, "recordings", " recordings\r\n", "2 recordings")
	typ("recordings --callers\r")
	pos = term.waitFor(t, pos, "error: recordings: --callers: only the supervisor is shown callers' numbers (logged in as installer)")
	typ("login supervisor\r")
	pos = term.waitFor(t, pos, "secret for supervisor: ")
	typ(testSupervisorPIN + "\r")
	pos = term.waitFor(t, pos, "logged in as supervisor")
	typ("recordings --callers\r")
	pos = term.waitFor(t, pos, "CALLER")
	term.waitFor(t, pos, "2 recordings")
	screen := term.String() // the console's screen: what shutdown prints after it does not count
	stopDaemon(t, cmd, term)

	if strings.Contains(screen, "fairrecd running") || strings.Contains(screen, "level=INFO") {
		t.Errorf("info log lines reached the console:\n%s", screen)
	}
	if lf, _ := os.ReadFile(logFile); !strings.Contains(string(lf), "msg=\"fairrecd running\"") ||
		!strings.Contains(string(lf), "level=ERROR msg=notices") {
		t.Errorf("the log file misses lines:\n%s", lf)
	}
	if f, _ := os.ReadFile(filepath.Join(data, "purposes.toml")); string(f) != good {
		t.Errorf("the purposes file is not the imported one:\n%s", f)
	}

	infos := checkSealed(t, data, 2)
	training := func(i int) time.Duration {
		for _, g := range infos[i].Grants {
			if g.Purpose == "training" {
				return g.Deadline.Sub(g.Granted)
			}
		}
		t.Fatalf("recording %v has no training grant: %+v", infos[i].ID, infos[i].Grants)
		return 0
	}
	if d := training(0); d != 30*24*time.Hour {
		t.Errorf("the recording made before the import keeps training for %v, want the 30 days it was granted", d)
	}
	if d := training(1); d != 7*24*time.Hour {
		t.Errorf("the call after the import has training for %v, want the imported 7 days", d)
	}
	if !strings.Contains(infos[0].Caller, "1234567") {
		t.Errorf("call 1's caller %q: the scenario sent caller ID", infos[0].Caller)
	}
	if !strings.Contains(screen, infos[0].Caller) {
		t.Errorf("recordings --callers did not show %q", infos[0].Caller)
	}

	installer := audit.Actor{Kind: audit.ActorRole, ID: "installer"}
	supervisor := audit.Actor{Kind: audit.ActorRole, ID: "supervisor"}
	var imported, changed, shown bool
	for _, e := range auditEntries(t, data) {
		switch {
		case e.Action == audit.ActionConfigChange && e.Actor == installer && e.Detail == "config import from good.toml: 1 change":
			imported = true
		case e.Action == audit.ActionConfigChange && e.Actor == installer && e.Purpose == "training":
			changed = strings.Contains(e.Detail, "retention 30 days -> 7 days")
		case e.Action == audit.ActionCallersShown:
			shown = e.Actor == supervisor && e.Recording == uint64(infos[0].ID)
		}
	}
	if !imported || !changed || !shown {
		t.Errorf("audit: import %v, its change %v, callers shown to the supervisor %v; want all", imported, changed, shown)
	}
}

// TestConfigImportScripted: a script on the console's pipe imports a file
// with --apply in one go (no question to answer), and a restart reads it.
func TestConfigImportScripted(t *testing.T) {
	data := dataDir(t)
	setSecrets(t, data)
	notices, _ := testNotices(t)
	file := filepath.Join(t.TempDir(), "new.toml")
	text := strings.Replace(string(policy.DefaultTOML()), `retention = "90d"`, `retention = "60d"`, 1)
	os.WriteFile(file, []byte(text), 0o644)

	cmd, in, stdout, stderr := consoleDaemon(t, data, notices)
	io.WriteString(in, "login installer\n"+testInstallerPIN+"\nconfig import "+file+" --apply\npurposes\n")
	pos := stdout.waitFor(t, 0, `purpose "quality": retention 90 days -> 60 days`, stderr)
	pos = stdout.waitFor(t, pos, "applied: ", stderr)
	stdout.waitFor(t, pos, "quality   legitimate-interests, 60 days", stderr)
	in.Close()
	stderr.waitFor(t, 0, "console input ended")
	stopDaemon(t, cmd, stderr)

	cmd, in, stdout, stderr = consoleDaemon(t, data, notices)
	io.WriteString(in, "login supervisor\n"+testSupervisorPIN+"\npurposes\n")
	pos = stdout.waitFor(t, 0, "purposes in force (from "+filepath.Join(data, "purposes.toml")+")", stderr)
	stdout.waitFor(t, pos, "quality   legitimate-interests, 60 days", stderr)
	in.Close()
	stderr.waitFor(t, 0, "console input ended")
	stopDaemon(t, cmd, stderr)
}
