package trustclock

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fairrec/firmware/clock/clocktest"
)

// TestKeeperStepsAddUp: forward steps each within MaxJump are taken only
// while their sum since the last confirmation stays within it; a
// confirmation starts a new sum, and the sum survives a restart.
func TestKeeperStepsAddUp(t *testing.T) {
	path := filepath.Join(t.TempDir(), File)
	k, clk, _ := monoKeeper(t, path, t0)
	clk.Set(t0.Add(47 * time.Hour)) // no real time passes
	if b := k.Now(); !b.Equal(t0.Add(47*time.Hour)) || !k.Trusted() {
		t.Fatalf("first step: %v trusted=%v", b, k.Trusted())
	}
	for i := 2; i <= 50; i++ {
		clk.Set(t0.Add(time.Duration(i) * 47 * time.Hour))
		if b := k.Now(); !b.Equal(t0.Add(47*time.Hour)) || k.Trusted() {
			t.Fatalf("step %d: bound %v trusted=%v, want %v untrusted", i, b, k.Trusted(), t0.Add(47*time.Hour))
		}
	}
	if ch := k.TakeChanges(); len(ch) != 2 || ch[1].Trusted || ch[1].Reason != "jump" {
		t.Fatalf("changes %+v", ch)
	}

	// A step back to the true time and one small step forward: the sum
	// is still spent.
	clk.Set(t0.Add(47*time.Hour + 2*time.Hour))
	if k.Trusted() {
		t.Fatal("a 2 h step after 47 h is trusted")
	}
	if err := k.Save(); err != nil {
		t.Fatal(err)
	}
	// ... across a restart too.
	k2, clk2, _ := monoKeeper(t, path, t0.Add(47*time.Hour+2*time.Hour))
	if k2.Trusted() {
		t.Fatal("the sum of steps was forgotten at restart")
	}
	if err := k2.Confirm(); err != nil {
		t.Fatal(err)
	}
	clk2.Set(clk2.Now().Add(40 * time.Hour))
	if !k2.Trusted() {
		t.Fatal("a step after a confirmation is not trusted")
	}
}

// signedKeeper returns a keeper whose state file is signed with key.
func signedKeeper(t *testing.T, path string, wall time.Time, key []byte) (*Keeper, *clocktest.Clock) {
	t.Helper()
	clk := clocktest.New(wall)
	var mono time.Duration
	k, err := New(Config{Clock: clk, Path: path, Elapsed: func() time.Duration { return mono }, RTC: true,
		Key: func() ([]byte, error) { return key, nil }})
	if err != nil {
		t.Fatal(err)
	}
	return k, clk
}

// TestKeeperSignedState: a state file that fails authentication leaves no
// lower bound (nothing is erased) and is signed again at the next save
// after a confirmation.
func TestKeeperSignedState(t *testing.T) {
	key := bytes.Repeat([]byte{7}, 32)
	ahead := `"bound":"2031-12-01T00:00:00Z"`
	for _, tc := range []struct {
		name   string
		edit   func(b []byte) []byte
		reason string
	}{
		{"intact", func(b []byte) []byte { return b }, ""},
		{"bound edited ahead", func(b []byte) []byte {
			return []byte(strings.Replace(string(b), `"bound":"2027-03-01T10:00:00Z"`, ahead, 1))
		}, "state-tampered"},
		{"unsigned, from an earlier version", func([]byte) []byte {
			return []byte(`{"version":1,"bound":"2027-03-01T10:00:00Z","trusted":true,"steps_ns":0}`)
		}, "state-unsigned"},
		{"unsigned and ahead", func([]byte) []byte {
			return []byte(`{"version":1,` + ahead + `,"trusted":true,"steps_ns":0}`)
		}, "state-unsigned"},
		{"signature removed", func(b []byte) []byte {
			return append(b[:bytes.Index(b, []byte(`,"mac"`))], '}')
		}, "state-unsigned"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), File)
			k, clk := signedKeeper(t, path, t0, key)
			clk.Advance(time.Hour)
			if err := k.Save(); err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(path)
			if err != nil || !bytes.Contains(b, []byte(`"mac"`)) {
				t.Fatalf("state file %s, %v", b, err)
			}
			if err := os.WriteFile(path, tc.edit(b), 0o600); err != nil {
				t.Fatal(err)
			}
			k2, _ := signedKeeper(t, path, t0.Add(time.Hour+time.Minute), key)
			_, ok := k2.Bound()
			ch := k2.TakeChanges()
			if tc.reason == "" {
				if !ok || !k2.Trusted() {
					t.Fatalf("an intact signed state: ok=%v trusted=%v %+v", ok, k2.Trusted(), ch)
				}
				return
			}
			if ok || k2.Trusted() || len(ch) != 1 || ch[0].Reason != tc.reason {
				t.Fatalf("bound known %v, trusted %v, changes %+v; want no bound, untrusted, %s", ok, k2.Trusted(), ch, tc.reason)
			}
			if b := k2.Now(); b.Year() != 2027 {
				t.Fatalf("Now %v follows the file", b)
			}
			if err := k2.Save(); err != nil {
				t.Fatal(err)
			}
			if err := k2.Confirm(); err != nil {
				t.Fatal(err)
			}
			if err := k2.Save(); err != nil {
				t.Fatal(err)
			}
			k3, _ := signedKeeper(t, path, t0.Add(time.Hour+2*time.Minute), key)
			if _, ok := k3.Bound(); !ok || !k3.Trusted() {
				t.Fatal("the state saved after the confirmation is not signed")
			}
			// Another key file does not open it.
			k4, _ := signedKeeper(t, path, t0.Add(time.Hour+2*time.Minute), bytes.Repeat([]byte{8}, 32))
			if _, ok := k4.Bound(); ok {
				t.Fatal("a state signed with another key is taken")
			}
		})
	}
}

// TestKeeperNoKey: a key that cannot be derived leaves no lower bound, and
// Save writes nothing rather than an unsigned state.
func TestKeeperNoKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), File)
	k, _ := signedKeeper(t, path, t0, bytes.Repeat([]byte{7}, 32))
	if err := k.Save(); err != nil {
		t.Fatal(err)
	}
	if err := k.Confirm(); err != nil {
		t.Fatal(err)
	}
	clk := clocktest.New(t0.Add(time.Minute))
	noKey := errors.New("no key file")
	k2, err := New(Config{Clock: clk, Path: path, RTC: true, Key: func() ([]byte, error) { return nil, noKey }})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := k2.Bound(); ok || k2.Trusted() {
		t.Fatal("a state that cannot be checked is taken")
	}
	if err := k2.Confirm(); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := k2.Save(); err != nil {
		t.Fatalf("save without a key: %v", err)
	}
	if after, err := os.ReadFile(path); err != nil || !bytes.Equal(after, before) {
		t.Fatalf("the state was rewritten without a key: %s, %v", after, err)
	}
}

// TestKeeperElapsed: the monotonic time since start ignores clock changes.
func TestKeeperElapsed(t *testing.T) {
	k, clk, advance := monoKeeper(t, "", t0)
	advance(time.Minute)
	clk.Set(t0.AddDate(1, 0, 0))
	clk.Set(t0.AddDate(-1, 0, 0))
	if got := k.Elapsed(); got != time.Minute {
		t.Fatalf("Elapsed = %v, want 1m", got)
	}
}
