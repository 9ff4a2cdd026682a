package callflow_test

import (
	"slices"
	"testing"
	"time"

	"periph.io/x/conn/v3/gpio"

	"fairrec/firmware/callflow"
	"fairrec/firmware/dsp"
	"fairrec/firmware/notice"
	"fairrec/storage/audit"
)

// typeKeys puts keys on the line as a person types them: each held on,
// then a gap of gap before the next.
func (f *flow) typeKeys(keys string, at, on, gap time.Duration) time.Duration {
	for i := range len(keys) {
		if keys[i] == ' ' {
			at += gap // a pause between groups: one more gap
			continue
		}
		f.tones = append(f.tones, tone{digit: keys[i], from: sample(at), to: sample(at + on)})
		at += on + gap
	}
	return at
}

// longPress holds the line button for 1.5 s from at.
func (f *flow) longPress(at time.Duration) {
	f.until(at)
	f.button.Out(gpio.Low)
	f.until(at + 1500*time.Millisecond)
	f.button.Out(gpio.High)
}

// TestObjectionDigitAlone: the objection digit objects only when pressed
// by itself, at a moment when objection applies; every key is blanked
// whatever it means.
func TestObjectionDigitAlone(t *testing.T) {
	lead := lookup(t, notice.KindNotice)
	rec := time.Duration((1 + lead.Seconds()) * float64(time.Second)) // the recording starts about here
	tests := []struct {
		name   string
		script func(f *flow) // keys and presses from rec on
		object bool
	}{
		{"a 9 alone objects", func(f *flow) {
			f.typeKeys("9", rec+2*time.Second, 100*time.Millisecond, 0)
		}, true},
		{"a 9 held for a second objects", func(f *flow) {
			f.typeKeys("9", rec+2*time.Second, time.Second, 0)
		}, true},
		{"a card number full of 9s typed without a pause does not object", func(f *flow) {
			f.typeKeys("4999 9999 1999 9991", rec+2*time.Second, 90*time.Millisecond, 350*time.Millisecond)
		}, false},
		{"a 9 followed by another key within 2 s does not object", func(f *flow) {
			at := f.typeKeys("9", rec+2*time.Second, 100*time.Millisecond, 1800*time.Millisecond)
			f.typeKeys("1", at, 100*time.Millisecond, 0)
		}, false},
		{"a 9 within 3 s of another key does not object", func(f *flow) {
			f.typeKeys("1", rec+2*time.Second, 100*time.Millisecond, 0)
			f.typeKeys("9", rec+4800*time.Millisecond, 100*time.Millisecond, 0)
		}, false},
		{"a PIN ending in 9 after a hesitation does not object", func(f *flow) {
			f.typeKeys("12 9", rec+2*time.Second, 100*time.Millisecond, 1200*time.Millisecond)
		}, false},
		{"a 9 alone 3 s after another key objects", func(f *flow) {
			f.typeKeys("1", rec+2*time.Second, 100*time.Millisecond, 0)
			f.typeKeys("9", rec+5200*time.Millisecond, 100*time.Millisecond, 0)
		}, true},
		{"card payment: 9s during the pause do not object", func(f *flow) {
			f.longPress(rec + 2*time.Second)
			f.typeKeys("9999 9999 9999 9999", rec+4*time.Second, 90*time.Millisecond, 250*time.Millisecond)
			f.typeKeys("9", rec+12*time.Second, 100*time.Millisecond, 0) // alone, but paused
			f.longPress(rec + 16*time.Second)
		}, false},
		{"card payment: a 9 alone after the pause objects", func(f *flow) {
			f.longPress(rec + 2*time.Second)
			f.typeKeys("4999 9999", rec+4*time.Second, 90*time.Millisecond, 250*time.Millisecond)
			f.longPress(rec + 9*time.Second)
			f.typeKeys("9", rec+14*time.Second, 100*time.Millisecond, 0)
		}, true},
		{"card payment: the employee's short press during the pause objects", func(f *flow) {
			f.longPress(rec + 2*time.Second)
			f.until(rec + 5*time.Second)
			f.button.Out(gpio.Low)
			f.until(rec + 5200*time.Millisecond)
			f.button.Out(gpio.High)
		}, true},
		{"a 9 alone just before the caller hangs up objects", func(f *flow) {
			f.typeKeys("9", rec+25*time.Second-600*time.Millisecond, 100*time.Millisecond, 0)
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFlow(t, callflow.Config{})
			f.answer()
			tt.script(f)
			f.until(rec + 25*time.Second)
			f.hook.Out(gpio.High)
			f.until(rec + 26*time.Second)
			r := f.only()
			objected := slices.Contains(f.audit.Actions(), audit.ActionObjection)
			if objected != tt.object || r.erased != tt.object {
				t.Fatalf("objection audited %v, recording erased %v; want %v", objected, r.erased, tt.object)
			}
			if tt.object {
				return
			}
			// Kept: every key is blanked from the stored audio, and the
			// recording runs to the on-hook.
			n := f.notes(r)
			if len(n.Blanked) != len(f.tones) {
				t.Errorf("%d keys blanked, want %d", len(n.Blanked), len(f.tones))
			}
			pcm := make([]int16, len(r.alaw))
			dsp.DecodeALaw(pcm, r.alaw)
			start := answeredAt + int64(lead.Duration)
			for _, tn := range f.tones {
				for i := max(tn.from-start, 0); i < min(tn.to-start, int64(len(pcm))); i++ {
					if pcm[i] > 8 || pcm[i] < -8 {
						t.Fatalf("key %c stored at %d", tn.digit, i)
					}
				}
			}
			if got := time.Duration(len(pcm)) * time.Second / dsp.LineRate; got < 23*time.Second {
				t.Errorf("stored %v, want the whole call", got)
			}
		})
	}
}

