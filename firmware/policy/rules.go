package policy

import (
	_ "embed"
	"errors"
	"fairrec/firmware/phone"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"fairrec/firmware/trustclock"

	"github.com/BurntSushi/toml"
)

// Basis is a lawful basis of GDPR art. 6(1).
type Basis string

// The lawful bases, as written in the purposes file.
const (
	Consent             Basis = "consent"              // art. 6(1)(a)
	Contract            Basis = "contract"             // art. 6(1)(b)
	LegalObligation     Basis = "legal-obligation"     // art. 6(1)(c)
	VitalInterests      Basis = "vital-interests"      // art. 6(1)(d)
	PublicTask          Basis = "public-task"          // art. 6(1)(e)
	LegitimateInterests Basis = "legitimate-interests" // art. 6(1)(f)
)

var bases = map[Basis]string{
	Consent: "art. 6(1)(a)", Contract: "art. 6(1)(b)", LegalObligation: "art. 6(1)(c)",
	VitalInterests: "art. 6(1)(d)", PublicTask: "art. 6(1)(e)", LegitimateInterests: "art. 6(1)(f)",
}

// Article returns the GDPR article of the basis ("art. 6(1)(f)").
func (b Basis) Article() string { return bases[b] }

// Effect is what an objection (GDPR art. 21, or withdrawn consent) does to a
// purpose's grant.
type Effect string

// The objection effects.
const (
	// Ends: the grant ends at once; audio kept only for it is erased.
	Ends Effect = "ends"
	// Continues: the objection does not end the grant (a legal obligation).
	Continues Effect = "continues"
	// Refuses: the call is not recorded for this purpose, and the employee
	// is told (LED) that the agreement cannot be concluded by phone.
	Refuses Effect = "refuses"
)

// Span is a length of time in calendar years plus a fixed duration: a
// retention of "5y" must last five calendar years, leap days included.
type Span struct {
	Years int
	D     time.Duration
}

// maxSpanD bounds the duration part of a span (36,525 days, about 100
// years), far below where time.Duration overflows.
const maxSpanD = 36525 * 24 * time.Hour

// spanUnits are the units ParseSpan accepts, as written in a purposes
// file; a year is a calendar year (0 here).
var spanUnits = map[string]time.Duration{
	"s": time.Second, "sec": time.Second, "second": time.Second, "seconds": time.Second,
	"m": time.Minute, "min": time.Minute, "minute": time.Minute, "minutes": time.Minute,
	"h": time.Hour, "hour": time.Hour, "hours": time.Hour,
	"d": 24 * time.Hour, "day": 24 * time.Hour, "days": 24 * time.Hour,
	"w": 7 * 24 * time.Hour, "week": 7 * 24 * time.Hour, "weeks": 7 * 24 * time.Hour,
	"y": 0, "year": 0, "years": 0,
}

// spanForm is what ParseSpan accepts, for its error messages.
const spanForm = `a number and a unit (s, m, h, d, w or y, or the words: "30d", "30 days", "5 years", "1y30d")`

