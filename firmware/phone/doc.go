// Package phone normalises telephone numbers as people write them and as
// caller ID delivers them to one form, E.164 ("+31201234567"), so that an
// erasure or access request in any written form finds every recording of
// that caller.
//
// A number is parsed with the box's country (Config.Country, an ISO 3166
// region such as "NL"): national forms ("020-1234567", "(020) 123 4567",
// "06 12 34 56 78"), the international prefix of that country ("0031 20
// ...", "00 32 ..."), "+CC" with or without the national trunk zero in
// brackets ("+31 (0)20 ..."), spaces, dashes, dots, slashes and brackets
// all give the same number. The parsing and the numbering plans are
// github.com/nyaruka/phonenumbers (a port of Google's libphonenumber):
// hand-written rules for a handful of countries miss the rest.
//
// Invariants: Normalize never returns a number it could not parse; what is
// not a possible number for its region (too short, too long, letters) is
// an error wrapping ErrNotNumber, never silently matched against nothing.
// Short numbers of a private exchange ("1234") are kept as their digits
// with ErrNotNumber reported, for the caller to decide.
//
// Standards: ITU-T E.164 (the international public telecommunication
// numbering plan) and E.123 (written notation).
package phone
