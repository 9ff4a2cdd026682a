package callerid

import (
	"fmt"
	"strings"
)

// Digit is one DTMF digit heard on the line, with the samples (8 kHz,
// counted by the caller from the same origin as the Decoder's) where its tone
// started and ended.
type Digit struct {
	Key        byte // '0'-'9', '*', '#', 'A'-'D'
	Start, End int64
}

// DigitDetector turns a line's audio into DTMF digits. Detect appends the
// digits whose tones ended within samples to dst; sample times count from the
// first sample it was given. firmware/dtmf's Detector is adapted to it by
// NewDTMFDetector.
type DigitDetector interface {
	Detect(dst []Digit, samples []int16) []Digit
}

const (
	// maxCLIPLen bounds a DTMF CLIP message: start code, up to 20 digits of
	// number (EN 300 659-3's limit), a B code, a redirecting number, end.
	maxCLIPLen = 64
	// DefaultDigitGap is the longest silence between two digits of one DTMF
	// CLIP message: 1 s. Exchanges send 50-80 ms tones with similar pauses;
	// the margin absorbs a digit the detector missed.
	DefaultDigitGap = lineRate
)

// ParseCLIP decodes one DTMF CLIP message, end code included.
//
// The grammar, a superset of what Dutch, Danish, Swedish, Finnish, Belgian,
// Brazilian, Indian and Taiwanese exchanges send:
//
//	message = fields end | digits "#"          ; the second is "<number>#"
//	fields  = field { field }
//	field   = "A" digits                        ; calling number
//	        | "B" digit digit                   ; information code
//	        | "D" digits                        ; see below
//	end     = "C" | "#"
//
// B00 means the number is unavailable, B10 that the caller withheld it (as
// the Dutch and Nordic networks send them); other B codes give ReasonOther.
//
// D is ambiguous between networks, and the choice here follows the message
// itself: after an A field in the same message, D introduces the redirecting
// (diverting) number, as in A<number>D<number>C; as the only
// number field, D<number>C is the calling number, as the networks that use D
// as their start code send it (some Dutch exchanges, Taiwan, Kuwait); and
// D1#, D2#, D3# are Denmark's absence codes (withheld, international call so
// unavailable, unavailable). Reading a lone D as a redirecting number would
// lose every caller on the D-start networks, while reading D after A as the
// caller would overwrite the real one.
func ParseCLIP(s string) (Result, error) {
	r, err := parseCLIP(s)
	if err != nil {
		return Result{Format: DTMF}, err
	}
	return r, nil
}

func parseCLIP(s string) (Result, error) {
	r := Result{Format: DTMF}
	if len(s) > maxCLIPLen {
		return r, fmt.Errorf("callerid: clip: %w: %d digits", ErrMalformed, len(s))
	}
	end := strings.IndexAny(s, "C#")
	if end < 0 {
		return r, fmt.Errorf("callerid: clip: %w: no end code", ErrTruncated)
	}
	if end != len(s)-1 {
		return r, fmt.Errorf("callerid: clip: %w: digits after the end code", ErrMalformed)
	}
	body, term := s[:end], s[end]
	if body == "" {
		return r, fmt.Errorf("callerid: clip: %w: empty message", ErrMalformed)
	}
	if isDigits(body) { // <number>#
		if term != '#' {
			return r, fmt.Errorf("callerid: clip: %w: a number without start code must end with #", ErrMalformed)
		}
		r.Number = body
		return r, nil
	}
	var seen [4]bool // A, B, C(unused), D
	var dnum string
	sawD := false
	for body != "" {
		code := body[0]
		if code != 'A' && code != 'B' && code != 'D' {
			return r, fmt.Errorf("callerid: clip: %w: unexpected %q", ErrMalformed, code)
		}
		i := 1
		for i < len(body) && body[i] >= '0' && body[i] <= '9' {
			i++
		}
		val := body[1:i]
		body = body[i:]
		if seen[code-'A'] {
			return r, fmt.Errorf("callerid: clip: %w: field %c twice", ErrMalformed, code)
		}
		seen[code-'A'] = true
		if val == "" {
			return r, fmt.Errorf("callerid: clip: %w: field %c is empty", ErrMalformed, code)
		}
		switch code {
		case 'A':
			if sawD {
				return r, fmt.Errorf("callerid: clip: %w: A field after D", ErrMalformed)
			}
			r.Number = val
		case 'B':
			switch val {
			case "00":
				r.Reason = ReasonUnavailable
			case "10":
				r.Reason = ReasonWithheld
			default:
				if len(val) != 2 {
					return r, fmt.Errorf("callerid: clip: %w: information code B%s", ErrMalformed, val)
				}
				r.Reason = ReasonOther
			}
		case 'D':
			sawD, dnum = true, val
		}
	}
	if sawD {
		switch {
		case seen[0]: // an A field
			r.Redirecting = dnum
		case term == '#' && len(dnum) == 1 && dnum[0] >= '1' && dnum[0] <= '3':
			r.Reason = ReasonUnavailable
			if dnum == "1" {
				r.Reason = ReasonWithheld
			}
		default:
			r.Number = dnum
		}
	}
	return r, nil
}

