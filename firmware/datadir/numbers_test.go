package datadir

import (
	"path/filepath"
	"slices"
	"testing"

	"fairrec/firmware/clock/clocktest"
	"fairrec/storage/audit"
	"fairrec/storage/vault"
)

// TestErasureAnyForm: an erasure request in any common written form of a
// Dutch, Belgian, German or UK number, mobile or fixed, erases exactly that
// caller's recordings in a vault holding callers of all four countries.
func TestErasureAnyForm(t *testing.T) {
	callers := map[string]string{ // as caller ID delivered it -> who
		"0201234567":     "amsterdam",
		"0612345678":     "dutch mobile",
		"+3221234567":    "brussels",
		"0032470123456":  "belgian mobile",
		"+49 30 123456":  "berlin",
		"+4915123456789": "german mobile",
		"+442079460958":  "london",
		"00447700900123": "uk mobile",
	}
	forms := []struct{ written, who string }{
		{"020-1234567", "amsterdam"}, {"+31201234567", "amsterdam"}, {"0031 20 123 4567", "amsterdam"},
		{"+31 (0)20 123 45 67", "amsterdam"}, {"020.123.45.67", "amsterdam"},
		{"06 12 34 56 78", "dutch mobile"}, {"+31 6 12345678", "dutch mobile"},
		{"+32 2 123 45 67", "brussels"}, {"0032 (0)2 123 45 67", "brussels"},
		{"+32 470 12 34 56", "belgian mobile"},
		{"0049 30 123456", "berlin"}, {"+49 (0)30 123456", "berlin"},
		{"+49 151 2345 6789", "german mobile"},
		{"+44 20 7946 0958", "london"}, {"0044 (0)20 7946 0958", "london"},
		{"+44 7700 900123", "uk mobile"}, {"0044-7700-900-123", "uk mobile"},
	}
	actor := audit.Actor{Kind: audit.ActorRole, ID: "supervisor"}
	for _, f := range forms {
		t.Run(f.written, func(t *testing.T) {
			dir := t.TempDir()
			if err := vault.InitKey(filepath.Join(dir, vault.KeyFile), nil); err != nil {
				t.Fatal(err)
			}
			d, err := Open(Config{Dir: dir, Clock: clocktest.New(t0), Audit: AuditNone})
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			want := map[vault.ID]bool{}
			for number, who := range callers {
				st, err := d.Policy.Start(1, false, actor)
				if err != nil {
					t.Fatal(err)
				}
				st.Meta.Caller = number
				id, err := d.Vault.Create(st.Meta)
				if err != nil {
					t.Fatal(err)
				}
				if err := d.Vault.Seal(id, t0); err != nil {
					t.Fatal(err)
				}
				want[id] = who == f.who
			}
			r, err := d.Policy.EraseCaller(f.written, actor)
			if err != nil {
				t.Fatal(err)
			}
			var wantIDs []vault.ID
			for id, erased := range want {
				if erased {
					wantIDs = append(wantIDs, id)
				}
			}
			if got := slices.Sorted(slices.Values(r.Erased)); !slices.Equal(got, slices.Sorted(slices.Values(wantIDs))) {
				t.Errorf("erased %v, want %s's %v", got, f.who, wantIDs)
			}
			left, err := d.Vault.List(vault.Query{})
			if err != nil {
				t.Fatal(err)
			}
			if len(left) != len(callers)-len(wantIDs) {
				t.Errorf("%d recordings left, want %d", len(left), len(callers)-len(wantIDs))
			}
		})
	}
}
