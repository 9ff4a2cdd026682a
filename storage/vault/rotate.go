package vault

import (
	"fmt"
	"os"
	"path/filepath"

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
func (v *Vault) Rotate() error {
	v.wmu.Lock()
	defer v.wmu.Unlock()
	if v.isClosed() {
		return fmt.Errorf("vault: rotate: %w", ErrClosed)
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
