package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fairrec/storage/vault"
)

// The tool refuses a key file or passphrase file that group or others can
// read, says which chmod fixes it, and works again once it is run.
func TestToolKeyFileMode(t *testing.T) {
	dir := t.TempDir()
	d := "--data=" + dir
	mustRun(t, "keys", "init", d)
	key := filepath.Join(dir, vault.KeyFile)
	for _, tc := range []struct {
		mode   os.FileMode
		refuse bool
	}{
		{mode: 0o644, refuse: true},
		{mode: 0o640, refuse: true},
		{mode: 0o600},
		{mode: 0o400},
	} {
		if err := os.Chmod(key, tc.mode); err != nil {
			t.Fatal(err)
		}
		code, _, errs := run(t, "list", d)
		if !tc.refuse {
			if code != 0 {
				t.Errorf("key file %04o: exit %d, %q", tc.mode, code, errs)
			}
			continue
		}
		if code != 1 || !strings.Contains(errs, "chmod 400 "+key) {
			t.Errorf("key file %04o: exit %d, %q; want it refused with `chmod 400 %s`", tc.mode, code, errs, key)
		}
	}

	pass := filepath.Join(t.TempDir(), "pass")
	if err := os.WriteFile(pass, []byte("correct horse\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	os.Chmod(pass, 0o644)
	sealed := t.TempDir()
	code, _, errs := run(t, "keys", "init", "--data="+sealed, "--passphrase-file", pass)
	if code != 1 || !strings.Contains(errs, "chmod 600 "+pass) {
		t.Errorf("keys init with a passphrase file others can read: exit %d, %q", code, errs)
	}
	if _, err := os.Stat(filepath.Join(sealed, vault.KeyFile)); err == nil {
		t.Error("a key file was sealed with a passphrase others can read")
	}
}
