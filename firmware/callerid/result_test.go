package callerid

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestResultRedacts: however a Result is printed or logged, the number, the
// name and the redirecting number stay out.
func TestResultRedacts(t *testing.T) {
	r := Result{Format: V23, Type: 0x80, Number: "0201234567", Name: "Jansen",
		Redirecting: "0307654321", Time: DateTime{11, 27, 3, 42}}
	var logged bytes.Buffer
	slog.New(slog.NewTextHandler(&logged, nil)).Info("call", "cid", r)
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("call", "cid", r)
	outputs := map[string]string{
		"String": r.String(), "%v": fmt.Sprintf("%v", r), "%+v": fmt.Sprintf("%+v", r),
		"%#v": fmt.Sprintf("%#v", r), "slog": logged.String(),
	}
	//lint:ignore S1025 what %s prints is the point of the test
	outputs["%s"] = fmt.Sprintf("%s", r)
	for how, out := range outputs {
		for _, secret := range []string{"0201234567", "Jansen", "0307654321", "1234"} {
			if strings.Contains(out, secret) {
				t.Errorf("%s output %q contains %q", how, out, secret)
			}
		}
	}
	if s := r.String(); !strings.Contains(s, "V.23") || !strings.Contains(s, "<10 chars>") {
		t.Errorf("String() = %q, want the format and the number's length", s)
	}
}

func TestResultMarshal(t *testing.T) {
	r := Result{Format: DTMF, Number: "0201234567", Reason: ReasonNone, Redirecting: "0307",
		Name: "Ünal", NameReason: ReasonWithheld, Time: DateTime{1, 2, 3, 4}, Start: 5, End: 6}
	b, err := r.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var got Result
	if err := got.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(r, got); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	if _, err := (Result{Err: ErrChecksum}).MarshalBinary(); !errors.Is(err, ErrChecksum) {
		t.Errorf("marshalling an error result: err = %v", err)
	}
	for _, bad := range [][]byte{nil, {9}, {1, '{'}, append([]byte{1}, `{"format":"x"}`...)} {
		if err := new(Result).UnmarshalBinary(bad); !errors.Is(err, ErrMalformed) {
			t.Errorf("UnmarshalBinary(%q) = %v, want ErrMalformed", bad, err)
		}
	}
}

func TestDateTimeTime(t *testing.T) {
	ams, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		ams = time.FixedZone("CET", 3600)
	}
	ref := time.Date(2026, 11, 27, 3, 43, 0, 0, ams)
	tests := []struct {
		d    DateTime
		ref  time.Time
		want time.Time
	}{
		{DateTime{11, 27, 3, 42}, ref, time.Date(2026, 11, 27, 3, 42, 0, 0, ams)},
		{DateTime{12, 31, 23, 59}, time.Date(2027, 1, 1, 0, 1, 0, 0, ams), time.Date(2026, 12, 31, 23, 59, 0, 0, ams)},
		{DateTime{1, 1, 0, 0}, time.Date(2026, 12, 31, 23, 58, 0, 0, ams), time.Date(2027, 1, 1, 0, 0, 0, 0, ams)},
		{DateTime{2, 29, 12, 0}, time.Date(2027, 3, 1, 0, 0, 0, 0, ams), time.Date(2028, 2, 29, 12, 0, 0, 0, ams)},
		{DateTime{}, ref, time.Time{}},
		{DateTime{13, 1, 0, 0}, ref, time.Time{}},
		{DateTime{4, 31, 0, 0}, ref, time.Time{}},
	}
	for _, tc := range tests {
		if got := tc.d.Time(tc.ref); !got.Equal(tc.want) {
			t.Errorf("%v.Time(%v) = %v, want %v", tc.d, tc.ref, got, tc.want)
		}
	}
}
