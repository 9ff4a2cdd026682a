package auth_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"fairrec/firmware/auth"
	"fairrec/firmware/clock/clocktest"
	"fairrec/firmware/trustclock"
	"fairrec/storage/audit"
	"fairrec/storage/audit/audittest"
)

// fast are cheap argon2id parameters: the tests check the logic, not the
// cost.
var fast = auth.Params{Time: 1, Memory: 64, Threads: 1}

var t0 = time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)

type fixture struct {
	dir string
	key []byte
	clk *clocktest.Clock
	rec *audittest.Recorder
}

func newFixture(t *testing.T) *fixture {
	clk := clocktest.New(t0)
	return &fixture{dir: t.TempDir(), key: []byte("0123456789abcdef0123456789abcdef"), clk: clk,
		rec: &audittest.Recorder{Clock: clk}}
}

func (f *fixture) open(t *testing.T) *auth.Store {
	t.Helper()
	s, err := auth.Open(auth.Config{Dir: f.dir, Key: f.key, Clock: f.clk, Audit: f.rec, Params: fast})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var admin = audit.Actor{Kind: audit.ActorRole, ID: "installer"}

func TestFirstBootAndLogin(t *testing.T) {
	f := newFixture(t)
	s := f.open(t)
	if !s.NeedsSetup() {
		t.Fatal("a fresh data directory does not need setup")
	}
	if err := s.Login(auth.Installer, []byte("anything")); !errors.Is(err, auth.ErrNoSecret) {
		t.Fatalf("login before setup = %v, want ErrNoSecret", err)
	}
	if err := s.SetSecret(auth.Installer, []byte("4711"), admin); !errors.Is(err, auth.ErrWeak) {
		t.Fatalf("a 4-digit PIN = %v, want ErrWeak", err)
	}
	if err := s.SetSecret(auth.Installer, []byte("correct horse"), admin); err != nil {
		t.Fatal(err)
	}
	if err := s.SetSecret(auth.Supervisor, []byte("271828"), admin); err != nil {
		t.Fatal(err)
	}
	// A restart reads the same secrets.
	s = f.open(t)
	tests := []struct {
		role   auth.Role
		secret string
		want   error
	}{
		{auth.Installer, "correct horse", nil},
		{auth.Supervisor, "271828", nil},
		{auth.Supervisor, "correct horse", auth.ErrWrongSecret},
		{auth.Installer, "271828", auth.ErrWrongSecret},
		{auth.Installer, "", auth.ErrWrongSecret},
	}
	for _, tc := range tests {
		if err := s.Login(tc.role, []byte(tc.secret)); !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
			t.Errorf("Login(%s, %q) = %v, want %v", tc.role, tc.secret, err, tc.want)
		}
	}
	fi, err := os.Stat(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("file mode %v, want 0600", fi.Mode().Perm())
	}
	raw, _ := os.ReadFile(s.Path())
	for _, pw := range []string{"correct horse", "271828"} {
		if strings.Contains(string(raw), pw) {
			t.Errorf("the file holds the secret %q", pw)
		}
	}
	want := []audit.Action{audit.ActionConfigChange, audit.ActionConfigChange, audit.ActionLogin, audit.ActionLogin,
		audit.ActionLoginFailed, audit.ActionLoginFailed, audit.ActionLoginFailed}
	if diff := cmp.Diff(want, f.rec.Actions()); diff != "" {
		t.Errorf("audit actions (-want +got):\n%s", diff)
	}
	for _, e := range f.rec.Entries() {
		for _, pw := range []string{"correct horse", "271828"} {
			if strings.Contains(e.Detail, pw) || strings.Contains(e.Actor.ID, pw) {
				t.Errorf("audit entry %v holds a secret", e)
			}
		}
	}
}

