package audit

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	bolt "go.etcd.io/bbolt"
)

const chainLen = 10

func TestVerifyIntact(t *testing.T) {
	for _, signed := range []bool{false, true} {
		l, clk := testLog(t, func(c *Config) {
			if !signed {
				c.Key = nil
			}
		})
		fill(t, l, clk, chainLen)
		rep, err := l.Verify()
		if err != nil {
			t.Fatalf("signed=%v: %v", signed, err)
		}
		want := Report{First: 1, Last: chainLen, Entries: chainLen, Signed: signed}
		if diff := cmp.Diff(want, rep); diff != "" {
			t.Errorf("signed=%v: report (-want +got):\n%s", signed, diff)
		}
	}
}

func TestVerifyEmpty(t *testing.T) {
	l, _ := testLog(t, nil)
	if rep, err := l.Verify(); err != nil || rep.Entries != 0 {
		t.Fatalf("empty log: %+v, %v", rep, err)
	}
}

// TestVerifyFindsFirstBrokenLink tampers with a chain of ten entries in
// every way an attacker with the file could, at the start, the middle and
// the end, and checks that Verify names the right entry.
func TestVerifyFindsFirstBrokenLink(t *testing.T) {
	type tc struct {
		name string
		fn   func(entries, meta *bolt.Bucket) error
		want BreakError // Reason is not compared
	}
	var cases []tc
	positions := []uint64{1, 2, 5, 9, chainLen}
	if testing.Short() {
		positions = []uint64{1, 5, chainLen}
	}
	for _, k := range positions {
		cases = append(cases,
			tc{fmt.Sprintf("change recording of %d", k), editEntry(k, func(v []byte) { v[27] ^= 1 }), BreakError{Kind: Changed, Seq: k}},
			tc{fmt.Sprintf("change time of %d", k), editEntry(k, func(v []byte) { v[15]++ }), BreakError{Kind: Changed, Seq: k}},
			tc{fmt.Sprintf("change detail of %d", k), editEntry(k, func(v []byte) { v[len(v)-1] ^= 0x20 }), BreakError{Kind: Changed, Seq: k}},
			tc{fmt.Sprintf("change prev of %d", k), editEntry(k, func(v []byte) { v[40] ^= 0x80 }), BreakError{Kind: Changed, Seq: k}},
			tc{fmt.Sprintf("flag %d approximate", k), editEntry(k, func(v []byte) { v[17] = flagApproximate }), BreakError{Kind: Changed, Seq: k}},
			tc{fmt.Sprintf("garble %d", k), editEntry(k, func(v []byte) { v[0] = 9 }), BreakError{Kind: Changed, Seq: k}},
			tc{fmt.Sprintf("remove %d", k), func(b, _ *bolt.Bucket) error { return b.Delete(seqKey(k)) }, BreakError{Kind: Removed, Seq: k, Count: 1}},
		)
		if k < chainLen {
			cases = append(cases,
				tc{fmt.Sprintf("swap %d and %d", k, k+1), swap(k, k+1), BreakError{Kind: Reordered, Seq: k, Found: k + 1}},
				tc{fmt.Sprintf("swap %d and last", k), swap(k, chainLen), BreakError{Kind: Reordered, Seq: k, Found: chainLen}},
			)
		}
	}
	cases = append(cases,
		tc{"remove 4 to 6", func(b, _ *bolt.Bucket) error {
			for k := uint64(4); k <= 6; k++ {
				if err := b.Delete(seqKey(k)); err != nil {
					return err
				}
			}
			return nil
		}, BreakError{Kind: Removed, Seq: 4, Count: 3}},
		tc{"remove the last three", func(b, _ *bolt.Bucket) error {
			for k := uint64(8); k <= chainLen; k++ {
				if err := b.Delete(seqKey(k)); err != nil {
					return err
				}
			}
			return nil
		}, BreakError{Kind: Removed, Seq: 8, Count: 3}},
		tc{"move 3 after 6", func(b, _ *bolt.Bucket) error {
			// 1 2 4 5 6 3 7 ...: the place of 3 holds 4.
			v3 := append([]byte(nil), b.Get(seqKey(3))...)
			for k := uint64(3); k < 6; k++ {
				if err := b.Put(seqKey(k), append([]byte(nil), b.Get(seqKey(k+1))...)); err != nil {
					return err
				}
			}
			return b.Put(seqKey(6), v3)
		}, BreakError{Kind: Reordered, Seq: 3, Found: 4}},
		tc{"renumber 5 as 7 in place", editEntry(5, func(v []byte) { v[8] = 7 }), BreakError{Kind: Changed, Seq: 5}},
		tc{"append after the head", appendForged, BreakError{Kind: Appended, Seq: chainLen + 1, Count: 1}},
		tc{"stray key", func(b, _ *bolt.Bucket) error { return b.Put([]byte("zz"), []byte("x")) }, BreakError{Kind: Changed, Seq: chainLen + 1}},
		tc{"remove the head", func(_, m *bolt.Bucket) error { return m.Delete(keyHead) }, BreakError{Kind: ForgedHead, Seq: chainLen}},
		tc{"head unsigned", func(_, m *bolt.Bucket) error {
			h, _ := decodeHead(m.Get(keyHead))
			h.sign(nil)
			return m.Put(keyHead, h.encode())
		}, BreakError{Kind: ForgedHead, Seq: chainLen}},
		tc{"truncate and forge the head", func(b, m *bolt.Bucket) error {
			if err := b.Delete(seqKey(chainLen)); err != nil {
				return err
			}
			h := head{seq: chainLen - 1, hash: sha256.Sum256(b.Get(seqKey(chainLen - 1)))}
			h.sign([]byte("not the key"))
			return m.Put(keyHead, h.encode())
		}, BreakError{Kind: ForgedHead, Seq: chainLen - 1}},
	)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			l, clk := testLog(t, nil)
			fill(t, l, clk, chainLen)
			tamper(t, l, c.fn)
			_, err := reopen(t, l, testKey(t)).Verify()
			var be *BreakError
			if !errors.As(err, &be) || !errors.Is(err, ErrBroken) {
				t.Fatalf("Verify = %v, want a *BreakError", err)
			}
			got := *be
			got.Reason = ""
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("break (-want +got):\n%s\nerror: %v", diff, err)
			}
		})
	}
}

