package audit

import (
	"errors"
	"math/rand/v2"
	"os"
	"testing"
	"time"
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
