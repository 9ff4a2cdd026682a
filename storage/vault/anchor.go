package vault

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// The audit log's anchor lives in the tail of slot 0 of the key-slot file
// (bytes 176:256, unused by the root secret's two copies): a file that is
// overwritten in place, so it holds no older version of itself the way a
// bbolt file holds its previous transaction, and one the audit log's file
// cannot take along when it is deleted or replaced.
//
//	176:216 copy 0: seq (8) | head hash prefix (16) | HMAC-SHA256 prefix (16)
//	216:256 copy 1: the same
//
// The HMAC is keyed by a secret derived from the vault's root secret, so an
// anchor cannot be forged without the key file. Stores alternate between
// the copies and Load takes the valid copy with the higher seq, so a write
// torn by a power cut leaves the previous anchor readable. A store of a
// seq not above the newest (the log continued after tampering) writes both
// copies, one after the other, each fsynced. A new vault's root slot is written with an
// anchor at seq 0 (the empty log): a slot 0 whose tail is all zero belongs
// to a vault made before anchoring (or was zeroed).
const (
	anchorOff     = copyB + copySize
	anchorHashLen = 16
	anchorCopy    = 8 + anchorHashLen + 16
	anchorLabel   = "fairrec v1 audit anchor"
	anchorDomain  = "fairrec audit anchor v1\x00"
)

// Anchor keeps the audit log's last sequence number and head hash in the
// key-slot file; it satisfies storage/audit's Anchor interface. Get one from
// an open vault with (*Vault).Anchor, or read-only with ReadAnchor.
type Anchor struct {
	mu       sync.Mutex
	f        *os.File
	own      bool // f is ReadAnchor's, closed by Close
	key      []byte
	noSync   bool
	readOnly bool
}

// Anchor returns the vault's anchor store for the audit log. It shares the
// vault's key-slot file and is usable until the vault is closed.
func (v *Vault) Anchor() (*Anchor, error) {
	b, err := v.slots.read(0)
	if err != nil {
		return nil, fmt.Errorf("vault: anchor: %w", err)
	}
	root, _, err := unwrapSlot(b, 0, rootSlotID, v.keks)
	if err != nil {
		return nil, fmt.Errorf("vault: anchor: %w", err)
	}
	return &Anchor{f: v.slots.f, key: derive(root, anchorLabel), noSync: v.cfg.NoSync}, nil
}

// ReadAnchor opens the anchor read-only, without the database lock (as
// DeriveSecret does), so that `fairrec audit verify` can check the log while
// the daemon runs. cfg needs Dir (and KeyFile and Passphrase as for Open).
// Close it when done; Store fails.
func ReadAnchor(cfg Config) (*Anchor, error) {
	if cfg.KeyFile == "" {
		cfg.KeyFile = filepath.Join(cfg.Dir, KeyFile)
	}
	k, err := readKeyFile(cfg.KeyFile, cfg.Passphrase)
	if err != nil {
		return nil, fmt.Errorf("vault: read anchor: %w", err)
	}
	keks := []*kek{k}
	if next, err := readKeyFile(cfg.KeyFile+".next", cfg.Passphrase); err == nil {
		keks = append(keks, next)
	}
	f, err := os.Open(filepath.Join(cfg.Dir, SlotsFile))
	if err != nil {
		return nil, fmt.Errorf("vault: read anchor: %w: %v", ErrNoKey, err)
	}
	b := make([]byte, slotSize)
	if _, err := f.ReadAt(b, 0); err != nil {
		f.Close()
		return nil, fmt.Errorf("vault: read anchor: %w: key-slot file: %v", ErrNoKey, err)
	}
	root, _, err := unwrapSlot(b, 0, rootSlotID, keks)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("vault: read anchor: %w: the key file does not open this vault", ErrWrongKey)
	}
	return &Anchor{f: f, own: true, key: derive(root, anchorLabel), readOnly: true}, nil
}

