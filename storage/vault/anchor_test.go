package vault

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func hashOf(b byte) []byte { return bytes.Repeat([]byte{b}, 32) }

// editTail rewrites bytes of slot 0's anchor tail on disk.
func editTail(t *testing.T, dir string, fn func(tail []byte)) {
	t.Helper()
	p := filepath.Join(dir, SlotsFile)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	fn(b[anchorOff:slotSize])
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestAnchor(t *testing.T) {
	type want struct {
		seq  uint64
		hash []byte // nil: never anchored
		err  error
	}
	cases := []struct {
		name   string
		stores []uint64 // seq i is stored with hashOf(byte(i))
		edit   func(tail []byte)
		want   want
	}{
		{"new vault: the empty log", nil, nil, want{0, make([]byte, anchorHashLen), nil}},
		{"stores", []uint64{1, 2, 3}, nil, want{3, hashOf(3)[:16], nil}},
		{"a lower seq replaces both copies", []uint64{5, 6, 2}, nil, want{2, hashOf(2)[:16], nil}},
		{"the same seq again replaces both", []uint64{5, 6, 6}, func(tl []byte) {}, want{6, hashOf(6)[:16], nil}},
		{"newest copy torn: the one before", []uint64{1, 2}, func(tl []byte) { tl[3] ^= 1 }, want{1, hashOf(1)[:16], nil}},
		{"both copies garbled", []uint64{1, 2}, func(tl []byte) { tl[3] ^= 1; tl[anchorCopy+3] ^= 1 }, want{0, nil, ErrTampered}},
		{"zeroed: never anchored", []uint64{1, 2}, func(tl []byte) { clear(tl) }, want{0, nil, nil}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := newDir(t)
			v := mustOpen(t, testConfig(dir))
			a, err := v.Anchor()
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range tc.stores {
				if err := a.Store(s, hashOf(byte(s))); err != nil {
					t.Fatal(err)
				}
			}
			if err := v.Close(); err != nil {
				t.Fatal(err)
			}
			if tc.edit != nil {
				editTail(t, dir, tc.edit)
			}
			// The vault still opens: the tail is not the root secret's.
			v = mustOpen(t, testConfig(dir))
			defer v.Close()
			va, err := v.Anchor()
			if err != nil {
				t.Fatal(err)
			}
			ra, err := ReadAnchor(testConfig(dir))
			if err != nil {
				t.Fatal(err)
			}
			defer ra.Close()
			for name, a := range map[string]*Anchor{"vault": va, "read-only": ra} {
				seq, hash, err := a.Load()
				if !errors.Is(err, tc.want.err) || seq != tc.want.seq || !bytes.Equal(hash, tc.want.hash) || (hash == nil) != (tc.want.hash == nil) {
					t.Errorf("%s: Load = %d, %x, %v; want %d, %x, %v", name, seq, hash, err, tc.want.seq, tc.want.hash, tc.want.err)
				}
			}
			if err := ra.Store(9, hashOf(9)); err == nil {
				t.Error("read-only Store succeeded")
			}
		})
	}
}

// TestAnchorSurvivesRotation: the anchor's key comes from the root secret,
// not the key file.
func TestAnchorSurvivesRotation(t *testing.T) {
	dir := newDir(t)
	v := mustOpen(t, testConfig(dir))
	a, err := v.Anchor()
	if err != nil {
		t.Fatal(err)
	}
	must(t, a.Store(4, hashOf(4)))
	if err := v.Rotate(); err != nil {
		t.Fatal(err)
	}
	must(t, v.Close())
	ra, err := ReadAnchor(testConfig(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer ra.Close()
	if seq, h, err := ra.Load(); err != nil || seq != 4 || !bytes.Equal(h, hashOf(4)[:16]) {
		t.Fatalf("after rotation: %d, %x, %v", seq, h, err)
	}
}
