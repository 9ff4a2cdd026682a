package callerid

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// cwDecode runs a fresh CallWaiting over x in 20 ms frames and flushes it;
// it returns the results and the number of alerting signals heard.
func cwDecode(tb testing.TB, cfg Config, x []int16) ([]Result, int) {
	tb.Helper()
	c := newCallWaiting(tb, cfg)
	var out []Result
	for len(x) > 0 {
		n := min(160, len(x))
		out = c.Process(out, x[:n])
		x = x[n:]
	}
	out = c.Flush(out)
	return out, c.Alerts()
}

func newCallWaiting(tb testing.TB, cfg Config) *CallWaiting {
	tb.Helper()
	c, err := NewCallWaiting(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// cwWant is want as a call-waiting result with modulation f and ack.
func cwWant(want Result, f Format, ack byte) Result {
	want.Format, want.CallWaiting, want.Ack = f, true, ack
	return want
}

// TestCallWaitingAcceptance is the acceptance matrix for caller ID
// during a call: alerting signal, acknowledgement and FSK at -5 to -40
// dBm0, 20 dB S/N, ±1% frequency error (of every tone) and ±1% bit-rate
// error, with speech-like signal before and after; the acknowledgement and
// the FSK follow at once or after a pause.
func TestCallWaitingAcceptance(t *testing.T) {
	type format struct {
		name string
		tx   func([]byte) cwTx
		f    Format
		msg  []byte
		want Result
	}
	formats := []format{
		{"ETSI V.23 call set-up", cwV23, V23, etsiSetup, etsiWant},
		{"CIDCW Bell 202 SDMF", cwBell, Bell202, bellSDMF, bellSDMFWant},
		{"CIDCW Bell 202 MDMF", cwBell, Bell202, bellMDMF, bellMDMFWant},
	}
	levels := []float64{-5, -20, -40}
	if testing.Short() {
		levels = []float64{-5, -40}
	}
	seed := uint64(500)
	for _, fm := range formats {
		for _, level := range levels {
			for _, ferr := range []float64{-0.01, 0.01} {
				for _, berr := range []float64{-0.01, 0.01} {
					seed++
					tx := fm.tx(fm.msg)
					tx.fsk.level, tx.fsk.snr, tx.fsk.freqErr, tx.fsk.baudErr, tx.fsk.seed = level, 20, ferr, berr, seed
					// Every other case: the ack right after the CAS and
					// the mark right after the ack, with no gap.
					if seed%2 == 0 {
						tx.ackDelay, tx.fskDelay = 0, 0
					}
					// The ack is as loud as the message: a phone's DTMF
					// heard through the tap.
					tx.ackLevel = level
					name := fmt.Sprintf("%s/%gdBm0/f%+g%%/b%+g%%", fm.name, level, ferr*100, berr*100)
					t.Run(name, func(t *testing.T) {
						got, alerts := cwDecode(t, Config{}, tx.samples())
						want := cwWant(fm.want, fm.f, tx.ack)
						if diff := cmp.Diff([]Result{want}, got, ignorePos); diff != "" {
							t.Errorf("results (-want +got):\n%s", diff)
						}
						if alerts != 1 {
							t.Errorf("Alerts() = %d, want 1", alerts)
						}
					})
				}
			}
		}
	}
}

// TestCallWaitingPositions: Start and End bracket the message in the
// sample stream, counted from the decoder's first sample.
func TestCallWaitingPositions(t *testing.T) {
	tx := cwV23(etsiSetup)
	sig, at := tx.signal()
	got, _ := cwDecode(t, Config{}, addNoise(sig, -13, 0, 1))
	if len(got) != 1 {
		t.Fatalf("got %d results, want 1: %v", len(got), got)
	}
	bit := float64(lineRate) / baud
	msgStart := float64(at) + float64(tx.fsk.marks)*bit
	msgEnd := msgStart + float64(len(tx.fsk.msg)*10)*bit
	if s := float64(got[0].Start); s < msgStart || s > msgStart+bit {
		t.Errorf("Start = %v, want within a bit after %v", s, msgStart)
	}
	if e := float64(got[0].End); e < msgEnd-bit || e > msgEnd+bit {
		t.Errorf("End = %v, want within a bit of %v", e, msgEnd)
	}
}

// TestCallWaitingQuietAck: a phone whose acknowledgement the tap does not
// hear still gets its message decoded, with Ack zero.
func TestCallWaitingQuietAck(t *testing.T) {
	for _, mk := range []func([]byte) cwTx{cwV23, cwBell} {
		tx := mk(etsiSetup)
		tx.ack, tx.fsk.snr, tx.fsk.seed = 0, 20, 77
		got, _ := cwDecode(t, Config{}, tx.samples())
		want := cwWant(etsiWant, tx.fsk.modulation(), 0)
		if diff := cmp.Diff([]Result{want}, got, ignorePos); diff != "" {
			t.Errorf("%v: results (-want +got):\n%s", tx.fsk.modulation(), diff)
		}
	}
}

// TestCallWaitingRejects: what must not give a number.
func TestCallWaitingRejects(t *testing.T) {
	bad := append([]byte(nil), etsiSetup...)
	bad[len(bad)-1] ^= 0x01
	long := message(TypeCallSetup, param(0x02, "0201234567"))
	mod := func(msg []byte, f func(*cwTx)) []int16 {
		tx := cwV23(msg)
		tx.fsk.snr, tx.fsk.seed = 20, 31
		f(&tx)
		return tx.samples()
	}
	// truncated cuts the message after 5 bytes, to silence or (noisy) to
	// the line's noise.
	truncated := func(noisy bool) []int16 {
		tx := cwV23(long)
		tx.fsk.snr, tx.fsk.seed = 20, 32
		sig, at := tx.signal()
		cut := at + int(float64(tx.fsk.marks+10*5)*lineRate/baud)
		x := addNoise(sig, tx.fsk.level, tx.fsk.snr, tx.fsk.seed)
		if noisy {
			clear(sig)
			copy(x[cut:], addNoise(sig, tx.fsk.level, tx.fsk.snr, tx.fsk.seed+1)[cut:cut+lineRate/2])
		} else {
			clear(x[cut : cut+lineRate/2])
		}
		return x
	}
	tests := []struct {
		name    string
		x       []int16
		alerts  int
		wantErr error  // nil: no result at all
		errText string // in the error's text
	}{
		{"CAS without FSK", mod(etsiSetup, func(tx *cwTx) { tx.noFSK = true }), 1, nil, ""},
		{"CAS and ack without FSK", mod(etsiSetup, func(tx *cwTx) { tx.noFSK, tx.ack = true, 'D' }), 1, nil, ""},
		{"FSK too late", mod(etsiSetup, func(tx *cwTx) { tx.fskDelay = 1500 }), 1, nil, ""},
		{"FSK without CAS", mod(etsiSetup, func(tx *cwTx) { tx.casLevel = -70 }), 0, nil, ""},
		{"CAS too short", mod(etsiSetup, func(tx *cwTx) { tx.casMs = 50 }), 0, nil, ""},
		{"CAS too long", mod(etsiSetup, func(tx *cwTx) { tx.casMs = 200 }), 0, nil, ""},
		{"CAS 3% off", mod(etsiSetup, func(tx *cwTx) { tx.casFreqErr = 0.03 }), 0, nil, ""},
		{"CAS twist 10 dB", mod(etsiSetup, func(tx *cwTx) { tx.twist = 10 }), 0, nil, ""},
		{"bad checksum", mod(bad, func(*cwTx) {}), 1, ErrChecksum, "checksum mismatch: expected"},
		{"bad checksum Bell", func() []int16 {
			tx := cwBell(bad)
			tx.fsk.snr, tx.fsk.seed = 20, 33
			return tx.samples()
		}(), 1, ErrChecksum, "checksum mismatch: expected"},
		{"truncated", truncated(false), 1, ErrTruncated, "carrier lost after 5 of 15 bytes"},
		// Noise where the message stops keeps the carrier up: the UART
		// then meets a stop bit of noise.
		{"truncated in noise", truncated(true), 1, ErrMalformed, "framing error in byte 5"},
		{"noise", noise(5*lineRate, -20, 34), 0, nil, ""},
		{"speech-like", addNoise(speechLike(10*lineRate, -10, 35), -10, 40, 35), 0, nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, alerts := cwDecode(t, Config{}, tc.x)
			if alerts != tc.alerts {
				t.Errorf("Alerts() = %d, want %d", alerts, tc.alerts)
			}
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
			if len(got) != 1 || !errors.Is(got[0].Err, tc.wantErr) || !got[0].CallWaiting {
				t.Fatalf("got %v, want one call-waiting result with %v", got, tc.wantErr)
			}
			if !strings.Contains(got[0].Err.Error(), tc.errText) {
				t.Errorf("error %q does not say %q", got[0].Err, tc.errText)
			}
		})
	}
}

// TestCallWaitingChunking: results do not depend on how the audio is cut
// up, and two messages in one call give two results.
func TestCallWaitingChunking(t *testing.T) {
	a := cwV23(etsiSetup)
	a.fsk.snr, a.fsk.seed = 20, 41
	b := cwBell(bellSDMF)
	b.fsk.snr, b.fsk.seed = 20, 42
	x := append(a.samples(), b.samples()...)
	want, _ := cwDecode(t, Config{}, x)
	if len(want) != 2 || want[0].Number != etsiWant.Number || want[1].Number != bellSDMFWant.Number {
		t.Fatalf("got %v, want the two messages", want)
	}
	for _, chunk := range []int{1, 7, 39, 41, 333, len(x)} {
		c := newCallWaiting(t, Config{})
		var got []Result
		for i := 0; i < len(x); i += chunk {
			got = c.Process(got, x[i:min(i+chunk, len(x))])
		}
		got = c.Flush(got)
		if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(Result{}, "Err")); diff != "" {
			t.Errorf("chunk %d: (-want +got):\n%s", chunk, diff)
		}
		if c.Samples() != int64(len(x)) {
			t.Errorf("chunk %d: Samples() = %d, want %d", chunk, c.Samples(), len(x))
		}
	}
}

