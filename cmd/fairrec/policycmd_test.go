package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fairrec/firmware/clock/clocktest"
	"fairrec/firmware/compliance"
	"fairrec/firmware/datadir"
	"fairrec/firmware/policy"
	"fairrec/firmware/trustclock"
	"fairrec/storage/audit"
	"fairrec/storage/vault"
)

var policyT0 = time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)

// policyData makes a data directory with a key and three recordings made
// through the policy engine at policyT0: 1 on line 1 (quality, training)
// and 2 on line 3 (legal, quality) of caller A, 3 on line 2 (contract) of
// caller B. The policy commands then read the fake clock it returns.
func policyData(t *testing.T) (dir string, clk *clocktest.Clock) {
	t.Helper()
	dir = t.TempDir()
	mustRun(t, "keys", "init", "--data", dir)
	rules := policy.Default()
	rules.Profiles = []policy.Profile{
		{Lines: []int{1}, Purposes: []string{"quality", "training"}, Notice: "a.mp3"},
		{Lines: []int{2}, Purposes: []string{"contract"}, Notice: "b.mp3"},
		{Lines: []int{3}, Purposes: []string{"legal", "quality"}, Notice: "c.mp3"},
	}
	toml := strings.Replace(string(policy.DefaultTOML()), `[[line]]
purposes = ["quality", "training"]
notice = "default"`, `[[line]]
lines = [1]
purposes = ["quality", "training"]
notice = "a.mp3"
[[line]]
lines = [2]
purposes = ["contract"]
notice = "b.mp3"
[[line]]
lines = [3]
purposes = ["legal", "quality"]
notice = "c.mp3"`, 1)
	if err := os.WriteFile(filepath.Join(dir, PurposesFile), []byte(toml), 0o644); err != nil {
		t.Fatal(err)
	}
	clk = clocktest.New(policyT0)
	old := policyClock
	policyClock = clk
	t.Cleanup(func() { policyClock = old })
	boot := testBoot(t, "test-boot")
	// The daemon's keeper, on a board with a battery clock, in the same
	// boot as the tool.
	k, err := trustclock.New(trustclock.Config{Clock: clk, Path: filepath.Join(dir, trustclock.File), RTC: true, BootID: datadir.BootID(boot)})
	if err != nil {
		t.Fatal(err)
	}
	v, err := vault.Open(vault.Config{Dir: dir, Clock: k})
	if err != nil {
		t.Fatal(err)
	}
	e, err := policy.New(policy.Config{Rules: rules, Store: v, Keeper: k})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		line   int
		caller string
	}{{1, "+31 20 555 0101"}, {3, "0031205550101"}, {2, "+31 20 555 0202"}} {
		st, err := e.Start(c.line, false, audit.Actor{Kind: audit.ActorDevice, ID: "test"})
		if err != nil {
			t.Fatal(err)
		}
		st.Meta.Caller = c.caller
		id, err := v.Create(st.Meta)
		if err != nil {
			t.Fatal(err)
		}
		if err := v.Append(id, make([]byte, 4000)); err != nil {
			t.Fatal(err)
		}
		if err := v.Seal(id, policyT0.Add(time.Second)); err != nil {
			t.Fatal(err)
		}
	}
	if err := k.Save(); err != nil {
		t.Fatal(err)
	}
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	return dir, clk
}

