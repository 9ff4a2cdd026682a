package vault_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fairrec/storage/vault"
)

// A key file that group or others can read is refused, as ssh refuses such
// a private key, and the message says which chmod fixes it; an owner-only
// file opens.
func TestKeyFileMode(t *testing.T) {
	for _, tc := range []struct {
		mode   os.FileMode
		pass   string
		refuse bool
	}{
		{mode: 0o400},
		{mode: 0o600},
		{mode: 0o600, pass: "correct horse"},
		{mode: 0o644, refuse: true},
		{mode: 0o640, refuse: true},
		{mode: 0o604, refuse: true},
		{mode: 0o444, refuse: true},
		{mode: 0o420, refuse: true}, // group may write it
		{mode: 0o644, pass: "correct horse", refuse: true},
	} {
		t.Run(tc.mode.String()+"/"+tc.pass, func(t *testing.T) {
			if tc.pass != "" && testing.Short() {
				t.Skip("argon2id at its default cost")
			}
			path := filepath.Join(t.TempDir(), vault.KeyFile)
			if err := vault.InitKey(path, []byte(tc.pass)); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, tc.mode); err != nil {
				t.Fatal(err)
			}
			_, err := vault.ReadKey(path, []byte(tc.pass))
			if !tc.refuse {
				if err != nil {
					t.Fatalf("an owner-only key file is refused: %v", err)
				}
				return
			}
			if !errors.Is(err, vault.ErrKeyExposed) {
				t.Fatalf("a key file with mode %04o is accepted (err %v)", tc.mode, err)
			}
			if want := "chmod 400 " + path; !strings.Contains(err.Error(), want) {
				t.Errorf("the refusal %q does not say %q", err, want)
			}
		})
	}
}
