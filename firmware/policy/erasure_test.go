package policy

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"fairrec/storage/audit"
)

// TestErasureRequestAudited: every erasure request leaves one entry
// with its result and without the number, also one that finds nothing.
func TestErasureRequestAudited(t *testing.T) {
	b := newBox(t, testRules(t))
	b.call(1, "+31 20 123 4567", false)
	b.call(3, "+31 20 123 4567", false)
	tests := []struct {
		name, number, want string
	}{
		{"finds two, one kept by law", "0031201234567", "request found=2 erased=1 restricted=1 failed=0"},
		{"finds nothing", "0612345678", "request found=0 erased=0 restricted=0 failed=0"},
		{"again: the one the law keeps", "0031201234567", "request found=1 erased=0 restricted=1 failed=0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := len(b.rec.Entries())
			if _, err := b.e.EraseCaller(tc.number, supervisor); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range b.rec.Entries()[n:] {
				if e.Action == audit.ActionEraseRequest && e.Recording == 0 {
					got = append(got, e.Actor.String()+" "+e.Detail)
				}
			}
			if d := cmp.Diff([]string{"role:supervisor " + tc.want}, got); d != "" {
				t.Errorf("request entries (-want +got):\n%s", d)
			}
		})
	}
}
