package policy

import "errors"

// The errors callers branch on. Operations wrap them with %w and their name.
var (
	// ErrInvalid: the purposes file or the rules are invalid; the message
	// lists every problem found.
	ErrInvalid = errors.New("invalid purposes")
	// ErrNoGrant: the recording has no grant for the purpose (never had
	// one, or it ended by objection or request).
	ErrNoGrant = errors.New("no grant for this purpose")
	// ErrExpired: the purpose's grant has passed its deadline.
	ErrExpired = errors.New("grant expired")
	// ErrRestricted: the grant's processing is restricted (a restricted
	// purpose, or an erasure request met a legal obligation): kept, not used.
	ErrRestricted = errors.New("processing restricted")
	// ErrNoProfile: no line profile covers the line, so nothing is recorded.
	ErrNoProfile = errors.New("no line profile for this line")
	// ErrNotHoldable: none of the recording's grants may be held.
	ErrNotHoldable = errors.New("no grant of this recording may be held")
	// ErrNotHeld: release of a recording that is not held.
	ErrNotHeld = errors.New("recording is not held")
	// ErrNoReference: no recording carries this reference.
	ErrNoReference = errors.New("no recording with this reference")
)
