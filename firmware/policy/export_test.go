package policy

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// richRules uses every key of the purposes file, with values that need
// quoting, so the round trip covers what an installer can write.
func richRules(t *testing.T) *Rules {
	t.Helper()
	r, err := Parse([]byte(`
hold_max = "2y"
max_clock_jump = "36h"
country = "BE"
[controller]
name = "Acme \"Phones\" BV"
contact = "privacy desk, Main St. 1\tBrussels"
dpo = "C:\\dpo"
[[purpose]]
name = "quality"
description = "Quality — and complaints."
basis = "legitimate-interests"
retention = "90d"
max = "1y30d"
objection = "ends"
review = true
hold = true
[[purpose]]
name = "contract"
description = "Evidence of an agreement."
basis = "contract"
until = "completed"
after = "30d"
max = "1y"
objection = "refuses"
[[purpose]]
name = "legal"
description = "Required by law."
basis = "legal-obligation"
retention = "5y"
objection = "continues"
restricted = true
[[line]]
lines = [2, 3]
purposes = ["contract", "quality"]
notice = "sales"
language = "en"
[[line]]
purposes = ["quality", "legal"]
notice = "default"
`))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestMarshalRoundTrip: what config export writes, config import reads
// back as the same rules, and finds nothing to change.
func TestMarshalRoundTrip(t *testing.T) {
	for name, r := range map[string]*Rules{"defaults": Default(), "rich": richRules(t)} {
		t.Run(name, func(t *testing.T) {
			b := Marshal(r)
			back, err := Parse(b)
			if err != nil {
				t.Fatalf("Parse(Marshal(r)): %v\n%s", err, b)
			}
			back.Source = r.Source
			if d := cmp.Diff(r, back); d != "" {
				t.Errorf("round trip (-exported +imported):\n%s\n%s", d, b)
			}
			if cs := Diff(r, back); len(cs) != 0 {
				t.Errorf("Diff after a round trip: %v", cs)
			}
			if again := Marshal(back); string(again) != string(b) {
				t.Errorf("a second export differs:\n%s\n---\n%s", b, again)
			}
		})
	}
}

func TestDiff(t *testing.T) {
	old := Default()
	r := Default()
	r.Purpose("training").Retention = Span{D: 7 * day}
	r.Purposes = append(r.Purposes, Purpose{Name: "sales", Description: "Sales.", Basis: Consent,
		Retention: Span{D: 14 * day}, Objection: Ends})
	r.Profiles[0].Purposes = []string{"quality", "training", "sales"}
	r.Profiles = append(r.Profiles, Profile{Lines: []int{2}, Purposes: []string{"contract"}, Notice: "sales"})
	r.Country = "DE"
	var got []string
	for _, c := range Diff(old, r) {
		got = append(got, c.String())
	}
	want := []string{
		"settings: country NL -> DE",
		`purpose "training": retention 30 days -> 7 days`,
		`purpose "sales": added: consent, 14 days, objection ends`,
		"line profile for every other line: purposes quality, training -> quality, training, sales",
		"line profile for line 2: added: purposes contract; notice set sales",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("Diff (-want +got):\n%s", d)
	}
}

// TestSetRulesKeepsGrants: after new rules are put in force, a new call
// gets their grants, and a recording made before keeps its own, through
// a hold and a release too (which recompute deadlines).
func TestSetRulesKeepsGrants(t *testing.T) {
	b := newBox(t, testRules(t))
	before := b.call(1, "0201234567", false)
	want := b.grants(before)

	r := testRules(t)
	r.Purpose("quality").Retention = Span{D: 10 * day}
	r.Purpose("quality").Hold = false
	r.Purpose("training").Retention = Span{D: 3 * day}
	if err := b.e.SetRules(r); err != nil {
		t.Fatal(err)
	}
	after := b.call(1, "0201234568", false)
	g := b.grants(after)
	now := b.k.Now()
	if d := g["quality"].Sub(now); d < 9*day || d > 11*day {
		t.Errorf("new call: quality for %v, want the new 10 days", d)
	}
	if d := cmp.Diff(want, b.grants(before)); d != "" {
		t.Errorf("the recording made before changed (-before +now):\n%s", d)
	}
	// quality was holdable when it was granted: the hold applies, and its
	// release restores the deadline it was granted, not the new 10 days.
	if _, err := b.e.Hold(before, "complaint-1", supervisor); err != nil {
		t.Fatalf("hold of a recording granted holdable quality: %v", err)
	}
	if _, err := b.e.Release(before, supervisor); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want, b.grants(before)); d != "" {
		t.Errorf("after hold and release (-granted +now):\n%s", d)
	}
	if _, err := b.e.Hold(after, "complaint-2", supervisor); err == nil {
		t.Error("the new call's quality is not holdable under the new rules, but the hold was taken")
	}
	b.advance(4 * day)
	b.sweep()
	if _, ok := b.grants(before)["training"]; !ok {
		t.Error("the recording made before lost training after 4 days: it was granted 30")
	}
	if _, ok := b.grants(after)["training"]; ok {
		t.Error("the new call kept training past its 3 days")
	}

	bad := testRules(t)
	bad.Profiles[0].Purposes = []string{"nosuch"}
	if err := b.e.SetRules(bad); err == nil || !strings.Contains(err.Error(), "nosuch") {
		t.Errorf("SetRules of invalid rules: %v", err)
	}
	if b.e.Rules() != r {
		t.Error("invalid rules replaced the rules in force")
	}
}

// FuzzMarshalRoundTrip: whatever file Parse accepts, its export reads back
// as the same rules; whatever it refuses, it refuses without a panic.
func FuzzMarshalRoundTrip(f *testing.F) {
	f.Add(DefaultTOML())
	f.Add([]byte("country = \"BE\"\n[[purpose]]\nname = \"a\"\ndescription = \"x\\u0001\\\"\"\nbasis = \"consent\"\nretention = \"1y1s\"\nobjection = \"ends\"\n[[line]]\nlines = [3]\npurposes = [\"a\"]\nnotice = \"n\"\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := Parse(b)
		if err != nil {
			return
		}
		back, err := Parse(Marshal(r))
		if err != nil {
			t.Fatalf("the export of valid rules is refused: %v\n%s", err, Marshal(r))
		}
		if d := cmp.Diff(r, back); d != "" {
			t.Fatalf("round trip (-exported +imported):\n%s", d)
		}
	})
}
