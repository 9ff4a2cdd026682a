package policy

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Marshal writes r as a purposes file in the format Parse reads (see
// default.toml): the settings, the controller, every purpose and every
// line profile. Parse(Marshal(r)) gives back r (but Source), so a file
// exported at the console and imported again changes nothing; keys at
// their zero value are left out, as Parse reads them so.
func Marshal(r *Rules) []byte {
	var b strings.Builder
	b.WriteString("# fairrec purposes: why calls are recorded, on what lawful basis, and for how\n")
	b.WriteString("# long; which purposes and notice each line has. Durations: a number and a\n")
	b.WriteString("# unit (s, m, h, d, w, y), combined as in \"1y30d\".\n\n")
	if !r.HoldMax.IsZero() {
		kv(&b, "hold_max", quote(r.HoldMax.String()))
	}
	if r.MaxClockJump != 0 {
		kv(&b, "max_clock_jump", quote(Span{D: r.MaxClockJump}.String()))
	}
	if r.Country != "" {
		kv(&b, "country", quote(r.Country))
	}
	b.WriteString("\n[controller]\n")
	kv(&b, "name", quote(r.Controller.Name))
	kv(&b, "contact", quote(r.Controller.Contact))
	kv(&b, "dpo", quote(r.Controller.DPO))
	for i := range r.Purposes {
		p := &r.Purposes[i]
		b.WriteString("\n[[purpose]]\n")
		kv(&b, "name", quote(p.Name))
		kv(&b, "description", quote(p.Description))
		kv(&b, "basis", quote(string(p.Basis)))
		if !p.Retention.IsZero() {
			kv(&b, "retention", quote(p.Retention.String()))
		}
		if p.Until != "" {
			kv(&b, "until", quote(p.Until))
		}
		if !p.After.IsZero() {
			kv(&b, "after", quote(p.After.String()))
		}
		if !p.Max.IsZero() {
			kv(&b, "max", quote(p.Max.String()))
		}
		kv(&b, "objection", quote(string(p.Objection)))
		kv(&b, "review", strconv.FormatBool(p.Review))
		kv(&b, "hold", strconv.FormatBool(p.Hold))
		kv(&b, "restricted", strconv.FormatBool(p.Restricted))
	}
	for _, pr := range r.Profiles {
		b.WriteString("\n[[line]]\n")
		if len(pr.Lines) > 0 {
			nums := make([]string, len(pr.Lines))
			for i, n := range pr.Lines {
				nums[i] = strconv.Itoa(n)
			}
			kv(&b, "lines", "["+strings.Join(nums, ", ")+"]")
		} else {
			b.WriteString("# no lines: every line no other profile names\n")
		}
		names := make([]string, len(pr.Purposes))
		for i, n := range pr.Purposes {
			names[i] = quote(n)
		}
		kv(&b, "purposes", "["+strings.Join(names, ", ")+"]")
		kv(&b, "notice", quote(pr.Notice))
		if pr.Language != "" {
			kv(&b, "language", quote(pr.Language))
		}
	}
	return []byte(b.String())
}

func kv(b *strings.Builder, k, v string) { fmt.Fprintf(b, "%s = %s\n", k, v) }

// quote writes s as a TOML basic string. Go's strconv.Quote is not one:
// TOML has no \x escape, and a control character (DEL included) must be
// escaped.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	// Invalid UTF-8 cannot be written in TOML as it was (Parse never
	// yields it; a Rules built in code might).
	for _, r := range strings.ToValidUTF8(s, string(utf8.RuneError)) {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// Change is one difference between two configurations, for people: where
// ("settings", "controller", `purpose "quality"`, "line profile for lines
// 2"), what (a key, or "" for a purpose or profile added or removed), and
// the values before and after ("" when it did not exist).
type Change struct {
	Where, Key string
	From, To   string
}

// String prints the change on one line.
func (c Change) String() string {
	switch {
	case c.Key == "" && c.From == "":
		return fmt.Sprintf("%s: added: %s", c.Where, c.To)
	case c.Key == "" && c.To == "":
		return fmt.Sprintf("%s: removed (was %s)", c.Where, c.From)
	}
	return fmt.Sprintf("%s: %s %s -> %s", c.Where, c.Key, orDash(c.From), orDash(c.To))
}

func orDash(s string) string {
	if s == "" {
		return `""`
	}
	return s
}

// Diff lists what changes from old to new: settings, controller, each
// purpose by name, each line profile by the lines it covers. Nothing in
// it concerns recordings already made: they keep their grants.
func Diff(old, new *Rules) []Change {
	var cs []Change
	add := func(where, key, from, to string) {
		if from != to {
			cs = append(cs, Change{Where: where, Key: key, From: from, To: to})
		}
	}
	jump := func(d time.Duration) string {
		if d == 0 {
			return ""
		}
		return Span{D: d}.String()
	}
	span := func(s Span) string {
		if s.IsZero() {
			return ""
		}
		return s.String()
	}
	add("settings", "hold_max", span(old.HoldMax), span(new.HoldMax))
	add("settings", "max_clock_jump", jump(old.MaxClockJump), jump(new.MaxClockJump))
	add("settings", "country", old.Country, new.Country)
	add("controller", "name", strconv.Quote(old.Controller.Name), strconv.Quote(new.Controller.Name))
	add("controller", "contact", strconv.Quote(old.Controller.Contact), strconv.Quote(new.Controller.Contact))
	add("controller", "dpo", strconv.Quote(old.Controller.DPO), strconv.Quote(new.Controller.DPO))
	for i := range old.Purposes {
		o := &old.Purposes[i]
		where := fmt.Sprintf("purpose %q", o.Name)
		n := new.Purpose(o.Name)
		if n == nil {
			cs = append(cs, Change{Where: where, From: o.Summary()})
			continue
		}
		add(where, "description", strconv.Quote(o.Description), strconv.Quote(n.Description))
		add(where, "basis", string(o.Basis), string(n.Basis))
		add(where, "retention", o.Rule(), n.Rule())
		add(where, "objection", string(o.Objection), string(n.Objection))
		add(where, "review", strconv.FormatBool(o.Review), strconv.FormatBool(n.Review))
		add(where, "hold", strconv.FormatBool(o.Hold), strconv.FormatBool(n.Hold))
		add(where, "restricted", strconv.FormatBool(o.Restricted), strconv.FormatBool(n.Restricted))
	}
	for i := range new.Purposes {
		if n := &new.Purposes[i]; old.Purpose(n.Name) == nil {
			cs = append(cs, Change{Where: fmt.Sprintf("purpose %q", n.Name), To: n.Summary()})
		}
	}
	// Profiles are matched by the lines they cover, which is what an
	// installer means by "line 2's profile", not by their place.
	for _, o := range old.Profiles {
		where := "line profile for " + o.Covers()
		n := profileFor(new, o.Lines)
		if n == nil {
			cs = append(cs, Change{Where: where, From: o.Summary()})
			continue
		}
		add(where, "purposes", strings.Join(o.Purposes, ", "), strings.Join(n.Purposes, ", "))
		add(where, "notice", o.Notice, n.Notice)
		add(where, "language", o.Language, n.Language)
	}
	for _, n := range new.Profiles {
		if profileFor(old, n.Lines) == nil {
			cs = append(cs, Change{Where: "line profile for " + n.Covers(), To: n.Summary()})
		}
	}
	return cs
}

// profileFor returns the profile of r covering exactly lines (in any
// order), or nil.
func profileFor(r *Rules, lines []int) *Profile {
	for i := range r.Profiles {
		if sameLines(r.Profiles[i].Lines, lines) {
			return &r.Profiles[i]
		}
	}
	return nil
}

func sameLines(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[int]int{}
	for _, n := range a {
		seen[n]++
	}
	for _, n := range b {
		if seen[n] == 0 {
			return false
		}
		seen[n]--
	}
	return true
}

// Summary describes a purpose on one line: basis, rule, objection and
// what supervisors may do under it.
func (p *Purpose) Summary() string {
	s := fmt.Sprintf("%s, %s, objection %s", p.Basis, p.Rule(), p.Objection)
	var may []string
	if p.Review {
		may = append(may, "review")
	}
	if p.Hold {
		may = append(may, "hold")
	}
	if p.Restricted {
		may = append(may, "restricted")
	}
	if len(may) > 0 {
		s += "; " + strings.Join(may, ", ")
	}
	return s
}

// Covers names the lines of a profile: "lines 1, 2", or "every other
// line" for the profile without lines.
func (pr *Profile) Covers() string {
	if len(pr.Lines) == 0 {
		return "every other line"
	}
	nums := make([]string, len(pr.Lines))
	for i, n := range pr.Lines {
		nums[i] = strconv.Itoa(n)
	}
	if len(nums) == 1 {
		return "line " + nums[0]
	}
	return "lines " + strings.Join(nums, ", ")
}

// Summary describes a profile on one line: its purposes, notice set and
// language.
func (pr *Profile) Summary() string {
	s := fmt.Sprintf("purposes %s; notice set %s", strings.Join(pr.Purposes, ", "), pr.Notice)
	if pr.Language != "" {
		s += ", language " + pr.Language
	}
	return s
}
