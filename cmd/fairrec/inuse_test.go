package main

import (
	"strings"
	"testing"
	"time"

	"fairrec/firmware/clock/clocktest"
	"fairrec/storage/audit"
	"fairrec/storage/vault"
)

// holdDataDir holds dir's vault and audit log open as a running fairrecd
// does, until the test ends.
func holdDataDir(t *testing.T, dir string) {
	t.Helper()
	clk := clocktest.New(policyT0)
	cfg := vault.Config{Dir: dir, Clock: clk}
	v, err := vault.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	key, err := vault.DeriveSecret(cfg, audit.KeyLabel)
	if err != nil {
		t.Fatal(err)
	}
	l, err := audit.Open(audit.Config{Path: audit.PathIn(dir), Clock: clk, Key: key})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
}

// TestDataDirInUse: whatever the command, a tool run while the daemon
// holds the data directory says so in one line, and what to do instead.
func TestDataDirInUse(t *testing.T) {
	dir, _ := policyData(t)
	holdDataDir(t, dir)
	d := "--data=" + dir
	want := "the data directory " + dir + " is in use by fairrecd: use the console ("
	for _, tc := range []struct {
		args    []string
		console string
	}{
		{[]string{"list", d}, "its recordings command"},
		{[]string{"verify", d}, "its selftest command"},
		{[]string{"export", d, "1", dir + "/1.wav"}, "its status, recordings, report … commands"},
		{[]string{"erase", d, "1"}, "its status, recordings, report … commands"},
		{[]string{"hold", "1", "C-1", d}, "its hold command"},
		{[]string{"report", d}, "its report command"},
		{[]string{"audit", "verify", d}, "its audit command"},
		{[]string{"passwd", "supervisor", d}, "its passwd command"},
	} {
		t.Run(tc.args[0], func(t *testing.T) {
			start := time.Now()
			code, out, errs := run(t, tc.args...)
			line := "fairrec " + tc.args[0] + ": " + want + tc.console + "), or stop fairrecd first\n"
			if code != 1 || out != "" || errs != line {
				t.Errorf("fairrec %s: exit %d, stdout %q\nstderr %q\nwant   %q", strings.Join(tc.args, " "), code, out, errs, line)
			}
			if took := time.Since(start); took > 5*time.Second {
				t.Errorf("took %v to say so", took)
			}
		})
	}
}