// TestVerifyRechained: an attacker changes an entry and recomputes every
// later link. Without the key the head cannot follow, so the break shows at
// the end (where exactly the change was cannot be known any more).
func TestVerifyRechained(t *testing.T) {
	l, clk := testLog(t, nil)
	fill(t, l, clk, chainLen)
	tamper(t, l, func(b, _ *bolt.Bucket) error {
		prev := sha256.Sum256(b.Get(seqKey(3)))
		for k := uint64(4); k <= chainLen; k++ {
			e, err := decode(b.Get(seqKey(k)))
			if err != nil {
				return err
			}
			if k == 4 {
				e.Recording = 999
			}
			e.Prev = prev
			v := e.encode()
			prev = sha256.Sum256(v)
			if err := b.Put(seqKey(k), v); err != nil {
				return err
			}
		}
		return nil
	})
	_, err := reopen(t, l, testKey(t)).Verify()
	if !errors.Is(err, ErrBroken) {
		t.Fatalf("Verify = %v, want ErrBroken", err)
	}
}

func swap(i, j uint64) func(entries, meta *bolt.Bucket) error {
	return func(b, _ *bolt.Bucket) error {
		vi := append([]byte(nil), b.Get(seqKey(i))...)
		vj := append([]byte(nil), b.Get(seqKey(j))...)
		if err := b.Put(seqKey(i), vj); err != nil {
			return err
		}
		return b.Put(seqKey(j), vi)
	}
}

// appendForged adds a well-linked entry without touching the head.
func appendForged(b, _ *bolt.Bucket) error {
	last := b.Get(seqKey(chainLen))
	e := sample(0)
	e.Seq, e.Prev, e.Time = chainLen+1, sha256.Sum256(last), t0
	return b.Put(seqKey(chainLen+1), e.encode())
}
