package trustclock

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fairrec/firmware/clock/clocktest"
)

// t0 is the true time at which the tests begin.
var t0 = time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)

// monoKeeper returns a keeper over a fake wall clock and a fake monotonic
// clock; advance moves both, the wall clock alone is moved with clk.Set.
func monoKeeper(t *testing.T, path string, wall time.Time) (k *Keeper, clk *clocktest.Clock, advance func(time.Duration)) {
	t.Helper()
	clk = clocktest.New(wall)
	var mono time.Duration
	k, err := New(Config{Clock: clk, Path: path, Elapsed: func() time.Duration { return mono }, RTC: true})
	if err != nil {
		t.Fatal(err)
	}
	return k, clk, func(d time.Duration) { mono += d; clk.Advance(d) }
}

func TestKeeperFirstStart(t *testing.T) {
	k, _, advance := monoKeeper(t, "", t0)
	if b, ok := k.Bound(); !ok || !b.Equal(t0) || !k.Trusted() {
		t.Fatalf("plausible first start: %v %v trusted=%v", b, ok, k.Trusted())
	}
	advance(time.Hour)
	if b := k.Now(); !b.Equal(t0.Add(time.Hour)) {
		t.Fatalf("bound %v", b)
	}

	// A first start in 1970 knows no lower bound: nothing may be erased.
	k, clk, advance := monoKeeper(t, "", time.Unix(0, 0))
	if _, ok := k.Bound(); ok || k.Trusted() {
		t.Fatal("1970 without a persisted bound: bound known or trusted")
	}
	if err := k.Confirm(); err == nil {
		t.Fatal("confirmed a clock in 1970")
	}
	advance(time.Minute)
	clk.Set(t0) // the clock is set, but by whom?
	if _, ok := k.Bound(); ok || k.Trusted() {
		t.Fatal("a clock set after a start in 1970 is taken without confirmation")
	}
	if err := k.Confirm(); err != nil {
		t.Fatal(err)
	}
	if b, ok := k.Bound(); !ok || !b.Equal(t0) || !k.Trusted() {
		t.Fatalf("after confirmation: %v %v", b, ok)
	}
	ch := k.TakeChanges()
	if len(ch) != 2 || ch[0].Trusted || !ch[0].Initial || !ch[1].Trusted || ch[1].Shift <= 0 {
		t.Fatalf("changes %+v", ch)
	}
}

func TestKeeperJumpsAndPersistence(t *testing.T) {
	path := filepath.Join(t.TempDir(), File)
	k, clk, advance := monoKeeper(t, path, t0)
	advance(time.Hour)
	// A small step back (NTP) keeps trust; the bound does not go back.
	clk.Set(clk.Now().Add(-30 * time.Second))
	if b := k.Now(); !b.Equal(t0.Add(time.Hour)) || !k.Trusted() {
		t.Fatalf("small step back: %v trusted=%v", b, k.Trusted())
	}
	// A step forward within MaxJump is taken.
	clk.Set(t0.Add(25 * time.Hour))
	if b := k.Now(); !b.Equal(t0.Add(25*time.Hour)) || !k.Trusted() {
		t.Fatalf("day forward: %v", b)
	}
	// Five years forward: untrusted, the bound follows the monotonic clock.
	clk.Set(t0.AddDate(5, 0, 0))
	advance(time.Hour)
	if b := k.Now(); !b.Equal(t0.Add(26*time.Hour)) || k.Trusted() {
		t.Fatalf("5 years forward: %v trusted=%v", b, k.Trusted())
	}
	if err := k.Confirm(); err != nil {
		t.Fatal(err)
	}
	if b := k.Now(); !b.Equal(t0.AddDate(5, 0, 0).Add(time.Hour)) || !k.Trusted() {
		t.Fatalf("confirmed: %v", b)
	}
	if err := k.Save(); err != nil {
		t.Fatal(err)
	}
	saved := k.Now()

	// Next boot: the clock is a day behind the saved bound, which stays
	// the lower bound.
	k2, _, advance2 := monoKeeper(t, path, saved.Add(-day))
	advance2(time.Minute)
	if b, ok := k2.Bound(); !ok || !b.Equal(saved.Add(time.Minute)) || k2.Trusted() {
		t.Fatalf("boot behind: %v %v trusted=%v, want %v untrusted", b, ok, k2.Trusted(), saved.Add(time.Minute))
	}
	if err := k2.Save(); err != nil {
		t.Fatal(err)
	}

	// Next boot: the clock is five years behind the saved bound (the
	// true time, after a wrong confirmation): the bound is no evidence,
	// and no reason to erase.
	k3, _, _ := monoKeeper(t, path, t0)
	if _, ok := k3.Bound(); ok || k3.Trusted() {
		t.Fatalf("a bound 5 years ahead of the wall clock is taken: ok=%v trusted=%v", ok, k3.Trusted())
	}
	if ch := k3.TakeChanges(); len(ch) != 1 || ch[0].Reason != "state-ahead" {
		t.Fatalf("changes %+v", ch)
	}
}

const day = 24 * time.Hour

func TestKeeperLostState(t *testing.T) {
	path := filepath.Join(t.TempDir(), File)
	if err := os.WriteFile(path, []byte("{garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	k, _, _ := monoKeeper(t, path, t0)
	if _, ok := k.Bound(); ok || k.Trusted() {
		t.Fatal("unreadable state: a bound is taken from the wall clock")
	}
	if err := k.Confirm(); err != nil {
		t.Fatal(err)
	}
	if _, ok := k.Bound(); !ok || !k.Trusted() {
		t.Fatal("not trusted after Confirm")
	}
	if err := k.Save(); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(path); err != nil || !strings.Contains(string(b), `"version":2`) {
		t.Fatalf("state file %q, %v", b, err)
	}
}

// TestKeeperBootID: a state saved trusted in this boot makes an agreeing
// clock trusted without an RTC; the kernel's trailing newline on either
// side does not matter, another boot does.
func TestKeeperBootID(t *testing.T) {
	for _, tc := range []struct {
		name, saved, now string
		want             bool
	}{
		{"same boot", "b1", "b1", true},
		{"saved with the kernel's newline", "b1\n", "b1", true},
		{"read with the kernel's newline", "b1", "b1\n", true},
		{"another boot", "b1", "b2", false},
		{"no boot id", "", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), File)
			clk := clocktest.New(t0)
			k, err := New(Config{Clock: clk, Path: path, BootID: tc.saved})
			if err != nil {
				t.Fatal(err)
			}
			if err := k.Confirm(); err != nil {
				t.Fatal(err)
			}
			if err := k.Save(); err != nil {
				t.Fatal(err)
			}
			clk.Advance(time.Minute)
			k2, err := New(Config{Clock: clk, Path: path, BootID: tc.now})
			if err != nil {
				t.Fatal(err)
			}
			if got := k2.Trusted(); got != tc.want {
				t.Errorf("trusted = %v, want %v", got, tc.want)
			}
		})
	}
}
