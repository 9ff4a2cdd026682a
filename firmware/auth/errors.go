package auth

import (
	"errors"
	"fmt"
	"time"
)

// The errors callers branch on.
var (
	// ErrCorrupt: the secrets file cannot be read as one fairrec wrote.
	// The store then refuses every login: the console stays locked.
	ErrCorrupt = errors.New("auth: secrets file is corrupt")
	// ErrTampered: the file's signature does not match the key.
	ErrTampered = errors.New("auth: secrets file was tampered with")
	// ErrWrongSecret: the secret does not match the role's.
	ErrWrongSecret = errors.New("auth: wrong secret")
	// ErrNoSecret: the role has no secret yet.
	ErrNoSecret = errors.New("auth: no secret set")
	// ErrLocked: too many failed logins; see *LockedError for until when.
	ErrLocked = errors.New("auth: locked")
	// ErrWeak: a new secret is too short or holds control characters.
	ErrWeak = errors.New("auth: secret not accepted")
	// ErrRole: an unknown role name.
	ErrRole = errors.New("auth: unknown role")
)

// LockedError says the console is locked and until when. Is(ErrLocked) is
// true; Wrong tells that this very attempt was the one that locked it.
type LockedError struct {
	Until time.Time     // the end of the lock on the store's clock
	Left  time.Duration // how long it still lasts
	Wrong bool          // the attempt that returned it was a wrong secret
}

func (e *LockedError) Error() string {
	msg := fmt.Sprintf("locked after too many failed logins, until %s (%s from now)",
		e.Until.UTC().Format(time.RFC3339), e.Left.Round(time.Second))
	if e.Wrong {
		return "wrong secret; " + msg
	}
	return msg
}

// Is makes errors.Is(err, ErrLocked) true, and ErrWrongSecret too for the
// attempt that locked.
func (e *LockedError) Is(target error) bool {
	return target == ErrLocked || e.Wrong && target == ErrWrongSecret
}
