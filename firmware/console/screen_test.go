package console_test

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// screen is a minimal VT100 of a given width, enough to render what the
// line editor sends: text with auto-wrap (xterm's pending wrap at the last
// column), CR, LF, cursor moves (ESC [ n A/B/C/D), erase to end of line
// (ESC [ K), clear screen and home. A test compares what a person would see
// with what it should be; a width the editor got wrong shows as leftovers
// and misplaced text.
type screen struct {
	cols    int
	rows    [][]rune
	x, y    int
	pending bool // the cursor is past the last column: the next character wraps
}

func newScreen(cols int) *screen { return &screen{cols: cols, rows: [][]rune{nil}} }

func (s *screen) write(p string) {
	for len(p) > 0 {
		if p[0] == 0x1b && len(p) > 1 && p[1] == '[' {
			i := 2
			for i < len(p) && (p[i] >= '0' && p[i] <= '9' || p[i] == ';' || p[i] == '?') {
				i++
			}
			if i == len(p) {
				return
			}
			s.csi(p[2:i], p[i])
			p = p[i+1:]
			continue
		}
		r, n := utf8.DecodeRuneInString(p)
		p = p[n:]
		switch r {
		case '\r':
			s.x, s.pending = 0, false
		case '\n':
			s.down()
			s.pending = false
		case 0x07, 0x1b:
		default:
			if s.pending {
				s.x, s.pending = 0, false
				s.down()
			}
			s.put(r)
			if s.x == s.cols-1 {
				s.pending = true
			} else {
				s.x++
			}
		}
	}
}

func (s *screen) down() {
	s.y++
	for len(s.rows) <= s.y {
		s.rows = append(s.rows, nil)
	}
}

func (s *screen) put(r rune) {
	row := s.rows[s.y]
	for len(row) <= s.x {
		row = append(row, ' ')
	}
	row[s.x] = r
	s.rows[s.y] = row
}

func (s *screen) csi(param string, final byte) {
	n, err := strconv.Atoi(param)
	if err != nil || n == 0 {
		n = 1
	}
	s.pending = false
	switch final {
	case 'A':
		s.y = max(0, s.y-n)
	case 'B':
		s.y += n
		for len(s.rows) <= s.y {
			s.rows = append(s.rows, nil)
		}
	case 'C':
		s.x = min(s.cols-1, s.x+n)
	case 'D':
		s.x = max(0, s.x-n)
	case 'K':
		if row := s.rows[s.y]; len(row) > s.x {
			s.rows[s.y] = row[:s.x]
		}
	case 'J':
		s.rows, s.x, s.y = [][]rune{nil}, 0, 0
	case 'H':
		s.x, s.y = 0, 0
	}
}

// lines returns the screen's rows, trailing blanks trimmed, from the first
// row holding from to the end.
func (s *screen) lines(from string) []string {
	var out []string
	for _, r := range s.rows {
		out = append(out, strings.TrimRight(string(r), " "))
	}
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	for i := len(out) - 1; i >= 0; i-- {
		if strings.Contains(out[i], from) {
			return out[i:]
		}
	}
	return out
}
