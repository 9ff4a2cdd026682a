package datadir

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"fairrec/firmware/clock/clocktest"
	"fairrec/storage/vault"
)

var t0 = time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)

func TestBootID(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct{ name, content, want string }{
		{"kernel newline", "6f1c-22\n", "6f1c-22"},
		{"none", "6f1c-22", "6f1c-22"},
		{"empty", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := filepath.Join(dir, tc.name)
			if err := os.WriteFile(f, []byte(tc.content), 0o644); err != nil {
				t.Fatal(err)
			}
			if got := BootID(f); got != tc.want {
				t.Errorf("BootID = %q, want %q", got, tc.want)
			}
		})
	}
	if got := BootID(filepath.Join(dir, "missing")); got != "" {
		t.Errorf("missing file: %q", got)
	}
}

// TestOpenSameBoot: a clock trusted by one Open is trusted by the next in
// the same boot (the daemon, then the tool), and not in another boot.
func TestOpenSameBoot(t *testing.T) {
	dir := t.TempDir()
	if err := vault.InitKey(filepath.Join(dir, vault.KeyFile), nil); err != nil {
		t.Fatal(err)
	}
	boot := filepath.Join(dir, "boot_id")
	if err := os.WriteFile(boot, []byte("b1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	clk := clocktest.New(t0)
	d, err := Open(Config{Dir: dir, Clock: clk, BootIDFile: boot})
	if err != nil {
		t.Fatal(err)
	}
	if d.Rules.Source == "" || d.Audit == nil || d.Policy == nil || d.Vault == nil {
		t.Fatalf("opened %+v", d)
	}
	if err := d.Keeper.Confirm(); err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Minute)
	d, err = Open(Config{Dir: dir, Clock: clk, BootIDFile: boot, Audit: AuditRead})
	if err != nil {
		t.Fatal(err)
	}
	if !d.Keeper.Trusted() {
		t.Error("the clock trusted in this boot is not trusted by the next open")
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(boot, []byte("b2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err = Open(Config{Dir: dir, Clock: clk, BootIDFile: boot, Audit: AuditNone})
	if err != nil {
		t.Fatal(err)
	}
	if d.Keeper.Trusted() || d.Audit != nil {
		t.Errorf("another boot: trusted=%v, audit log open=%v", d.Keeper.Trusted(), d.Audit != nil)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
}
