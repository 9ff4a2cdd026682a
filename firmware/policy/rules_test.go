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
	for _, bad := range []string{"", "30", "d", "30x", "-3d", "101y", "99999999999d", "20000w", "110000d", "1000000w", "36000d600d"} {
		if _, err := ParseSpan(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
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
		{"not toml", "[[purpose", "toml"},
		{"unknown key", base + "colour = \"red\"\n" + line, `unknown key "purpose.colour"`},
		{"bad basis", strings.Replace(base, "legitimate-interests", "because", 1) + line, `purpose "quality": basis "because"`},
		{"no retention", strings.Replace(base, `retention = "90d"`, "", 1) + line, "no retention"},
		{"both", strings.Replace(base, `retention = "90d"`, "retention = \"90d\"\nuntil = \"done\"\nmax = \"1y\"", 1) + line, "either retention or until"},
		{"until without max", strings.Replace(base, `retention = "90d"`, `until = "done"`, 1) + line, "needs a hard maximum"},
		{"bad duration", strings.Replace(base, "90d", "90 days", 1) + line, `purpose "quality": retention: duration "90 days"`},
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
