package vault

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"io"

	"golang.org/x/crypto/chacha20poly1305"
	"golang.org/x/crypto/hkdf"
)

const (
	keySize   = chacha20poly1305.KeySize    // 32
	nonceSize = chacha20poly1305.NonceSizeX // 24
	tagSize   = chacha20poly1305.Overhead   // 16
)

// sealAppend appends nonce || XChaCha20-Poly1305(key, plaintext, ad) to dst.
// Random 192-bit nonces never repeat in practice, so no counter has to
// survive a crash.
func sealAppend(dst, key, plaintext, ad []byte) []byte {
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		panic("vault: bad key size") // unreachable: keys are always keySize
	}
	var nonce [nonceSize]byte
	if _, err := rand.Read(nonce[:]); err != nil {
		panic("vault: crypto/rand failed: " + err.Error()) // crypto/rand never fails on Linux
	}
	dst = append(dst, nonce[:]...)
	return aead.Seal(dst, nonce[:], plaintext, ad)
}

// openSealed reverses sealAppend.
func openSealed(key, sealed, ad []byte) ([]byte, error) {
	if len(sealed) < nonceSize+tagSize {
		return nil, ErrTampered
	}
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, ErrTampered
	}
	pt, err := aead.Open(nil, sealed[:nonceSize], sealed[nonceSize:], ad)
	if err != nil {
		return nil, ErrTampered
	}
	return pt, nil
}

// derive returns a subkey of secret for one use, named by info (HKDF-SHA256).
func derive(secret []byte, info string) []byte {
	out := make([]byte, keySize)
	if _, err := io.ReadFull(hkdf.New(sha256.New, secret, nil, []byte(info)), out); err != nil {
		panic("vault: hkdf: " + err.Error()) // unreachable for 32 bytes
	}
	return out
}

func randomKey() []byte {
	k := make([]byte, keySize)
	if _, err := rand.Read(k); err != nil {
		panic("vault: crypto/rand failed: " + err.Error())
	}
	return k
}

// chunkAD binds a chunk to its recording, its place and whether it is the
// last-chunk marker.
func chunkAD(id ID, idx uint32, last bool) []byte {
	ad := make([]byte, 0, 16+8+4+1)
	ad = append(ad, "fairrec chunk v1"...)
	ad = binary.BigEndian.AppendUint64(ad, uint64(id))
	ad = binary.BigEndian.AppendUint32(ad, idx)
	if last {
		return append(ad, 1)
	}
	return append(ad, 0)
}

// chunkKey is the key of chunk idx of recording id inside a commit bucket.
func chunkKey(id ID, idx uint32) []byte {
	k := binary.BigEndian.AppendUint64(make([]byte, 0, 12), uint64(id))
	return binary.BigEndian.AppendUint32(k, idx)
}

func seqKey(seq uint64) []byte { return binary.BigEndian.AppendUint64(nil, seq) }
