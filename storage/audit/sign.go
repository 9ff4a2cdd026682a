package audit

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"time"
)

// KeyLabel is the label under which the checkpoint key is derived: pass it
// to vault.DeriveSecret (what fairrecd and the tool do) or, without a vault,
// let DeriveKey use it. Changing it invalidates every checkpoint and head.
const KeyLabel = "fairrec audit checkpoint v1"

// DeriveKey derives a checkpoint key from a bare key-encryption key:
// HKDF-SHA256(secret=kek, salt=none, info=KeyLabel), 32 bytes. The audit log
// never sees the KEK itself, and a leaked checkpoint key decrypts nothing.
// On the appliance use vault.DeriveSecret(cfg, KeyLabel) instead: it
// survives a KEK rotation, this does not (see Rekey).
func DeriveKey(kek []byte) ([]byte, error) {
	if len(kek) < 16 {
		return nil, fmt.Errorf("audit: derive key: key-encryption key of %d bytes is too short", len(kek))
	}
	k, err := hkdf.Key(sha256.New, kek, nil, KeyLabel, 32)
	if err != nil {
		return nil, fmt.Errorf("audit: derive key: %w", err)
	}
	return k, nil
}

// Domain separation: a head's MAC can never pass for a checkpoint's.
const (
	headDomain       = "fairrec audit head v1\x00"
	checkpointDomain = "fairrec audit checkpoint v1\x00"
)

// head is the last entry's seq and hash, stored in the meta bucket with each
// append. Signed, it makes removing entries from the end detectable.
type head struct {
	seq  uint64
	hash [32]byte
	mac  []byte // nil when unsigned
	// anchored: written by a log with an Anchor (version 2), so that an
	// anchor gone from its store is not taken for one never written.
	anchored bool
}

func (h *head) body() []byte {
	b := make([]byte, 0, 1+8+32)
	v := byte(1)
	if h.anchored {
		v = 2
	}
	b = append(b, v)
	b = binary.BigEndian.AppendUint64(b, h.seq)
	return append(b, h.hash[:]...)
}

func (h *head) sign(key []byte) {
	h.mac = nil
	if key != nil {
		h.mac = mac(key, headDomain, h.body())
	}
}

func (h *head) signedBy(key []byte) bool {
	return h.mac != nil && hmac.Equal(h.mac, mac(key, headDomain, h.body()))
}

func (h *head) encode() []byte { return append(h.body(), h.mac...) }

func decodeHead(b []byte) (head, error) {
	var h head
	if len(b) != 41 && len(b) != 41+32 {
		return h, fmt.Errorf("head of %d bytes", len(b))
	}
	if b[0] != 1 && b[0] != 2 {
		return h, fmt.Errorf("head version %d", b[0])
	}
	h.anchored = b[0] == 2
	h.seq = binary.BigEndian.Uint64(b[1:])
	copy(h.hash[:], b[9:41])
	if len(b) > 41 {
		h.mac = append([]byte(nil), b[41:]...)
	}
	return h, nil
}

// Checkpoint stands in for the pruned entries: the seq and hash of the last
// one, so that the first kept entry's Prev can be checked, signed so that it
// cannot be forged without the key.
type Checkpoint struct {
	Seq    uint64    // last pruned entry
	Hash   [32]byte  // its hash
	Time   time.Time // when the pruning ran
	Pruned uint64    // how many entries were pruned, over all prunes
	mac    []byte
}

func (c *Checkpoint) body() []byte {
	b := make([]byte, 0, 1+8+32+8+8)
	b = append(b, 1)
	b = binary.BigEndian.AppendUint64(b, c.Seq)
	b = append(b, c.Hash[:]...)
	b = binary.BigEndian.AppendUint64(b, uint64(c.Time.UnixNano()))
	return binary.BigEndian.AppendUint64(b, c.Pruned)
}

func (c *Checkpoint) sign(key []byte) { c.mac = mac(key, checkpointDomain, c.body()) }

func (c *Checkpoint) signedBy(key []byte) bool {
	return c.mac != nil && hmac.Equal(c.mac, mac(key, checkpointDomain, c.body()))
}

func (c *Checkpoint) encode() []byte { return append(c.body(), c.mac...) }

const checkpointLen = 1 + 8 + 32 + 8 + 8 + 32

func decodeCheckpoint(b []byte) (Checkpoint, error) {
	var c Checkpoint
	if len(b) != checkpointLen {
		return c, fmt.Errorf("checkpoint of %d bytes", len(b))
	}
	if b[0] != 1 {
		return c, errors.New("unknown checkpoint version")
	}
	c.Seq = binary.BigEndian.Uint64(b[1:])
	copy(c.Hash[:], b[9:41])
	c.Time = time.Unix(0, int64(binary.BigEndian.Uint64(b[41:]))).UTC()
	c.Pruned = binary.BigEndian.Uint64(b[49:])
	c.mac = append([]byte(nil), b[57:]...)
	return c, nil
}

func mac(key []byte, domain string, body []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(domain))
	m.Write(body)
	return m.Sum(nil)
}
