package policy

import (
	"cmp"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// at names where in a purposes file a value is: a table ("" for the
// top level, "controller", "purpose", "line"), the index of an array
// table entry (0-based; 0 for a plain table), and a key ("" for the table
// itself).
type at struct {
	table string
	i     int
	key   string
}

// positions finds the line of each key in a purposes file. BurntSushi/toml
// keeps key positions only for its own errors (toml.ParseError), not in
// MetaData's public API, so the lines are found here by a scan that follows
// the file's tables as TOML does: a "[[purpose]]" starts the next purpose,
// a "[controller]" a table, and "key =" sets a key in the current one.
// Multi-line strings are skipped. The scan never decides what is valid
// (toml.Decode does); it only says where.
type positions struct {
	line map[at]int
	all  map[string][]int // "table.key" -> every line it is set on
}

var (
	arrayHeader = regexp.MustCompile(`^\s*\[\[\s*([A-Za-z0-9_-]+)\s*\]\]`)
	tableHeader = regexp.MustCompile(`^\s*\[\s*([A-Za-z0-9_-]+)\s*\]`)
	keyLine     = regexp.MustCompile(`^\s*"?([A-Za-z0-9_-]+)"?\s*=(.*)$`)
)

func scanPositions(src string) *positions {
	p := &positions{line: map[at]int{}, all: map[string][]int{}}
	count := map[string]int{}
	cur := at{}
	var closing string // the delimiter of a multi-line string being skipped
	for n, l := range strings.Split(src, "\n") {
		n++
		if closing != "" {
			if strings.Count(l, closing)%2 == 1 {
				closing = ""
			}
			continue
		}
		if m := arrayHeader.FindStringSubmatch(l); m != nil {
			cur = at{table: m[1], i: count[m[1]]}
			count[m[1]]++
		} else if m := tableHeader.FindStringSubmatch(l); m != nil {
			cur = at{table: m[1]}
		} else if m := keyLine.FindStringSubmatch(l); m != nil {
			k := at{table: cur.table, i: cur.i, key: m[1]}
			if _, seen := p.line[k]; !seen {
				p.line[k] = n
			}
			name := m[1]
			if cur.table != "" {
				name = cur.table + "." + name
			}
			p.all[name] = append(p.all[name], n)
			for _, d := range []string{`"""`, `'''`} {
				if strings.Count(m[2], d)%2 == 1 {
					closing = d
				}
			}
			continue
		} else {
			continue
		}
		if _, seen := p.line[cur]; !seen {
			p.line[cur] = n
		}
	}
	return p
}

// of returns the line of a, else of its table entry, else 0 (unknown).
func (p *positions) of(a at) int {
	if p == nil {
		return 0
	}
	if n, ok := p.line[a]; ok {
		return n
	}
	return p.line[at{table: a.table, i: a.i}]
}

// problems collects what is wrong with a purposes file, with its line
// when known.
type problems struct {
	pos    *positions
	list   []problem
	failed map[at]bool // values that could not be read: not also "missing"
}

type problem struct {
	line int
	msg  string
}

// add reports a problem at a, unless a's value could not be read (fail):
// then the rules see it as unset, and that is not a second problem.
func (ps *problems) add(a at, format string, args ...any) {
	if a.key != "" && ps.failed[a] {
		return
	}
	ps.list = append(ps.list, problem{line: ps.pos.of(a), msg: fmt.Sprintf(format, args...)})
}

// fail reports a value at a that could not be read.
func (ps *problems) fail(a at, format string, args ...any) {
	ps.add(a, format, args...)
	if ps.failed == nil {
		ps.failed = map[at]bool{}
	}
	ps.failed[a] = true
}

// err returns every problem, in the order of the file (those without a
// line last), or nil.
func (ps *problems) err() error {
	list := slices.Clone(ps.list)
	slices.SortStableFunc(list, func(a, b problem) int {
		if (a.line == 0) != (b.line == 0) {
			return cmp.Compare(b.line, a.line) // 0 last
		}
		return cmp.Compare(a.line, b.line)
	})
	var errs []error
	for _, p := range list {
		if p.line > 0 {
			errs = append(errs, fmt.Errorf("line %d: %s", p.line, p.msg))
		} else {
			errs = append(errs, errors.New(p.msg))
		}
	}
	return errors.Join(errs...)
}
