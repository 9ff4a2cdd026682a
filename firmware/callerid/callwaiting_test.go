package callerid

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
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
