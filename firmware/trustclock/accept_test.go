package trustclock_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"fairrec/firmware/auth"
	"fairrec/firmware/clock/clocktest"
	"fairrec/firmware/policy"
	"fairrec/firmware/trustclock"
	"fairrec/storage/audit"
	"fairrec/storage/audit/audittest"
	"fairrec/storage/vault"
)

var t0 = time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)

// box is an appliance on a data directory: a wall clock that can be
// changed, a monotonic clock that only real time moves, a real vault, a
// keeper signing its state under a key derived from the key file, the
// policy engine and the console's secrets.
type box struct {
	t    *testing.T
	dir  string
	clk  *clocktest.Clock
	mono time.Duration
	rec  *audittest.Recorder
	k    *trustclock.Keeper
	v    *vault.Vault
	e    *policy.Engine
	auth *auth.Store
}

func newBox(t *testing.T) *box {
	dir := t.TempDir()
	if err := vault.InitKey(filepath.Join(dir, vault.KeyFile), nil); err != nil {
		t.Fatal(err)
	}
	b := &box{t: t, dir: dir, clk: clocktest.New(t0)}
	b.boot()
	t.Cleanup(b.shutdown)
	return b
}

func (b *box) boot() {
	t := b.t
	t.Helper()
	b.mono = 0
	vcfg := vault.Config{Dir: b.dir, NoSync: true}
	k, err := trustclock.New(trustclock.Config{Clock: b.clk, Path: filepath.Join(b.dir, trustclock.File), RTC: true,
		Elapsed: func() time.Duration { return b.mono },
		Key:     func() ([]byte, error) { return vault.DeriveSecret(vcfg, trustclock.KeyLabel) }})
	if err != nil {
		t.Fatal(err)
	}
	vcfg.Clock = k
	if b.v, err = vault.Open(vcfg); err != nil {
		t.Fatal(err)
	}
	b.k, b.rec = k, &audittest.Recorder{Clock: k}
	if b.e, err = policy.New(policy.Config{Store: b.v, Keeper: k, Audit: b.rec}); err != nil {
		t.Fatal(err)
	}
	key, err := vault.DeriveSecret(vcfg, auth.KeyLabel)
	if err != nil {
		t.Fatal(err)
	}
	if b.auth, err = auth.Open(auth.Config{Dir: b.dir, Key: key, Clock: k, Params: auth.Params{Time: 1, Memory: 64, Threads: 1}}); err != nil {
		t.Fatal(err)
	}
}

func (b *box) shutdown() {
	if b.v == nil {
		return
	}
	if err := b.k.Save(); err != nil {
		b.t.Error(err)
	}
	if err := b.v.Close(); err != nil {
		b.t.Error(err)
	}
	b.v = nil
}

// call records a second on line 1 (quality 90 days, training 30 days).
func (b *box) call() vault.ID {
	t := b.t
	t.Helper()
	st, err := b.e.Start(1, false, audit.Actor{Kind: audit.ActorDevice, ID: "line1"})
	if err != nil || !st.Record {
		t.Fatalf("start: %+v, %v", st, err)
	}
	id, err := b.v.Create(st.Meta)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.v.Append(id, make([]byte, 8000)); err != nil {
		t.Fatal(err)
	}
	if err := b.v.Seal(id, b.k.Now()); err != nil {
		t.Fatal(err)
	}
	return id
}

func (b *box) sweep() policy.SweepResult {
	b.t.Helper()
	r, err := b.e.Sweep()
	if err != nil {
		b.t.Fatal(err)
	}
	return r
}

func (b *box) exists(id vault.ID) bool {
	_, err := b.v.Info(id)
	return err == nil
}

// clockEntries returns the clock-trust entries of the audit log.
func (b *box) clockEntries() []string {
	var got []string
	for _, e := range b.rec.Entries() {
		if e.Action == audit.ActionClockTrust {
			got = append(got, e.Detail)
		}
	}
	return got
}

