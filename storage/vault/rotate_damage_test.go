package vault

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// threeRecordings creates three sealed recordings and returns their ids,
// audio and key-slot indexes.
func threeRecordings(t *testing.T, v *Vault) ([]ID, map[ID][]byte, map[ID]uint32) {
	t.Helper()
	var ids []ID
	audio, slot := map[ID][]byte{}, map[ID]uint32{}
	for i := range 3 {
		id, err := v.Create(Meta{Line: i, Start: t0})
		if err != nil {
			t.Fatal(err)
		}
		audio[id] = pattern(i, 2000)
		if err := v.Append(id, audio[id]); err != nil {
			t.Fatal(err)
		}
		if err := v.Seal(id, t0); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	err := v.db.Bolt().View(func(tx *bolt.Tx) error {
		for _, id := range ids {
			r, _, err := peekRecord(tx.Bucket(bRec).Get(idKey(id)))
			if err != nil {
				return err
			}
			slot[id] = r.slot
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids, audio, slot
}

// flipSlotByte inverts one byte of key slot i at offset off within it.
func flipSlotByte(t *testing.T, v *Vault, i uint32, off int) {
	t.Helper()
	b := make([]byte, 1)
	at := int64(i)*slotSize + int64(off)
	if _, err := v.slots.f.ReadAt(b, at); err != nil {
		t.Fatal(err)
	}
	b[0] ^= 0xFF
	if _, err := v.slots.f.WriteAt(b, at); err != nil {
		t.Fatal(err)
	}
}

// checkReadable fails unless each id reads back as its audio.
func checkReadable(t *testing.T, v *Vault, audio map[ID][]byte, ids ...ID) {
	t.Helper()
	for _, id := range ids {
		if got, err := readAll(t, v, id); err != nil || !bytes.Equal(got, audio[id]) {
			t.Errorf("recording %v: %d bytes, %v", id, len(got), err)
		}
	}
}

// A key slot that does not open makes Rotate fail with ErrTampered naming
// the slot, before anything is written: the key file, the slots and the
// vault's openability are unchanged. Once the damaged recording is erased,
// the rotation goes through.
func TestRotateRefusesDamagedSlot(t *testing.T) {
	damages := []struct {
		name string
		off  int
	}{
		{"wrapped key", copyA + 40},
		{"kek id", copyA + 2},
		{"reserved byte", copyB + copySize + 10},
	}
	for _, d := range damages {
		t.Run(d.name, func(t *testing.T) {
			dir := newDir(t)
			cfg := testConfig(dir)
			keyPath := filepath.Join(dir, KeyFile)
			oldKey, _ := os.ReadFile(keyPath)
			v := mustOpen(t, cfg)
			ids, audio, slot := threeRecordings(t, v)
			bad := ids[1]
			flipSlotByte(t, v, slot[bad], d.off)
			err := v.Rotate()
			if !errors.Is(err, ErrTampered) {
				t.Fatalf("Rotate with a damaged slot = %v, want ErrTampered", err)
			}
			if want := "slot " + ID(slot[bad]).String() + " (recording " + bad.String() + ")"; !strings.Contains(err.Error(), want) {
				t.Errorf("Rotate error %q does not name %q", err, want)
			}
			if _, err := os.Stat(keyPath + ".next"); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("%s.next left behind: %v", KeyFile, err)
			}
			if k, _ := os.ReadFile(keyPath); !bytes.Equal(k, oldKey) {
				t.Error("key file changed by a refused rotation")
			}
			v.Close()
			v = mustOpen(t, cfg)
			checkReadable(t, v, audio, ids[0], ids[2])
			if err := v.Erase(bad); err != nil {
				t.Fatalf("Erase(%v) = %v", bad, err)
			}
			if err := v.Rotate(); err != nil {
				t.Fatalf("Rotate after erasing the damaged recording = %v", err)
			}
			v.Close()
			v = mustOpen(t, cfg)
			defer v.Close()
			checkReadable(t, v, audio, ids[0], ids[2])
		})
	}
}

// A rotation cut short (KeyFile.next written, maybe copies re-wrapped) with
// a key slot that opens with neither key is rolled back at Open rather than
// making the vault unopenable; every key that opens with either key
// survives, wrapped by the old key, which stays the key file.
func TestOpenRollsBackRotationWithDamagedSlot(t *testing.T) {
	for _, crashAt := range []string{"rotate-next-written", "rotate-rewrapped"} {
		t.Run(crashAt, func(t *testing.T) {
			dir := newDir(t)
			cfg := testConfig(dir)
			keyPath := filepath.Join(dir, KeyFile)
			oldKey, _ := os.ReadFile(keyPath)
			v := mustOpen(t, cfg)
			ids, audio, slot := threeRecordings(t, v)
			v.crash = func(step string) error {
				if step == crashAt {
					return errors.New("simulated crash")
				}
				return nil
			}
			if err := v.Rotate(); err == nil {
				t.Fatal("Rotate with an injected crash returned nil")
			}
			bad := ids[1]
			// Damage that no key gets past, then (once re-wrapped) the
			// old copy of another slot, whose key now lives only in the
			// copy wrapped by the new key.
			flipSlotByte(t, v, slot[bad], copyB+copySize+10)
			if crashAt == "rotate-rewrapped" {
				flipSlotByte(t, v, slot[ids[0]], copyA+40)
			}
			v.db.Close()
			v.slots.close()

			var tampered []Event
			cfg.OnEvent = func(e Event) {
				if e.Kind == EventTampered {
					tampered = append(tampered, e)
				}
			}
			v, err := Open(cfg)
			if err != nil {
				t.Fatalf("Open after an unfinished rotation with a damaged slot: %v", err)
			}
			if len(tampered) == 0 {
				t.Error("no tampered event for the rolled-back rotation")
			}
			if _, err := os.Stat(keyPath + ".next"); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("%s.next left behind: %v", KeyFile, err)
			}
			if k, _ := os.ReadFile(keyPath); !bytes.Equal(k, oldKey) {
				t.Error("key file changed by a rolled-back rotation")
			}
			checkReadable(t, v, audio, ids[0], ids[2])
			if _, err := readAll(t, v, bad); !errors.Is(err, ErrTampered) {
				t.Errorf("recording with the damaged slot: %v, want ErrTampered", err)
			}
			v.Close()
			// The old key alone opens every good slot now.
			v = mustOpen(t, cfg)
			defer v.Close()
			checkReadable(t, v, audio, ids[0], ids[2])
		})
	}
}