// ParseSpan parses a number and a unit, or several: "30d", "30 days",
// "30 d", "5y", "5 years", "1y30d", "1 year 30 days", "48h", "90m",
// "2 weeks". A year is a calendar year. Months are refused: they differ in
// length, so a retention in months is ambiguous.
func ParseSpan(s string) (Span, error) {
	var sp Span
	rest := strings.TrimSpace(s)
	if rest == "" {
		return sp, fmt.Errorf("empty duration: want %s", spanForm)
	}
	for rest != "" {
		i := 0
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		if i == 0 {
			return Span{}, fmt.Errorf("duration %q: want %s", s, spanForm)
		}
		n, err := strconv.Atoi(rest[:i])
		if err != nil || n > 1000000 {
			return Span{}, fmt.Errorf("duration %q: number out of range", s)
		}
		rest = strings.TrimLeft(rest[i:], " \t")
		j := 0
		for j < len(rest) && (rest[j] >= 'a' && rest[j] <= 'z' || rest[j] >= 'A' && rest[j] <= 'Z') {
			j++
		}
		word := strings.ToLower(rest[:j])
		rest = strings.TrimLeft(rest[j:], " \t,")
		unit, ok := spanUnits[word]
		switch {
		case word == "":
			return Span{}, fmt.Errorf("duration %q: %d has no unit: want %s", s, n, spanForm)
		case strings.HasPrefix(word, "mo"):
			return Span{}, fmt.Errorf("duration %q: months differ in length: give days or years (\"30d\", \"1y\")", s)
		case !ok:
			return Span{}, fmt.Errorf("duration %q: unknown unit %q: want %s", s, word, spanForm)
		case unit == 0:
			if n > 100 || sp.Years+n > 100 {
				return Span{}, fmt.Errorf("duration %q: more than 100 years", s)
			}
			sp.Years += n
		default:
			// A retention that wrapped around int64 would be negative and
			// erase everything at the next sweep: keep the day part under
			// the same 100 years as the year part.
			d := time.Duration(n) * unit
			if d/unit != time.Duration(n) || sp.D+d > maxSpanD {
				return Span{}, fmt.Errorf("duration %q: more than 100 years", s)
			}
			sp.D += d
		}
	}
	return sp, nil
}

// Add returns t plus the span.
func (s Span) Add(t time.Time) time.Time { return t.AddDate(s.Years, 0, 0).Add(s.D) }

// IsZero reports whether the span is empty (not set).
func (s Span) IsZero() bool { return s.Years == 0 && s.D == 0 }

// String prints the span as ParseSpan reads it, largest units first.
func (s Span) String() string {
	if s.IsZero() {
		return "0s"
	}
	var b strings.Builder
	if s.Years != 0 {
		fmt.Fprintf(&b, "%dy", s.Years)
	}
	d := s.D
	for _, u := range []struct {
		c string
		d time.Duration
	}{{"d", 24 * time.Hour}, {"h", time.Hour}, {"m", time.Minute}, {"s", time.Second}} {
		if n := d / u.d; n > 0 {
			fmt.Fprintf(&b, "%d%s", n, u.c)
			d -= n * u.d
		}
	}
	return b.String()
}

// Words prints the span for people: "30 days", "5 years", "1 year 30 days".
func (s Span) Words() string {
	var parts []string
	plural := func(n int, w string) string {
		if n == 1 {
			return "1 " + w
		}
		return strconv.Itoa(n) + " " + w + "s"
	}
	if s.Years != 0 {
		parts = append(parts, plural(s.Years, "year"))
	}
	if days := int(s.D / (24 * time.Hour)); days != 0 {
		parts = append(parts, plural(days, "day"))
	}
	if rest := s.D % (24 * time.Hour); rest != 0 {
		parts = append(parts, rest.String())
	}
	if len(parts) == 0 {
		return "0 days"
	}
	return strings.Join(parts, " ")
}

// Purpose is one reason to keep a recording.
type Purpose struct {
	Name        string
	Description string // goes into the notice text, the report and the register
	Basis       Basis
	// Retention: either Retention (a duration from the start of the
	// recording), or Until an event (by name, e.g. "completed") plus After,
	// at most Max from the start.
	Retention Span
	Until     string
	After     Span
	// Max is the hard maximum from the start: for Until retention, the
	// deadline while the event has not happened; for a duration, how far a
	// hold may extend it.
	Max        Span
	Objection  Effect
	Review     bool // supervisors may review (play back) under it
	Hold       bool // a supervisor's hold extends it until released
	Restricted bool // access restricted: kept, but not played back or exported under it
}

// Rule describes the retention rule in words.
func (p *Purpose) Rule() string {
	if p.Until != "" {
		return fmt.Sprintf("until %s + %s, at most %s", p.Until, p.After.Words(), p.Max.Words())
	}
	r := p.Retention.Words()
	if !p.Max.IsZero() {
		r += ", up to " + p.Max.Words() + " if held"
	}
	return r
}

