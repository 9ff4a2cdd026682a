package audit

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fairrec/drivers/testexec"
)

// TestCorruptFile overwrites each page of a log with garbage, as a failing
// SD card or a clumsy attacker would, and checks that opening, verifying and
// reading report errors instead of crashing.
func TestCorruptFile(t *testing.T) {
	l, clk := testLog(t, nil)
	fill(t, l, clk, 300)
	path := l.cfg.Path
	l.Close()
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	const page = 4096
	rng := rand.New(rand.NewPCG(1, 2))
	patterns := []string{"random", "zero", "ff"}
	if testing.Short() {
		patterns = patterns[:1]
	}
	for p := 0; p*page < len(orig); p++ {
		for _, pattern := range patterns {
			b := append([]byte(nil), orig...)
			for i := p * page; i < (p+1)*page && i < len(b); i++ {
				switch pattern {
				case "random":
					b[i] = byte(rng.Uint32())
				case "zero":
					b[i] = 0
				case "ff":
					b[i] = 0xff
				}
			}
			if err := os.WriteFile(path, b, 0o600); err != nil {
				t.Fatal(err)
			}
			func() {
				defer func() {
					if r := recover(); r != nil {
						t.Errorf("page %d %s: panic %v", p, pattern, r)
					}
				}()
				r, err := Open(Config{Path: path, ReadOnly: true, Key: testKey(t), Timeout: time.Second})
				if err != nil {
					return
				}
				defer r.Close()
				if _, err := r.Verify(); err != nil && !errors.Is(err, ErrBroken) && !errors.Is(err, ErrCorrupt) {
					t.Errorf("page %d %s: Verify = %v, want ErrBroken or ErrCorrupt", p, pattern, err)
				}
				r.Each(time.Time{}, func(Entry) error { return nil })
			}()
		}
	}
}

// faultChildEnv marks the child process TestCorruptLeafPointers runs itself
// in.
const faultChildEnv = "FAIRREC_AUDIT_FAULT_CHILD"

// TestCorruptLeafPointers flips a high bit of the position and sizes in
// leaf element headers of every leaf page, so that keys and values point
// far outside bbolt's memory map, then opens the log for writing, verifies,
// records and reads, as the daemon does at boot. Such a pointer once killed
// the process ("fatal error: fault" in Verify) instead of giving
// ErrCorrupt. The work runs in a child process so that a crash fails this
// test rather than ending the test binary.
func TestCorruptLeafPointers(t *testing.T) {
	if os.Getenv(faultChildEnv) == "" {
		cmd := testexec.Self([]string{faultChildEnv + "=1"}, "-test.run=^TestCorruptLeafPointers$", "-test.count=1")
		out, err := cmd.CombinedOutput()
		if err != nil {
			if len(out) > 4000 {
				out = out[:4000]
			}
			t.Fatalf("child: %v\n%s", err, out)
		}
		return
	}
	l, clk := testLog(t, nil)
	for range 200 {
		clk.Advance(time.Minute)
		if err := l.Record(Entry{Actor: Actor{Kind: ActorDevice}, Action: ActionPruned, Detail: "some detail text to fill pages"}); err != nil {
			t.Fatal(err)
		}
	}
	cfg := l.cfg
	l.Close()
	orig, err := os.ReadFile(cfg.Path)
	if err != nil {
		t.Fatal(err)
	}
	// A bbolt page starts with id (8 bytes), flags (2), count (2) and
	// overflow (4); a leaf page's element headers follow, 16 bytes each:
	// flags, pos, ksize, vsize (4 bytes each, little-endian).
	const page, leaf = 4096, 0x02
	dir := t.TempDir()
	leaves, faults := 0, 0
	for p := 0; (p+1)*page <= len(orig); p++ {
		at := p * page
		count := int(binary.LittleEndian.Uint16(orig[at+10:]))
		if binary.LittleEndian.Uint16(orig[at+8:]) != leaf || count == 0 {
			continue
		}
		leaves++
		for _, elem := range []int{0, count - 1} {
			for _, field := range []string{"pos", "ksize", "vsize"} {
				off := at + 16 + 16*elem + map[string]int{"pos": 7, "ksize": 10, "vsize": 14}[field]
				b := append([]byte(nil), orig...)
				b[off] ^= 0x40
				c := cfg
				c.Path = filepath.Join(dir, "audit.db")
				if err := os.WriteFile(c.Path, b, 0o600); err != nil {
					t.Fatal(err)
				}
				func() {
					defer func() {
						if r := recover(); r != nil {
							t.Errorf("page %d element %d %s: panic %v", p, elem, field, r)
						}
					}()
					l, err := Open(c)
					if errors.Is(err, ErrCorrupt) {
						faults++
					}
					if err != nil {
						return
					}
					defer l.Close()
					_, err = l.Verify()
					if errors.Is(err, ErrCorrupt) {
						faults++
					} else if err != nil && !errors.Is(err, ErrBroken) {
						t.Errorf("page %d element %d %s: Verify = %v, want ErrBroken or ErrCorrupt", p, elem, field, err)
					}
					// Damage may refuse the entry; only a crash fails.
					_ = l.Record(Entry{Actor: Actor{Kind: ActorDevice}, Action: ActionPruned, Detail: "x"})
					l.Each(time.Time{}, func(Entry) error { return nil })
				}()
			}
		}
	}
	// The test is only worth something if it hit leaves and made bbolt
	// read outside its map.
	if leaves < 3 || faults == 0 {
		t.Errorf("%d leaf pages, %d ErrCorrupt: the damage did not reach bbolt's leaves", leaves, faults)
	}
}

