package debounce_test

import (
	"fmt"
	"math"
	"testing"

	"fairrec/firmware/debounce"
)

// cadence is a national ring cadence: on and off times in seconds, repeated.
type cadence struct {
	name  string
	steps []float64
}

var cadences = []cadence{
	{"NL/DE", []float64{1, 4}},
	{"UK", []float64{0.4, 0.2, 0.4, 2.0}},
	{"US", []float64{2, 4}},
}

// ringing reports whether a ring-sense optocoupler conducts at time t (s):
// inside a burst of the cadence, while the rectified ring voltage is above
// its threshold for duty of each pulse. Full-wave pulses twice per cycle.
func ringing(c cadence, hz, duty, phase float64, full bool, t float64) bool {
	var total float64
	for _, s := range c.steps {
		total += s
	}
	u := math.Mod(t, total)
	on := false
	for i, s := range c.steps {
		if u < s {
			on = i%2 == 0
			break
		}
		u -= s
	}
	if !on {
		return false
	}
	rate := hz
	if full {
		rate *= 2
	}
	x := math.Mod(t*rate+phase, 1)
	return x < duty
}

// bursts runs a pulsed ring through Ring with latched 20 ms frames and
// returns, per frame, the confirmed state and the true burst state.
func run(c cadence, hz, duty, phase float64, full bool, seconds float64) (got, want []bool) {
	var r debounce.Ring
	const frame, step = 0.020, 0.0005 // latch: the input is checked every 0.5 ms
	for f := 0; float64(f)*frame < seconds; f++ {
		seen := false
		for t := float64(f) * frame; t < float64(f+1)*frame; t += step {
			seen = seen || ringing(c, hz, duty, phase, full, t)
		}
		r.Update(seen)
		got = append(got, r.Active)
		want = append(want, ringing(c, hz, 1, 0, false, float64(f)*frame+frame/2))
	}
	return got, want
}

// TestRingPulsed: a pulse train of 15-70 Hz, half- and full-wave, at any
// phase and a duty of 30-60%, is one ring per burst of each national
// cadence: it begins within 200 ms of the burst, holds across the pulses
// and ends within 200 ms of the burst's end.
func TestRingPulsed(t *testing.T) {
	phases := []float64{0, 0.13, 0.5, 0.77}
	if testing.Short() {
		phases = phases[1:3]
	}
	for _, c := range cadences {
		for _, hz := range []float64{15, 16.66, 20, 25, 33.3, 40, 50, 60, 70} {
			for _, full := range []bool{false, true} {
				if full && hz > 35 {
					continue // a full-wave bridge doubles the ring frequency: 70 Hz at most
				}
				for _, duty := range []float64{0.3, 0.45, 0.6} {
					for _, phase := range phases {
						name := fmt.Sprintf("%s/%gHz/full=%v/duty=%g/phase=%g", c.name, hz, full, duty, phase)
						got, want := run(c, hz, duty, phase, full, 11.5)
						checkBursts(t, name, got, want)
					}
				}
			}
		}
	}
}

// checkBursts checks that each true burst appears as exactly one confirmed
// ring that starts and ends within 10 frames of it.
func checkBursts(t *testing.T, name string, got, want []bool) {
	t.Helper()
	edges := func(x []bool) (on, off []int) {
		prev := false
		for i, v := range x {
			if v && !prev {
				on = append(on, i)
			}
			if !v && prev {
				off = append(off, i)
			}
			prev = v
		}
		return on, off
	}
	gon, goff := edges(got)
	won, woff := edges(want)
	if len(gon) != len(won) || len(goff) != len(woff) {
		t.Errorf("%s: %d rings ending %d times, want %d and %d", name, len(gon), len(goff), len(won), len(woff))
		return
	}
	for i := range won {
		if d := gon[i] - won[i]; d < 0 || d > 10 {
			t.Errorf("%s: ring %d confirmed %d frames after the burst began", name, i, d)
		}
	}
	for i := range woff {
		if d := goff[i] - woff[i]; d < 0 || d > 10 {
			t.Errorf("%s: ring %d ended %d frames after the burst did", name, i, d)
		}
	}
}

func TestRingLevelAndGlitches(t *testing.T) {
	tests := []struct {
		name     string
		readings string
		want     string
	}{
		{"a steady level confirms in 3 frames", "0011111111", "0000111111"},
		{"two glitches do not ring", "0100000100000", "0000000000000"},
		{"a short gap holds", "1111100001111", "0011111111111"},
		{"six idle frames end it", "11111000000111", "00111111110001"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r debounce.Ring
			var got []byte
			for _, c := range tt.readings {
				r.Update(c == '1')
				got = append(got, map[bool]byte{false: '0', true: '1'}[r.Active])
			}
			if string(got) != tt.want {
				t.Errorf("readings %s: %s, want %s", tt.readings, got, tt.want)
			}
		})
	}
}