func TestLockout(t *testing.T) {
	f := newFixture(t)
	s := f.open(t)
	if err := s.SetSecret(auth.Installer, []byte("123456"), admin); err != nil {
		t.Fatal(err)
	}
	fail := func(n int) error {
		t.Helper()
		var err error
		for i := 0; i < n; i++ {
			err = s.Login(auth.Installer, []byte("654321"))
		}
		return err
	}
	// Each row: a lockout reached by five wrong secrets, and its length.
	for i, want := range []time.Duration{5 * time.Minute, 10 * time.Minute, 20 * time.Minute, 40 * time.Minute, time.Hour, time.Hour} {
		if err := fail(4); !errors.Is(err, auth.ErrWrongSecret) || errors.Is(err, auth.ErrLocked) {
			t.Fatalf("lockout %d: fourth failure = %v", i+1, err)
		}
		err := fail(1)
		var le *auth.LockedError
		if !errors.As(err, &le) || !le.Wrong || le.Left != want {
			t.Fatalf("lockout %d: fifth failure = %v, want locked for %v", i+1, err, want)
		}
		// While locked, even the right secret is refused, and says until when.
		f.clk.Advance(want - time.Second)
		err = s.Login(auth.Installer, []byte("123456"))
		if !errors.As(err, &le) || le.Wrong || !le.Until.Equal(f.clk.Now().Add(time.Second)) ||
			!strings.Contains(err.Error(), le.Until.UTC().Format(time.RFC3339)) {
			t.Fatalf("lockout %d: right secret while locked = %v", i+1, err)
		}
		// A restart keeps the lock.
		s = f.open(t)
		if err := s.Locked(); !errors.Is(err, auth.ErrLocked) {
			t.Fatalf("lockout %d: after a restart Locked = %v", i+1, err)
		}
		f.clk.Advance(time.Second)
		if err := s.Locked(); err != nil {
			t.Fatalf("lockout %d: at its end Locked = %v", i+1, err)
		}
	}
	// A success resets the doubling.
	if err := s.Login(auth.Installer, []byte("123456")); err != nil {
		t.Fatal(err)
	}
	var le *auth.LockedError
	if err := fail(5); !errors.As(err, &le) || le.Left != 5*time.Minute {
		t.Fatalf("after a success, lock = %v, want 5m", err)
	}
	var ends, locks int
	for _, e := range f.rec.Entries() {
		switch e.Action {
		case audit.ActionLockout:
			locks++
		case audit.ActionLockoutEnd:
			ends++
		}
	}
	if locks != 7 || ends != 6 {
		t.Errorf("audit: %d lockouts and %d ends, want 7 and 6", locks, ends)
	}
}

// TestFailuresSurviveRestart: four failures, a restart, one more locks.
func TestFailuresSurviveRestart(t *testing.T) {
	f := newFixture(t)
	s := f.open(t)
	s.SetSecret(auth.Supervisor, []byte("abcdef"), admin)
	s.SetSecret(auth.Installer, []byte("ghijkl"), admin)
	for range 2 {
		s.Login(auth.Supervisor, []byte("wrong!"))
		s.Login(auth.Installer, []byte("wrong!"))
	}
	s = f.open(t)
	if err := s.Login(auth.Supervisor, []byte("wrong!")); !errors.Is(err, auth.ErrLocked) {
		t.Fatalf("fifth failure after a restart = %v, want locked", err)
	}
}

// TestClockJumps: the lock is timed on monotonic time, so no change of
// the wall clock, forward or back, in one step or many, lifts or shortens
// it; a restart continues it from the time left as last saved.
func TestClockJumps(t *testing.T) {
	tests := []struct {
		name    string
		jump    func(c *clocktest.Clock) // after 2 minutes served
		restart bool
	}{
		{name: "no jump", jump: func(*clocktest.Clock) {}},
		{name: "back a day", jump: func(c *clocktest.Clock) { c.Set(c.Now().Add(-24 * time.Hour)) }},
		{name: "forward 5 years", jump: func(c *clocktest.Clock) { c.Set(c.Now().AddDate(5, 0, 0)) }},
		{name: "forward in 50 steps of 47 h", jump: func(c *clocktest.Clock) {
			for range 50 {
				c.Set(c.Now().Add(47 * time.Hour))
			}
		}},
		{name: "forward in 50 steps of 47 h across a restart", restart: true, jump: func(c *clocktest.Clock) {
			for range 50 {
				c.Set(c.Now().Add(47 * time.Hour))
			}
		}},
		{name: "back a day across a restart", restart: true, jump: func(c *clocktest.Clock) { c.Set(c.Now().Add(-24 * time.Hour)) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			var mono time.Duration
			keeper := func() *trustclock.Keeper {
				mono = 0 // a new boot
				k, err := trustclock.New(trustclock.Config{Clock: f.clk, RTC: true, Elapsed: func() time.Duration { return mono }})
				if err != nil {
					t.Fatal(err)
				}
				return k
			}
			open := func(k *trustclock.Keeper) *auth.Store {
				s, err := auth.Open(auth.Config{Dir: f.dir, Key: f.key, Clock: k, Params: fast})
				if err != nil {
					t.Fatal(err)
				}
				return s
			}
			advance := func(d time.Duration) { mono += d; f.clk.Advance(d) }
			s := open(keeper())
			s.SetSecret(auth.Installer, []byte("123456"), admin)
			for range 5 {
				s.Login(auth.Installer, []byte("nope!!"))
			}
			advance(2 * time.Minute)
			if s.Locked() == nil {
				t.Fatal("not locked after 2 of 5 minutes")
			}
			tc.jump(f.clk)
			if tc.restart {
				s = open(keeper())
			}
			for i, c := range []struct {
				adv    time.Duration
				locked bool
			}{{0, true}, {2*time.Minute + 59*time.Second, true}, {time.Second, false}} {
				advance(c.adv)
				if got := s.Locked() != nil; got != c.locked {
					t.Errorf("check %d (at %v): locked = %v, want %v", i, f.clk.Now(), got, c.locked)
				}
			}
		})
	}
}

