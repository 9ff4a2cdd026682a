package boltfile

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

const pageSize = 4096

// errCaller stands for the caller's own sentinel (Options.Damaged).
var errCaller = errors.New("caller's corrupt")

// build writes a database with a big bucket (so that its root is a branch
// page), a nested bucket and a small one, and returns its path.
func build(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "test.db")
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Update(func(tx *bolt.Tx) error {
		big, err := tx.CreateBucket([]byte("big"))
		if err != nil {
			return err
		}
		for i := range 2000 {
			if err := big.Put(fmt.Appendf(nil, "key %06d", i), []byte(strings.Repeat("v", 40))); err != nil {
				return err
			}
		}
		inner, err := big.CreateBucket([]byte("inner"))
		if err != nil {
			return err
		}
		if err := inner.Put([]byte("k"), []byte("v")); err != nil {
			return err
		}
		small, err := tx.CreateBucket([]byte("small"))
		if err != nil {
			return err
		}
		return small.Put([]byte("k"), []byte("v"))
	})
	if err != nil {
		t.Fatal(err)
	}
	return path
}

// branchPages returns the ids of the branch pages in the file.
func branchPages(t *testing.T, b []byte) []int {
	t.Helper()
	var ids []int
	for p := 2; (p+1)*pageSize <= len(b); p++ {
		at := p * pageSize
		if binary.LittleEndian.Uint64(b[at:]) == uint64(p) && binary.LittleEndian.Uint16(b[at+8:]) == 0x01 {
			ids = append(ids, p)
		}
	}
	if len(ids) == 0 {
		t.Fatal("the test database has no branch page")
	}
	return ids
}

// damage applies fn to a copy of the file at path and returns the copy's
// path.
func damage(t *testing.T, path string, fn func(b []byte)) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fn(b)
	out := filepath.Join(t.TempDir(), "damaged.db")
	if err := os.WriteFile(out, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestOpenRefusesADamagedPageGraph: a loop, a child beyond the file and a
// page of the wrong type are refused by Open with ErrDamaged and the
// caller's sentinel, before bbolt follows them (a loop would otherwise make
// it run until memory is gone).
func TestOpenRefusesADamagedPageGraph(t *testing.T) {
	path := build(t)
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	branch := branchPages(t, orig)[0]
	child := func(b []byte) []byte { return b[branch*pageSize+16+8:] } // first element's page id
	tests := []struct {
		name   string
		damage func(b []byte)
		want   string
	}{
		{"branch loops to itself", func(b []byte) { binary.LittleEndian.PutUint64(child(b), uint64(branch)) }, "reached twice"},
		{"child beyond the file", func(b []byte) { binary.LittleEndian.PutUint64(child(b), 1<<40) }, "out of range"},
		{"child is a meta page", func(b []byte) { binary.LittleEndian.PutUint64(child(b), 1) }, "out of range"},
		{"wrong page type", func(b []byte) { binary.LittleEndian.PutUint16(b[branch*pageSize+8:], 0x10) }, "where a branch or leaf belongs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := damage(t, path, tt.damage)
			for _, ro := range []bool{false, true} {
				db, err := Open(p, Options{ReadOnly: ro, Damaged: errCaller})
				if err == nil {
					db.Close()
					t.Fatalf("ReadOnly=%v: Open of a damaged file succeeded", ro)
				}
				if !errors.Is(err, ErrDamaged) || !errors.Is(err, errCaller) {
					t.Errorf("ReadOnly=%v: Open = %v, want ErrDamaged and the caller's sentinel", ro, err)
				}
				if !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), p) {
					t.Errorf("ReadOnly=%v: Open = %q, want it to name the file and say %q", ro, err, tt.want)
				}
			}
			if err := Check(p, nil); !errors.Is(err, ErrDamaged) {
				t.Errorf("Check = %v, want ErrDamaged", err)
			}
		})
	}
}

// TestOpenSound: an undamaged file, a missing file (created) and an empty
// database open; Check passes them.
func TestOpenSound(t *testing.T) {
	for name, path := range map[string]string{
		"built":   build(t),
		"missing": filepath.Join(t.TempDir(), "new.db"),
	} {
		t.Run(name, func(t *testing.T) {
			db, err := Open(path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if err := db.View("read", func(*bolt.Tx) error { return nil }); err != nil {
				t.Error(err)
			}
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			if err := Check(path, nil); err != nil {
				t.Errorf("Check = %v", err)
			}
		})
	}
}

// TestSkip: damage inside a skipped top-level bucket does not stop Open
// (the vault leaves its audio buckets to Verify), but Check without skip
// finds it.
func TestSkip(t *testing.T) {
	path := build(t)
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	branch := branchPages(t, orig)[0]
	p := damage(t, path, func(b []byte) {
		binary.LittleEndian.PutUint64(b[branch*pageSize+16+8:], uint64(branch))
	})
	skipBig := func(name []byte) bool { return string(name) == "big" }
	db, err := Open(p, Options{Skip: skipBig, ReadOnly: true})
	if err != nil {
		t.Fatalf("Open skipping the damaged bucket = %v", err)
	}
	db.Close()
	if err := Check(p, skipBig); err != nil {
		t.Errorf("Check skipping the damaged bucket = %v", err)
	}
	if err := Check(p, nil); !errors.Is(err, ErrDamaged) {
		t.Errorf("Check = %v, want ErrDamaged", err)
	}
}

// TestOpenLocked: a file another holder has open gives ErrLocked after the
// timeout instead of waiting forever, and the walk does not run on a file
// someone may be writing.
func TestOpenLocked(t *testing.T) {
	path := build(t)
	held, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	if checked, err := checkUnlocked(path, false, nil); checked || err != nil {
		t.Errorf("checkUnlocked on a held file = %v, %v; want not walked, no error", checked, err)
	}
	_, err = Open(path, Options{Timeout: 10 * time.Millisecond})
	if !errors.Is(err, ErrLocked) {
		t.Errorf("Open of a held file = %v, want ErrLocked", err)
	}
}

// TestGuard: a panic, and a fault reading outside memory, become errors
// naming the operation.
func TestGuard(t *testing.T) {
	d := &DB{damaged: errCaller}
	tests := map[string]func() error{
		"panic":  func() error { panic("bad page type") },
		"nil":    func() error { var p *[4]byte; return errors.New(string(p[1])) },
		"bounds": func() error { b := []byte{}; i := 3; return errors.New(string(b[i])) },
	}
	for name, fn := range tests {
		err := d.Guard("read "+name, fn)
		if !errors.Is(err, ErrDamaged) || !errors.Is(err, errCaller) || !strings.Contains(err.Error(), "read "+name) {
			t.Errorf("%s: Guard = %v", name, err)
		}
	}
	want := errors.New("plain")
	if err := d.Guard("op", func() error { return want }); err != want {
		t.Errorf("Guard passed %v, want the function's own error unchanged", err)
	}
}
