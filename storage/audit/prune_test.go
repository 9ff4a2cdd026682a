package audit

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	bolt "go.etcd.io/bbolt"
)

const day = 24 * time.Hour

// ageLog writes one entry per day for days days, then moves the clock so
// that the first old entries are past the retention.
func ageLog(t *testing.T, edit func(*Config), days, old int) (*Log, func(time.Duration)) {
	t.Helper()
	l, clk := testLog(t, func(c *Config) {
		c.Retention = 30 * day
		if edit != nil {
			edit(c)
		}
	})
	for i := range days {
		if err := l.Record(sample(i)); err != nil {
			t.Fatal(err)
		}
		clk.Advance(day)
	}
	// Entry i was written at t0 + i days. Move to just after entry old-1
	// turned 30 days old.
	clk.Set(t0.Add(time.Duration(old-1)*day + 30*day + time.Hour))
	return l, clk.Advance
}

func TestPruneKeepsChainVerifiable(t *testing.T) {
	l, advance := ageLog(t, nil, 40, 5)
	res, err := l.Prune()
	if err != nil {
		t.Fatal(err)
	}
	if res.Pruned != 5 || res.Checkpoint.Seq != 5 {
		t.Fatalf("pruned %d up to %d, want 5 up to 5", res.Pruned, res.Checkpoint.Seq)
	}
	rep, err := l.Verify()
	if err != nil {
		t.Fatalf("after prune: %v", err)
	}
	// 35 kept plus the ActionPruned entry.
	if rep.First != 6 || rep.Last != 41 || rep.Entries != 36 || rep.Checkpoint == nil || rep.Checkpoint.Seq != 5 {
		t.Errorf("report %+v, want entries 6..41 after checkpoint 5", rep)
	}
	var last Entry
	l.Each(time.Time{}, func(e Entry) error { last = e; return nil })
	if last.Action != ActionPruned {
		t.Errorf("last entry %v, want %v", last.Action, ActionPruned)
	}

	// A second prune moves the checkpoint on and keeps counting.
	advance(10 * day)
	res, err = l.Prune()
	if err != nil {
		t.Fatal(err)
	}
	if res.Pruned != 10 || res.Checkpoint.Seq != 15 || res.Checkpoint.Pruned != 15 {
		t.Errorf("second prune: %+v", res)
	}
	if _, err := l.Verify(); err != nil {
		t.Fatalf("after second prune: %v", err)
	}
	// Tampering after a prune is still found at the right entry.
	tamper(t, l, editEntry(20, func(v []byte) { v[27] ^= 1 }))
	_, err = reopen(t, l, testKey(t)).Verify()
	var be *BreakError
	if !errors.As(err, &be) || be.Kind != Changed || be.Seq != 20 {
		t.Errorf("after prune and tamper: %v, want entry 20 changed", err)
	}
}

func TestPruneNothingYoung(t *testing.T) {
	l, clk := testLog(t, nil)
	fill(t, l, clk, 5)
	res, err := l.Prune()
	if err != nil || res.Pruned != 0 {
		t.Fatalf("prune of young entries: %+v, %v", res, err)
	}
	rep, err := l.Verify()
	if err != nil {
		t.Fatal(err)
	}
	if rep.Entries != 5 {
		t.Errorf("%d entries after a no-op prune, want 5 and no prune entry", rep.Entries)
	}
}

func TestPruneForgedCheckpoint(t *testing.T) {
	forge := map[string]func(cp *Checkpoint){
		"unsigned change of seq": func(cp *Checkpoint) { cp.Seq += 2 },
		"resigned with another key": func(cp *Checkpoint) {
			cp.Seq += 2
			cp.sign([]byte("guessed key"))
		},
		"hash replaced": func(cp *Checkpoint) { cp.Hash[0] ^= 1; cp.sign([]byte("guessed key")) },
	}
	for name, fn := range forge {
		t.Run(name, func(t *testing.T) {
			l, _ := ageLog(t, nil, 20, 5)
			if _, err := l.Prune(); err != nil {
				t.Fatal(err)
			}
			// The attacker also deletes entries 6 and 7 and claims
			// the checkpoint covers them.
			tamper(t, l, func(b, m *bolt.Bucket) error {
				cp, err := decodeCheckpoint(m.Get(keyCheckpoint))
				if err != nil {
					return err
				}
				fn(&cp)
				b.Delete(seqKey(6))
				b.Delete(seqKey(7))
				return m.Put(keyCheckpoint, cp.encode())
			})
			_, err := reopen(t, l, testKey(t)).Verify()
			var be *BreakError
			if !errors.As(err, &be) || be.Kind != ForgedCheckpoint {
				t.Fatalf("Verify = %v, want a forged checkpoint", err)
			}
		})
	}
}