// TestCallWaitingFormats: a modulation left out of Config.Formats is not
// reported; DTMF alone is not a call-waiting configuration.
func TestCallWaitingFormats(t *testing.T) {
	tx := cwBell(bellSDMF)
	tx.fsk.seed = 43
	x := tx.samples()
	if got, alerts := cwDecode(t, Config{Formats: V23 | DTMF}, x); len(got) != 0 || alerts != 1 {
		t.Errorf("Bell 202 with only V.23 enabled: %v, %d alerts", got, alerts)
	}
	if got, _ := cwDecode(t, Config{Formats: Bell202}, x); len(got) != 1 || got[0].Number != bellSDMFWant.Number {
		t.Errorf("Bell 202 not decoded with Bell 202 enabled: %v", got)
	}
	for _, cfg := range []Config{{Formats: DTMF}, {Formats: 0x80}, {MinLevel: 3}, {MinLevel: -90}} {
		if _, err := NewCallWaiting(cfg); err == nil {
			t.Errorf("NewCallWaiting(%+v) accepted", cfg)
		}
	}
}

// TestCallWaitingReset: after Reset the decoder counts from zero and
// decodes as a new one does.
func TestCallWaitingReset(t *testing.T) {
	tx := cwV23(etsiSetup)
	tx.fsk.seed = 44
	x := tx.samples()
	c := newCallWaiting(t, Config{})
	// Stop in the middle of the message: Reset must forget it.
	c.Process(nil, x[:len(x)-2*lineRate+lineRate/2])
	c.Reset()
	if c.Samples() != 0 || c.Alerts() != 0 || c.Listening() {
		t.Fatalf("after Reset: Samples %d, Alerts %d, Listening %v", c.Samples(), c.Alerts(), c.Listening())
	}
	got := c.Flush(c.Process(nil, x))
	want, _ := cwDecode(t, Config{}, x)
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(Result{}, "Err")); diff != "" {
		t.Errorf("(-fresh +reset):\n%s", diff)
	}
}

