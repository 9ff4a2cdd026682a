package vault

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"fairrec/drivers/testexec"
)

const damageChildEnv = "FAIRREC_VAULT_DAMAGE_CHILD"

// A vault whose database has a damaged page answers with errors; bbolt's
// panics and memory faults never crash the process. The damage runs in a
// child process, so a fault that still escaped would fail this test
// instead of killing the test binary.
func TestDamagedDatabaseNeverCrashes(t *testing.T) {
	if os.Getenv(damageChildEnv) != "" {
		// A page cycle once made bbolt grow a slice without bound: cap
		// the child's address space so such a bug fails fast instead of
		// exhausting the machine's memory.
		lim := syscall.Rlimit{Cur: 3 << 30, Max: 3 << 30}
		if err := syscall.Setrlimit(syscall.RLIMIT_AS, &lim); err != nil {
			t.Logf("no address-space limit: %v", err)
		}
		damageEveryPage(t)
		return
	}
	args := []string{"-test.run=^TestDamagedDatabaseNeverCrashes$", "-test.count=1", "-test.v"}
	if testing.Short() {
		args = append(args, "-test.short")
	}
	cmd := testexec.Self([]string{damageChildEnv + "=1"}, args...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		s := string(out)
		if i := strings.Index(s, "panic"); i >= 0 {
			s = s[i:min(len(s), i+2000)]
		} else {
			s = s[max(0, len(s)-2000):]
		}
		t.Fatalf("child exercising damaged databases: %v\n%s", err, s)
	}
	if !strings.Contains(string(out), "damaged pages answered with ErrCorrupt") {
		t.Fatalf("child did not report its outcome:\n%s", out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if strings.Contains(line, "damaged pages") {
			t.Log(strings.TrimSpace(line))
		}
	}
}

// damageEveryPage builds a small vault, then for each page after the meta
// pages (every third one under -short) flips header and content bytes in a
// copy and runs the operations a user would: Open, List, Info, Audio,
// Verify, Create/Append/Seal and Erase. It fails unless some damage was
// reported as ErrCorrupt, so the pages it damages are really read.
func damageEveryPage(t *testing.T) {
	base := newDir(t)
	cfg := testConfig(base)
	v := mustOpen(t, cfg)
	for i := range 20 {
		id, err := v.Create(Meta{Line: i % 4, Start: t0, Caller: "0201234567"})
		if err != nil {
			t.Fatal(err)
		}
		if err := v.Append(id, pattern(i, 3000)); err != nil {
			t.Fatal(err)
		}
		if err := v.Commit(); err != nil {
			t.Fatal(err)
		}
		if err := v.Seal(id, t0); err != nil {
			t.Fatal(err)
		}
	}
	if err := v.Erase(3); err != nil {
		t.Fatal(err)
	}
	v.Close()
	files := map[string][]byte{}
	for _, name := range []string{DBFile, SlotsFile, KeyFile} {
		b, err := os.ReadFile(filepath.Join(base, name))
		if err != nil {
			t.Fatal(err)
		}
		files[name] = b
	}
	const pageSize = 4096
	db := files[DBFile]
	if len(db)%pageSize != 0 {
		t.Fatalf("database size %d is not a multiple of the %d-byte page", len(db), pageSize)
	}
	step := 1
	if testing.Short() {
		step = 3
	}
	var tries, corrupt int
	for page := 2; page < len(db)/pageSize; page += step {
		// Page header: flags (8:10), count (10:12), overflow (12:16);
		// then element headers (pos, sizes) and data.
		for _, off := range []int{8, 10, 11, 12, 16, 20, 24, 40, 200} {
			dir := t.TempDir()
			for name, b := range files {
				if name == DBFile {
					b = append([]byte(nil), b...)
					b[page*pageSize+off] ^= 0xFF
				}
				if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			tries++
			if errs := useDamaged(testConfig(dir)); errors.Is(errs, ErrCorrupt) {
				corrupt++
				if !errors.Is(errs, ErrTampered) {
					t.Errorf("page %d byte %d: ErrCorrupt without ErrTampered: %v", page, off, errs)
				}
			}
		}
	}
	if corrupt == 0 {
		t.Errorf("no damage among %d tries gave ErrCorrupt: the damaged pages were never read", tries)
	}
	fmt.Printf("%d of %d damaged pages answered with ErrCorrupt\n", corrupt, tries)
}

// useDamaged runs a user's operations on the vault in cfg.Dir and returns
// every error they gave, joined.
func useDamaged(cfg Config) error {
	v, err := Open(cfg)
	if err != nil {
		return err
	}
	var errs []error
	add := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	_, err = v.List(Query{})
	add(err)
	_, err = v.List(Query{Caller: "0201234567"})
	add(err)
	for id := ID(1); id <= 20; id++ {
		_, err := v.Info(id)
		add(err)
		if a, err := v.Audio(id); err != nil {
			add(err)
		} else {
			_, err := io.Copy(io.Discard, a)
			add(err)
		}
	}
	rep, err := v.Verify()
	add(err)
	for _, p := range rep.Problems {
		add(p.Err)
	}
	if id, err := v.Create(Meta{Line: 1, Start: t0}); err != nil {
		add(err)
	} else {
		add(v.Append(id, pattern(99, 500)))
		add(v.Seal(id, t0))
	}
	add(v.Erase(1))
	add(v.Close())
	return errors.Join(errs...)
}