// TestSmallStepsDoNotAddUp: the wall clock walked forward in 50 steps of
// 47 hours, each within max_clock_jump, with no real time passing: nothing
// is erased, the console's lock holds, and the clock is untrusted after
// the step that takes the sum beyond max_clock_jump (issue 13, item 3).
func TestSmallStepsDoNotAddUp(t *testing.T) {
	b := newBox(t)
	id := b.call()
	if err := b.auth.SetSecret(auth.Installer, []byte("123456"), audit.Actor{Kind: audit.ActorRole, ID: "installer"}); err != nil {
		t.Fatal(err)
	}
	for range auth.DefaultMaxFailures {
		b.auth.Login(auth.Installer, []byte("wrong!"))
	}
	for i := 1; i <= 50; i++ {
		b.clk.Set(b.clk.Now().Add(47 * time.Hour))
		if r := b.sweep(); len(r.Erased) != 0 || !b.exists(id) {
			t.Fatalf("step %d (wall %v, bound %v): erased %v", i, b.clk.Now(), r.Bound, r.Erased)
		}
		if err := b.auth.Locked(); err == nil {
			t.Fatalf("step %d (wall %v): the console's lock was lifted", i, b.clk.Now())
		}
	}
	if b.k.Trusted() {
		t.Error("a clock 98 days ahead in 47-hour steps is trusted")
	}
	if got := b.clockEntries(); len(got) != 1 || got[0] != "untrusted reason=jump" {
		t.Errorf("clock trust entries %q", got)
	}
	// A restart forgets neither the steps nor the lock.
	b.shutdown()
	b.boot()
	if r := b.sweep(); len(r.Erased) != 0 || !b.exists(id) || b.k.Trusted() {
		t.Fatalf("after a restart: erased %v, trusted %v", r.Erased, b.k.Trusted())
	}
	if err := b.auth.Locked(); err == nil {
		t.Fatal("a restart lifted the console's lock")
	}
}

// TestStateEditedAhead: clock.json's bound set years ahead, keeping its
// signature or in the unsigned form of earlier versions: nothing is
// erased, the clock is untrusted, and the audit log says why (issue 13,
// item 11).
func TestStateEditedAhead(t *testing.T) {
	bound := regexp.MustCompile(`"bound":"[^"]*"`)
	for _, tc := range []struct {
		name, reason string
		edit         func(b []byte) []byte
	}{
		{"signed", "state-tampered", func(b []byte) []byte {
			return bound.ReplaceAll(b, []byte(`"bound":"2031-12-01T00:00:00Z"`))
		}},
		{"unsigned", "state-unsigned", func([]byte) []byte {
			return []byte(`{"version":1,"bound":"2031-12-01T00:00:00Z","trusted":true,"steps_ns":0}`)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newBox(t)
			id := b.call()
			b.clk.Advance(time.Hour)
			b.mono += time.Hour
			b.shutdown()
			path := filepath.Join(b.dir, trustclock.File)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, tc.edit(data), 0o600); err != nil {
				t.Fatal(err)
			}
			b.boot()
			if r := b.sweep(); len(r.Erased) != 0 || !b.exists(id) || !r.NoBound {
				t.Fatalf("erased %v (bound %v, none %v)", r.Erased, r.Bound, r.NoBound)
			}
			if b.k.Trusted() {
				t.Error("trusted")
			}
			if got := b.clockEntries(); len(got) != 1 || !strings.Contains(got[0], "untrusted reason="+tc.reason) {
				t.Errorf("clock trust entries %q, want one saying %s", got, tc.reason)
			}
			// Confirmed by the installer, the box erases on time again,
			// and the state is signed.
			if err := b.e.Confirm(audit.Actor{Kind: audit.ActorRole, ID: "installer"}); err != nil {
				t.Fatal(err)
			}
			b.shutdown()
			b.boot()
			if !b.k.Trusted() {
				t.Fatal("the state saved after the confirmation is not trusted")
			}
			b.clk.Set(t0.Add(90*24*time.Hour + time.Minute))
			b.mono += 90 * 24 * time.Hour
			if r := b.sweep(); len(r.Erased) != 1 || b.exists(id) {
				t.Fatalf("not erased at its deadline: %+v", r)
			}
		})
	}
}