// TestObjectionDigitTiming: a lone 9 takes effect AloneAfter after its
// release, and the confirmation plays then.
func TestObjectionDigitTiming(t *testing.T) {
	lead := lookup(t, notice.KindNotice)
	rec := time.Duration((1 + lead.Seconds()) * float64(time.Second))
	f := newFlow(t, callflow.Config{AloneAfter: time.Second})
	f.answer()
	f.typeKeys("9", rec+2*time.Second, 100*time.Millisecond, 0)
	f.until(rec + 3*time.Second)
	if st := f.line.Status(); st.Objected {
		t.Fatalf("objection taken before the 9 was known to be alone: %+v", st)
	}
	f.until(rec + 3200*time.Millisecond)
	if st := f.line.Status(); !st.Objected {
		t.Fatalf("objection not taken 1 s after the release: %+v", st)
	}
	f.until(rec + 12*time.Second)
	due := sample(rec + 3100*time.Millisecond)
	if k := confirmedAt(f.played, lookup(t, notice.KindConfirm)); k < 0 || int64(k) < due || int64(k) > due+sample(40*time.Millisecond) {
		t.Errorf("confirmation at %d, want at %d", k, due)
	}
}

// TestPulsedRingAnswers: ring sense that pulses (here latched frames of a
// 25 Hz half-wave ring: every other frame active) is a ring, so lifting
// the handset answers an incoming call and the notice plays.
func TestPulsedRingAnswers(t *testing.T) {
	f := newFlow(t, callflow.Config{})
	for k := range 50 { // one 1 s burst
		l := gpio.High
		if k%2 == 0 {
			l = gpio.Low
		}
		f.ring.Out(l)
		f.until(time.Duration(k+1) * 20 * time.Millisecond)
		if k == 10 && !f.line.Status().Ringing {
			t.Fatal("not ringing 200 ms into a pulsed burst")
		}
	}
	f.ring.Out(gpio.High)
	f.hook.Out(gpio.Low)
	f.until(2 * time.Second)
	if st := f.line.Status(); st.Phase != callflow.PhaseNotice {
		t.Fatalf("after a pulsed ring and the off-hook: phase %s, want the notice playing", st.Phase)
	}
}
