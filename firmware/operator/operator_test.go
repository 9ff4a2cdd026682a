package operator_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fairrec/firmware/clock/clocktest"
	"fairrec/firmware/datadir"
	"fairrec/firmware/operator"
	"fairrec/storage/audit"
	"fairrec/storage/vault"
)

var t0 = time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)

// TestUsageBeforeAnything: every mistake is found by Parse, before a data
// directory is opened, and wraps ErrUsage.
func TestUsageBeforeAnything(t *testing.T) {
	for _, line := range []string{
		"report pdf x", "report 2026-01-01 2026-02-01", "report --format pdf", "report --days 0", "report 2026-13-45", "register x",
		"erasure", "access 0612345678", "hold 1", "hold x ref", "release", "release 1 2",
		"contract", "contract ref 1", "contract ref x R", "clock set", "audit", "audit check", "hold --bogus 1 R",
	} {
		args := strings.Fields(line)
		c, ok := operator.Lookup(args[0])
		if !ok {
			t.Fatalf("no command %q", args[0])
		}
		if _, _, err := c.Parse(args[1:]); !errors.Is(err, operator.ErrUsage) {
			t.Errorf("%q: %v, want a usage error", line, err)
		}
	}
}

// TestModes: reads never ask for the audit log to be written; the
// requests that change something do.
func TestModes(t *testing.T) {
	for _, tt := range []struct {
		line string
		want operator.Mode
	}{
		{"register", operator.ModeRules}, {"audit verify", operator.ModeAudit},
		{"report", operator.ModeRead}, {"clock", operator.ModeRead}, {"clock status", operator.ModeRead},
		{"clock confirm", operator.ModeWrite}, {"erasure 0612345678", operator.ModeWrite},
		{"access 0612345678 out", operator.ModeWrite}, {"hold 1 R", operator.ModeWrite},
		{"release 1", operator.ModeWrite}, {"contract completed R", operator.ModeWrite},
	} {
		args := strings.Fields(tt.line)
		c, _ := operator.Lookup(args[0])
		m, _, err := c.Parse(args[1:])
		if err != nil || m != tt.want {
			t.Errorf("%q: mode %v, %v; want %v", tt.line, m, err, tt.want)
		}
	}
	for _, c := range operator.Commands() {
		if p := c.Name == "erasure" || c.Name == "access" || c.Name == "contract"; p != c.Private {
			t.Errorf("%s: private %v, want %v (a number or a reference must stay out of the history)", c.Name, c.Private, p)
		}
	}
}

// TestRequests runs the table on a real data directory: a hold and its
// release are audited as the actor, the clock is shown, the report goes to
// a file, the chain verifies.
func TestRequests(t *testing.T) {
	dir := t.TempDir()
	if err := vault.InitKey(filepath.Join(dir, vault.KeyFile), nil); err != nil {
		t.Fatal(err)
	}
	clk := clocktest.New(t0)
	d, err := datadir.Open(datadir.Config{Dir: dir, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	st, err := d.Policy.Start(1, false, audit.Actor{})
	if err != nil {
		t.Fatal(err)
	}
	st.Meta.Caller = "0612345678"
	id, err := d.Vault.Create(st.Meta)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Vault.Append(id, make([]byte, 8000)); err != nil {
		t.Fatal(err)
	}
	if err := d.Vault.Seal(id, t0.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	actor := audit.Actor{Kind: audit.ActorRole, ID: "supervisor"}
	env := operator.Env{Rules: d.Rules, Engine: d.Policy, Vault: d.Vault, Keeper: d.Keeper, Log: d.Audit, Clock: clk, Actor: actor,
		LogPath: audit.PathIn(dir), KeyPath: filepath.Join(dir, vault.KeyFile)}
	run := func(line string) string {
		t.Helper()
		args := strings.Fields(line)
		c, _ := operator.Lookup(args[0])
		var b bytes.Buffer
		if err := c.Run(env, &b, args[1:]); err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		return b.String()
	}
	if out := run("hold " + id.String() + " complaint-7"); !strings.Contains(out, "held") {
		t.Errorf("hold: %q", out)
	}
	run("release " + id.String())
	if out := run("clock"); !strings.Contains(out, "lower bound:  2027-03-01") {
		t.Errorf("clock: %q", out)
	}
	for _, line := range []string{"report html -o FILE", "report html FILE", "report html 2027-01-01 FILE"} {
		report := filepath.Join(t.TempDir(), "report.html")
		if out := run(strings.Replace(line, "FILE", report, 1)); !strings.Contains(out, report) {
			t.Errorf("%s: %q", line, out)
		}
		if b, err := os.ReadFile(report); err != nil || !bytes.Contains(b, []byte("<html")) {
			t.Errorf("%s: report file: %v, %.80q", line, err, b)
		}
	}
	if out := run("audit verify"); !strings.Contains(out, "chained intact") || !strings.Contains(out, "head verified") {
		t.Errorf("audit verify: %q", out)
	}
	var held, released bool
	err = d.Audit.Each(time.Time{}, func(e audit.Entry) error {
		held = held || e.Action == audit.ActionHold && e.Actor == actor
		released = released || e.Action == audit.ActionRelease && e.Actor == actor
		return nil
	})
	if err != nil || !held || !released {
		t.Errorf("audit: hold %v, release %v (%v), want both as %v", held, released, err, actor)
	}
	if out := run("erasure +31 6 1234 5678"); !strings.Contains(out, "1 erased") {
		t.Errorf("erasure: %q", out)
	}
	if _, err := d.Vault.Info(id); err == nil {
		t.Error("the caller's recording survived the erasure")
	}
}