// TestBadFile: a corrupt or tampered file refuses every login, and the
// Store returned still refuses (the console stays locked).
func TestBadFile(t *testing.T) {
	f := newFixture(t)
	s := f.open(t)
	if err := s.SetSecret(auth.Installer, []byte("123456"), admin); err != nil {
		t.Fatal(err)
	}
	good, err := os.ReadFile(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		data []byte
		key  []byte
		want error
	}{
		{"garbage", []byte("\x00\xffnot json"), f.key, auth.ErrCorrupt},
		{"empty", nil, f.key, auth.ErrCorrupt},
		{"truncated", good[:len(good)/2], f.key, auth.ErrCorrupt},
		{"trailing data", append(append([]byte(nil), good...), "{}"...), f.key, auth.ErrCorrupt},
		{"lockout count changed by hand", []byte(strings.Replace(string(good), `"lockouts":0`, `"lockouts":1`, 1)), f.key, auth.ErrTampered},
		{"signature removed", []byte(string(good[:strings.Index(string(good), `,"mac"`)]) + "}"), f.key, auth.ErrTampered},
		{"another key", good, []byte("another key of thirty-two bytes!"), auth.ErrTampered},
		{"no key given", good, nil, auth.ErrTampered},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, auth.FileName), tc.data, 0o600); err != nil {
				t.Fatal(err)
			}
			s, err := auth.Open(auth.Config{Dir: dir, Key: tc.key, Clock: f.clk, Params: fast})
			if !errors.Is(err, tc.want) {
				t.Fatalf("Open = %v, want %v", err, tc.want)
			}
			if s == nil {
				t.Fatal("Open returned no Store")
			}
			if s.NeedsSetup() {
				t.Error("a bad file offers first-boot setup")
			}
			if err := s.Login(auth.Installer, []byte("123456")); !errors.Is(err, tc.want) {
				t.Errorf("Login = %v, want %v", err, tc.want)
			}
			if err := s.SetSecret(auth.Installer, []byte("654321"), admin); !errors.Is(err, tc.want) {
				t.Errorf("SetSecret = %v, want %v", err, tc.want)
			}
		})
	}
}

// TestParamsStored: a hash made with other parameters still verifies after
// the defaults change.
func TestParamsStored(t *testing.T) {
	f := newFixture(t)
	s, _ := auth.Open(auth.Config{Dir: f.dir, Key: f.key, Clock: f.clk, Params: auth.Params{Time: 2, Memory: 128, Threads: 2}})
	if err := s.SetSecret(auth.Supervisor, []byte("secret-1"), admin); err != nil {
		t.Fatal(err)
	}
	s = f.open(t) // other parameters for new hashes
	if err := s.Login(auth.Supervisor, []byte("secret-1")); err != nil {
		t.Fatalf("login with a hash of older parameters: %v", err)
	}
}

func TestRoles(t *testing.T) {
	tests := []struct {
		who, need auth.Role
		want      bool
	}{
		{auth.Installer, auth.Installer, true},
		{auth.Installer, auth.Supervisor, true},
		{auth.Supervisor, auth.Supervisor, true},
		{auth.Supervisor, auth.Installer, false},
	}
	for _, tc := range tests {
		if got := tc.who.Can(tc.need); got != tc.want {
			t.Errorf("%s.Can(%s) = %v", tc.who, tc.need, got)
		}
	}
	for _, r := range auth.Roles {
		if got, err := auth.ParseRole(r.String()); err != nil || got != r {
			t.Errorf("ParseRole(%q) = %v, %v", r, got, err)
		}
	}
	if _, err := auth.ParseRole("root"); !errors.Is(err, auth.ErrRole) {
		t.Errorf("ParseRole(root) = %v", err)
	}
}
