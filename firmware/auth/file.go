package auth

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	"fairrec/storage/atomicfile"
)

// FileName is the secrets file inside the data directory.
const FileName = "console.auth"

// fileVersion is the layout of state; a file of another version is refused
// rather than guessed at.
const fileVersion = 1

// envelope is the file: the state as exact JSON bytes and an HMAC-SHA256
// of those bytes (empty without a key). The MAC covers the bytes as stored,
// so no re-encoding enters it.
type envelope struct {
	State json.RawMessage `json:"state"`
	MAC   []byte          `json:"mac,omitempty"`
}

// state is everything the store persists: the hashes and the lockout, so
// that a restart neither forgets a secret nor resets the failure count.
type state struct {
	Version int                `json:"version"`
	Secrets map[string]*secret `json:"secrets"`
	// Failures counts failed logins since the last success or lockout.
	Failures int `json:"failures"`
	// Lockouts counts lockouts since the last successful login; each one
	// doubles the next lock's length.
	Lockouts int `json:"lockouts"`
	// LockedAt is when the current lock started (zero: not locked; on
	// the store's clock, for the record only: the lock is timed on
	// monotonic time), LockSeconds how long it lasts, and LockLeftMS how
	// much of it was left when last saved (absent in a file from before
	// it was kept: then all of it).
	LockedAt    time.Time `json:"locked_at,omitzero"`
	LockSeconds int64     `json:"lock_seconds,omitempty"`
	LockLeftMS  int64     `json:"lock_left_ms,omitempty"`
}

func (st *state) lockFor() time.Duration { return time.Duration(st.LockSeconds) * time.Second }

// lockLeft is what is left of the lock as saved.
func (st *state) lockLeft() time.Duration {
	if st.LockLeftMS == 0 {
		return st.lockFor()
	}
	return time.Duration(st.LockLeftMS) * time.Millisecond
}

// Labels separating the two uses of the configured key.
const (
	macLabel    = "fairrec console.auth file mac v1"
	pepperLabel = "fairrec console.auth secret pepper v1"
)

func subkey(key []byte, label string) []byte {
	if key == nil {
		return nil
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(label))
	return m.Sum(nil)
}

// load reads the file; a missing file is an empty state (first boot).
func load(path string, macKey []byte, maxFailures int, maxLock time.Duration) (*state, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &state{Version: fileVersion, Secrets: map[string]*secret{}}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("auth: read %s: %w", path, err)
	}
	st, err := parse(b, macKey, maxFailures, maxLock)
	if err != nil {
		return nil, fmt.Errorf("%w; file %s", err, path)
	}
	return st, nil
}

func strictDecode(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("trailing data")
	}
	return nil
}

// parse checks and decodes the file's bytes. Anything a correct writer
// would not have produced is ErrCorrupt; a bad or missing MAC is
// ErrTampered.
func parse(b []byte, macKey []byte, maxFailures int, maxLock time.Duration) (*state, error) {
	var env envelope
	if err := strictDecode(b, &env); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	switch {
	case macKey == nil && env.MAC != nil:
		return nil, fmt.Errorf("%w: the file is signed but no key was given to check it", ErrTampered)
	case macKey != nil && env.MAC == nil:
		return nil, fmt.Errorf("%w: the file is not signed", ErrTampered)
	case macKey != nil:
		m := hmac.New(sha256.New, macKey)
		m.Write(env.State)
		if !hmac.Equal(m.Sum(nil), env.MAC) {
			return nil, fmt.Errorf("%w: its signature does not match (changed outside fairrec, or another key file)", ErrTampered)
		}
	}
	var st state
	if err := strictDecode(env.State, &st); err != nil {
		return nil, fmt.Errorf("%w: state: %v", ErrCorrupt, err)
	}
	if st.Version != fileVersion {
		return nil, fmt.Errorf("%w: version %d is unknown", ErrCorrupt, st.Version)
	}
	if st.Secrets == nil {
		st.Secrets = map[string]*secret{}
	}
	for name, s := range st.Secrets {
		if _, err := ParseRole(name); err != nil || s == nil {
			return nil, fmt.Errorf("%w: secret for unknown role %q", ErrCorrupt, clip(name))
		}
		if err := s.check(); err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrCorrupt, name, err)
		}
		if s.Peppered != (macKey != nil) {
			return nil, fmt.Errorf("%w: %s: keyed hash %v with key %v", ErrTampered, name, s.Peppered, macKey != nil)
		}
	}
	if st.Failures < 0 || st.Failures >= maxFailures || st.Lockouts < 0 || st.Lockouts > 64 ||
		st.LockSeconds < 0 || st.lockFor() > maxLock || st.LockedAt.IsZero() != (st.LockSeconds == 0) ||
		st.LockLeftMS < 0 || st.lockLeft() > st.lockFor() || (st.LockedAt.IsZero() && st.LockLeftMS != 0) {
		return nil, fmt.Errorf("%w: lockout state failures=%d lockouts=%d lock=%ds out of range",
			ErrCorrupt, st.Failures, st.Lockouts, st.LockSeconds)
	}
	return &st, nil
}

// save writes st through atomicfile, mode 0600: a power cut leaves the old
// file or the new one, never half of either.
func save(path string, st *state, macKey []byte) error {
	// The in-memory lock start may carry a monotonic reading; the file
	// keeps the wall time only.
	cp := *st
	cp.LockedAt = cp.LockedAt.Round(0).UTC()
	raw, err := json.Marshal(&cp)
	if err != nil {
		return fmt.Errorf("auth: encode: %w", err)
	}
	env := envelope{State: raw}
	if macKey != nil {
		m := hmac.New(sha256.New, macKey)
		m.Write(raw)
		env.MAC = m.Sum(nil)
	}
	// Compact: indenting would re-indent the state's bytes too, and the
	// MAC is over them as stored.
	b, err := json.Marshal(&env)
	if err != nil {
		return fmt.Errorf("auth: encode: %w", err)
	}
	return atomicfile.Write(path, append(b, '\n'), 0o600)
}
