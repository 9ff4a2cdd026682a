package notice

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"fairrec/firmware/dsp"
)

// Errors a load reports, wrapped with the file's name and the reason. A
// caller branches on them with errors.Is; every one means the notice is not
// usable and the line it belongs to must not record.
var (
	// ErrMissing: no file for the notice (or the file cannot be read).
	ErrMissing = errors.New("notice missing")
	// ErrCorrupt: not an MP3 file, truncated, damaged frames, or empty.
	ErrCorrupt = errors.New("corrupt MP3")
	// ErrUnsupportedRate: MPEG 2.5 (8, 11.025, 12 kHz) or another rate
	// below MinRate; go-mp3 does not decode MPEG 2.5.
	ErrUnsupportedRate = errors.New("unsupported sample rate")
	// ErrUnsupported: valid MPEG audio go-mp3 cannot decode (Layer I or
	// II, free-format bit rate).
	ErrUnsupported = errors.New("unsupported MP3 format")
	// ErrTooShort, ErrTooLong: a duration outside [MinDuration,
	// MaxDuration]: a clipped file, or the wrong file.
	ErrTooShort = errors.New("notice too short")
	ErrTooLong  = errors.New("notice too long")
	// ErrSilent: the level is below MinLevelDBm0; a silent notice would
	// inform nobody.
	ErrSilent = errors.New("notice silent")
)

// Limits a notice must meet to load.
const (
	MinRate      = 16000                 // Hz; lower rates are MPEG 2.5 or muffled
	MinDuration  = dsp.LineRate / 2      // samples: 0.5 s
	MaxDuration  = 2 * 60 * dsp.LineRate // samples: 2 minutes
	MinLevelDBm0 = -50.0                 // RMS over the whole notice
	// MaxFileSize bounds what is read into memory: 2 minutes at 320 kbit/s
	// is 4.8 MB.
	MaxFileSize = 8 << 20
)

// Hash is the SHA-256 of a notice's MP3 file, as stored in receipts. It
// prints and marshals as lower-case hex.
type Hash [sha256.Size]byte

func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// MarshalText implements encoding.TextMarshaler.
func (h Hash) MarshalText() ([]byte, error) { return []byte(h.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (h *Hash) UnmarshalText(b []byte) error {
	if hex.DecodedLen(len(b)) != len(h) {
		return fmt.Errorf("notice hash %q: want %d hex digits", b, 2*len(h))
	}
	_, err := hex.Decode(h[:], b)
	return err
}

// Notice is one decoded announcement, ready to play into a line. It is
// immutable once loaded and may be shared by any number of Players.
type Notice struct {
	// Name is the file's name (as given to Decode or found by a Library).
	Name string
	// Key says which line profile, language and kind it serves (zero when
	// decoded outside a Library).
	Key Key
	// Hash is the SHA-256 of the MP3 file's bytes.
	Hash Hash
	// SourceRate is the MP3's sample rate in Hz.
	SourceRate int
	// Samples is the notice at the 8 kHz line rate, mono, 16-bit linear.
	Samples []int16
	// Duration is len(Samples): the notice's length in line samples.
	Duration int
	// LevelDBm0 is the RMS level of Samples.
	LevelDBm0 float64
}

// Decode decodes and checks one MP3 notice. name is used in errors and
// receipts. The returned error wraps one of the sentinels above.
func Decode(name string, data []byte) (*Notice, error) {
	n, err := decodeNotice(name, data)
	if err != nil {
		return nil, fmt.Errorf("load notice %s: %w", name, err)
	}
	return n, nil
}

func decodeNotice(name string, data []byte) (*Notice, error) {
	if len(data) == 0 {
		return nil, fmt.Errorf("empty file: %w", ErrCorrupt)
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("%d bytes (at most %d): %w", len(data), MaxFileSize, ErrTooLong)
	}
	p, err := decode(data)
	if err != nil {
		return nil, err
	}
	line, err := toLine(p)
	if err != nil {
		return nil, err
	}
	n := &Notice{
		Name:       name,
		Hash:       sha256.Sum256(data),
		SourceRate: p.rate,
		Samples:    line,
		Duration:   len(line),
		LevelDBm0:  dsp.LevelDBm0(line),
	}
	switch {
	case n.Duration < MinDuration:
		return nil, fmt.Errorf("%.2f s (at least %.1f s): %w", n.Seconds(), float64(MinDuration)/dsp.LineRate, ErrTooShort)
	case n.Duration > MaxDuration:
		return nil, fmt.Errorf("%.1f s (at most %.0f s): %w", n.Seconds(), float64(MaxDuration)/dsp.LineRate, ErrTooLong)
	case n.LevelDBm0 < MinLevelDBm0:
		return nil, fmt.Errorf("level %.1f dBm0 (at least %.0f dBm0): %w", n.LevelDBm0, MinLevelDBm0, ErrSilent)
	}
	return n, nil
}

// Seconds returns the notice's duration in seconds.
func (n *Notice) Seconds() float64 { return float64(n.Duration) / dsp.LineRate }