// TestCallWaitingFlush: input that ends in the middle of a message gives
// it truncated, without its number.
func TestCallWaitingFlush(t *testing.T) {
	tx := cwV23(etsiSetup)
	tx.fsk.seed = 45
	sig, at := tx.signal()
	x := addNoise(sig, tx.fsk.level, 0, 1)[:at+int(float64(tx.fsk.marks+10*6)*lineRate/baud)]
	got, _ := cwDecode(t, Config{}, x)
	if len(got) != 1 || !errors.Is(got[0].Err, ErrTruncated) || got[0].Number != "" || !got[0].CallWaiting {
		t.Errorf("got %v, want one truncated call-waiting result", got)
	}
}

// FuzzCallWaiting drives the decoder two ways from one input. The bytes
// are sent as a call-waiting transmission (modulation, level, ack, delays
// and cut-off point from the other arguments): nothing panics, a rejected
// message carries no personal data, and a valid caller ID message sent
// whole decodes to exactly what ParseMessage says. Then the same bytes are
// fed as raw little-endian samples in chunks of an arbitrary size.
func FuzzCallWaiting(f *testing.F) {
	f.Add(etsiSetup, int8(20), uint16(0), uint64(1))
	f.Add(bellSDMF, int8(35), uint16(0), uint64(2))
	f.Add(bellMDMF, int8(5), uint16(9000), uint64(3))
	f.Add([]byte{0x80, 5, 2, 3, '1'}, int8(10), uint16(0), uint64(4))
	f.Add([]byte{}, int8(0), uint16(0), uint64(5))
	f.Fuzz(func(t *testing.T, msg []byte, level int8, cut uint16, seed uint64) {
		if len(msg) > 300 {
			msg = msg[:300]
		}
		tx := cwV23(msg)
		if seed&1 == 1 {
			tx = cwBell(msg)
		}
		tx.talk = 0.2
		tx.fsk.level = -5 - float64(uint8(level)%36) // -5 to -40 dBm0
		tx.ackLevel = tx.fsk.level
		tx.fsk.snr, tx.fsk.seed = 30, seed
		tx.ackDelay, tx.fskDelay = float64(seed>>1%100), float64(seed>>8%400)
		if seed>>16&3 == 0 {
			tx.ack = 0
		}
		x := tx.samples()
		whole := cut == 0 || int(cut) >= len(x)
		if !whole {
			x = x[:cut]
		}
		got, _ := cwDecode(t, Config{Digits: &fakeDigits{}}, x)
		checkResults(t, got, int64(len(x)))
		want, err := ParseMessage(msg, tx.fsk.modulation())
		if whole && err == nil {
			want.CallWaiting = true
			if diff := cmp.Diff([]Result{want}, got, ignorePos); diff != "" {
				t.Fatalf("valid message % x decoded differently (-want +got):\n%s", msg, diff)
			}
		}

		raw := make([]int16, len(msg)/2)
		for i := range raw {
			raw[i] = int16(uint16(msg[2*i]) | uint16(msg[2*i+1])<<8)
		}
		c := newCallWaiting(t, Config{})
		var res []Result
		step := 1 + int(seed%200)
		for i := 0; i < len(raw); i += step {
			res = c.Process(res, raw[i:min(i+step, len(raw))])
		}
		checkResults(t, c.Flush(res), int64(len(raw)))
	})
}