// testBoot makes the policy commands read the boot id id (written with
// the kernel's trailing newline) and returns the file.
func testBoot(t *testing.T, id string) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "boot_id")
	if err := os.WriteFile(file, []byte(id+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	old := policyBootIDFile
	policyBootIDFile = file
	t.Cleanup(func() { policyBootIDFile = old })
	return file
}

func TestPolicyCommands(t *testing.T) {
	dir, clk := policyData(t)
	d := "--data=" + dir
	clk.Advance(10 * 24 * time.Hour)
	// Ten days since the last saved bound is a jump the tool does not
	// take on trust; the installer confirms the clock.
	if _, _, errs := run(t, "release", "2", d); !strings.Contains(errs, "clock not trusted") {
		t.Errorf("no warning about the untrusted clock: %q", errs)
	}
	mustRun(t, "clock", "confirm", d)

	out := mustRun(t, "hold", "1", "C-2027-4", d)
	if !strings.Contains(out, "recording 1 held for quality") {
		t.Errorf("hold: %q", out)
	}
	if code, _, errs := run(t, "hold", "3", "C-1", d); code != 1 || !strings.Contains(errs, "may be held") {
		t.Errorf("hold of a contract recording: exit %d %q", code, errs)
	}
	out = mustRun(t, "release", "1", d)
	if !strings.Contains(out, "released: kept for quality until 2027-05-30") {
		t.Errorf("release: %q", out)
	}
	mustRun(t, "contract", "ref", "3", "order-77", d)
	clk.Advance(20 * 24 * time.Hour)
	mustRun(t, "clock", "confirm", d)
	out = mustRun(t, "contract", "completed", "ORDER-77", d)
	if !strings.Contains(out, "1 recording(s) now kept until 2027-04-30") {
		t.Errorf("contract completed: %q", out)
	}
	if code, _, errs := run(t, "contract", "completed", "order-78", d); code != 1 || !strings.Contains(errs, "no recording with this reference") {
		t.Errorf("unknown reference: exit %d %q", code, errs)
	}

	exp := filepath.Join(t.TempDir(), "sar")
	out = mustRun(t, "access", "+31205550101", exp, d)
	if !strings.Contains(out, "2 recording(s) exported") {
		t.Errorf("access: %q", out)
	}
	var meta []struct {
		ID   int    `json:"id"`
		File string `json:"file"`
	}
	b, err := os.ReadFile(filepath.Join(exp, "metadata.json"))
	if err != nil || json.Unmarshal(b, &meta) != nil || len(meta) != 2 || meta[0].File != "recording-1.wav" {
		t.Fatalf("metadata.json: %v %s", err, b)
	}
	if _, err := os.Stat(filepath.Join(exp, "recording-2.wav")); err != nil {
		t.Error(err)
	}
	trail, _ := os.ReadFile(filepath.Join(exp, "audit.jsonl"))
	if !strings.Contains(string(trail), `"action":"hold","recording":1`) || strings.Contains(string(trail), `"recording":3`) {
		t.Errorf("audit trail of the caller's recordings:\n%s", trail)
	}

	out = mustRun(t, "erasure", "+31 20 5550101", d)
	if !strings.Contains(out, "2 recording(s) found, 1 erased; 1 kept because the law requires it (legal: legal-obligation)") {
		t.Errorf("erasure: %q", out)
	}
	list := mustRun(t, "list", d)
	if strings.Contains(list, "\n1 ") || !strings.Contains(list, "legal") {
		t.Errorf("after erasure:\n%s", list)
	}

	var rep compliance.Report
	if err := json.Unmarshal([]byte(mustRun(t, "report", "--format", "json", d)), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Recordings != 2 || rep.Period.ErasedByRequest != 1 || rep.Period.Restricted != 1 || rep.Period.Holds != 1 {
		t.Errorf("report: %+v", rep)
	}
	if html := mustRun(t, "report", "--format=html", d); !strings.Contains(html, "<svg") {
		t.Error("html report without chart")
	}
	if txt := mustRun(t, "report", d, "--since", "2027-01-01"); !strings.Contains(txt, "period: 2027-01-01") {
		t.Errorf("text report:\n%s", txt)
	}
	if reg := mustRun(t, "register", d); !strings.Contains(reg, "GDPR art. 30") || !strings.Contains(reg, "Lines:              3") {
		t.Errorf("register:\n%s", reg)
	}
	if out := mustRun(t, "register", "--print-defaults"); out != string(policy.DefaultTOML()) {
		t.Error("print-defaults differs from the shipped file")
	}
	// What the policy commands wrote to the audit log verifies with the
	// same key `fairrec audit verify` (and the daemon) use.
	if out := mustRun(t, "audit", "verify", d); !strings.Contains(out, "chained intact") || !strings.Contains(out, "head verified") {
		t.Errorf("audit verify after the policy commands: %q", out)
	}
	if out := mustRun(t, "clock", "status", d); !strings.Contains(out, "clock is trusted") {
		t.Errorf("clock status: %q", out)
	}
	clk.Set(time.Unix(0, 0))
	if out := mustRun(t, "clock", "status", d); !strings.Contains(out, "NOT trusted") || !strings.Contains(out, "lower bound:  2027-03-31") {
		t.Errorf("clock status in 1970: %q", out)
	}
}

func TestPolicyUsage(t *testing.T) {
	for _, args := range [][]string{
		{"report", "--format", "pdf"}, {"report", "x"}, {"erasure"}, {"access", "123"},
		{"hold", "1"}, {"hold", "x", "ref"}, {"release"}, {"contract"}, {"contract", "ref", "1"},
		{"clock", "set"}, {"register", "x"},
	} {
		if code, _, errs := run(t, args...); code != 2 {
			t.Errorf("%q: exit %d, want 2 (%s)", args, code, errs)
		}
	}
	bad := filepath.Join(t.TempDir(), "p.toml")
	os.WriteFile(bad, []byte("[[purpose]]\nname = \"x\"\n"), 0o644)
	if code, _, errs := run(t, "register", "--purposes", bad); code != 1 || !strings.Contains(errs, `purpose "x": no description`) {
		t.Errorf("bad purposes file: exit %d %q", code, errs)
	}
}