// Profile says which purposes apply on which lines and which notice the
// caller hears before anything is recorded.
type Profile struct {
	Lines    []int // empty: every line no other profile names
	Purposes []string
	Notice   string // the notice set the line plays (firmware/notice's profile: NAME.LANGUAGE.KIND.mp3)
	// Language of the line's notices, e.g. "en" for a line that serves
	// foreign customers; "" means the box's (fairrecd --language).
	Language string
}

// Rules is the purposes configuration: purposes, line profiles and limits.
type Rules struct {
	Purposes     []Purpose
	Profiles     []Profile
	HoldMax      Span          // how far a hold extends a grant; zero = 1 year
	MaxClockJump time.Duration // forward jump treated as untrusted; zero = 48 h
	// Country is where the box is (ISO 3166, e.g. "NL"): numbers written
	// without "+" are read in it (firmware/phone); "" means phone's
	// default, NL.
	Country    string
	Controller Controller // who decides on the processing (for the register)
	Source     string     // where the rules came from (file name or "defaults")
}

// Controller names the controller for the record of processing activities
// (GDPR art. 30(1)(a)).
type Controller struct {
	Name    string `toml:"name" json:"name"`
	Contact string `toml:"contact" json:"contact"`
	DPO     string `toml:"dpo" json:"dpo,omitempty"` // data protection officer, if any
}

//go:embed default.toml
var defaultTOML []byte

// DefaultTOML returns the shipped purposes file, for an installer to copy.
func DefaultTOML() []byte { return slices.Clone(defaultTOML) }

// Default returns the shipped rules.
func Default() *Rules {
	r, err := Parse(defaultTOML)
	if err != nil {
		panic("policy: shipped default.toml is invalid: " + err.Error()) // caught by the tests
	}
	r.Source = "defaults"
	return r
}

// Load reads and validates a purposes file.
func Load(path string) (*Rules, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load purposes: %w", err)
	}
	r, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("load purposes %s: %w", path, err)
	}
	r.Source = path
	return r, nil
}

// The purposes file as decoded: every value is any, so that a value of
// the wrong type is one more problem reported with its line, not the end
// of the parse.
type fileRules struct {
	HoldMax      any            `toml:"hold_max"`
	MaxClockJump any            `toml:"max_clock_jump"`
	Country      any            `toml:"country"`
	Controller   map[string]any `toml:"controller"`
	Purpose      []map[string]any
	Line         []map[string]any
}

var (
	purposeKeys    = []string{"name", "description", "basis", "retention", "until", "after", "max", "objection", "review", "hold", "restricted"}
	lineKeys       = []string{"lines", "purposes", "notice", "language"}
	controllerKeys = []string{"name", "contact", "dpo"}
)

// Parse reads and validates purposes in TOML (see default.toml). It
// reports every problem in one pass, each with its line in the file and
// the purpose or profile and the field it concerns.
func Parse(b []byte) (*Rules, error) { return ParseChecked(b, nil) }

// Problem is a problem a program's own check found in rules (the
// daemon's: a line's notice set is not there), placed in the file as
// Parse places its own: Table is "purpose" or "line" (or "" for the
// settings), Index the entry of that table (0-based), Key the key.
type Problem struct {
	Table string
	Index int
	Key   string
	Msg   string
}

