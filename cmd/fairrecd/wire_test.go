package main

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"fairrec/firmware/policy"
	"fairrec/storage/audit"
)

// TestConfigEntries: the configuration in force is audited whole, each
// purpose's rule in its own entry that the log accepts as it is.
func TestConfigEntries(t *testing.T) {
	rules := policy.Default()
	tests := []struct {
		name, notices string
		want          []string // purpose: detail
	}{
		{"defaults", "", []string{
			": in force at start: 4 purposes from defaults; notices built-in",
			"training: in force at start: 30 days; legitimate-interests; objection ends",
			"quality: in force at start: 90 days; legitimate-interests; objection ends",
			"contract: in force at start: until completed plus 30 days, at most 1 year; contract; objection refuses",
			"legal: in force at start: 5 years, up to 7 years if held; legal-obligation; objection continues",
		}},
		{"own notices", "/etc/fairrec/notices-2027", []string{
			": in force at start: 4 purposes from defaults; notices built-in and notices-2027",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			es := configEntries(rules, tc.notices)
			var got []string
			for _, e := range es {
				if e.Action != audit.ActionConfigChange || e.Actor.ID != "fairrecd" {
					t.Errorf("entry %+v", e)
				}
				if err := e.Validate(); err != nil {
					t.Errorf("entry %q refused by the log: %v", e.Detail, err)
				}
				if audit.Redact(e.Detail) != e.Detail {
					t.Errorf("entry %q would be cut or changed", e.Detail)
				}
				got = append(got, e.Purpose+": "+e.Detail)
			}
			if d := cmp.Diff(tc.want, got[:len(tc.want)]); d != "" {
				t.Errorf("configuration entries (-want +got):\n%s", d)
			}
		})
	}
}
