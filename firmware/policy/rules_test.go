package policy

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestDefaults(t *testing.T) {
	r := Default()
	want := map[string]struct {
		basis     Basis
		objection Effect
		rule      string
		review    bool
	}{
		"training": {LegitimateInterests, Ends, "30 days", false},
		"quality":  {LegitimateInterests, Ends, "90 days", true},
		"contract": {Contract, Refuses, "until completed + 30 days, at most 1 year", false},
		"legal":    {LegalObligation, Continues, "5 years, up to 7 years if held", false},
	}
	if len(r.Purposes) != len(want) {
		t.Fatalf("%d purposes, want %d", len(r.Purposes), len(want))
	}
	for name, w := range want {
		p := r.Purpose(name)
		if p == nil {
			t.Fatalf("no purpose %s", name)
		}
		if p.Basis != w.basis || p.Objection != w.objection || p.Rule() != w.rule || p.Review != w.review {
			t.Errorf("%s: %s %s %q review=%v", name, p.Basis, p.Objection, p.Rule(), p.Review)
		}
	}
	if !r.Purpose("legal").Restricted {
		t.Error("legal obligation: access not restricted")
	}
	if r.Profile(7) == nil || r.maxJump() != 48*time.Hour {
		t.Error("default profile or clock jump bound missing")
	}
}