// ParseChecked is Parse with check's problems listed among Parse's own,
// in the order of the file, so that one answer names everything wrong.
// check sees the rules as far as they could be read, also when they have
// problems of their own; it is not called for a file that is not TOML.
func ParseChecked(b []byte, check func(*Rules) []Problem) (*Rules, error) {
	var f fileRules
	if _, err := toml.Decode(string(b), &f); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("%w: line %d: not valid TOML: %s", ErrInvalid, pe.Position.Line, pe.Message)
		}
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	ps := &problems{pos: scanPositions(string(b))}
	// where names a value for a message: the purpose by its name if it
	// has one, else by its place.
	where := func(a at) string {
		switch a.table {
		case "":
			return "settings: " + a.key
		case "purpose":
			if name, ok := f.Purpose[a.i]["name"].(string); ok && name != "" {
				return fmt.Sprintf("purpose %q: %s", name, a.key)
			}
			return fmt.Sprintf("purpose %d: %s", a.i+1, a.key)
		case "line":
			return fmt.Sprintf("line profile %d: %s", a.i+1, a.key)
		}
		return a.table + ": " + a.key
	}
	unknown := func(table string, i int, m map[string]any, known []string) {
		for k := range m {
			if !slices.Contains(known, k) {
				ps.add(at{table, i, k}, "unknown key %q (want one of %s)", table+"."+k, strings.Join(known, ", "))
			}
		}
	}
	// str and boolean read a value of the right type, or report it.
	str := func(a at, v any) string {
		switch v := v.(type) {
		case nil:
			return ""
		case string:
			return v
		}
		ps.fail(a, "%s: want a string in quotes, not %v", where(a), v)
		return ""
	}
	boolean := func(a at, v any) bool {
		switch v := v.(type) {
		case nil:
			return false
		case bool:
			return v
		}
		ps.fail(a, "%s: want true or false, not %v", where(a), v)
		return false
	}
	span := func(a at, v any) Span {
		s := str(a, v)
		if s == "" {
			return Span{}
		}
		sp, err := ParseSpan(s)
		if err != nil {
			ps.fail(a, "%s: %v", where(a), err)
		}
		return sp
	}

	r := &Rules{}
	r.HoldMax = span(at{key: "hold_max"}, f.HoldMax)
	country := str(at{key: "country"}, f.Country)
	if _, err := phone.New(phone.Config{Country: country}); err != nil {
		ps.fail(at{key: "country"}, "settings: country: %v", err)
	} else {
		r.Country = strings.ToUpper(strings.TrimSpace(country))
	}
	if jump := span(at{key: "max_clock_jump"}, f.MaxClockJump); jump.Years != 0 {
		ps.add(at{key: "max_clock_jump"}, "settings: max_clock_jump: give it in hours or days")
	} else {
		r.MaxClockJump = jump.D
	}
	unknown("controller", 0, f.Controller, controllerKeys)
	r.Controller = Controller{
		Name:    str(at{"controller", 0, "name"}, f.Controller["name"]),
		Contact: str(at{"controller", 0, "contact"}, f.Controller["contact"]),
		DPO:     str(at{"controller", 0, "dpo"}, f.Controller["dpo"]),
	}
	for i, fp := range f.Purpose {
		unknown("purpose", i, fp, purposeKeys)
		k := func(key string) at { return at{"purpose", i, key} }
		p := Purpose{
			Name: str(k("name"), fp["name"]), Description: str(k("description"), fp["description"]),
			Basis: Basis(str(k("basis"), fp["basis"])), Retention: span(k("retention"), fp["retention"]),
			Until: str(k("until"), fp["until"]), After: span(k("after"), fp["after"]), Max: span(k("max"), fp["max"]),
			Objection: Effect(str(k("objection"), fp["objection"])), Review: boolean(k("review"), fp["review"]),
			Hold: boolean(k("hold"), fp["hold"]), Restricted: boolean(k("restricted"), fp["restricted"]),
		}
		r.Purposes = append(r.Purposes, p)
	}
	for i, fl := range f.Line {
		unknown("line", i, fl, lineKeys)
		k := func(key string) at { return at{"line", i, key} }
		pr := Profile{Notice: str(k("notice"), fl["notice"]), Language: str(k("language"), fl["language"])}
		if v, ok := fl["lines"]; ok {
			arr, _ := v.([]any)
			for _, e := range arr {
				if n, ok := e.(int64); ok && n >= -1<<20 && n <= 1<<20 {
					pr.Lines = append(pr.Lines, int(n))
				} else {
					arr = nil
					break
				}
			}
			if arr == nil {
				ps.fail(k("lines"), "%s: want a list of line numbers, e.g. [1, 2], not %v", where(k("lines")), v)
			}
		}
		if v, ok := fl["purposes"]; ok {
			arr, _ := v.([]any)
			for _, e := range arr {
				if name, ok := e.(string); ok {
					pr.Purposes = append(pr.Purposes, name)
				} else {
					arr = nil
					break
				}
			}
			if arr == nil {
				ps.fail(k("purposes"), "%s: want a list of purpose names, e.g. [\"quality\"], not %v", where(k("purposes")), v)
			}
		}
		r.Profiles = append(r.Profiles, pr)
	}
	r.validate(ps)
	if check != nil {
		for _, p := range check(r) {
			ps.add(at{p.Table, p.Index, p.Key}, "%s", p.Msg)
		}
	}
	if err := ps.err(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return r, nil
}