func isDigits(s string) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// clip assembles DTMF CLIP messages from a stream of digits.
type clip struct {
	buf        []byte
	start, end int64 // first digit's start, last digit's end
	maxGap     int64
}

// digit takes one digit, appending a Result when it completes a message.
func (c *clip) digit(dst []Result, d Digit) []Result {
	if len(c.buf) > 0 && d.Start-c.end > c.maxGap {
		dst = c.expire(dst)
	}
	if len(c.buf) == 0 {
		// A message opens with a start code or, for "<number>#", a digit.
		if !(d.Key >= '0' && d.Key <= '9') && d.Key != 'A' && d.Key != 'B' && d.Key != 'D' {
			return dst
		}
		c.start = d.Start
	}
	c.buf = append(c.buf, d.Key)
	c.end = d.End
	switch {
	case d.Key == 'C' || d.Key == '#':
		dst = c.complete(dst)
	case len(c.buf) > maxCLIPLen:
		if c.buf[0] > '9' {
			dst = append(dst, Result{Format: DTMF, Start: c.start, End: c.end,
				Err: fmt.Errorf("callerid: clip: %w: no end code after %d digits", ErrMalformed, len(c.buf))})
		}
		c.buf = c.buf[:0]
	}
	return dst
}

// complete parses the buffered message. A bare "<digits>#" that fails is
// not reported: it may well be someone pressing keys.
func (c *clip) complete(dst []Result) []Result {
	r, err := ParseCLIP(string(c.buf))
	r.Start, r.End = c.start, c.end
	if err != nil {
		r.Err = err
		if c.buf[0] <= '9' {
			c.buf = c.buf[:0]
			return dst
		}
	}
	c.buf = c.buf[:0]
	return append(dst, r)
}

// tick expires a message whose next digit is overdue at sample now.
func (c *clip) tick(dst []Result, now int64) []Result {
	if len(c.buf) > 0 && now-c.end > c.maxGap {
		dst = c.expire(dst)
	}
	return dst
}

// expire ends the buffered message without its end code. "Bdd" is complete
// in itself (some exchanges omit the C after an information code); other
// messages that began with a start code are reported truncated; bare digits
// are dropped silently.
func (c *clip) expire(dst []Result) []Result {
	if len(c.buf) == 0 {
		return dst
	}
	if len(c.buf) == 3 && c.buf[0] == 'B' && isDigits(string(c.buf[1:])) {
		c.buf = append(c.buf, 'C')
		return c.complete(dst)
	}
	if c.buf[0] > '9' {
		dst = append(dst, Result{Format: DTMF, Start: c.start, End: c.end,
			Err: fmt.Errorf("callerid: clip: %w: %d digits without an end code", ErrTruncated, len(c.buf))})
	}
	c.buf = c.buf[:0]
	return dst
}
