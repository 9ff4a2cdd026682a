package callerid

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestParseMessage(t *testing.T) {
	withSum := func(b ...byte) []byte { return append(b, Checksum(b)) }
	tests := []struct {
		name    string
		msg     []byte
		want    Result
		wantErr error
		errText string // must appear in the error
	}{
		{name: "ETSI call set-up, all parameters", msg: etsiSetup,
			want: Result{Type: 0x80, Number: "0201234567", Name: "Jansen B.V.",
				Redirecting: "0307654321", Time: DateTime{11, 27, 3, 42}}},
		{name: "ETSI number unavailable", msg: message(0x80, param(0x01, "12312359"), param(0x04, "O")),
			want: Result{Type: 0x80, Reason: ReasonUnavailable, Time: DateTime{12, 31, 23, 59}}},
		{name: "ETSI number private", msg: message(0x80, param(0x04, "P")),
			want: Result{Type: 0x80, Reason: ReasonWithheld}},
		{name: "unknown reason code", msg: message(0x80, param(0x04, "X")),
			want: Result{Type: 0x80, Reason: ReasonOther}},
		{name: "unknown parameters are skipped", msg: message(0x80, param(0x11, "\x01"), param(0xE0, "0123456789"), param(0x02, "+31201234567")),
			want: Result{Type: 0x80, Number: "+31201234567"}},
		{name: "spaces in the number dropped", msg: message(0x80, param(0x02, "020 123-4567")),
			want: Result{Type: 0x80, Number: "0201234567"}},
		{name: "name control characters dropped, Latin-1 kept", msg: message(0x80, param(0x07, "M\x1b[2J\xfcller\xe9")),
			want: Result{Type: 0x80, Name: "M[2J\u00fcller\u00e9"}},
		{name: "bad date ignored", msg: message(0x80, param(0x01, "13329999"), param(0x02, "123")),
			want: Result{Type: 0x80, Number: "123"}},
		{name: "Bell SDMF", msg: bellSDMF, want: bellSDMFWant},
		{name: "Bell SDMF private", msg: message(0x04, []byte("01020304P")),
			want: Result{Type: 0x04, Reason: ReasonWithheld, Time: DateTime{1, 2, 3, 4}}},
		{name: "Bell SDMF out of area", msg: message(0x04, []byte("01020304O")),
			want: Result{Type: 0x04, Reason: ReasonUnavailable, Time: DateTime{1, 2, 3, 4}}},
		{name: "Bell MDMF", msg: bellMDMF, want: bellMDMFWant},
		{name: "empty call set-up", msg: message(0x80), want: Result{Type: 0x80}},

		{name: "bad checksum", msg: append(etsiSetup[:len(etsiSetup)-1:len(etsiSetup)-1], etsiSetup[len(etsiSetup)-1]+1),
			wantErr: ErrChecksum, errText: "expected 0x"},
		{name: "one bit flipped in the body", msg: func() []byte {
			b := append([]byte(nil), etsiSetup...)
			b[5] ^= 0x04
			return b
		}(), wantErr: ErrChecksum},
		{name: "truncated", msg: etsiSetup[:10], wantErr: ErrTruncated},
		{name: "too short", msg: []byte{0x80, 0x00}, wantErr: ErrTruncated},
		{name: "nothing", msg: nil, wantErr: ErrTruncated},
		{name: "trailing bytes", msg: append(append([]byte(nil), etsiSetup...), 0), wantErr: ErrMalformed},
		{name: "parameter runs past the end", msg: withSum(0x80, 4, 0x02, 5, '1', '2'), wantErr: ErrMalformed, errText: "runs past"},
		{name: "number then a broken parameter", msg: message(0x80, param(0x02, "123"), []byte{0x07, 9, 'a'}), wantErr: ErrMalformed},
		{name: "parameter without length", msg: withSum(0x80, 1, 0x02), wantErr: ErrMalformed},
		{name: "letters in the number", msg: message(0x80, param(0x02, "12ab")), wantErr: ErrMalformed},
		{name: "SDMF too short", msg: message(0x04, []byte("0102")), wantErr: ErrMalformed},
		{name: "message waiting is not caller ID", msg: message(0x82, param(0x0B, "\xff")), wantErr: ErrUnsupported},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseMessage(tc.msg, V23)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				if !strings.Contains(err.Error(), tc.errText) {
					t.Errorf("err = %q, want it to mention %q", err, tc.errText)
				}
				if got.Number != "" || got.Name != "" {
					t.Errorf("a rejected message yielded personal data: %v", got)
				}
				return
			}
			if err != nil {
				t.Fatalf("err = %v", err)
			}
			want := tc.want
			want.Format = V23
			if diff := cmp.Diff(want, got, cmpopts.EquateErrors()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestChecksum(t *testing.T) {
	// The example of EN 300 659-3 style: the checksum makes the byte sum
	// zero modulo 256.
	for _, m := range [][]byte{etsiSetup, bellSDMF, bellMDMF} {
		var s byte
		for _, b := range m {
			s += b
		}
		if s != 0 {
			t.Errorf("message % x sums to %#x", m, s)
		}
	}
	if got := Checksum([]byte{0x80, 0x01, 0x7f}); got != 0 {
		t.Errorf("Checksum(80 01 7f) = %#x, want 0", got)
	}
	if got := Checksum([]byte{0x04, 0x01, 0x30}); got != 0xcb {
		t.Errorf("Checksum(04 01 30) = %#x, want 0xcb", got)
	}
}

func FuzzMessage(f *testing.F) {
	for _, m := range [][]byte{etsiSetup, bellSDMF, bellMDMF, {0x80, 2, 2, 9, 0}, {}} {
		f.Add(m)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := ParseMessage(b, Bell202)
		if err != nil && (r.Number != "" || r.Name != "") {
			t.Fatalf("error %v with personal data", err)
		}
		if err == nil {
			var s byte
			for _, c := range b {
				s += c
			}
			if s != 0 {
				t.Fatalf("accepted a message whose checksum is wrong")
			}
			if _, err := r.MarshalBinary(); err != nil {
				t.Fatalf("MarshalBinary: %v", err)
			}
		}
	})
}
