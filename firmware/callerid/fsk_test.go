package callerid

import (
	"errors"
	"fmt"
	"math"
	"testing"

	"fairrec/firmware/dsp"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// decodeAll runs a fresh Decoder over x in chunks of 160 samples (one
// frame, as the line delivers it) and flushes it.
func decodeAll(tb testing.TB, cfg Config, x []int16) []Result {
	d := newDecoder(tb, cfg)
	var out []Result
	for len(x) > 0 {
		n := min(160, len(x))
		out = d.Process(out, x[:n])
		x = x[n:]
	}
	return d.Flush(out)
}

func newDecoder(tb testing.TB, cfg Config) *Decoder {
	tb.Helper()
	d, err := NewDecoder(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

// ignorePos compares Results without their sample positions and errors.
var ignorePos = cmpopts.IgnoreFields(Result{}, "Start", "End", "Err")

var etsiSetup = message(TypeCallSetup,
	param(0x01, "11270342"),
	param(0x02, "0201234567"),
	param(0x07, "Jansen B.V."),
	param(0x1A, "0307654321"))

var etsiWant = Result{Type: TypeCallSetup, Number: "0201234567", Name: "Jansen B.V.",
	Redirecting: "0307654321", Time: DateTime{11, 27, 3, 42}}

var bellSDMF = message(TypeSDMF, []byte("070415302125551234"))

var bellSDMFWant = Result{Type: TypeSDMF, Number: "2125551234", Time: DateTime{7, 4, 15, 30}}

var bellMDMF = message(TypeCallSetup,
	param(0x01, "01010000"),
	param(0x04, "P"),
	param(0x08, "P"))

var bellMDMFWant = Result{Type: TypeCallSetup, Reason: ReasonWithheld, NameReason: ReasonWithheld,
	Time: DateTime{1, 1, 0, 0}}

// TestFSKAcceptance is the acceptance matrix for FSK: each format
// decodes at -5 to -40 dBm0, at 20 dB S/N, with ±1% frequency error and ±1%
// bit-rate error.
func TestFSKAcceptance(t *testing.T) {
	type format struct {
		name string
		tx   func([]byte) fskTx
		f    Format
		msg  []byte
		want Result
	}
	formats := []format{
		{"V.23 call set-up", v23Tx, V23, etsiSetup, etsiWant},
		{"Bell 202 SDMF", bellTx, Bell202, bellSDMF, bellSDMFWant},
		{"Bell 202 MDMF", bellTx, Bell202, bellMDMF, bellMDMFWant},
	}
	levels := []float64{-5, -20, -40}
	if testing.Short() {
		levels = []float64{-5, -40}
	}
	seed := uint64(1)
	for _, fm := range formats {
		for _, level := range levels {
			for _, ferr := range []float64{-0.01, 0.01} {
				for _, berr := range []float64{-0.01, 0.01} {
					seed++
					tx := fm.tx(fm.msg)
					tx.level, tx.snr, tx.freqErr, tx.baudErr, tx.seed = level, 20, ferr, berr, seed
					name := fmt.Sprintf("%s/%gdBm0/f%+g%%/b%+g%%", fm.name, level, ferr*100, berr*100)
					t.Run(name, func(t *testing.T) {
						got := decodeAll(t, Config{}, tx.samples())
						want := fm.want
						want.Format = fm.f
						if diff := cmp.Diff([]Result{want}, got, ignorePos); diff != "" {
							t.Errorf("results (-want +got):\n%s", diff)
						}
						for _, r := range got {
							if r.Err != nil {
								t.Errorf("error result: %v", r.Err)
							}
						}
					})
				}
			}
		}
	}
}

// TestFSKCallWaiting: during a call there is no channel seizure, only 80
// bits of mark (EN 300 659-2 / GR-30 type II); speech-level noise before it.
func TestFSKCallWaiting(t *testing.T) {
	tx := v23Tx(etsiSetup)
	tx.seizure, tx.marks, tx.snr, tx.seed = 0, 80, 25, 7
	got := decodeAll(t, Config{}, tx.samples())
	want := etsiWant
	want.Format = V23
	if diff := cmp.Diff([]Result{want}, got, ignorePos); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
}

// TestFSKPositions: Start and End bracket the message in the sample stream.
func TestFSKPositions(t *testing.T) {
	tx := v23Tx(etsiSetup)
	got := decodeAll(t, Config{}, tx.samples())
	if len(got) != 1 {
		t.Fatalf("got %d results, want 1", len(got))
	}
	bit := float64(lineRate) / baud
	msgStart := float64(tx.lead) + float64(tx.seizure+tx.marks)*bit
	msgEnd := msgStart + float64(len(tx.msg)*10)*bit
	// The matched filters delay the decisions by about half their length.
	if s := float64(got[0].Start); s < msgStart || s > msgStart+bit {
		t.Errorf("Start = %v, want within a bit after %v", s, msgStart)
	}
	if e := float64(got[0].End); e < msgEnd-bit || e > msgEnd+bit {
		t.Errorf("End = %v, want within a bit of %v", e, msgEnd)
	}
}

func TestFSKRejects(t *testing.T) {
	bad := append([]byte(nil), etsiSetup...)
	bad[len(bad)-1] ^= 0x01
	long := message(TypeCallSetup, param(0x02, "0201234567"))
	tests := []struct {
		name    string
		x       []int16
		wantErr error // nil: no result at all
	}{
		{"bad checksum", v23Tx(bad).samples(), ErrChecksum},
		{"bad checksum Bell", bellTx(bad).samples(), ErrChecksum},
		{"truncated", func() []int16 {
			x := v23Tx(long).samples()
			cut := 800 + int(float64(300+180+10*(len(long)-3))*lineRate/baud)
			return x[:cut]
		}(), ErrTruncated},
		{"truncated then silence", func() []int16 {
			tx := v23Tx(long)
			x := tx.samples()
			cut := 800 + int(float64(300+180+10*(len(long)-3))*lineRate/baud)
			clear(x[cut:])
			return x
		}(), ErrTruncated},
		{"no mark period", func() []int16 {
			tx := v23Tx(etsiSetup)
			tx.marks = 10
			return tx.samples()
		}(), nil},
		{"too weak", func() []int16 {
			tx := v23Tx(etsiSetup)
			tx.level = -60
			return tx.samples()
		}(), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := decodeAll(t, Config{}, tc.x)
			for _, r := range got {
				if r.Number != "" || r.Name != "" {
					t.Errorf("a rejected message yielded personal data: %v", r)
				}
			}
			if tc.wantErr == nil {
				if len(got) != 0 {
					t.Errorf("got %v, want nothing", got)
				}
				return
			}
			if len(got) != 1 || !errors.Is(got[0].Err, tc.wantErr) {
				t.Fatalf("got %v, want one result with %v", got, tc.wantErr)
			}
		})
	}
}

// TestFSKNoise: white noise at any level, and silence, yield no results.
func TestFSKNoise(t *testing.T) {
	levels, secs := []float64{-60, -40, -20, -10, -3}, 5
	if testing.Short() {
		levels, secs = []float64{-40, -10}, 2
	}
	for i, level := range levels {
		x := noise(secs*lineRate, level, uint64(100+i))
		if got := decodeAll(t, Config{}, x); len(got) != 0 {
			t.Errorf("noise at %g dBm0: got %v", level, got)
		}
	}
	if got := decodeAll(t, Config{}, make([]int16, lineRate)); len(got) != 0 {
		t.Errorf("silence: got %v", got)
	}
}

// TestFSKFormats: a format left out of Config.Formats is not reported.
func TestFSKFormats(t *testing.T) {
	x := bellTx(bellSDMF).samples()
	if got := decodeAll(t, Config{Formats: V23 | DTMF}, x); len(got) != 0 {
		t.Errorf("Bell 202 decoded with only V.23 enabled: %v", got)
	}
	if got := decodeAll(t, Config{Formats: Bell202}, x); len(got) != 1 || got[0].Number == "" {
		t.Errorf("Bell 202 not decoded with Bell 202 enabled: %v", got)
	}
}

// TestFSKChunking: results do not depend on how the audio is cut up.
func TestFSKChunking(t *testing.T) {
	tx := v23Tx(etsiSetup)
	tx.snr, tx.seed = 20, 3
	x := append(tx.samples(), bellTx(bellSDMF).samples()...)
	want := decodeAll(t, Config{}, x)
	if len(want) != 2 {
		t.Fatalf("got %d results, want 2: %v", len(want), want)
	}
	for _, chunk := range []int{1, 7, 333, len(x)} {
		d := newDecoder(t, Config{})
		var got []Result
		for i := 0; i < len(x); i += chunk {
			got = d.Process(got, x[i:min(i+chunk, len(x))])
		}
		got = d.Flush(got)
		if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(Result{}, "Err")); diff != "" {
			t.Errorf("chunk %d: (-want +got):\n%s", chunk, diff)
		}
	}
}

// BenchmarkDecoder measures a line's whole caller ID load: FSK receiver and
// DTMF detector over a V.23 transmission (about 1 s of audio).
func BenchmarkDecoder(b *testing.B) {
	benchDecoder(b, Config{})
}

// BenchmarkDecoderFSK is the FSK receiver alone.
func BenchmarkDecoderFSK(b *testing.B) {
	benchDecoder(b, Config{Formats: V23 | Bell202, Digits: &fakeDigits{}})
}

func benchDecoder(b *testing.B, cfg Config) {
	x := v23Tx(etsiSetup).samples()
	d := newDecoder(b, cfg)
	var out []Result
	b.SetBytes(int64(2 * len(x)))
	b.ReportAllocs()
	for b.Loop() {
		for i := 0; i < len(x); i += 160 {
			out = d.Process(out[:0], x[i:min(i+160, len(x))])
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(x)), "ns/sample")
}

// FuzzFSK drives the FSK receiver two ways from one input. The bytes are
// sent as an FSK transmission (V.23 or Bell 202, level, noise and cut-off
// point from the other arguments): whatever they are, nothing panics and a
// rejected message carries no personal data; when they form a valid caller
// ID message and the signal is whole, the Decoder must return exactly what
// ParseMessage does. Then the same bytes are fed as raw little-endian
// samples. Keeping the input a short message rather than raw audio keeps
// the fuzzer's minimisation fast.
func FuzzFSK(f *testing.F) {
	f.Add(etsiSetup, int8(20), uint16(0), uint64(1))
	f.Add(bellSDMF, int8(40), uint16(0), uint64(2))
	f.Add(bellMDMF, int8(5), uint16(3000), uint64(3))
	f.Add([]byte{0x80, 5, 2, 3, '1'}, int8(10), uint16(0), uint64(4))
	f.Add([]byte{}, int8(0), uint16(0), uint64(5))
	f.Fuzz(func(t *testing.T, msg []byte, level int8, cut uint16, seed uint64) {
		if len(msg) > 300 {
			msg = msg[:300]
		}
		tx := v23Tx(msg)
		if seed&1 == 1 {
			tx = bellTx(msg)
		}
		tx.seizure, tx.marks, tx.lead, tx.trail = 0, 40, 100, 100
		tx.level = -5 - float64(uint8(level)%36) // -5 to -40 dBm0
		tx.snr, tx.seed = 30, seed
		x := tx.samples()
		whole := cut == 0 || int(cut) >= len(x)
		if !whole {
			x = x[:cut]
		}
		d := newDecoder(t, Config{Digits: &fakeDigits{}})
		got := d.Flush(d.Process(nil, x))
		checkResults(t, got, int64(len(x)))
		want, err := ParseMessage(msg, tx.modulation())
		if whole && err == nil {
			if diff := cmp.Diff([]Result{want}, got, ignorePos); diff != "" {
				t.Fatalf("valid message % x decoded differently (-want +got):\n%s", msg, diff)
			}
		}

		raw := make([]int16, len(msg)/2)
		for i := range raw {
			raw[i] = int16(uint16(msg[2*i]) | uint16(msg[2*i+1])<<8)
		}
		d.Reset()
		checkResults(t, d.Flush(d.Process(nil, raw)), int64(len(raw)))
	})
}

func checkResults(t *testing.T, got []Result, n int64) {
	t.Helper()
	for _, r := range got {
		if r.Err != nil && (r.Number != "" || r.Name != "" || r.Redirecting != "") {
			t.Fatalf("error %v with personal data", r.Err)
		}
		if r.Start > r.End || r.End > n {
			t.Fatalf("positions %d-%d outside the %d samples", r.Start, r.End, n)
		}
	}
}

// TestFSKHum: mains hum 10 dB above the signal and a DC offset, as a poorly
// balanced line has, do not stop a message.
func TestFSKHum(t *testing.T) {
	tx := v23Tx(etsiSetup)
	tx.level, tx.snr, tx.seed = -30, 20, 11
	x := tx.samples()
	peak := dsp.PeakForDBm0(-20)
	for i := range x {
		x[i] += int16(math.Round(300 + peak*math.Sin(2*math.Pi*50*float64(i)/lineRate)))
	}
	want := etsiWant
	want.Format = V23
	if diff := cmp.Diff([]Result{want}, decodeAll(t, Config{}, x), ignorePos); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestDecoderConfig(t *testing.T) {
	for _, cfg := range []Config{{MinLevel: 3}, {MinLevel: -90}, {Formats: 0x80}} {
		if _, err := NewDecoder(cfg); err == nil {
			t.Errorf("NewDecoder(%+v) accepted", cfg)
		}
	}
}

// TestDecoderSetFormats: formats switched off mid-stream (as callflow does
// for DTMF when the line goes off hook) are not decoded, and come back.
func TestDecoderSetFormats(t *testing.T) {
	x := v23Tx(etsiSetup).samples()
	d := newDecoder(t, Config{})
	d.SetFormats(DTMF)
	if got := d.Flush(d.Process(nil, x)); len(got) != 0 {
		t.Errorf("FSK decoded while only DTMF was on: %v", got)
	}
	d.SetFormats(0)
	got := d.Flush(d.Process(nil, x))
	if len(got) != 1 || got[0].Number != etsiWant.Number {
		t.Fatalf("after SetFormats(0): %v", got)
	}
	if s := got[0].Start; s < int64(len(x)) {
		t.Errorf("Start %d counts from before the first Process call's %d samples", s, len(x))
	}
	d.Reset()
	if d.Samples() != 0 {
		t.Errorf("Samples() = %d after Reset", d.Samples())
	}
}

// TestFSKMargins records the receiver's margins beyond the acceptance
// criteria, so that a change that erodes them is noticed: ±2% bit rate, and
// 12 dB S/N (fixed seeds; 19 of 20 must decode).
func TestFSKMargins(t *testing.T) {
	if testing.Short() {
		t.Skip("margins are checked in the full run")
	}
	decodes := func(tx fskTx) bool {
		got := decodeAll(t, Config{Digits: &fakeDigits{}}, tx.samples())
		return len(got) == 1 && got[0].Err == nil && got[0].Number == etsiWant.Number
	}
	for i, berr := range []float64{-0.02, 0.02} {
		for _, mk := range []func([]byte) fskTx{v23Tx, bellTx} {
			tx := mk(etsiSetup)
			tx.level, tx.snr, tx.baudErr, tx.seed = -30, 20, berr, uint64(900+i)
			if !decodes(tx) {
				t.Errorf("mark %g Hz, bit rate %+g%%: not decoded", tx.mark, berr*100)
			}
		}
	}
	ok := 0
	for s := range 20 {
		tx := v23Tx(etsiSetup)
		if s%2 == 1 {
			tx = bellTx(etsiSetup)
		}
		tx.level, tx.snr, tx.freqErr, tx.baudErr, tx.seed = -40, 12, 0.01, -0.01, uint64(1000+s)
		if decodes(tx) {
			ok++
		}
	}
	if ok < 19 {
		t.Errorf("12 dB S/N: %d of 20 decoded, want at least 19", ok)
	}
}
