package datadir

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fairrec/firmware/clock/clocktest"
	"fairrec/storage/vault"
)

// A passphrase file that group or others can read is refused with the
// chmod that fixes it; an owner-only one is read.
func TestPassphraseMode(t *testing.T) {
	for _, tc := range []struct {
		mode   os.FileMode
		refuse bool
	}{
		{mode: 0o600},
		{mode: 0o400},
		{mode: 0o644, refuse: true},
		{mode: 0o640, refuse: true},
		{mode: 0o604, refuse: true},
		{mode: 0o620, refuse: true},
	} {
		t.Run(tc.mode.String(), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "pass")
			if err := os.WriteFile(path, []byte("correct horse\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, tc.mode); err != nil {
				t.Fatal(err)
			}
			got, err := Passphrase(path)
			if !tc.refuse {
				if err != nil || string(got) != "correct horse" {
					t.Fatalf("Passphrase = %q, %v; want the first line", got, err)
				}
				return
			}
			if !errors.Is(err, ErrPassphraseExposed) {
				t.Fatalf("a passphrase file with mode %04o is read (%q, %v)", tc.mode, got, err)
			}
			if want := "chmod 600 " + path; !strings.Contains(err.Error(), want) {
				t.Errorf("the refusal %q does not say %q", err, want)
			}
		})
	}
}

// Open refuses a data directory whose key file others can read, and names
// the file and the chmod.
func TestOpenExposedKey(t *testing.T) {
	dir := t.TempDir()
	key := filepath.Join(dir, vault.KeyFile)
	if err := vault.InitKey(key, nil); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(key, 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := Open(Config{Dir: dir, Clock: clocktest.New(t0), BootIDFile: filepath.Join(dir, "no-boot-id")})
	if err == nil {
		d.Close()
		t.Fatal("a world-readable key file opened the data directory")
	}
	if !errors.Is(err, vault.ErrKeyExposed) || !strings.Contains(err.Error(), "chmod 400 "+key) {
		t.Errorf("Open: %v; want the key file refused with `chmod 400 %s`", err, key)
	}
	if _, err := os.Stat(filepath.Join(dir, vault.DBFile)); err == nil {
		t.Error("a vault was created under a world-readable key file")
	}
}