// Validate checks the rules and returns every problem found.
func (r *Rules) Validate() error {
	ps := &problems{}
	r.validate(ps)
	return ps.err()
}

// validate adds every problem of the rules to ps; a key already reported
// (a value that could not be read) is not reported again.
func (r *Rules) validate(ps *problems) {
	if len(r.Purposes) == 0 {
		ps.add(at{}, "no purpose defined")
	}
	seen := map[string]bool{}
	for i := range r.Purposes {
		p := &r.Purposes[i]
		k := func(key string) at { return at{"purpose", i, key} }
		where := fmt.Sprintf("purpose %q", p.Name)
		switch {
		case p.Name == "":
			ps.add(k("name"), "purpose %d: no name", i+1)
		case !validName(p.Name):
			ps.add(k("name"), "%s: name: use lower-case letters, digits and '-' (at most 32)", where)
		case seen[p.Name]:
			ps.add(k("name"), "%s: defined twice", where)
		}
		seen[p.Name] = true
		if strings.TrimSpace(p.Description) == "" {
			ps.add(k("description"), "%s: no description (it goes into the notice and the register)", where)
		}
		if p.Basis.Article() == "" {
			ps.add(k("basis"), "%s: basis %q: want consent, contract, legal-obligation, vital-interests, public-task or legitimate-interests", where, p.Basis)
		}
		switch {
		case p.Until == "" && p.Retention.IsZero():
			ps.add(k("retention"), "%s: no retention: give retention = \"30d\", or until = \"EVENT\" with after and max", where)
		case p.Until != "" && !p.Retention.IsZero():
			ps.add(k("until"), "%s: give either retention or until, not both", where)
		case p.Until != "" && p.Max.IsZero():
			ps.add(k("max"), "%s: until %q needs a hard maximum (max = \"1y\")", where, p.Until)
		case p.Until != "" && !validName(p.Until):
			ps.add(k("until"), "%s: until: event name %q: use lower-case letters, digits and '-'", where, p.Until)
		case p.Until == "" && !p.After.IsZero():
			ps.add(k("after"), "%s: after is only for until retention", where)
		case !p.Max.IsZero() && p.Until == "" && longer(p.Retention, p.Max):
			ps.add(k("max"), "%s: max %s is shorter than retention %s", where, p.Max, p.Retention)
		case p.Until != "" && longer(p.After, p.Max):
			ps.add(k("after"), "%s: after %s is longer than max %s", where, p.After, p.Max)
		}
		switch p.Objection {
		case Ends, Refuses:
		case Continues:
			if p.Basis != LegalObligation && p.Basis != VitalInterests {
				ps.add(k("objection"), "%s: objection = continues is only for legal-obligation or vital-interests (GDPR art. 21 and 7(3))", where)
			}
		default:
			ps.add(k("objection"), "%s: objection %q: want ends, continues or refuses", where, p.Objection)
		}
		if p.Review && p.Restricted {
			ps.add(k("restricted"), "%s: review and restricted exclude each other", where)
		}
	}
	if len(r.Profiles) == 0 {
		ps.add(at{}, "no line profile: say which purposes apply on which line ([[line]])")
	}
	lines := map[int]int{}
	catchAll := 0
	for i, pr := range r.Profiles {
		k := func(key string) at { return at{"line", i, key} }
		where := fmt.Sprintf("line profile %d", i+1)
		if len(pr.Lines) == 0 {
			catchAll++
			if catchAll > 1 {
				ps.add(at{"line", i, ""}, "%s: more than one line profile without lines", where)
			}
		}
		for _, l := range pr.Lines {
			if l < 1 || l > 64 {
				ps.add(k("lines"), "%s: line %d: lines are numbered 1..64", where, l)
			}
			if j, ok := lines[l]; ok && j != i {
				ps.add(k("lines"), "%s: line %d is also in line profile %d", where, l, j+1)
			}
			lines[l] = i
		}
		if len(pr.Purposes) == 0 {
			ps.add(k("purposes"), "%s: no purposes", where)
		}
		for _, name := range pr.Purposes {
			if r.Purpose(name) == nil {
				ps.add(k("purposes"), "%s: unknown purpose %q", where, name)
			}
		}
		if pr.Notice == "" {
			ps.add(k("notice"), "%s: no notice: callers must hear why before anything is recorded (GDPR art. 13)", where)
		}
		if pr.Language != "" && !isLanguage(pr.Language) {
			ps.add(k("language"), "%s: language %q: want a lower-case language code such as \"nl\" or \"en\"", where, pr.Language)
		}
	}
	if !r.HoldMax.IsZero() && r.HoldMax.Years == 0 && r.HoldMax.D < time.Hour {
		ps.add(at{key: "hold_max"}, "settings: hold_max %s is shorter than an hour", r.HoldMax)
	}
	if r.MaxClockJump < 0 || (r.MaxClockJump > 0 && r.MaxClockJump < time.Minute) {
		ps.add(at{key: "max_clock_jump"}, "settings: max_clock_jump %v: at least a minute", r.MaxClockJump)
	}
}

