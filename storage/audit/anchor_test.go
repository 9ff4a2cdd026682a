package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// memAnchor is an Anchor in memory, as the vault's key-slot file keeps it.
type memAnchor struct {
	seq    uint64
	head   []byte // nil: never anchored
	stores int
}

func (a *memAnchor) Load() (uint64, []byte, error) { return a.seq, bytes.Clone(a.head), nil }

func (a *memAnchor) Store(seq uint64, head []byte) error {
	a.seq, a.head = seq, bytes.Clone(head[:16])
	a.stores++
	return nil
}

// rollBack makes the bbolt file at path open at its previous transaction:
// the newer meta page is overwritten with the older one (bbolt keeps two
// and uses the valid one with the higher txid).
func rollBack(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ps := int(binary.LittleEndian.Uint32(b[16+8:])) // meta.pageSize
	txid := func(p int) uint64 { return binary.LittleEndian.Uint64(b[p*ps+16+48:]) }
	newer, older := 0, 1
	if txid(1) > txid(0) {
		newer, older = 1, 0
	}
	copy(b[newer*ps+16:(newer+1)*ps], b[older*ps+16:(older+1)*ps])
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestAnchorDetectsTampering: each way of getting rid of entries with the
// file alone (delete it, put back an older copy, roll bbolt back to its
// previous transaction, trim the end and re-sign the head as one with the
// key could) is reported by Verify and by Open, which starts a new segment
// with a tamper entry; the next Open is clean.
func TestAnchorDetectsTampering(t *testing.T) {
	cases := []struct {
		name string
		do   func(t *testing.T, l *Log, older []byte)
	}{
		{"deleted", func(t *testing.T, l *Log, _ []byte) {
			must(t, l.Close())
			must(t, os.Remove(l.cfg.Path))
		}},
		{"older copy", func(t *testing.T, l *Log, older []byte) {
			must(t, l.Close())
			must(t, os.WriteFile(l.cfg.Path, older, 0o600))
		}},
		{"rolled back a transaction", func(t *testing.T, l *Log, _ []byte) {
			must(t, l.Close())
			rollBack(t, l.cfg.Path)
		}},
		{"trimmed, head re-signed", func(t *testing.T, l *Log, _ []byte) {
			key := l.key
			tamper(t, l, func(b, meta *bolt.Bucket) error {
				for _, s := range []uint64{5, 6} {
					must(t, b.Delete(seqKey(s)))
				}
				h := head{seq: 4, hash: sha256Of(b.Get(seqKey(4))), anchored: true}
				h.sign(key)
				return meta.Put(keyHead, h.encode())
			})
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := &memAnchor{head: make([]byte, 16)} // a new vault: the empty log
			l, clk := testLog(t, func(c *Config) { c.Anchor = a })
			fill(t, l, clk, 4)
			older, err := os.ReadFile(l.cfg.Path)
			must(t, err)
			fill(t, l, clk, 2)
			if a.seq != 6 {
				t.Fatalf("anchored at %d after 6 entries", a.seq)
			}
			cfg := l.cfg
			tc.do(t, l, older)

			if _, err := os.Stat(cfg.Path); err == nil {
				ro := cfg
				ro.ReadOnly = true
				r, err := Open(ro)
				must(t, err)
				if _, err := r.Verify(); !errors.Is(err, ErrTampered) {
					t.Errorf("read-only Verify = %v, want ErrTampered", err)
				}
				must(t, r.Close())
			}

			l2, err := Open(cfg)
			if !errors.Is(err, ErrTampered) || l2 == nil {
				t.Fatalf("Open = %v, want ErrTampered and the log", err)
			}
			got := entries(t, l2)
			last := got[len(got)-1]
			if last.Action != ActionTamperDetected || !bytes.HasPrefix([]byte(last.Detail), []byte(SegmentDetail)) {
				t.Errorf("last entry %d %v %q, want the tamper entry starting a segment", last.Seq, last.Action, last.Detail)
			}
			if a.seq != last.Seq {
				t.Errorf("anchored at %d, want the tamper entry %d", a.seq, last.Seq)
			}
			if _, err := l2.Verify(); err != nil {
				t.Errorf("Verify of the new segment: %v", err)
			}
			must(t, l2.Close())
			l3, err := Open(cfg)
			if err != nil {
				t.Fatalf("Open after the segment: %v", err)
			}
			must(t, l3.Close())
		})
	}
}

// TestAnchorLags: the log may be ahead of its anchor (a power cut between
// the commit and the anchor's update), and a store from before anchoring is
// anchored at the next open; neither is tampering. An anchor gone from a
// log that was anchored is.
func TestAnchorLags(t *testing.T) {
	cases := []struct {
		name   string
		before func(a *memAnchor, l *Log) // after 5 entries, the log closed
		want   error
	}{
		{"anchor one entry behind", func(a *memAnchor, l *Log) {
			v := entryBytes(t, l, 4)
			a.seq, a.head = 4, sha256Slice(v)
		}, nil},
		{"anchored at the empty log", func(a *memAnchor, _ *Log) { a.seq, a.head = 0, make([]byte, 16) }, nil},
		{"anchor gone from an anchored log", func(a *memAnchor, _ *Log) { a.seq, a.head = 0, nil }, ErrTampered},
		{"anchor names another log", func(a *memAnchor, _ *Log) { a.head = bytes.Repeat([]byte{7}, 16) }, ErrTampered},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := &memAnchor{head: make([]byte, 16)}
			l, clk := testLog(t, func(c *Config) { c.Anchor = a })
			fill(t, l, clk, 5)
			cfg := l.cfg
			must(t, l.Close())
			tc.before(a, l)
			l2, err := Open(cfg)
			if l2 != nil {
				defer l2.Close()
			}
			if !errors.Is(err, tc.want) || (err != nil) != (tc.want != nil) {
				t.Fatalf("Open = %v, want %v", err, tc.want)
			}
			if tc.want == nil && a.seq != 5 {
				t.Errorf("anchor at %d after Open, want caught up at 5", a.seq)
			}
		})
	}

	t.Run("first open since anchoring", func(t *testing.T) {
		l, clk := testLog(t, nil) // written by firmware before anchoring
		fill(t, l, clk, 3)
		cfg := l.cfg
		must(t, l.Close())
		a := &memAnchor{} // never anchored
		cfg.Anchor = a
		l2, err := Open(cfg)
		must(t, err)
		defer l2.Close()
		if a.seq != 3 {
			t.Errorf("anchored at %d, want 3", a.seq)
		}
	})
	t.Run("no log, never anchored vault", func(t *testing.T) {
		// A vault in use before anchoring, whose log is gone.
		cfg := Config{Path: filepath.Join(t.TempDir(), FileName), Clock: clocktestNew(), Key: testKey(t), NoSync: true, Anchor: &memAnchor{}}
		l, err := Open(cfg)
		if l != nil {
			defer l.Close()
		}
		if !errors.Is(err, ErrTampered) {
			t.Fatalf("Open = %v, want ErrTampered", err)
		}
	})
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func entryBytes(t *testing.T, l *Log, seq uint64) []byte {
	t.Helper()
	db, err := bolt.Open(l.cfg.Path, 0o600, &bolt.Options{ReadOnly: true})
	must(t, err)
	defer db.Close()
	var v []byte
	must(t, db.View(func(tx *bolt.Tx) error {
		v = bytes.Clone(tx.Bucket(bucketEntries).Get(seqKey(seq)))
		return nil
	}))
	return v
}

func sha256Of(v []byte) [32]byte { return sha256.Sum256(v) }

func sha256Slice(v []byte) []byte { h := sha256.Sum256(v); return h[:16] }