// BenchmarkCallWaiting measures what the decoder costs on a line for the
// whole of every call: speech-like audio, where only the alerting signal
// detector runs, and a call-waiting transmission (about 3 s, a third of it
// in the listening window), fed in 20 ms frames.
func BenchmarkCallWaiting(b *testing.B) {
	talk := addNoise(speechLike(10*lineRate, -15, 1), -15, 40, 1)
	tx := cwV23(etsiSetup)
	tx.fsk.snr, tx.fsk.seed = 20, 2
	for _, bc := range []struct {
		name string
		x    []int16
	}{{"speech", talk}, {"message", tx.samples()}} {
		b.Run(bc.name, func(b *testing.B) {
			c := newCallWaiting(b, Config{})
			out := make([]Result, 0, 4)
			b.ReportAllocs()
			for b.Loop() {
				for i := 0; i < len(bc.x); i += 160 {
					out = c.Process(out[:0], bc.x[i:min(i+160, len(bc.x))])
				}
			}
			ns := float64(b.Elapsed().Nanoseconds()) / float64(b.N*len(bc.x))
			b.ReportMetric(ns, "ns/sample")
			b.ReportMetric(ns*lineRate/1000, "µs/line-second")
		})
	}
}

// TestCallWaitingResult: a call-waiting Result says so when printed, still
// without the number, and survives sealing (MarshalBinary) whole.
func TestCallWaitingResult(t *testing.T) {
	r := Result{Format: V23, Type: TypeCallSetup, Number: "0612345678", CallWaiting: true, Ack: 'D', Start: 1, End: 2}
	if s := r.String(); !strings.Contains(s, "call-waiting ack:D") || strings.Contains(s, "0612345678") {
		t.Errorf("String() = %q", s)
	}
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
}
