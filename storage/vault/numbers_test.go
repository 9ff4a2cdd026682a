package vault

import (
	"errors"
	"slices"
	"testing"
	"time"

	"fairrec/firmware/phone"
)

func plan(t *testing.T, country string) *phone.Plan {
	t.Helper()
	p, err := phone.New(phone.Config{Country: country})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestNumbersAnyForm: with the box's numbering, every written form of a
// caller's number finds exactly that caller's recordings, whatever form
// caller ID delivered it in, among callers of several countries.
func TestNumbersAnyForm(t *testing.T) {
	cfg := testConfig(newDir(t))
	cfg.Numbers = plan(t, "NL")
	v := mustOpen(t, cfg)
	defer v.Close()
	callers := map[string]string{ // as caller ID delivered them -> who
		"0201234567":     "amsterdam",
		"+31612345678":   "dutch mobile",
		"0032 2 1234567": "brussels",
		"+32470123456":   "belgian mobile",
		"004930123456":   "berlin",
		"+4915123456789": "german mobile",
		"00442079460958": "london",
		"+447700900123":  "uk mobile",
	}
	ids := map[string][]ID{}
	for number, who := range callers {
		for range 2 {
			id := mustCreate(t, v, Meta{Line: 1, Start: t0, Caller: number})
			ids[who] = append(ids[who], id)
		}
	}
	other := mustCreate(t, v, Meta{Line: 2, Start: t0, Caller: "0101111111"})
	must(t, v.AddCaller(other, "+31 20 123 4567")) // Amsterdam, announced by call waiting
	ids["amsterdam"] = append(ids["amsterdam"], other)
	for _, tt := range []struct{ written, who string }{
		{"0201234567", "amsterdam"}, {"020-1234567", "amsterdam"}, {"020 123 4567", "amsterdam"},
		{"+31201234567", "amsterdam"}, {"0031201234567", "amsterdam"}, {"+31 (0)20 123 45 67", "amsterdam"},
		{"(020) 123.45.67", "amsterdam"},
		{"06-12345678", "dutch mobile"}, {"+31 6 1234 5678", "dutch mobile"}, {"0031 6 12345678", "dutch mobile"},
		{"+32 2 123 45 67", "brussels"}, {"0032 2 123 45 67", "brussels"},
		{"+32 470 12 34 56", "belgian mobile"}, {"0032470123456", "belgian mobile"},
		{"+49 30 123456", "berlin"}, {"0049 (0)30 123456", "berlin"},
		{"+49 151 23456789", "german mobile"}, {"0049-151-23456789", "german mobile"},
		{"+44 20 7946 0958", "london"}, {"0044 (0)20 7946 0958", "london"},
		{"+44 7700 900123", "uk mobile"}, {"0044 7700 900 123", "uk mobile"},
	} {
		l, err := v.List(Query{Caller: tt.written})
		if err != nil {
			t.Errorf("%q: %v", tt.written, err)
			continue
		}
		var got []ID
		for _, in := range l {
			got = append(got, in.ID)
		}
		slices.Sort(got)
		want := slices.Sorted(slices.Values(ids[tt.who]))
		if !slices.Equal(got, want) {
			t.Errorf("%q: recordings %v, want %s's %v", tt.written, got, tt.who, want)
		}
	}
	for _, bad := range []string{"P", "12", "+31", "abc"} {
		if _, err := v.List(Query{Caller: bad}); !errors.Is(err, ErrNotNumber) {
			t.Errorf("%q: %v, want ErrNotNumber", bad, err)
		}
	}
}

// TestReindex: a vault indexed before numbers were normalised (or under
// another country) is reindexed once at Open, so the international form
// of a number stored in national form finds it.
func TestReindex(t *testing.T) {
	dir := newDir(t)
	v := mustOpen(t, testConfig(dir))
	a := mustCreate(t, v, Meta{Line: 1, Start: t0, Caller: "0201234567", Others: []string{"0612345678"}})
	must(t, v.Seal(a, t0.Add(time.Minute)))
	b := mustCreate(t, v, Meta{Line: 1, Start: t0, Caller: "02 123 45 67"}) // a Brussels number, in Belgian form
	must(t, v.Close())

	for _, tt := range []struct {
		country, query string
		want           ID
	}{
		{"NL", "+31201234567", a}, {"NL", "+31612345678", a},
		// The box moves to Belgium: the index follows its numbering
		// (numbers stored in national form are now read as Belgian).
		{"BE", "+3221234567", b}, {"BE", "02/123.45.67", b},
	} {
		cfg := testConfig(dir)
		cfg.Numbers = plan(t, tt.country)
		v := mustOpen(t, cfg)
		l, err := v.List(Query{Caller: tt.query})
		if err != nil || len(l) != 1 || l[0].ID != tt.want {
			t.Errorf("in %s, %s: %v, %v; want recording %v", tt.country, tt.query, l, err, tt.want)
		}
		must(t, v.Close())
	}
}