// Close closes a ReadAnchor's file; for a vault's anchor it does nothing.
func (a *Anchor) Close() error {
	if a.own {
		return a.f.Close()
	}
	return nil
}

// Load returns the anchored seq and the first 16 bytes of the head hash.
// A nil head means nothing was ever anchored (a vault made before
// anchoring, or a zeroed anchor). An anchor that is present but fails
// authentication in both copies is an error wrapping ErrTampered.
func (a *Anchor) Load() (seq uint64, head []byte, err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	copies, err := a.read()
	if err != nil {
		return 0, nil, err
	}
	best := -1
	for i, c := range copies {
		if c.valid && (best < 0 || c.seq > copies[best].seq) {
			best = i
		}
	}
	if best >= 0 {
		return copies[best].seq, bytes.Clone(copies[best].hash), nil
	}
	if copies[0].zero && copies[1].zero {
		return 0, nil, nil
	}
	return 0, nil, fmt.Errorf("vault: audit anchor in %s fails authentication: %w", SlotsFile, ErrTampered)
}

// Store anchors the log at seq, whose head hash is head (at least 16
// bytes; the first 16 are kept), durably: it returns after fsync.
func (a *Anchor) Store(seq uint64, head []byte) error {
	if len(head) < anchorHashLen {
		return fmt.Errorf("vault: store audit anchor: head hash of %d bytes", len(head))
	}
	if a.readOnly {
		return errors.New("vault: store audit anchor: opened read-only")
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	copies, err := a.read()
	if err != nil {
		return err
	}
	// Write the copy not holding the newest anchor, so a torn write keeps
	// it; a seq not above the newest (the log continued after tampering,
	// perhaps at the same seq with another hash) replaces both.
	newest, target := -1, 0
	for i, c := range copies {
		if c.valid && (newest < 0 || c.seq > copies[newest].seq) {
			newest = i
		}
	}
	if newest >= 0 {
		target = 1 - newest
	}
	order := []int{target}
	if newest >= 0 && seq <= copies[newest].seq {
		order = append(order, newest)
	}
	b := make([]byte, anchorCopy)
	sealAnchor(b, a.key, seq, head[:anchorHashLen])
	for _, i := range order {
		if _, err := a.f.WriteAt(b, int64(anchorOff+i*anchorCopy)); err != nil {
			return fmt.Errorf("vault: store audit anchor: %w", err)
		}
		if !a.noSync {
			if err := a.f.Sync(); err != nil {
				return fmt.Errorf("vault: store audit anchor: %w", err)
			}
		}
	}
	return nil
}

type anchorCopyState struct {
	seq   uint64
	hash  []byte
	valid bool
	zero  bool
}

func (a *Anchor) read() ([2]anchorCopyState, error) {
	var out [2]anchorCopyState
	b := make([]byte, 2*anchorCopy)
	if _, err := a.f.ReadAt(b, anchorOff); err != nil {
		return out, fmt.Errorf("vault: read audit anchor: %w", err)
	}
	for i := range out {
		c := b[i*anchorCopy : (i+1)*anchorCopy]
		out[i].zero = isZero(c)
		out[i].seq = binary.BigEndian.Uint64(c)
		out[i].hash = c[8 : 8+anchorHashLen]
		out[i].valid = !out[i].zero && hmac.Equal(c[8+anchorHashLen:], anchorMAC(a.key, c[:8+anchorHashLen]))
	}
	return out, nil
}

// sealAnchor writes one signed copy into dst (anchorCopy bytes).
func sealAnchor(dst, key []byte, seq uint64, hash []byte) {
	binary.BigEndian.PutUint64(dst, seq)
	copy(dst[8:], hash[:anchorHashLen])
	copy(dst[8+anchorHashLen:], anchorMAC(key, dst[:8+anchorHashLen]))
}

func anchorMAC(key, body []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(anchorDomain))
	m.Write(body)
	return m.Sum(nil)[:16]
}
