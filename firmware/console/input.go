package console

import (
	"io"
	"unicode/utf8"
)

// maxEscape is the longest escape sequence passed on to the line editor.
// VT100/xterm key sequences are at most 6 bytes (bracketed paste markers);
// anything longer is line noise.
const maxEscape = 16

// sanitizer cleans the raw byte stream before x/term's line editor sees it.
// The editor stalls on two kinds of garbage: an ESC followed by a long run
// of bytes without a final letter fills its 256-byte key buffer and then it
// reads into an empty slice forever; and a U+FFFD (from invalid UTF-8) makes
// it stop decoding until more input arrives. So: invalid UTF-8 and U+FFFD
// become '?', and an escape sequence is held back until it ends with
// [A-Za-z~] or dropped once it exceeds maxEscape bytes.
type sanitizer struct {
	r    io.Reader
	raw  [256]byte
	out  []byte // cleaned bytes not yet returned
	esc  []byte // an escape sequence in progress
	part []byte // an incomplete UTF-8 sequence
	err  error
}

func newSanitizer(r io.Reader) *sanitizer { return &sanitizer{r: r} }

func (s *sanitizer) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	for len(s.out) == 0 {
		if s.err != nil {
			return 0, s.err
		}
		n, err := s.r.Read(s.raw[:])
		for _, b := range s.raw[:n] {
			s.feed(b)
		}
		if err != nil {
			s.err = err
			if len(s.part) > 0 { // a rune torn by the end of the stream
				s.out = append(s.out, '?')
				s.part = s.part[:0]
			}
		}
	}
	n := copy(p, s.out)
	s.out = s.out[n:]
	return n, nil
}

func (s *sanitizer) feed(b byte) {
	switch {
	case len(s.esc) > 0:
		s.esc = append(s.esc, b)
		if b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b == '~' {
			// Bracketed paste markers are dropped: the console never turns
			// that mode on, and a stray start marker would leave the editor
			// taking every later key literally.
			if seq := string(s.esc); seq != "\x1b[200~" && seq != "\x1b[201~" {
				s.out = append(s.out, s.esc...)
			}
			s.esc = s.esc[:0]
		} else if len(s.esc) > maxEscape {
			s.esc = s.esc[:0]
		}
	case len(s.part) > 0 || b >= utf8.RuneSelf:
		s.part = append(s.part, b)
		if !utf8.FullRune(s.part) {
			return
		}
		r, size := utf8.DecodeRune(s.part)
		if r == utf8.RuneError {
			s.out = append(s.out, '?')
		} else {
			s.out = append(s.out, s.part[:size]...)
		}
		// Bytes after an invalid lead byte start over: they may be ASCII,
		// an escape, or the start of a valid sequence.
		rest := append([]byte(nil), s.part[size:]...)
		s.part = s.part[:0]
		for _, c := range rest {
			s.feed(c)
		}
	case b == 0x1b:
		s.esc = append(s.esc, b)
	default:
		s.out = append(s.out, b)
	}
}
