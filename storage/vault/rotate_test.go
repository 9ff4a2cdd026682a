package vault

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"fairrec/firmware/clock/clocktest"
)

func TestRotateCrash(t *testing.T) {
	for _, crashAt := range []string{"", "rotate-next-written", "rotate-rewrapped", "rotate-renamed"} {
		name := crashAt
		if name == "" {
			name = "no crash"
		}
		t.Run(name, func(t *testing.T) {
			dir := newDir(t)
			keyPath := filepath.Join(dir, KeyFile)
			oldKey, _ := os.ReadFile(keyPath)
			v := mustOpen(t, testConfig(dir))
			audio := map[ID][]byte{}
			for i := range 3 {
				id := mustCreate(t, v, Meta{Line: i, Start: t0, Caller: "0201234567"})
				audio[id] = pattern(i, 2000)
				must(t, v.Append(id, audio[id]))
				must(t, v.Seal(id, t0))
			}
			errCrash := errors.New("crash")
			v.crash = func(step string) error {
				if step == crashAt {
					return errCrash
				}
				return nil
			}
			err := v.Rotate()
			if crashAt != "" {
				if !errors.Is(err, errCrash) {
					t.Fatalf("Rotate = %v, want the injected crash", err)
				}
				v.db.Close()
				v.slots.close()
				v = mustOpen(t, testConfig(dir))
			} else if err != nil {
				t.Fatal(err)
			}
			for id, want := range audio {
				if got, err := readAll(t, v, id); err != nil || !bytes.Equal(got, want) {
					t.Errorf("recording %v after rotation: %d bytes, %v", id, len(got), err)
				}
			}
			if l, err := v.List(Query{Caller: "020 1234567"}); err != nil || len(l) != 3 {
				t.Errorf("caller lookup after rotation: %d, %v", len(l), err)
			}
			if err := v.Close(); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(keyPath + ".next"); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("%s.next left behind: %v", KeyFile, err)
			}
			newKey, _ := os.ReadFile(keyPath)
			if bytes.Equal(newKey, oldKey) {
				t.Fatal("key file unchanged")
			}
			// Every slot holds one copy, wrapped by the new key.
			k, _ := readKeyFile(keyPath, nil)
			slots, _ := os.ReadFile(filepath.Join(dir, SlotsFile))
			for i := 0; i < len(slots); i += slotSize {
				s := slots[i : i+slotSize]
				if isZero(s[:8]) {
					continue
				}
				a, b := s[copyA:copyA+8], s[copyB:copyB+8]
				if !(bytes.Equal(a, k.id[:]) && isZero(b) || bytes.Equal(b, k.id[:]) && isZero(a)) {
					t.Errorf("slot %d: copies %x and %x, want one, by the new key %x", i/slotSize, a, b, k.id)
				}
			}
			old := filepath.Join(t.TempDir(), "old.key")
			os.WriteFile(old, oldKey, 0o400)
			cfg := testConfig(dir)
			cfg.KeyFile = old
			if _, err := Open(cfg); !errors.Is(err, ErrWrongKey) {
				t.Errorf("Open with the old key = %v, want ErrWrongKey", err)
			}
		})
	}
}

func TestPassphraseRotate(t *testing.T) {
	dir := t.TempDir()
	if err := writeKeyFile(filepath.Join(dir, KeyFile), randomKey(), []byte("pw"), &testKDF); err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(dir)
	cfg.Passphrase = []byte("pw")
	v := mustOpen(t, cfg)
	if err := v.Rotate(); err != nil {
		t.Fatal(err)
	}
	v.Close()
	v = mustOpen(t, cfg) // the new key file is sealed with the same passphrase
	v.Close()
	cfg.Passphrase = nil
	if _, err := Open(cfg); !errors.Is(err, ErrNoKey) {
		t.Errorf("Open without the passphrase after rotation = %v, want ErrNoKey", err)
	}
}

func TestRunCommitsEachInterval(t *testing.T) {
	dir := newDir(t)
	clk := clocktest.New(t0)
	v := mustOpen(t, Config{Dir: dir, Clock: clk, NoSync: true})
	id := mustCreate(t, v, Meta{Line: 1, Start: t0})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- v.Run(ctx) }()
	durable := func() int64 {
		in, err := v.Info(id)
		if err != nil {
			t.Fatal(err)
		}
		return in.Bytes
	}
	must(t, v.Append(id, pattern(1, 8000)))
	waitFor := func(cond func() bool) {
		t.Helper()
		for range 1_000_000 {
			if cond() {
				return
			}
			runtime.Gosched()
		}
		t.Fatal("condition not reached")
	}
	waitFor(func() bool { return clk.Pending() > 0 })
	if got := durable(); got != 0 {
		t.Errorf("before the interval: %d bytes durable, want 0", got)
	}
	clk.Advance(time.Second)
	waitFor(func() bool { return durable() == 8000 })
	must(t, v.Append(id, pattern(2, 100)))
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run = %v", err)
	}
	if got := durable(); got != 8100 {
		t.Errorf("after Run returned: %d bytes durable, want 8100 (final commit)", got)
	}
	v.Close()
}
