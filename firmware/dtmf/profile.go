package dtmf

import (
	"errors"
	"fmt"
	"time"
)

// Profile holds the limits a receiver must meet. The values are those of
// ITU-T Q.24 (Table A and its national annexes) as summarised in the package
// documentation; ETSI is the default.
type Profile struct {
	Name string

	// A tone within ±(AcceptPct% + AcceptHz) of its nominal frequency must
	// be recognised; one off by RejectPct% or more must not. The detector
	// puts its edge half way between the two.
	AcceptPct, AcceptHz, RejectPct float64

	// NormalTwist is how much weaker (dB) the high-group tone may be than
	// the low-group tone; ReverseTwist how much stronger. The detector
	// accepts up to the limit plus 1 dB and rejects 2 dB beyond it.
	NormalTwist, ReverseTwist float64

	// MinLevel is the weakest tone (dBm0) that must be recognised. Tones
	// more than 8 dB below it are never recognised.
	MinLevel float64

	// A tone lasting MinDuration or longer is recognised, one of
	// RejectDuration or shorter is not.
	MinDuration, RejectDuration time.Duration

	// Two tones separated by MinPause or more are two digits; an
	// interruption of MaxDropout or less inside a tone is bridged.
	MinPause, MaxDropout time.Duration
}

// The profiles are functions, not variables, so that no caller can change
// them for everybody else: each call returns a fresh copy to adjust.

// ETSI returns the profile of ETSI ES 201 235-3 and the European entries of
// Q.24: ±(1.5% + 2 Hz) recognised, ±3.5% rejected, twist 6 dB either way,
// 40 ms tones and pauses, 10 ms interruptions bridged.
func ETSI() Profile {
	return Profile{
		Name:      "ETSI",
		AcceptPct: 1.5, AcceptHz: 2, RejectPct: 3.5,
		NormalTwist: 6, ReverseTwist: 6,
		MinLevel:       -30,
		MinDuration:    40 * time.Millisecond,
		RejectDuration: 20 * time.Millisecond,
		MinPause:       40 * time.Millisecond,
		MaxDropout:     10 * time.Millisecond,
	}
}

// ATT returns the AT&T (Bell System, Q.24 Annex) profile: ±1.5% recognised,
// ±3.5% rejected, normal twist 8 dB, reverse twist 4 dB, 40 ms tones and
// pauses, down to -25 dBm0 per tone (we keep -30 as for ETSI: an analog
// loop loses more than the North American reference loop).
func ATT() Profile {
	return Profile{
		Name:      "AT&T",
		AcceptPct: 1.5, RejectPct: 3.5,
		NormalTwist: 8, ReverseTwist: 4,
		MinLevel:       -30,
		MinDuration:    40 * time.Millisecond,
		RejectDuration: 20 * time.Millisecond,
		MinPause:       40 * time.Millisecond,
		MaxDropout:     10 * time.Millisecond,
	}
}

// NTT returns the Japanese (NTT, Q.24 Annex) profile: ±1.5% recognised, ±3.5%
// rejected, twist 5 dB either way, 40 ms tones, 30 ms pauses.
func NTT() Profile {
	return Profile{
		Name:      "NTT",
		AcceptPct: 1.5, RejectPct: 3.5,
		NormalTwist: 5, ReverseTwist: 5,
		MinLevel:       -30,
		MinDuration:    40 * time.Millisecond,
		RejectDuration: 20 * time.Millisecond,
		MinPause:       30 * time.Millisecond,
		MaxDropout:     10 * time.Millisecond,
	}
}

// ErrProfile is returned by New for a profile whose limits contradict each
// other or that the detector's time and frequency resolution cannot meet.
var ErrProfile = errors.New("dtmf: invalid profile")

func (p Profile) validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w %q: %s", ErrProfile, p.Name, fmt.Sprintf(format, args...))
	}
	switch {
	case p.AcceptPct < 0 || p.AcceptHz < 0 || p.RejectPct > 10:
		return bad("frequency tolerance out of range")
	case p.AcceptPct+p.AcceptHz/rowFreqs[0]*100 >= p.RejectPct:
		return bad("accept tolerance %.1f%% + %.0f Hz is not below the reject tolerance %.1f%%", p.AcceptPct, p.AcceptHz, p.RejectPct)
	case p.NormalTwist < 0 || p.ReverseTwist < 0 || p.NormalTwist > 20 || p.ReverseTwist > 20:
		return bad("twist out of range")
	case p.MinLevel > 0 || p.MinLevel < -50:
		return bad("minimum level %.1f dBm0 out of range", p.MinLevel)
	case p.RejectDuration < 5*time.Millisecond || p.MinDuration-p.RejectDuration < 15*time.Millisecond || p.MinDuration > time.Second:
		return bad("durations %v/%v cannot be told apart", p.RejectDuration, p.MinDuration)
	case p.MaxDropout < 0 || p.MinPause-p.MaxDropout < 15*time.Millisecond || p.MinPause > time.Second:
		return bad("pause %v and dropout %v cannot be told apart", p.MinPause, p.MaxDropout)
	}
	return nil
}
