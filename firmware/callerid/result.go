package callerid

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// The errors a failed decode wraps. Callers branch on them with errors.Is.
var (
	// ErrChecksum: an FSK message arrived whole but its checksum does not
	// match; the message is discarded. The wrapping error names the expected
	// and received checksum.
	ErrChecksum = errors.New("checksum mismatch")
	// ErrTruncated: a message started (its type and length, or a DTMF start
	// code, were seen) but ended early: the carrier was lost, the next byte or
	// digit never came, or the end code is missing.
	ErrTruncated = errors.New("message truncated")
	// ErrMalformed: the message's structure is invalid: a parameter runs past
	// the end of the message, a byte has a framing error, a number holds
	// characters that are not digits, an unknown DTMF field.
	ErrMalformed = errors.New("malformed message")
	// ErrUnsupported: a well-formed FSK message that carries no caller ID
	// (for example a message-waiting indication). The Decoder drops these
	// silently; ParseMessage returns it so callers can tell.
	ErrUnsupported = errors.New("not a caller ID message")
)

// Format is how a caller ID reached the line.
type Format uint8

// The formats, also usable as bits of Formats.
const (
	// V23 is ITU-T V.23 FSK (mark 1300 Hz, space 2100 Hz), ETSI EN 300 659.
	V23 Format = 1 << iota
	// Bell202 is Bell 202 FSK (mark 1200 Hz, space 2200 Hz), Telcordia GR-30.
	Bell202
	// DTMF is DTMF CLIP (the Netherlands, the Nordics and others).
	DTMF
)

// AllFormats is every format this package decodes. Format values combine
// as bits where a set of formats is meant (Config.Formats).
const AllFormats = V23 | Bell202 | DTMF

func (f Format) String() string {
	switch f {
	case V23:
		return "V.23"
	case Bell202:
		return "Bell 202"
	case DTMF:
		return "DTMF"
	case 0:
		return "none"
	}
	return fmt.Sprintf("Format(%#x)", uint8(f))
}

// Reason says why a number (or name) is absent.
type Reason uint8

// The reasons.
const (
	// ReasonNone: nothing was said about absence (the field is present, or
	// simply missing).
	ReasonNone Reason = iota
	// ReasonUnavailable: the network does not have it ('O' out of area,
	// DTMF B00, an international call that came without it).
	ReasonUnavailable
	// ReasonWithheld: the caller withheld it ('P' private, DTMF B10).
	ReasonWithheld
	// ReasonOther: a reason code this package does not know.
	ReasonOther
)

func (r Reason) String() string {
	switch r {
	case ReasonNone:
		return ""
	case ReasonUnavailable:
		return "unavailable"
	case ReasonWithheld:
		return "withheld"
	case ReasonOther:
		return "other"
	}
	return fmt.Sprintf("Reason(%d)", uint8(r))
}

// DateTime is the date and time the network sends: month, day, hour and
// minute, in the exchange's local time and without a year.
type DateTime struct {
	Month, Day, Hour, Minute int
}

// IsZero reports whether no date and time was sent.
func (d DateTime) IsZero() bool { return d == DateTime{} }

// Time resolves the date and time to the instant nearest to ref (typically
// the clock's now) in ref's location: the year is ref's, or the one before
// or after it when that is closer (a call at 23:59 on 31 December that is
// decoded after midnight). It returns the zero Time when d is zero or holds
// an impossible date.
func (d DateTime) Time(ref time.Time) time.Time {
	if d.IsZero() || d.Month < 1 || d.Month > 12 || d.Day < 1 || d.Day > 31 ||
		d.Hour > 23 || d.Minute > 59 || d.Hour < 0 || d.Minute < 0 {
		return time.Time{}
	}
	var best time.Time
	for _, y := range []int{ref.Year() - 1, ref.Year(), ref.Year() + 1} {
		t := time.Date(y, time.Month(d.Month), d.Day, d.Hour, d.Minute, 0, 0, ref.Location())
		if t.Day() != d.Day { // 29 February in a common year, 31 April
			continue
		}
		if best.IsZero() || absDur(t.Sub(ref)) < absDur(best.Sub(ref)) {
			best = t
		}
	}
	return best
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

func (d DateTime) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%02d-%02d %02d:%02d", d.Month, d.Day, d.Hour, d.Minute)
}

