package vault

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"fairrec/storage/atomicfile"
	"golang.org/x/crypto/argon2"
)

// Key file format (all integers big-endian):
//
//	"FAIRKEK1" | mode (0 plain, 1 argon2id)
//	plain:    key (32)
//	argon2id: time u32 | memory KiB u32 | threads u8 | salt (16) | nonce (24) |
//	          XChaCha20-Poly1305(argon2id(passphrase, salt), key), AD = all bytes before the nonce
const keyMagic = "FAIRKEK1"

// KDFParams are the argon2id parameters that seal a key file with a
// passphrase. They are stored in the file.
type KDFParams struct {
	Time      uint32
	MemoryKiB uint32
	Threads   uint8
}

// DefaultKDF returns RFC 9106's second recommended argon2id setting (t=3,
// m=64 MiB, p=4): about a second on a Raspberry Pi 3, within its memory.
func DefaultKDF() KDFParams { return KDFParams{Time: 3, MemoryKiB: 64 * 1024, Threads: 4} }

// kek is a loaded key-encryption key.
type kek struct {
	id   [8]byte // names the KEK in key slots without revealing it
	wrap []byte  // the key that wraps data keys
	raw  []byte
	kdf  *KDFParams // how its file is sealed; nil = plain
}

func newKEK(raw []byte, kdf *KDFParams) *kek {
	k := &kek{raw: raw, wrap: derive(raw, "fairrec v1 slot wrap"), kdf: kdf}
	copy(k.id[:], derive(raw, "fairrec v1 kek id"))
	return k
}

// InitKey creates a new random key-encryption key file at path with mode
// 0400, sealed with passphrase unless it is empty. It refuses to overwrite an
// existing file: losing a key file loses every recording made under it.
func InitKey(path string, passphrase []byte) error {
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("vault: init key: %s already exists", path)
	}
	var kdf *KDFParams
	if len(passphrase) > 0 {
		p := DefaultKDF()
		kdf = &p
	}
	return writeKeyFile(path, randomKey(), passphrase, kdf)
}

func encodeKeyFile(key, passphrase []byte, kdf *KDFParams) []byte {
	b := []byte(keyMagic)
	if kdf == nil || len(passphrase) == 0 {
		return append(append(b, 0), key...)
	}
	b = append(b, 1)
	b = binary.BigEndian.AppendUint32(b, kdf.Time)
	b = binary.BigEndian.AppendUint32(b, kdf.MemoryKiB)
	b = append(b, kdf.Threads)
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		panic("vault: crypto/rand failed: " + err.Error())
	}
	b = append(b, salt...)
	sk := argon2.IDKey(passphrase, salt, kdf.Time, kdf.MemoryKiB, kdf.Threads, keySize)
	return sealAppend(b, sk, key, b)
}

func writeKeyFile(path string, key, passphrase []byte, kdf *KDFParams) error {
	if err := atomicfile.Write(path, encodeKeyFile(key, passphrase, kdf), 0o400); err != nil {
		return fmt.Errorf("vault: write key file: %w", err)
	}
	return nil
}

// ErrKeyExposed: the key file can be read or written by its group or by
// others. As ssh does with a private key, it is refused, so that the key
// that opens every recording is not left readable by every account on the
// box; the message names the chmod that fixes it. The daemon must refuse to
// record.
var ErrKeyExposed = errors.New("key file open to group or others")

// readKeyFile loads a key file; a missing file is ErrNoKey, a wrong
// passphrase ErrWrongKey, a file group or others may read ErrKeyExposed.
func readKeyFile(path string, passphrase []byte) (*kek, error) {
	b, err := readPrivate(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: key file %s does not exist (create it with `fairrec keys init`)", ErrNoKey, path)
	}
	if err != nil {
		return nil, err
	}
	if len(b) < len(keyMagic)+1 || string(b[:len(keyMagic)]) != keyMagic {
		return nil, fmt.Errorf("%w: %s is not a fairrec key file", ErrWrongKey, path)
	}
	body := b[len(keyMagic)+1:]
	switch b[len(keyMagic)] {
	case 0:
		if len(body) != keySize {
			return nil, fmt.Errorf("%w: %s is truncated", ErrWrongKey, path)
		}
		return newKEK(bytes.Clone(body), nil), nil
	case 1:
		const head = 4 + 4 + 1 + 16
		if len(body) != head+nonceSize+keySize+tagSize {
			return nil, fmt.Errorf("%w: %s is truncated", ErrWrongKey, path)
		}
		if len(passphrase) == 0 {
			return nil, fmt.Errorf("%w: key file %s is sealed with a passphrase and none was given", ErrNoKey, path)
		}
		kdf := KDFParams{
			Time:      binary.BigEndian.Uint32(body),
			MemoryKiB: binary.BigEndian.Uint32(body[4:]),
			Threads:   body[8],
		}
		// Refuse parameters that would exhaust the box (a tampered file).
		if kdf.Time == 0 || kdf.Time > 100 || kdf.MemoryKiB < 8 || kdf.MemoryKiB > 4<<20 || kdf.Threads == 0 {
			return nil, fmt.Errorf("%w: %s has unreasonable argon2id parameters", ErrWrongKey, path)
		}
		salt := body[9:head]
		sk := argon2.IDKey(passphrase, salt, kdf.Time, kdf.MemoryKiB, kdf.Threads, keySize)
		n := len(keyMagic) + 1 + head
		key, err := openSealed(sk, b[n:], b[:n])
		if err != nil {
			return nil, fmt.Errorf("%w: wrong passphrase for %s", ErrWrongKey, path)
		}
		return newKEK(key, &kdf), nil
	}
	return nil, fmt.Errorf("%w: %s has an unknown format", ErrWrongKey, path)
}

// readPrivate reads the key file at path after checking, on the open file
// (so a rename in between cannot swap it), that only its owner has any
// permission on it. A symbolic link is followed: the key may live on a
// removable medium; the mode checked is the target's.
func readPrivate(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		return nil, fmt.Errorf("%w: read key file: %v", ErrNoKey, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("%w: read key file: %v", ErrNoKey, err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: key file %s is not a regular file", ErrNoKey, path)
	}
	if perm := st.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("%w: key file %s has mode %04o, so other accounts can read it; "+
			"run `chmod 400 %s` (and keep a copy off the box)", ErrKeyExposed, path, perm, path)
	}
	b, err := io.ReadAll(f)
	if err != nil {
		return nil, fmt.Errorf("%w: read key file: %v", ErrNoKey, err)
	}
	return b, nil
}