func TestSpan(t *testing.T) {
	for _, c := range []struct {
		in   string
		want time.Time
		str  string
	}{
		{"30d", t0.Add(30 * day), "30d"},
		{"5y", time.Date(2032, 3, 1, 9, 0, 0, 0, time.UTC), "5y"},
		{"1y30d", time.Date(2028, 3, 31, 9, 0, 0, 0, time.UTC), "1y30d"},
		{"48h", t0.Add(48 * time.Hour), "2d"},
		{"2w", t0.Add(14 * day), "14d"},
		{"90m", t0.Add(90 * time.Minute), "1h30m"},
		{"36525d", t0.Add(36525 * day), "36525d"},
		// As people write them.
		{"30 days", t0.Add(30 * day), "30d"},
		{"30 d", t0.Add(30 * day), "30d"},
		{"1 day", t0.Add(day), "1d"},
		{"5 years", time.Date(2032, 3, 1, 9, 0, 0, 0, time.UTC), "5y"},
		{"1 year 30 days", time.Date(2028, 3, 31, 9, 0, 0, 0, time.UTC), "1y30d"},
		{"1y 30d", time.Date(2028, 3, 31, 9, 0, 0, 0, time.UTC), "1y30d"},
		{"1 year, 30 days", time.Date(2028, 3, 31, 9, 0, 0, 0, time.UTC), "1y30d"},
		{"2 Weeks", t0.Add(14 * day), "14d"},
		{"48 hours", t0.Add(48 * time.Hour), "2d"},
		{"90 minutes", t0.Add(90 * time.Minute), "1h30m"},
	} {
		s, err := ParseSpan(c.in)
		if err != nil {
			t.Fatalf("%s: %v", c.in, err)
		}
		if got := s.Add(t0); !got.Equal(c.want) || s.String() != c.str {
			t.Errorf("%s: adds to %v (%s), want %v (%s)", c.in, got, s, c.want, c.str)
		}
	}
	// 20000w and 1000000w wrapped time.Duration around to a retention in
	// the past, which would erase every recording at the next sweep.
	for _, bad := range []string{"", "30", "d", "30x", "-3d", "101y", "99999999999d", "20000w", "110000d", "1000000w", "36000d600d",
		"3 months", "30 dayz", "days 30", "60y60y"} {
		if _, err := ParseSpan(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// TestParseEveryProblem: a purposes file with several mistakes is refused
// with every one of them, each with its line, in the order of the file, so
// the installer can fix them all in one go.
func TestParseEveryProblem(t *testing.T) {
	const file = `hold_max = "1 jaar"
max_clock_jump = "48h"

[[purpose]]
name = "quality"
description = """
Quality control,
and complaints."""
basis = "legitimate-interest"
retention = "30 days"
objection = "ends"
review = "yes"

[[purpose]]
name = "training"
description = "Training."
basis = "consent"
retention = "30 dayz"
objection = "ends"
colour = "red"

[[line]]
purposes = ["quality", "sales"]
notice = "default"
`
	_, err := Parse([]byte(file))
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("Parse: %v, want ErrInvalid", err)
	}
	want := []string{
		`line 1: settings: hold_max: duration "1 jaar": unknown unit "jaar"`,
		`line 9: purpose "quality": basis "legitimate-interest": want consent,`,
		`line 12: purpose "quality": review: want true or false, not yes`,
		`line 18: purpose "training": retention: duration "30 dayz": unknown unit "dayz"`,
		`line 20: unknown key "purpose.colour"`,
		`line 23: line profile 1: unknown purpose "sales"`,
	}
	got := strings.Split(strings.TrimPrefix(err.Error(), ErrInvalid.Error()+": "), "\n")
	if len(got) != len(want) {
		t.Fatalf("%d problems reported, want %d:\n%v", len(got), len(want), err)
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("problem %d: %q, want it to start %q", i+1, got[i], want[i])
		}
	}
	if strings.Contains(err.Error(), "line 10:") {
		t.Errorf("retention = \"30 days\" is refused: %v", err)
	}
}

// TestParseErrors feeds broken purposes files: each is refused with an
// error that names the purpose or profile and the field.
func TestParseErrors(t *testing.T) {
	base := `
[[purpose]]
name = "quality"
description = "Quality."
basis = "legitimate-interests"
retention = "90d"
objection = "ends"
`
	line := `
[[line]]
purposes = ["quality"]
notice = "q.mp3"
`
	for _, c := range []struct{ name, toml, want string }{
		{"not toml", "[[purpose", "line 1: not valid TOML"},
		{"unknown key", base + "colour = \"red\"\n" + line, `line 8: unknown key "purpose.colour"`},
		{"bad basis", strings.Replace(base, "legitimate-interests", "because", 1) + line, `purpose "quality": basis "because"`},
		{"no retention", strings.Replace(base, `retention = "90d"`, "", 1) + line, "no retention"},
		{"both", strings.Replace(base, `retention = "90d"`, "retention = \"90d\"\nuntil = \"done\"\nmax = \"1y\"", 1) + line, "either retention or until"},
		{"until without max", strings.Replace(base, `retention = "90d"`, `until = "done"`, 1) + line, "needs a hard maximum"},
		{"bad duration", strings.Replace(base, "90d", "90 dayz", 1) + line, `line 6: purpose "quality": retention: duration "90 dayz": unknown unit "dayz": want a number and a unit`},
		{"months", strings.Replace(base, "90d", "3 months", 1) + line, `months differ in length`},
		{"no unit", strings.Replace(base, "90d", "90", 1) + line, `90 has no unit`},
		{"not a string", strings.Replace(base, `"90d"`, "90", 1) + line, `line 6: purpose "quality": retention: want a string in quotes`},
		{"not a bool", base + "review = \"yes\"\n" + line, `line 8: purpose "quality": review: want true or false`},
		{"continues on legitimate interest", strings.Replace(base, `"ends"`, `"continues"`, 1) + line, "only for legal-obligation"},
		{"bad effect", strings.Replace(base, `"ends"`, `"ignored"`, 1) + line, `objection "ignored"`},
		{"no description", strings.Replace(base, `"Quality."`, `""`, 1) + line, "no description"},
		{"bad name", strings.Replace(base, `"quality"`, `"Quality Control"`, 1) + strings.Replace(line, "quality", "Quality Control", 1), "name: use lower-case"},
		{"duplicate", base + base + line, "defined twice"},
		{"unknown purpose in profile", base + strings.Replace(line, `["quality"]`, `["quality", "sales"]`, 1), `unknown purpose "sales"`},
		{"no notice", base + strings.Replace(line, `notice = "q.mp3"`, "", 1), "no notice"},
		{"bad language", base + strings.Replace(line, `notice = "q.mp3"`, "notice = \"q.mp3\"\nlanguage = \"../en\"", 1), `language "../en"`},
		{"no profile", base, "no line profile"},
		{"line twice", base + "[[line]]\nlines = [1]\npurposes = [\"quality\"]\nnotice = \"a\"\n[[line]]\nlines = [1, 2]\npurposes = [\"quality\"]\nnotice = \"b\"\n", "line 1 is also in"},
		{"line out of range", base + "[[line]]\nlines = [0]\npurposes = [\"quality\"]\nnotice = \"a\"\n", "line 0"},
		{"max shorter", strings.Replace(base, `retention = "90d"`, "retention = \"90d\"\nmax = \"30d\"", 1) + line, "shorter than retention"},
		{"review and restricted", strings.Replace(base, `objection = "ends"`, "objection = \"ends\"\nreview = true\nrestricted = true", 1) + line, "exclude each other"},
		{"clock jump in years", "max_clock_jump = \"1y\"\n" + base + line, "max_clock_jump"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse([]byte(c.toml))
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want ErrInvalid mentioning %q", err, c.want)
			}
		})
	}
	if _, err := Parse([]byte(base + line)); err != nil {
		t.Fatalf("valid file refused: %v", err)
	}
}

func TestLoad(t *testing.T) {
	path := filepath.Join(t.TempDir(), "purposes.toml")
	if err := os.WriteFile(path, DefaultTOML(), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := Load(path)
	if err != nil || r.Source != path || len(r.Purposes) != 4 {
		t.Fatalf("load: %v, %+v", err, r)
	}
	if _, err := Load(path + ".missing"); err == nil || !strings.Contains(err.Error(), "load purposes") {
		t.Fatalf("missing file: %v", err)
	}
}
