package main

import (
	"os"
	"strings"
	"testing"
	"time"

	"fairrec/firmware/clock/clocktest"
	"fairrec/firmware/datadir"
)

// TestToolInheritsDaemonClock: a clock the daemon trusted (confirmed by the
// installer on a box without a battery clock) is trusted by the tool run in
// the same boot, and only in it. Both read the boot id through
// datadir.BootID; the daemon opens its data directory with datadir.Open and
// the default boot id file, as cmd/fairrecd does.
func TestToolInheritsDaemonClock(t *testing.T) {
	if datadir.BootID("") == "" {
		t.Skip("no boot id: not Linux")
	}
	for _, tc := range []struct {
		name, toolBoot string // "" is the real boot id, as the daemon's
		want           string
	}{
		{"same boot", "", "clock is trusted"},
		{"another boot", "another-boot", "clock is NOT trusted"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			mustRun(t, "keys", "init", "--data", dir)
			clk := clocktest.New(policyT0)
			old := policyClock
			policyClock = clk
			t.Cleanup(func() { policyClock = old })

			// The daemon: no RTC, so its clock is trusted once confirmed.
			d, err := datadir.Open(datadir.Config{Dir: dir, Clock: clk, NoFreelistSync: true})
			if err != nil {
				t.Fatal(err)
			}
			if d.Keeper.Trusted() {
				t.Fatal("the daemon trusts an unconfirmed clock without an RTC")
			}
			if err := d.Keeper.Confirm(); err != nil {
				t.Fatal(err)
			}
			if err := d.Close(); err != nil {
				t.Fatal(err)
			}
			state, err := os.ReadFile(dir + "/clock.json")
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(state), `\n`) {
				t.Errorf("the boot id is saved with its newline: %s", state)
			}

			clk.Advance(time.Minute)
			if tc.toolBoot != "" {
				testBoot(t, tc.toolBoot)
			}
			out := mustRun(t, "clock", "status", "--data", dir)
			if !strings.Contains(out, tc.want+"\n") && !strings.Contains(out, tc.want+" ") {
				t.Errorf("fairrec clock status in %s:\n%s\nwant %q", tc.name, out, tc.want)
			}
		})
	}
}
