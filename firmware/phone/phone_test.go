package phone_test

import (
	"errors"
	"testing"

	"fairrec/firmware/phone"
)

// TestWrittenForms: every common written form of Dutch, Belgian, German
// and UK numbers, mobile and fixed, normalises to the one E.164 number,
// read in the box's country.
func TestWrittenForms(t *testing.T) {
	tests := []struct {
		country, written, want string
	}{
		// Dutch fixed (Amsterdam) in the Netherlands.
		{"NL", "0201234567", "+31201234567"},
		{"NL", "020-1234567", "+31201234567"},
		{"NL", "020 123 4567", "+31201234567"},
		{"NL", "(020) 123 45 67", "+31201234567"},
		{"NL", "+31201234567", "+31201234567"},
		{"NL", "+31 20 123 4567", "+31201234567"},
		{"NL", "+31 (0)20 123 4567", "+31201234567"},
		{"NL", "0031201234567", "+31201234567"},
		{"NL", "0031 20 123 45 67", "+31201234567"},
		{"NL", "020.123.45.67", "+31201234567"},
		{"NL", "020/1234567", "+31201234567"},
		// Dutch mobile.
		{"NL", "0612345678", "+31612345678"},
		{"NL", "06-12345678", "+31612345678"},
		{"NL", "06 12 34 56 78", "+31612345678"},
		{"NL", "+31 6 12345678", "+31612345678"},
		{"NL", "0031612345678", "+31612345678"},
		// Foreign callers written in international form, box in NL.
		{"NL", "+32 2 123 45 67", "+3221234567"},      // Brussels fixed
		{"NL", "0032 470 12 34 56", "+32470123456"},   // Belgian mobile
		{"NL", "+49 30 12345678", "+493012345678"},    // Berlin fixed
		{"NL", "0049 151 23456789", "+4915123456789"}, // German mobile
		{"NL", "+44 20 7946 0958", "+442079460958"},   // London fixed
		{"NL", "+44 (0)7700 900123", "+447700900123"}, // UK mobile
		{"NL", "0044 7700 900123", "+447700900123"},   // UK mobile, 00
		// The same numbers in their own country's national form.
		{"BE", "02 123 45 67", "+3221234567"},
		{"BE", "0470/12.34.56", "+32470123456"},
		{"DE", "030 12345678", "+493012345678"},
		{"DE", "(030) 1234-5678", "+493012345678"},
		{"DE", "0151 23456789", "+4915123456789"},
		{"GB", "020 7946 0958", "+442079460958"},
		{"GB", "07700 900123", "+447700900123"},
		{"GB", "00 31 20 123 4567", "+31201234567"}, // the UK's international prefix is 00 too
	}
	plans := map[string]*phone.Plan{}
	for _, tt := range tests {
		p := plans[tt.country]
		if p == nil {
			var err error
			if p, err = phone.New(phone.Config{Country: tt.country}); err != nil {
				t.Fatal(err)
			}
			plans[tt.country] = p
		}
		got, err := p.Normalize(tt.written)
		if err != nil || got != tt.want {
			t.Errorf("in %s, %q = %q, %v; want %q", tt.country, tt.written, got, err, tt.want)
		}
	}
}

// TestNotNumbers: what is not a number is refused with ErrNotNumber,
// never turned into some number.
func TestNotNumbers(t *testing.T) {
	p, err := phone.New(phone.Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"", "   ", "P", "O", "withheld", "abc", "12", "+31", "0031", "+3120123456789012345", "020-12345678901234", "--", "()"} {
		got, err := p.Normalize(s)
		if !errors.Is(err, phone.ErrNotNumber) {
			t.Errorf("%q = %q, %v; want ErrNotNumber", s, got, err)
		}
	}
}

func TestUnknownCountry(t *testing.T) {
	if _, err := phone.New(phone.Config{Country: "XX"}); err == nil {
		t.Error("country XX accepted")
	}
	p, err := phone.New(phone.Config{Country: " be "})
	if err != nil || p.Country() != "BE" {
		t.Errorf("country \" be \": %v, %v", p, err)
	}
}