// longer reports whether a is longer than b from a fixed reference.
func longer(a, b Span) bool {
	ref := time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)
	return a.Add(ref).After(b.Add(ref))
}

func validName(s string) bool {
	if len(s) == 0 || len(s) > 32 {
		return false
	}
	for _, c := range s {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			return false
		}
	}
	return true
}

// Purpose returns the purpose named name, or nil.
func (r *Rules) Purpose(name string) *Purpose {
	for i := range r.Purposes {
		if r.Purposes[i].Name == name {
			return &r.Purposes[i]
		}
	}
	return nil
}

// Profile returns the profile of line, or nil if no profile covers it.
func (r *Rules) Profile(line int) *Profile {
	var all *Profile
	for i := range r.Profiles {
		pr := &r.Profiles[i]
		if len(pr.Lines) == 0 {
			all = pr
		}
		if slices.Contains(pr.Lines, line) {
			return pr
		}
	}
	return all
}

// HoldLimit is how far a hold extends a grant: HoldMax, or one year
// when that is zero.
func (r *Rules) HoldLimit() Span {
	if r.HoldMax.IsZero() {
		return Span{Years: 1}
	}
	return r.HoldMax
}

func (r *Rules) maxJump() time.Duration {
	if r.MaxClockJump == 0 {
		return trustclock.DefaultMaxJump
	}
	return r.MaxClockJump
}

// isLanguage reports whether s looks like a language code as notice file
// names use it: 2 to 8 lower-case letters (nl, en, fy, ...).
func isLanguage(s string) bool {
	if len(s) < 2 || len(s) > 8 {
		return false
	}
	for _, c := range s {
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}
