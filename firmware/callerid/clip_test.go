package callerid

import (
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseCLIP(t *testing.T) {
	tests := []struct {
		in      string
		want    Result
		wantErr error
	}{
		{in: "A0201234567C", want: Result{Number: "0201234567"}},
		{in: "D0201234567C", want: Result{Number: "0201234567"}},
		{in: "0201234567#", want: Result{Number: "0201234567"}},
		{in: "A0201234567#", want: Result{Number: "0201234567"}},
		{in: "B00C", want: Result{Reason: ReasonUnavailable}},
		{in: "B10C", want: Result{Reason: ReasonWithheld}},
		{in: "B20C", want: Result{Reason: ReasonOther}},
		{in: "A0201234567D0307654321C", want: Result{Number: "0201234567", Redirecting: "0307654321"}},
		{in: "A0201234567B10C", want: Result{Number: "0201234567", Reason: ReasonWithheld}},
		{in: "D1#", want: Result{Reason: ReasonWithheld}},
		{in: "D2#", want: Result{Reason: ReasonUnavailable}},
		{in: "D3#", want: Result{Reason: ReasonUnavailable}},
		{in: "D1C", want: Result{Number: "1"}},

		{in: "A0201234567", wantErr: ErrTruncated},
		{in: "", wantErr: ErrTruncated},
		{in: "C", wantErr: ErrMalformed},
		{in: "AC", wantErr: ErrMalformed},
		{in: "A12C3", wantErr: ErrMalformed},
		{in: "A12A34C", wantErr: ErrMalformed},
		{in: "D12A34C", wantErr: ErrMalformed},
		{in: "B1C", wantErr: ErrMalformed},
		{in: "A12*3C", wantErr: ErrMalformed},
		{in: "*12#", wantErr: ErrMalformed},
		{in: "456C", wantErr: ErrMalformed},
		{in: "A" + string(make([]byte, 70)) + "C", wantErr: ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseCLIP(tc.in)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				if got.Number != "" {
					t.Errorf("rejected message gave number %q", got.Number)
				}
				return
			}
			if err != nil {
				t.Fatalf("err = %v", err)
			}
			want := tc.want
			want.Format = DTMF
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// digits spaces keys as an exchange sends them: 70 ms tone, 70 ms pause,
// from sample at.
func digits(keys string, at int64) []Digit {
	var d []Digit
	for i := range len(keys) {
		s := at + int64(i)*1120
		d = append(d, Digit{Key: keys[i], Start: s, End: s + 560})
	}
	return d
}

// fakeDigits is a DigitDetector that releases prepared digits once the
// audio has reached their end.
type fakeDigits struct {
	digits []Digit
	n      int64
}

func (f *fakeDigits) Detect(dst []Digit, samples []int16) []Digit {
	f.n += int64(len(samples))
	for len(f.digits) > 0 && f.digits[0].End <= f.n {
		dst = append(dst, f.digits[0])
		f.digits = f.digits[1:]
	}
	return dst
}

func TestDecoderCLIP(t *testing.T) {
	cat := func(ds ...[]Digit) []Digit {
		var out []Digit
		for _, d := range ds {
			out = append(out, d...)
		}
		return out
	}
	tests := []struct {
		name    string
		digits  []Digit
		want    []Result // Err compared with errors.Is
		formats Format
	}{
		{name: "A number C", digits: digits("A0201234567C", 800),
			want: []Result{{Number: "0201234567", Start: 800, End: 800 + 11*1120 + 560}}},
		{name: "number hash", digits: digits("0201234567#", 800),
			want: []Result{{Number: "0201234567", Start: 800, End: 800 + 10*1120 + 560}}},
		{name: "noise digits before the message are dropped", digits: cat(digits("5", 0), digits("C#*", 20000), digits("A12C", 40000)),
			want: []Result{{Number: "12", Start: 40000, End: 40000 + 3*1120 + 560}}},
		{name: "gap splits a message", digits: cat(digits("A123", 800), digits("456C", 800+4*1120+9000)),
			want: []Result{{Err: ErrTruncated, Start: 800, End: 800 + 3*1120 + 560}}},
		{name: "B code without end code", digits: digits("B10", 800),
			want: []Result{{Reason: ReasonWithheld, Start: 800, End: 800 + 2*1120 + 560}}},
		{name: "missing end code", digits: digits("A0201234567", 800),
			want: []Result{{Err: ErrTruncated, Start: 800, End: 800 + 10*1120 + 560}}},
		{name: "bare digits without hash are keypresses", digits: digits("12345", 800)},
		{name: "bare digits with a bad hash are keypresses", digits: digits("1*2#", 800)},
		{name: "malformed A message reported", digits: digits("A12A3C", 800),
			want: []Result{{Err: ErrMalformed, Start: 800, End: 800 + 5*1120 + 560}}},
		{name: "DTMF off", digits: digits("A0201234567C", 800), formats: V23},
		{name: "endless digits", digits: digits("A1234567890123456789012345678901234567890123456789012345678901234567890", 0),
			want: []Result{{Err: ErrMalformed, Start: 0, End: 64*1120 + 560}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.formats == 0 {
				tc.formats = DTMF // no FSK, to keep the test fast
			}
			dec := newDecoder(t, Config{Formats: tc.formats, Digits: &fakeDigits{digits: tc.digits}})
			var got []Result
			x := make([]int16, 160)
			for dec.Samples() < tc.digits[len(tc.digits)-1].End+2*DefaultDigitGap {
				got = dec.Process(got, x)
			}
			got = dec.Flush(got)
			for i := range tc.want {
				tc.want[i].Format = DTMF
			}
			errIs := cmp.Comparer(func(a, b error) bool {
				return a == nil && b == nil || a != nil && b != nil && (errors.Is(a, b) || errors.Is(b, a))
			})
			if diff := cmp.Diff(tc.want, got, errIs); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func FuzzCLIP(f *testing.F) {
	for _, s := range []string{"A0201234567C", "0201234567#", "B10C", "A1D2C", "D1#", "AAAA", "#C#"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseCLIP(s)
		if err != nil && r.Number != "" {
			t.Fatalf("error %v with a number", err)
		}
		// The same keys through the streaming assembler, each digit 140 ms
		// after the previous, a few 2 s gaps thrown in.
		c := clip{maxGap: DefaultDigitGap}
		var out []Result
		at := int64(0)
		for i := range len(s) {
			if s[i]%7 == 0 {
				at += 16000
			}
			out = c.digit(out, Digit{Key: s[i], Start: at, End: at + 560})
			at += 1120
		}
		out = c.expire(out)
		for _, r := range out {
			if r.Err != nil && r.Number != "" {
				t.Fatalf("error %v with a number", r.Err)
			}
			if r.Start > r.End {
				t.Fatalf("Start %d after End %d", r.Start, r.End)
			}
		}
	})
}

// TestDTMFAcceptance is the acceptance matrix for DTMF CLIP through
// the default digit detector: each form decodes at -5 to -40 dBm0 per
// tone, at 20 dB S/N, with ±1% frequency error.
func TestDTMFAcceptance(t *testing.T) {
	forms := []struct {
		keys string
		want Result
	}{
		{"A0201234567C", Result{Number: "0201234567"}},
		{"D0612345678C", Result{Number: "0612345678"}},
		{"0201234567#", Result{Number: "0201234567"}},
		{"B00C", Result{Reason: ReasonUnavailable}},
		{"B10C", Result{Reason: ReasonWithheld}},
		{"A0201234567D0307654321C", Result{Number: "0201234567", Redirecting: "0307654321"}},
	}
	levels := []float64{-5, -20, -40}
	if testing.Short() {
		levels = []float64{-5, -40}
	}
	seed := uint64(500)
	for _, f := range forms {
		for _, level := range levels {
			for i, ferr := range []float64{-0.01, 0.01} {
				seed++
				if testing.Short() && (i == 0) != (level == -5) {
					continue // -5 dBm0 with -1%, -40 dBm0 with +1%
				}
				t.Run(fmt.Sprintf("%s/%gdBm0/f%+g%%", f.keys, level, ferr*100), func(t *testing.T) {
					x := dtmfTx(f.keys, level, ferr, 20, seed)
					got := decodeAll(t, Config{}, x)
					want := f.want
					want.Format = DTMF
					if diff := cmp.Diff([]Result{want}, got, ignorePos); diff != "" {
						t.Errorf("(-want +got):\n%s", diff)
					}
				})
			}
		}
	}
}

// TestDTMFFast: exchanges may send digits as fast as 50 ms tone, 50 ms
// pause (the Danish specification's minimum).
func TestDTMFFast(t *testing.T) {
	x := dtmfTxTimed("A0201234567C", 400, 400, -35, 0.01, 20, 17)
	want := []Result{{Format: DTMF, Number: "0201234567"}}
	if diff := cmp.Diff(want, decodeAll(t, Config{}, x), ignorePos); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestDTMFNoise: noise and a truncated message give no number.
func TestDTMFNoise(t *testing.T) {
	for i, level := range []float64{-50, -30, -10} {
		if got := decodeAll(t, Config{}, noise(5*lineRate, level, uint64(700+i))); len(got) != 0 {
			t.Errorf("noise at %g dBm0: %v", level, got)
		}
	}
	got := decodeAll(t, Config{}, dtmfTx("A0201234", -20, 0, 20, 9))
	if len(got) != 1 || !errors.Is(got[0].Err, ErrTruncated) || got[0].Number != "" {
		t.Errorf("truncated: got %v, want one ErrTruncated without number", got)
	}
}
