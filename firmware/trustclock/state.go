package trustclock

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"fairrec/storage/atomicfile"
)

// KeyLabel is the label under which firmware/datadir derives Config.Key
// from the vault (vault.DeriveSecret): a key that only the key file opens
// and that survives `fairrec keys rotate`.
const KeyLabel = "fairrec clock state v1"

// stateVersion is the layout of clockState written now; version 1 (before
// the state was signed and counted the steps since a confirmation) is
// still read.
const stateVersion = 2

// envelope is the file: the state as exact JSON bytes and an HMAC-SHA256
// of those bytes (absent without a key). The MAC covers the bytes as
// stored, so no re-encoding enters it.
type envelope struct {
	State json.RawMessage `json:"state"`
	MAC   []byte          `json:"mac,omitempty"`
}

type clockState struct {
	Version int           `json:"version"`
	Bound   time.Time     `json:"bound"`
	Trusted bool          `json:"trusted"`
	Steps   time.Duration `json:"steps_ns"`
	// Unconfirmed is the sum of the bound's forward steps since the last
	// confirmation (Keeper.Confirm): it may not exceed Config.MaxJump.
	Unconfirmed time.Duration `json:"unconfirmed_ns,omitempty"`
	BootID      string        `json:"boot_id,omitempty"`
}

// Why a state file that was read is not taken as a lower bound: the
// reasons of the Change that says so, and of the audit entry that records
// it.
const (
	reasonLost     = "state-lost"     // missing parts, garbage
	reasonUnsigned = "state-unsigned" // no signature (a file from before they were signed)
	reasonTampered = "state-tampered" // the signature does not match the key
	reasonNoKey    = "state-no-key"   // the key to check it could not be derived
	reasonAhead    = "state-ahead"    // ahead of a plausible wall clock by more than MaxJump
)

// errUntrusted says why a read state is not taken as a lower bound; its
// reason is one of the constants above.
type errUntrusted struct {
	reason string
	err    error
}

func (e *errUntrusted) Error() string { return e.reason + ": " + e.err.Error() }
func (e *errUntrusted) Unwrap() error { return e.err }

// key returns the key that signs the state file, deriving it once; nil
// without Config.Key.
func (k *Keeper) key() ([]byte, error) {
	if k.cfg.Key == nil || k.macKey != nil {
		return k.macKey, nil
	}
	key, err := k.cfg.Key()
	if err != nil {
		return nil, fmt.Errorf("derive the clock state's key: %w", err)
	}
	if len(key) == 0 {
		return nil, errors.New("derive the clock state's key: empty key")
	}
	k.macKey = key
	return key, nil
}

func mac(key, b []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(b)
	return m.Sum(nil)
}

// loadState reads the state file. A missing file is (nil, nil): a first
// start. A state that can be read but not authenticated is returned with
// an *errUntrusted (its steps are still the best estimate there is); one
// that cannot be read at all is returned nil with one.
func (k *Keeper) loadState() (*clockState, error) {
	b, err := os.ReadFile(k.cfg.Path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, &errUntrusted{reasonLost, err}
	}
	var env envelope
	var st clockState
	raw := b
	signed := json.Unmarshal(b, &env) == nil && len(env.State) > 0
	if signed {
		raw = env.State
	}
	if err := json.Unmarshal(raw, &st); err != nil || (st.Version != 1 && st.Version != stateVersion) || st.Bound.IsZero() {
		if err == nil {
			err = fmt.Errorf("version %d, bound %v", st.Version, st.Bound)
		}
		return nil, &errUntrusted{reasonLost, err}
	}
	st.Steps, st.Unconfirmed = max(st.Steps, 0), max(st.Unconfirmed, 0)
	if k.cfg.Key == nil {
		return &st, nil // tests: neither signed nor checked
	}
	key, err := k.key()
	switch {
	case err != nil:
		return &st, &errUntrusted{reasonNoKey, err}
	case !signed || env.MAC == nil:
		return &st, &errUntrusted{reasonUnsigned, errors.New("the clock state is not signed (written by an earlier version, or by hand)")}
	case !hmac.Equal(mac(key, raw), env.MAC):
		return &st, &errUntrusted{reasonTampered, errors.New("the clock state's signature does not match (changed outside fairrec, or another key file)")}
	}
	return &st, nil
}

// saveLocked persists bound b and the steps (storage/atomicfile: write,
// fsync, rename, fsync the directory), signed when there is a key.
func (k *Keeper) saveLocked(b time.Time) error {
	if k.cfg.Path == "" {
		k.savedSteps = k.steps
		return nil
	}
	raw, err := json.Marshal(clockState{Version: stateVersion, Bound: b.Round(0).UTC(), Trusted: k.trusted, Steps: k.steps,
		Unconfirmed: k.unconf, BootID: k.cfg.BootID})
	if err != nil {
		return fmt.Errorf("save clock state: %w", err)
	}
	env := envelope{State: raw}
	if k.cfg.Key != nil {
		key, err := k.key()
		if err != nil {
			return fmt.Errorf("save clock state: %w", err)
		}
		env.MAC = mac(key, raw)
	}
	data, err := json.Marshal(&env)
	if err != nil {
		return fmt.Errorf("save clock state: %w", err)
	}
	if err := atomicfile.Write(k.cfg.Path, data, 0o600); err != nil {
		return fmt.Errorf("save clock state: %w", err)
	}
	k.saved, k.savedSteps, k.resign = b, k.steps, false
	return nil
}
