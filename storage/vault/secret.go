package vault

import (
	"fmt"
	"os"
	"path/filepath"
)

// ReadKey returns the raw key-encryption key in a key file, unsealing it
// with passphrase if needed. Other stores (storage/audit) may derive their
// own keys from it; note that `fairrec keys rotate` replaces it, so a key
// that must outlive a rotation should come from DeriveSecret instead.
func ReadKey(path string, passphrase []byte) ([]byte, error) {
	k, err := readKeyFile(path, passphrase)
	if err != nil {
		return nil, fmt.Errorf("vault: read key: %w", err)
	}
	return k.raw, nil
}

// DeriveSecret returns a 32-byte secret for label, derived (HKDF-SHA256)
// from the vault's root secret. It stays the same across `keys rotate`, and
// needs only the key file and the key-slot file, not the database lock, so a
// tool can call it while the daemon runs. cfg needs Dir (and KeyFile and
// Passphrase as for Open); Clock is not used.
func DeriveSecret(cfg Config, label string) ([]byte, error) {
	if cfg.KeyFile == "" {
		cfg.KeyFile = filepath.Join(cfg.Dir, KeyFile)
	}
	k, err := readKeyFile(cfg.KeyFile, cfg.Passphrase)
	if err != nil {
		return nil, fmt.Errorf("vault: derive secret: %w", err)
	}
	keks := []*kek{k}
	if next, err := readKeyFile(cfg.KeyFile+".next", cfg.Passphrase); err == nil {
		keks = append(keks, next) // a rotation under way
	}
	f, err := os.Open(filepath.Join(cfg.Dir, SlotsFile))
	if err != nil {
		return nil, fmt.Errorf("vault: derive secret: %w: %v", ErrNoKey, err)
	}
	defer f.Close()
	b := make([]byte, slotSize)
	if _, err := f.ReadAt(b, 0); err != nil {
		return nil, fmt.Errorf("vault: derive secret: %w: key-slot file: %v", ErrNoKey, err)
	}
	root, _, err := unwrapSlot(b, 0, rootSlotID, keks)
	if err != nil {
		return nil, fmt.Errorf("vault: derive secret: %w: the key file does not open this vault", ErrWrongKey)
	}
	return derive(root, "fairrec v1 app "+label), nil
}
