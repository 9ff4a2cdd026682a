package dtmf

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestProfilesAreCopies: adjusting a profile, as callerid lowers ETSI's
// minimum level, changes neither the next caller's profile nor what a
// zero Config detects with. The profiles were once exported variables that
// any package could overwrite for everybody.
func TestProfilesAreCopies(t *testing.T) {
	for _, f := range []func() Profile{ETSI, ATT, NTT} {
		want := f()
		p := f()
		p.MinLevel, p.NormalTwist, p.Name = -42, 0, "changed"
		if d := cmp.Diff(want, f()); d != "" {
			t.Errorf("%s changed after a caller edited its copy (-want +got):\n%s", want.Name, d)
		}
		if err := want.validate(); err != nil {
			t.Errorf("%s: %v", want.Name, err)
		}
	}
	d, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	if d.prof.Name != "ETSI" {
		t.Errorf("zero Config uses profile %q, want ETSI", d.prof.Name)
	}
}
