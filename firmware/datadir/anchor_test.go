package datadir

import (
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"fairrec/firmware/clock/clocktest"
	"fairrec/storage/audit"
	"fairrec/storage/vault"
)

// TestAuditAnchor: through the one opener, with the real vault's key-slot
// file as the anchor, each way of losing entries with audit.db alone is
// found at the next Open (Dir.Tampered, a tamper entry starting a new
// segment) and by a read-only Verify before it; the Open after is clean.
func TestAuditAnchor(t *testing.T) {
	cases := []struct {
		name string
		do   func(t *testing.T, path string, older []byte)
	}{
		{"deleted", func(t *testing.T, path string, _ []byte) {
			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
		}},
		{"older copy", func(t *testing.T, path string, older []byte) {
			if err := os.WriteFile(path, older, 0o600); err != nil {
				t.Fatal(err)
			}
		}},
		{"rolled back a transaction", func(t *testing.T, path string, _ []byte) { rollBack(t, path) }},
		{"last entries trimmed", func(t *testing.T, path string, _ []byte) {
			db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			err = db.Update(func(tx *bolt.Tx) error {
				c := tx.Bucket([]byte("entries")).Cursor()
				for range 2 {
					if k, _ := c.Last(); k != nil {
						if err := c.Delete(); err != nil {
							return err
						}
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := vault.InitKey(filepath.Join(dir, vault.KeyFile), nil); err != nil {
				t.Fatal(err)
			}
			cfg := Config{Dir: dir, Clock: clocktest.New(t0), BootIDFile: filepath.Join(dir, "none")}
			record := func(n int) {
				t.Helper()
				d, err := Open(cfg)
				if err != nil || d.Tampered != nil {
					t.Fatalf("Open: %v, tampered %v", err, d.Tampered)
				}
				for range n {
					if err := d.Audit.Record(audit.Entry{Actor: audit.Actor{Kind: audit.ActorRole, ID: "installer"}, Action: audit.ActionLogin}); err != nil {
						t.Fatal(err)
					}
				}
				if err := d.Close(); err != nil {
					t.Fatal(err)
				}
			}
			path := audit.PathIn(dir)
			record(3)
			older, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			record(3)
			tc.do(t, path, older)

			if _, err := os.Stat(path); err == nil {
				ro := cfg
				ro.Audit = AuditRead
				d, err := Open(ro)
				if err != nil {
					t.Fatal(err)
				}
				// Trimmed without the key, the signed head already
				// tells; every other way only the anchor does.
				if _, err := d.Audit.Verify(); !errors.Is(err, audit.ErrTampered) && !errors.Is(err, audit.ErrBroken) {
					t.Errorf("read-only Verify = %v, want ErrTampered or ErrBroken", err)
				}
				d.Close()
			}
			d, err := Open(cfg)
			if err != nil {
				t.Fatal(err)
			}
			if !errors.Is(d.Tampered, audit.ErrTampered) {
				t.Errorf("Tampered = %v, want ErrTampered", d.Tampered)
			}
			var last audit.Entry
			if err := d.Audit.Each(time.Time{}, func(e audit.Entry) error { last = e; return nil }); err != nil {
				t.Fatal(err)
			}
			if last.Action != audit.ActionTamperDetected {
				t.Errorf("last entry %v, want the tamper entry", last.Action)
			}
			if err := d.Close(); err != nil {
				t.Fatal(err)
			}
			d, err = Open(cfg)
			if err != nil || d.Tampered != nil {
				t.Fatalf("Open after the new segment: %v, tampered %v", err, d.Tampered)
			}
			d.Close()
		})
	}
}

// rollBack makes the bbolt file at path open at its previous transaction:
// bbolt keeps two meta pages and uses the newer; the newer is overwritten
// with the older.
func rollBack(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ps := int(binary.LittleEndian.Uint32(b[16+8:]))
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