// loopChildEnv marks the child process TestLoopingPageRefused runs itself
// in.
const loopChildEnv = "FAIRREC_AUDIT_LOOP_CHILD"

// TestLoopingPageRefused makes a branch page of the log lead back to
// itself, then opens the log as the daemon does (writable, freelist rebuilt
// at open) and as the tool does (read-only). bbolt would follow the loop
// until memory ran out, or panic on the goroutine that rebuilds the
// freelist, where no recover reaches; Open must refuse the file with
// ErrCorrupt and say why. The child process (with its own test timeout)
// makes a hang or crash fail this test rather than the test binary.
func TestLoopingPageRefused(t *testing.T) {
	if os.Getenv(loopChildEnv) == "" {
		cmd := testexec.Self([]string{loopChildEnv + "=1"}, "-test.run=^TestLoopingPageRefused$", "-test.count=1", "-test.timeout=5m")
		out, err := cmd.CombinedOutput()
		if err != nil {
			if len(out) > 4000 {
				out = out[:4000]
			}
			t.Fatalf("child: %v\n%s", err, out)
		}
		return
	}
	l, clk := testLog(t, func(c *Config) { c.NoFreelistSync = true })
	fill(t, l, clk, 300)
	cfg := l.cfg
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(cfg.Path)
	if err != nil {
		t.Fatal(err)
	}
	const page, branch = 4096, 0x01
	looped := -1
	for p := 2; (p+1)*page <= len(b); p++ {
		at := p * page
		if binary.LittleEndian.Uint64(b[at:]) == uint64(p) && binary.LittleEndian.Uint16(b[at+8:]) == branch {
			// The first element's child (page id at offset 8 of the
			// 16-byte branch element) now names the page itself.
			binary.LittleEndian.PutUint64(b[at+16+8:], uint64(p))
			looped = p
			break
		}
	}
	if looped < 0 {
		t.Fatal("the log has no branch page to damage")
	}
	if err := os.WriteFile(cfg.Path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := map[string]Config{
		"daemon": cfg,
		"tool":   {Path: cfg.Path, ReadOnly: true, Key: cfg.Key, Timeout: 2 * time.Second},
	}
	for name, c := range tests {
		t.Run(name, func(t *testing.T) {
			l, err := Open(c)
			if err == nil {
				l.Close()
				t.Fatal("Open of a log with a looping page succeeded")
			}
			if !errors.Is(err, ErrCorrupt) {
				t.Errorf("Open = %v, want ErrCorrupt", err)
			}
			want := fmt.Sprintf("page %d reached twice", looped)
			if s := err.Error(); !strings.Contains(s, want) || !strings.Contains(s, c.Path) {
				t.Errorf("Open = %q, want it to name the file and say %q", s, want)
			}
		})
	}
}
