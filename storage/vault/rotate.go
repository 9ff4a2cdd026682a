package vault

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"fairrec/storage/atomicfile"
)

// Rotate re-wraps every data key under a new random key-encryption key and
// replaces the key file with it (sealed with the same passphrase, if any).
// The audio and the database are not touched. Crash-safe:
//
//  1. the new key is written to KeyFile+".next" (atomic write);
//  2. each slot gets a second copy wrapped by the new key; fsync;
//  3. KeyFile+".next" is renamed over KeyFile; the directory is fsynced;
//  4. the copies wrapped by the old key are cleared; fsync.
//
// Open finishes a rotation found after step 1 and clears copies left by a
// crash in step 4. Back up the new key file after a rotation: the old one no
// longer opens the vault.
//
// Before step 1, every key slot must open with the current key; if one does
// not, Rotate changes nothing and fails with ErrTampered naming the slots and
// their recordings. Skipping a damaged slot instead would leave its key
// wrapped only by the retired key file: lost for good if the damage were
// repairable (e.g. a flipped reserved byte). Erase those recordings (an
// erase needs no key) or restore keys.slots, then rotate again. If Open
// finds an unfinished rotation with a slot neither key opens, it rolls the
// rotation back (see rollback) rather than refusing to open.
func (v *Vault) Rotate() error {
	v.wmu.Lock()
	defer v.wmu.Unlock()
	if v.isClosed() {
		return fmt.Errorf("vault: rotate: %w", ErrClosed)
	}
	if err := v.checkSlots(); err != nil {
		return fmt.Errorf("vault: rotate: nothing changed: %w", err)
	}
	raw := randomKey()
	if err := writeKeyFile(v.cfg.KeyFile+".next", raw, v.cfg.Passphrase, v.kek.kdf); err != nil {
		return fmt.Errorf("vault: rotate: %w", err)
	}
	if err := v.crashPoint("rotate-next-written"); err != nil {
		return err
	}
	if err := v.rotateTo(newKEK(raw, v.kek.kdf)); err != nil {
		return fmt.Errorf("vault: rotate: %w", err)
	}
	v.emit([]Event{{Kind: EventRotated}})
	return nil
}

// rotateTo runs steps 2-4 of Rotate; next is already in KeyFile+".next".
func (v *Vault) rotateTo(next *kek) error {
	keks := []*kek{v.kek, next}
	v.slots.mu.Lock()
	ids := append([]uint64(nil), v.slots.ids...)
	v.slots.mu.Unlock()
	for i, id := range ids {
		if id == 0 && i != 0 {
			continue
		}
		b, err := v.slots.read(uint32(i))
		if err != nil {
			return err
		}
		if hasCopy(b, next) {
			continue // done before a crash
		}
		key, off, err := unwrapSlot(b, uint32(i), id, keks)
		if err != nil {
			return fmt.Errorf("key slot %d: %w", i, err)
		}
		if err := v.slots.rewrap(uint32(i), id, key, next, off); err != nil {
			return err
		}
	}
	if err := v.slots.sync(); err != nil {
		return err
	}
	if err := v.crashPoint("rotate-rewrapped"); err != nil {
		return err
	}
	if err := os.Rename(v.cfg.KeyFile+".next", v.cfg.KeyFile); err != nil {
		return err
	}
	if err := atomicfile.SyncDir(filepath.Dir(v.cfg.KeyFile)); err != nil {
		return err
	}
	v.kek, v.keks = next, []*kek{next}
	if err := v.crashPoint("rotate-renamed"); err != nil {
		return err
	}
	return v.dropStale(ids)
}

// dropStale clears every key copy in the given slots not wrapped by the
// current KEK, where a copy wrapped by it exists.
func (v *Vault) dropStale(slots []uint64) error {
	dirty := false
	for i, id := range slots {
		if id == 0 && i != 0 {
			continue
		}
		b, err := v.slots.read(uint32(i))
		if err != nil {
			return err
		}
		if !hasCopy(b, v.kek) {
			continue
		}
		if err := v.slots.dropOthers(uint32(i), v.kek, b); err != nil {
			return err
		}
		dirty = true
	}
	if dirty {
		return v.slots.sync()
	}
	return nil
}

func hasCopy(b []byte, k *kek) bool {
	return string(b[copyA:copyA+8]) == string(k.id[:]) || string(b[copyB:copyB+8]) == string(k.id[:])
}

// checkSlots unwraps every key slot in use with the known KEKs and returns
// an error wrapping ErrTampered naming every slot that does not open.
func (v *Vault) checkSlots() error {
	v.slots.mu.Lock()
	ids := append([]uint64(nil), v.slots.ids...)
	v.slots.mu.Unlock()
	var bad []string
	var first error
	for i, id := range ids {
		if id == 0 && i != 0 {
			continue
		}
		b, err := v.slots.read(uint32(i))
		if err == nil {
			_, _, err = unwrapSlot(b, uint32(i), id, v.keks)
		}
		if err != nil {
			bad = append(bad, fmt.Sprintf("slot %d (recording %d)", i, id))
			if first == nil {
				first = err
			}
		}
	}
	if len(bad) == 0 {
		return nil
	}
	if !errors.Is(first, ErrTampered) {
		return first
	}
	return fmt.Errorf("key slots that open with no key: %s; erase those recordings or restore %s: %w",
		strings.Join(bad, ", "), SlotsFile, ErrTampered)
}

// rollback undoes a rotation to next that has not reached step 3 (the key
// file is still the old one), leaving every slot with a copy wrapped by the
// current KEK only, then removes KeyFile+".next". A slot whose only good
// copy is wrapped by next is first re-wrapped by the current KEK, so no key
// that opens is lost; a slot neither opens is left as it is and reported.
// A crash during rollback is rolled back again at the next Open.
func (v *Vault) rollback(next *kek) ([]Event, error) {
	keks := []*kek{v.kek, next}
	v.slots.mu.Lock()
	ids := append([]uint64(nil), v.slots.ids...)
	v.slots.mu.Unlock()
	var events []Event
	var clear []uint32
	for i, id := range ids {
		if id == 0 && i != 0 {
			continue
		}
		b, err := v.slots.read(uint32(i))
		if err != nil {
			return nil, err
		}
		key, off, err := unwrapSlot(b, uint32(i), id, keks)
		if err != nil {
			events = append(events, Event{Kind: EventTampered, ID: ID(id), Detail: fmt.Sprintf("key rotation rolled back: %v", err)})
			continue
		}
		if !hasCopy(b, next) {
			continue
		}
		if string(b[off:off+8]) == string(next.id[:]) {
			if err := v.slots.rewrap(uint32(i), id, key, v.kek, off); err != nil {
				return nil, err
			}
		}
		clear = append(clear, uint32(i))
	}
	if err := v.slots.sync(); err != nil {
		return nil, err
	}
	for _, i := range clear {
		b, err := v.slots.read(i)
		if err != nil {
			return nil, err
		}
		if err := v.slots.dropOthers(i, v.kek, b); err != nil {
			return nil, err
		}
	}
	if err := v.slots.sync(); err != nil {
		return nil, err
	}
	if err := os.Remove(v.cfg.KeyFile + ".next"); err != nil {
		return nil, err
	}
	if err := atomicfile.SyncDir(filepath.Dir(v.cfg.KeyFile)); err != nil {
		return nil, err
	}
	v.keks = []*kek{v.kek}
	return events, nil
}
