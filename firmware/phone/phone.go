package phone

import (
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/nyaruka/phonenumbers"
)

// ErrNotNumber is wrapped by every error of Normalize: the text is not a
// telephone number of any region.
var ErrNotNumber = errors.New("not a telephone number")

// DefaultCountry is the country of Config's zero value.
const DefaultCountry = "NL"

// Config says where the box is. Zero value: the Netherlands.
type Config struct {
	// Country is the ISO 3166-1 alpha-2 region whose national forms and
	// international prefix numbers without a "+" are read in.
	Country string
}

// Plan normalises numbers for one country.
type Plan struct {
	country string
}

// New returns the plan of cfg's country; an unknown region is an error.
func New(cfg Config) (*Plan, error) {
	c := strings.ToUpper(strings.TrimSpace(cfg.Country))
	if c == "" {
		c = DefaultCountry
	}
	if phonenumbers.GetCountryCodeForRegion(c) == 0 {
		return nil, fmt.Errorf("phone: unknown country %q (want an ISO 3166 code such as NL, BE, DE, GB)", cfg.Country)
	}
	return &Plan{country: c}, nil
}

// Country is the plan's region code.
func (p *Plan) Country() string { return p.country }

// Normalize returns number in E.164 form, or an error wrapping ErrNotNumber
// that says why it is not one.
func (p *Plan) Normalize(number string) (string, error) {
	s := strings.TrimSpace(number)
	if s == "" {
		return "", fmt.Errorf("phone: empty: %w", ErrNotNumber)
	}
	for _, r := range s {
		if unicode.IsLetter(r) {
			// phonenumbers reads letters as keypad digits (1-800-FLOWERS);
			// nobody writes a caller's number that way on an erasure form,
			// and a withheld caller ID ("P", "O") must not become a number.
			return "", fmt.Errorf("phone: %q has letters: %w", clip(s), ErrNotNumber)
		}
	}
	n, err := phonenumbers.Parse(s, p.country)
	if err != nil {
		return "", fmt.Errorf("phone: %q: %v: %w", clip(s), err, ErrNotNumber)
	}
	if !phonenumbers.IsPossibleNumber(n) {
		return "", fmt.Errorf("phone: %q is not a possible number (wrong length for +%d): %w", clip(s), n.GetCountryCode(), ErrNotNumber)
	}
	return phonenumbers.Format(n, phonenumbers.E164), nil
}

// clip keeps a number in an error message short: the input may be a whole
// console line.
func clip(s string) string {
	if r := []rune(s); len(r) > 32 {
		return string(r[:32]) + "..."
	}
	return s
}

// Name identifies the plan's form of numbers, e.g. "e164 NL": an index
// keyed under one plan must be rebuilt under another (storage/vault).
func (p *Plan) Name() string { return "e164 " + p.country }