// TestPruneApproximate: entries written while the clock was wrong (1970)
// look ancient but must not be pruned before the trusted entry after them is
// old enough.
func TestPruneApproximate(t *testing.T) {
	trusted := true
	l, clk := testLog(t, func(c *Config) {
		c.Retention = 30 * day
		c.Trusted = func() bool { return trusted }
	})
	record := func() {
		t.Helper()
		if err := l.Record(sample(1)); err != nil {
			t.Fatal(err)
		}
	}
	record() // 1: trusted, t0
	clk.Advance(day)
	record() // 2: trusted, t0+1d
	clk.Set(time.Unix(0, 0))
	record() // 3: the box rebooted without RTC: 1970
	trusted = false
	clk.Set(t0.Add(5 * day))
	record() // 4: untrusted although plausible
	trusted = true
	clk.Set(t0.Add(10 * day))
	record() // 5: trusted again
	clk.Set(t0.Add(10*day + 30*day - time.Hour))

	var approx []uint64
	l.Each(time.Time{}, func(e Entry) error {
		if e.Approximate {
			approx = append(approx, e.Seq)
		}
		return nil
	})
	if diff := cmp.Diff([]uint64{3, 4}, approx); diff != "" {
		t.Fatalf("approximate entries (-want +got):\n%s", diff)
	}
	res, err := l.Prune()
	if err != nil {
		t.Fatal(err)
	}
	if res.Pruned != 2 {
		t.Fatalf("pruned %d, want 2 (3 and 4 wait for 5)", res.Pruned)
	}
	clk.Advance(2 * time.Hour)
	res, err = l.Prune()
	if err != nil || res.Pruned != 3 || res.Checkpoint.Seq != 5 {
		t.Fatalf("second prune %+v, %v: want 3, 4 and 5 pruned", res, err)
	}
	if _, err := l.Verify(); err != nil {
		t.Fatal(err)
	}
}

func TestPruneRefuses(t *testing.T) {
	t.Run("no key", func(t *testing.T) {
		l, _ := ageLog(t, func(c *Config) { c.Key = nil }, 10, 5)
		if _, err := l.Prune(); !errors.Is(err, ErrNoKey) {
			t.Errorf("Prune = %v, want ErrNoKey", err)
		}
	})
	t.Run("untrusted clock", func(t *testing.T) {
		l, _ := ageLog(t, func(c *Config) { c.Trusted = func() bool { return false } }, 10, 5)
		if _, err := l.Prune(); !errors.Is(err, ErrClockUntrusted) {
			t.Errorf("Prune = %v, want ErrClockUntrusted", err)
		}
	})
	t.Run("broken chain", func(t *testing.T) {
		l, _ := ageLog(t, nil, 10, 5)
		path := l.cfg.Path
		tamper(t, l, editEntry(3, func(v []byte) { v[27] ^= 1 }))
		clk := l.cfg.Clock
		l2, err := Open(Config{Path: path, Clock: clk, Key: testKey(t), NoSync: true, Retention: 30 * day})
		if err != nil {
			t.Fatal(err)
		}
		defer l2.Close()
		if _, err := l2.Prune(); !errors.Is(err, ErrBroken) {
			t.Errorf("Prune = %v, want ErrBroken", err)
		}
		var n int
		l2.Each(time.Time{}, func(Entry) error { n++; return nil })
		if n != 10 {
			t.Errorf("%d entries left, want all 10 kept as evidence", n)
		}
	})
}

func TestRekey(t *testing.T) {
	l, _ := ageLog(t, nil, 10, 5)
	if _, err := l.Prune(); err != nil {
		t.Fatal(err)
	}
	newKey, _ := DeriveKey([]byte("a brand new key-encryption key!!"))
	if err := l.Rekey(newKey); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Verify(); err != nil {
		t.Fatalf("under the new key: %v", err)
	}
	l.Close()
	if _, err := reopen(t, l, testKey(t)).Verify(); !errors.Is(err, ErrBroken) {
		t.Errorf("old key still verifies: %v", err)
	}
}
