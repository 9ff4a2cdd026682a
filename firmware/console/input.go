package console

import (
	"bytes"
	"io"
	"unicode"
	"unicode/utf8"
)

// maxEscape is the longest control sequence (ECMA-48 CSI) taken as one:
// the keys the line editor knows are at most 6 bytes; a longer one is line
// noise, discarded up to its end.
const maxEscape = 16

// maxString is the longest control string (OSC, DCS, APC, PM) discarded as
// one; what follows a longer one is read as text again, so that noise that
// looks like the start of a string cannot swallow the keyboard.
const maxString = 256

// The sanitizer's states while it is inside an escape sequence.
const (
	escNone   = iota
	escStart  // ESC seen
	escCSI    // ESC [ and parameter or intermediate bytes
	escSS3    // ESC O: one more byte
	escInter  // ESC and intermediate bytes (0x20-0x2F)
	escString // ESC ] (or P, _, ^, X) up to BEL or ESC \
	escST     // ESC inside a string: a backslash ends it
)

// sanitizer cleans the raw byte stream before x/term's line editor sees it,
// so that the editor only ever gets text it can draw and keys it knows.
//
// Escape sequences are parsed as ECMA-48 defines them (CSI: ESC [,
// parameter bytes 0x30-0x3F, intermediate bytes 0x20-0x2F, one final byte
// 0x40-0x7E; SS3: ESC O and one byte; control strings up to ST or BEL).
// The editor's keys (cursor keys, Home, End, Delete, word moves) are passed
// on, SS3 cursor keys as their CSI form; every other sequence is discarded
// whole, final byte included, never typed as text. A sequence is broken
// when a byte that cannot be part of it arrives, or when it grows past
// maxEscape: a control character (Enter, Ctrl-C) ends it and then acts as
// itself, a new ESC starts over, CAN and SUB cancel it, and anything else
// (noise) is discarded with it up to its final byte.
//
// Text is valid UTF-8 with one column per character, which is what the
// editor assumes when it moves the cursor: invalid UTF-8, U+FFFD (which
// stalls the editor's decoder), C1 control characters (U+0080-U+009F, which
// a UTF-8 terminal may obey), and characters that take no column or two
// (combining marks, format characters, CJK, emoji) each become '?'.
type sanitizer struct {
	r      io.Reader
	raw    [256]byte
	out    []byte // cleaned bytes not yet returned
	state  int
	esc    []byte // the escape sequence in progress
	broken bool   // the sequence in progress is discarded at its end
	part   []byte // an incomplete UTF-8 sequence
	err    error
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
	// Ctrl-C and Ctrl-D come in a read of their own: the editor may give
	// up its line there (Run returns ErrInterrupt and the console starts a
	// fresh editor), and what it had read beyond would be lost with it, and
	// the echo of what came before not shown.
	out := s.out
	switch i := bytes.IndexAny(out, "\x03\x04"); {
	case i == 0:
		out = out[:1]
	case i > 0:
		out = out[:i]
	}
	n := copy(p, out)
	s.out = s.out[n:]
	return n, nil
}

const (
	keyESC = 0x1b
	keyCAN = 0x18
	keySUB = 0x1a
	keyBEL = 0x07
	keyDEL = 0x7f
)

func (s *sanitizer) feed(b byte) {
	if s.state != escNone {
		s.feedEscape(b)
		return
	}
	switch {
	case len(s.part) > 0 || b >= utf8.RuneSelf:
		s.feedUTF8(b)
	case b == keyESC:
		s.begin()
	default:
		s.out = append(s.out, b)
	}
}

func (s *sanitizer) begin() {
	s.state, s.broken = escStart, false
	s.esc = append(s.esc[:0], keyESC)
}

// end closes the sequence in progress: a key the editor knows is passed on
// (in the form it knows), everything else is dropped.
func (s *sanitizer) end() {
	if !s.broken {
		if k, ok := editorKey(string(s.esc)); ok {
			s.out = append(s.out, k...)
		}
	}
	s.state, s.broken = escNone, false
	s.esc = s.esc[:0]
}

// interrupt ends a sequence at a byte that cannot belong to it: the
// sequence is dropped and the byte acts as itself.
func (s *sanitizer) interrupt(b byte) {
	s.broken = true
	s.end()
	switch b {
	case keyESC:
		s.begin()
	case keyCAN, keySUB: // they cancel a sequence and are nothing more
	default:
		s.feed(b)
	}
}

func (s *sanitizer) feedEscape(b byte) {
	if s.state == escString || s.state == escST {
		s.feedString(b)
		return
	}
	if b < 0x20 { // a control character, ESC included, is never inside
		s.interrupt(b)
		return
	}
	s.esc = append(s.esc, b)
	if len(s.esc) > maxEscape {
		s.broken = true
		s.esc = s.esc[:1] // what is discarded need not be kept
	}
	final := b >= 0x40 && b <= 0x7e
	switch s.state {
	case escStart:
		switch {
		case b == '[':
			s.state = escCSI
		case b == 'O':
			s.state = escSS3
		case b == ']' || b == 'P' || b == '_' || b == '^' || b == 'X':
			s.state = escString
			s.esc = s.esc[:1]
		case b >= 0x20 && b <= 0x2f:
			s.state = escInter
		case b >= 0x30 && b <= 0x7e:
			s.end() // ESC and one character: Alt and a key, nothing here
		default: // DEL (Alt-Backspace) or noise
			s.broken = true
			s.end()
		}
	case escCSI:
		switch {
		case final:
			s.end()
		case b >= 0x20 && b <= 0x3f:
		default:
			s.broken = true // noise inside: discarded up to the final byte
		}
	case escSS3:
		if b >= 0x80 || b == keyDEL {
			s.broken = true
		}
		s.end()
	case escInter:
		switch {
		case b >= 0x30 && b <= 0x7e:
			s.end()
		case b >= 0x20 && b <= 0x2f:
		default:
			s.broken = true
		}
	}
}