// Result is one decoded caller ID, or one failed attempt (Err set).
//
// Number, Name and Redirecting are personal data: String, GoString and
// LogValue leave them out, so a Result can be logged but the number never
// reaches a log. Store a Result with MarshalBinary inside sealed metadata.
type Result struct {
	Format Format `json:"format"`
	// Type is the FSK message type (0x80 call set-up / MDMF, 0x04 SDMF);
	// zero for DTMF.
	Type uint8 `json:"type,omitempty"`
	// Number is the calling line identity as sent (digits, possibly a
	// leading '+'); empty when absent.
	Number string `json:"number,omitempty"`
	// Reason says why Number is absent, when the network said so.
	Reason Reason `json:"reason,omitempty"`
	// Name is the calling party's name (FSK only); empty when absent.
	Name string `json:"name,omitempty"`
	// NameReason says why Name is absent, when the network said so.
	NameReason Reason `json:"name_reason,omitempty"`
	// Redirecting is the number of the party that redirected (forwarded)
	// the call, when sent.
	Redirecting string `json:"redirecting,omitempty"`
	// Time is the date and time the network sent, if any.
	Time DateTime `json:"time,omitzero"`
	// CallWaiting is set when the message was sent during a call, after
	// an alerting signal (CallWaiting decoder).
	CallWaiting bool `json:"call_waiting,omitempty"`
	// Ack is the acknowledgement digit ('D' or 'A') heard between the
	// alerting signal and a call-waiting message; zero when none was heard.
	Ack byte `json:"ack,omitempty"`
	// Start and End are the sample indexes (at 8 kHz, counted from the
	// decoder's first sample) where the message began and ended.
	Start int64 `json:"start"`
	End   int64 `json:"end"`
	// Err is set when a message was detected but rejected; then only
	// Format, Type, Start and End mean anything.
	Err error `json:"-"`
}

// String describes r without its personal data: format, whether a number,
// name or redirecting number is present (and how many characters), reasons
// and time.
func (r Result) String() string {
	s := fmt.Sprintf("callerid %v", r.Format)
	if r.Type != 0 {
		s += fmt.Sprintf(" type %#02x", r.Type)
	}
	if r.CallWaiting {
		s += " call-waiting"
		if r.Ack != 0 {
			s += " ack:" + string(rune(r.Ack))
		}
	}
	if r.Err != nil {
		return s + " error: " + r.Err.Error()
	}
	s += fmt.Sprintf(" number:%s", redact(r.Number))
	if r.Reason != ReasonNone {
		s += " reason:" + r.Reason.String()
	}
	if r.Name != "" {
		s += " name:" + redact(r.Name)
	}
	if r.NameReason != ReasonNone {
		s += " name_reason:" + r.NameReason.String()
	}
	if r.Redirecting != "" {
		s += " redirecting:" + redact(r.Redirecting)
	}
	if !r.Time.IsZero() {
		s += " time:" + r.Time.String()
	}
	return s
}

// GoString is String, so that %#v does not print the number either.
func (r Result) GoString() string { return r.String() }

// LogValue implements slog.LogValuer without the personal data.
func (r Result) LogValue() slog.Value {
	attrs := []slog.Attr{slog.String("format", r.Format.String())}
	if r.Type != 0 {
		attrs = append(attrs, slog.Int("type", int(r.Type)))
	}
	if r.CallWaiting {
		attrs = append(attrs, slog.Bool("call_waiting", true))
	}
	if r.Err != nil {
		attrs = append(attrs, slog.String("err", r.Err.Error()))
		return slog.GroupValue(attrs...)
	}
	attrs = append(attrs,
		slog.Int("number_len", len(r.Number)),
		slog.Bool("name", r.Name != ""),
		slog.Bool("redirecting", r.Redirecting != ""))
	if r.Reason != ReasonNone {
		attrs = append(attrs, slog.String("reason", r.Reason.String()))
	}
	return slog.GroupValue(attrs...)
}

func redact(s string) string {
	if s == "" {
		return "-"
	}
	return fmt.Sprintf("<%d chars>", len([]rune(s)))
}

// resultVersion prefixes MarshalBinary's output so the encoding can evolve.
const resultVersion = 1

// MarshalBinary encodes a successful Result (Err nil) for sealed storage.
// The encoding holds the number in plaintext: seal it before it leaves
// memory.
func (r Result) MarshalBinary() ([]byte, error) {
	if r.Err != nil {
		return nil, fmt.Errorf("callerid: marshal: result is an error: %w", r.Err)
	}
	type plain Result // drops the methods, so json does not recurse
	b, err := json.Marshal(plain(r))
	if err != nil {
		return nil, fmt.Errorf("callerid: marshal: %w", err)
	}
	return append([]byte{resultVersion}, b...), nil
}

// UnmarshalBinary decodes what MarshalBinary produced.
func (r *Result) UnmarshalBinary(b []byte) error {
	if len(b) == 0 || b[0] != resultVersion {
		return fmt.Errorf("callerid: unmarshal: %w: unknown encoding version", ErrMalformed)
	}
	type plain Result
	var p plain
	if err := json.Unmarshal(b[1:], &p); err != nil {
		return fmt.Errorf("callerid: unmarshal: %w: %v", ErrMalformed, err)
	}
	*r = Result(p)
	return nil
}
