package sim

import "strings"

// positions are the source lines of a scenario's events, found by a small
// scanner, because the TOML decoder reports positions only for syntax
// errors. supervisor[i] is the line of the i-th supervisor event, lines[k][i]
// that of the i-th event of the k-th [[line]] table, in document order.
type positions struct {
	supervisor []int
	lines      [][]int
}

// locate scans src for the start of every event: an inline table ("{")
// directly inside the array value of a top-level "supervisor" key or of an
// "events" key in a [[line]] table, or a [[supervisor]] / [[line.events]]
// array-of-tables header. It understands TOML strings and comments well
// enough not to be fooled by braces inside them; a file it cannot follow
// only loses line numbers in error messages, never events.
func locate(src string) positions {
	var p positions
	line := 1
	depth := 0  // [ and { nesting inside a value
	table := "" // current [table] or [[table]] header
	key := ""   // the key whose value is being read at depth 0
	atLineStart := true
	i := 0
	addEvent := func() {
		switch {
		case table == "" && key == "supervisor":
			p.supervisor = append(p.supervisor, line)
		case table == "line" && key == "events" && len(p.lines) > 0:
			k := len(p.lines) - 1
			p.lines[k] = append(p.lines[k], line)
		}
	}
	for i < len(src) {
		c := src[i]
		switch {
		case c == '\n':
			line++
			atLineStart = true
			i++
			continue
		case c == ' ' || c == '\t' || c == '\r':
			i++
			continue
		case c == '#':
			for i < len(src) && src[i] != '\n' {
				i++
			}
			continue
		case c == '"' || c == '\'':
			n, lines := skipString(src[i:])
			i += n
			line += lines
			atLineStart = false
			continue
		}
		if atLineStart && depth == 0 {
			atLineStart = false
			if c == '[' {
				end := strings.IndexByte(src[i:], '\n')
				if end < 0 {
					end = len(src) - i
				}
				h := strings.TrimSpace(src[i : i+end])
				if j := strings.IndexByte(h, '#'); j >= 0 {
					h = strings.TrimSpace(h[:j])
				}
				array := strings.HasPrefix(h, "[[")
				h = strings.Trim(h, "[] \t")
				h = strings.ReplaceAll(strings.ReplaceAll(h, " ", ""), "\t", "")
				table, key = h, ""
				switch {
				case array && h == "line":
					p.lines = append(p.lines, nil)
				case array && h == "supervisor":
					p.supervisor = append(p.supervisor, line)
				case array && h == "line.events" && len(p.lines) > 0:
					k := len(p.lines) - 1
					p.lines[k] = append(p.lines[k], line)
				}
				i += end
				continue
			}
			// A key: read up to '='.
			eq := strings.IndexAny(src[i:], "=\n")
			if eq >= 0 && src[i+eq] == '=' {
				key = strings.Trim(strings.TrimSpace(src[i:i+eq]), `"'`)
				i += eq + 1
				continue
			}
		}
		atLineStart = false
		switch c {
		case '[':
			depth++
		case ']':
			if depth > 0 {
				depth--
			}
		case '{':
			if depth == 1 {
				addEvent()
			}
			depth++
		case '}':
			if depth > 0 {
				depth--
			}
		}
		i++
	}
	return p
}

// skipString returns the length of the TOML string starting at s[0] and the
// number of newlines inside it.
func skipString(s string) (n, lines int) {
	q := s[0]
	delim := s[:1]
	if len(s) >= 3 && s[1] == q && s[2] == q {
		delim = s[:3]
	}
	i := len(delim)
	for i < len(s) {
		switch {
		case s[i] == '\\' && q == '"':
			i += 2
			continue
		case s[i] == '\n':
			lines++
			if len(delim) == 1 {
				return i, lines - 1 // unterminated; let the decoder complain
			}
		case strings.HasPrefix(s[i:], delim):
			return i + len(delim), lines
		}
		i++
	}
	return len(s), lines
}