// feedString discards a control string up to its terminator (BEL or
// ESC \), or up to maxString bytes.
func (s *sanitizer) feedString(b byte) {
	if s.state == escST {
		if b == '\\' {
			s.broken = true
			s.end()
			return
		}
		s.state = escString
		s.interrupt(keyESC) // a new sequence starts here
		s.feed(b)
		return
	}
	switch b {
	case keyBEL:
		s.broken = true
		s.end()
		return
	case keyESC:
		s.state = escST
		return
	case keyCAN, keySUB, '\r', '\n', 0x03, 0x04:
		// Enter, Ctrl-C and Ctrl-D are never swallowed by a string.
		s.interrupt(b)
		return
	}
	if s.esc = append(s.esc, b); len(s.esc) > maxString {
		s.broken = true
		s.end()
	}
}

// editorKey maps the sequences x/term's editor acts on to the form it
// recognises; ok is false for every other sequence.
func editorKey(seq string) (string, bool) {
	switch seq {
	case "\x1b[A", "\x1b[B", "\x1b[C", "\x1b[D", "\x1b[H", "\x1b[F",
		"\x1b[3~", "\x1b[1;3C", "\x1b[1;3D":
		return seq, true
	case "\x1bOA", "\x1bOB", "\x1bOC", "\x1bOD", "\x1bOH", "\x1bOF":
		return "\x1b[" + seq[2:], true // application cursor keys
	case "\x1b[1~", "\x1b[7~":
		return "\x1b[H", true
	case "\x1b[4~", "\x1b[8~":
		return "\x1b[F", true
	case "\x1b[1;5C":
		return "\x1b[1;3C", true // Ctrl-Right: a word right
	case "\x1b[1;5D":
		return "\x1b[1;3D", true
	}
	return "", false
}

func (s *sanitizer) feedUTF8(b byte) {
	s.part = append(s.part, b)
	if !utf8.FullRune(s.part) {
		return
	}
	r, size := utf8.DecodeRune(s.part)
	if r == utf8.RuneError || !oneColumn(r) {
		s.out = append(s.out, '?')
	} else {
		s.out = append(s.out, s.part[:size]...)
	}
	// Bytes after an invalid lead byte start over: they may be ASCII, an
	// escape, or the start of a valid sequence.
	rest := append([]byte(nil), s.part[size:]...)
	s.part = s.part[:0]
	for _, c := range rest {
		s.feed(c)
	}
}

// oneColumn reports whether r (not ASCII) takes exactly one column on a
// terminal and is not a control character.
func oneColumn(r rune) bool {
	switch {
	case r >= 0x80 && r <= 0x9f, // C1 controls
		unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf, unicode.Cs, unicode.Co),
		r == 0x2028 || r == 0x2029:
		return false
	}
	for _, w := range wide {
		if r >= w[0] && r <= w[1] {
			return false
		}
	}
	return true
}

// wide are the ranges of characters a terminal draws two columns wide
// (Unicode's East Asian Wide and Fullwidth, and emoji), coarsely.
var wide = [][2]rune{
	{0x1100, 0x115f}, {0x231a, 0x231b}, {0x2329, 0x232a}, {0x23e9, 0x23ec},
	{0x25fd, 0x25fe}, {0x2614, 0x2615}, {0x2648, 0x2653}, {0x26a1, 0x26a1},
	{0x26aa, 0x26ab}, {0x26bd, 0x26be}, {0x26c4, 0x26c5}, {0x26ce, 0x26ce},
	{0x26d4, 0x26d4}, {0x26ea, 0x26ea}, {0x26f2, 0x26f5}, {0x26fa, 0x26fd},
	{0x2705, 0x2705}, {0x270a, 0x270b}, {0x2728, 0x2728}, {0x274c, 0x274c},
	{0x2753, 0x2757}, {0x2795, 0x2797}, {0x27b0, 0x27b0}, {0x27bf, 0x27bf},
	{0x2b1b, 0x2b1c}, {0x2b50, 0x2b55}, {0x2e80, 0x303e}, {0x3041, 0x33ff},
	{0x3400, 0x4dbf}, {0x4e00, 0x9fff}, {0xa000, 0xa4cf}, {0xa960, 0xa97f},
	{0xac00, 0xd7a3}, {0xf900, 0xfaff}, {0xfe10, 0xfe19}, {0xfe30, 0xfe6f},
	{0xff00, 0xff60}, {0xffe0, 0xffe6}, {0x16fe0, 0x18cff}, {0x1b000, 0x1b2ff},
	{0x1f004, 0x1f004}, {0x1f0cf, 0x1f0cf}, {0x1f18e, 0x1f18e}, {0x1f191, 0x1f19a},
	{0x1f200, 0x1f2ff}, {0x1f300, 0x1f64f}, {0x1f680, 0x1f6ff}, {0x1f7e0, 0x1f7eb},
	{0x1f90c, 0x1f9ff}, {0x1fa70, 0x1faff}, {0x20000, 0x3fffd},
}
