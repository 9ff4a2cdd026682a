package callerid

import (
	"fmt"
	"strings"
)

// FSK message types (EN 300 659-3 clause 5.2, GR-30-CORE).
const (
	// TypeCallSetup is ETSI's call set-up message, which Bell 202 calls the
	// multiple data message format (MDMF).
	TypeCallSetup = 0x80
	// TypeSDMF is the Bell 202 single data message format: date and time
	// followed by the number, or 'O' / 'P'.
	TypeSDMF = 0x04
)

// Parameter types inside a call set-up / MDMF message (EN 300 659-3 table 3;
// GR-30-CORE uses the same codes for the ones it has).
const (
	paramDateTime    = 0x01
	paramNumber      = 0x02
	paramNoNumber    = 0x04 // reason for absence of the calling line identity
	paramName        = 0x07
	paramNoName      = 0x08 // reason for absence of the name
	paramRedirecting = 0x1A // EN 300 659-3: redirecting number (last redirecting party)
)

// knownType reports whether t is a message type some network sends on the
// line: the Decoder only starts a message on one of these, which keeps speech
// and noise from opening messages.
func knownType(t byte) bool {
	switch t {
	case TypeCallSetup, TypeSDMF,
		0x06, // SDMF message-waiting (GR-30)
		0x82, // message-waiting indicator (ETSI) / MDMF MWI (GR-30)
		0x86, // advice of charge (ETSI)
		0x89: // short message service (ETSI)
		return true
	}
	return false
}

// Checksum returns the checksum byte of an FSK message whose type, length
// and parameters are msg: the two's complement of their sum modulo 256, so
// that all bytes including the checksum sum to zero.
func Checksum(msg []byte) byte {
	var s byte
	for _, b := range msg {
		s += b
	}
	return -s
}

// ParseMessage decodes one FSK data-link message: type, length, that many
// bytes of parameters, checksum. f is the modulation it arrived on and is
// copied into the Result. A message of a type that carries no caller ID
// gives ErrUnsupported; a bad checksum ErrChecksum; fewer bytes than the
// length says ErrTruncated; anything else wrong ErrMalformed.
func ParseMessage(b []byte, f Format) (Result, error) {
	r := Result{Format: f}
	if len(b) < 3 {
		return r, fmt.Errorf("callerid: message: %w: %d bytes", ErrTruncated, len(b))
	}
	r.Type = b[0]
	n := int(b[1])
	switch {
	case len(b) < n+3:
		return r, fmt.Errorf("callerid: message %#02x: %w: length %d, got %d bytes", r.Type, ErrTruncated, n, len(b)-3)
	case len(b) > n+3:
		return r, fmt.Errorf("callerid: message %#02x: %w: length %d, but %d bytes follow", r.Type, ErrMalformed, n, len(b)-2)
	}
	if want := Checksum(b[:n+2]); b[n+2] != want {
		return r, fmt.Errorf("callerid: message %#02x: %w: expected %#02x, got %#02x", r.Type, ErrChecksum, want, b[n+2])
	}
	body := b[2 : n+2]
	var err error
	switch r.Type {
	case TypeCallSetup:
		err = parseParams(&r, body)
	case TypeSDMF:
		err = parseSDMF(&r, body)
	default:
		return r, fmt.Errorf("callerid: message %#02x: %w", r.Type, ErrUnsupported)
	}
	if err != nil {
		return Result{Format: f, Type: r.Type}, fmt.Errorf("callerid: message %#02x: %w", r.Type, err)
	}
	return r, nil
}

// parseParams reads the parameters of a call set-up (MDMF) message: each is
// a type byte, a length byte and that many bytes. Unknown parameters are
// skipped, as EN 300 659-3 asks of terminals.
func parseParams(r *Result, body []byte) error {
	for len(body) > 0 {
		if len(body) < 2 {
			return fmt.Errorf("%w: parameter %#02x has no length", ErrMalformed, body[0])
		}
		typ, n := body[0], int(body[1])
		if n > len(body)-2 {
			return fmt.Errorf("%w: parameter %#02x of length %d runs past the message", ErrMalformed, typ, n)
		}
		v := body[2 : 2+n]
		body = body[2+n:]
		var err error
		switch typ {
		case paramDateTime:
			r.Time = parseDateTime(v)
		case paramNumber:
			r.Number, err = parseNumber(v)
		case paramNoNumber:
			r.Reason = parseReason(v)
		case paramName:
			r.Name = parseName(v)
		case paramNoName:
			r.NameReason = parseReason(v)
		case paramRedirecting:
			r.Redirecting, err = parseNumber(v)
		}
		if err != nil {
			return fmt.Errorf("parameter %#02x: %w", typ, err)
		}
	}
	return nil
}

// parseSDMF reads a Bell 202 single data message: eight date and time digits
// (MMDDHHMM), then the number, or a single 'O' (unavailable) or 'P'
// (private).
func parseSDMF(r *Result, body []byte) error {
	if len(body) < 8 {
		return fmt.Errorf("%w: %d bytes, want at least 8 for date and time", ErrMalformed, len(body))
	}
	r.Time = parseDateTime(body[:8])
	rest := body[8:]
	if len(rest) == 1 && (rest[0] == 'O' || rest[0] == 'P') {
		r.Reason = parseReason(rest)
		return nil
	}
	var err error
	r.Number, err = parseNumber(rest)
	return err
}

// parseDateTime reads MMDDHHMM in ASCII digits. A malformed date is dropped
// rather than failing the message: the number matters more, and the checksum
// already vouched for the bytes.
func parseDateTime(v []byte) DateTime {
	if len(v) != 8 {
		return DateTime{}
	}
	var f [4]int
	for i := range f {
		hi, lo := v[2*i], v[2*i+1]
		if hi < '0' || hi > '9' || lo < '0' || lo > '9' {
			return DateTime{}
		}
		f[i] = int(hi-'0')*10 + int(lo-'0')
	}
	d := DateTime{Month: f[0], Day: f[1], Hour: f[2], Minute: f[3]}
	if d.Month < 1 || d.Month > 12 || d.Day < 1 || d.Day > 31 || d.Hour > 23 || d.Minute > 59 {
		return DateTime{}
	}
	return d
}

// parseNumber accepts the characters a dialable number may hold: digits,
// '+', '*' and '#'; spaces and dashes some exchanges insert are dropped.
func parseNumber(v []byte) (string, error) {
	var sb strings.Builder
	for _, c := range v {
		switch {
		case c >= '0' && c <= '9', c == '+', c == '*', c == '#':
			sb.WriteByte(c)
		case c == ' ', c == '-':
		default:
			return "", fmt.Errorf("%w: number holds byte %#02x", ErrMalformed, c)
		}
	}
	return sb.String(), nil
}

// parseName reads the name as ISO 8859-1 (which IA5 is a subset of) and
// drops control characters, so a name can never move a terminal's cursor.
func parseName(v []byte) string {
	var sb strings.Builder
	for _, c := range v {
		if c < 0x20 || (c >= 0x7f && c < 0xa0) {
			continue
		}
		sb.WriteRune(rune(c))
	}
	return strings.TrimSpace(sb.String())
}

func parseReason(v []byte) Reason {
	if len(v) != 1 {
		return ReasonOther
	}
	switch v[0] {
	case 'O':
		return ReasonUnavailable
	case 'P':
		return ReasonWithheld
	}
	return ReasonOther
}
