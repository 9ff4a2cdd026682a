package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id's cost parameters. They are stored with every hash,
// so that raising them later leaves existing secrets verifiable.
type Params struct {
	Time    uint32 // passes over the memory
	Memory  uint32 // KiB
	Threads uint8
}

// DefaultParams are the parameters of new hashes: one of the OWASP
// password-storage equivalents for argon2id (m=12 MiB, t=3, p=1), chosen
// over the 64 MiB of the key file's passphrase because the daemon runs under
// a 24 MiB soft memory limit on a small board; a login takes a few tens of
// milliseconds on a PC and well under a second on a Raspberry Pi 4.
var DefaultParams = Params{Time: 3, Memory: 12 * 1024, Threads: 1}

// Bounds a stored hash must respect: a tampered file must not make the
// daemon allocate gigabytes or spin for minutes.
const (
	hashLen   = 32
	saltLen   = 16
	maxTime   = 16
	maxMemory = 256 * 1024 // KiB
	maxThread = 16
)

func (p Params) check() error {
	if p.Time < 1 || p.Time > maxTime || p.Threads < 1 || p.Threads > maxThread ||
		p.Memory < 8*uint32(p.Threads) || p.Memory > maxMemory {
		return fmt.Errorf("argon2id parameters t=%d m=%d KiB p=%d out of range", p.Time, p.Memory, p.Threads)
	}
	return nil
}

// secret is one role's stored secret: never the secret itself, only its
// argon2id hash, the salt and the parameters.
type secret struct {
	Alg      string `json:"alg"` // "argon2id"
	Version  int    `json:"version"`
	Time     uint32 `json:"time"`
	Memory   uint32 `json:"memory_kib"`
	Threads  uint8  `json:"threads"`
	Salt     []byte `json:"salt"`
	Hash     []byte `json:"hash"`
	Peppered bool   `json:"peppered"` // the input was keyed with the vault-derived key first
}

const algArgon2id = "argon2id"

func (s *secret) params() Params { return Params{Time: s.Time, Memory: s.Memory, Threads: s.Threads} }

func (s *secret) check() error {
	if s.Alg != algArgon2id || s.Version != argon2.Version {
		return fmt.Errorf("hash algorithm %q version %d is not argon2id version %d", s.Alg, s.Version, argon2.Version)
	}
	if err := s.params().check(); err != nil {
		return err
	}
	if len(s.Salt) < saltLen || len(s.Salt) > 64 || len(s.Hash) < 16 || len(s.Hash) > 64 {
		return fmt.Errorf("salt of %d or hash of %d bytes", len(s.Salt), len(s.Hash))
	}
	return nil
}

// newSecret hashes pw with a fresh random salt.
func newSecret(pw, pepper []byte, p Params) (*secret, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return nil, fmt.Errorf("auth: salt: %w", err)
	}
	s := &secret{Alg: algArgon2id, Version: argon2.Version, Time: p.Time, Memory: p.Memory, Threads: p.Threads,
		Salt: salt, Peppered: pepper != nil}
	s.Hash = s.derive(pw, pepper, hashLen)
	return s, nil
}

func (s *secret) derive(pw, pepper []byte, n int) []byte {
	in := pw
	if pepper != nil {
		// Keyed first, so that the file alone (a copied SD card) does not
		// allow guessing a short PIN offline: that needs the key file too.
		m := hmac.New(sha256.New, pepper)
		m.Write(pw)
		in = m.Sum(nil)
	}
	return argon2.IDKey(in, s.Salt, s.Time, s.Memory, s.Threads, uint32(n))
}

// verify reports whether pw is the secret, in time independent of where
// the two hashes differ.
func (s *secret) verify(pw, pepper []byte) bool {
	got := s.derive(pw, pepper, len(s.Hash))
	return subtle.ConstantTimeCompare(got, s.Hash) == 1
}
