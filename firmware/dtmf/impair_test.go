package dtmf

import (
	"fmt"
	"math"
	"testing"
)

// Case 14: impairments give the right digits and no extra ones.
func TestImpairments(t *testing.T) {
	train := func(seed uint64, lvl float64) *signal {
		s := newSignal(seed).silence(ms(50) + int(seed))
		for i := range keys {
			s.tone(t, keys[i], lvl, lvl, ms(50)).silence(ms(60))
		}
		return s.silence(ms(100))
	}
	for _, dc := range []float64{1000, -1000} {
		s := train(1, -25)
		for i := range s.x {
			s.x[i] += dc
		}
		if msg := check(s, count(t, nil, s)); msg != "" {
			t.Errorf("DC %+v: %s", dc, msg)
		}
	}
	clip := peak(3)
	for _, lvl := range []float64{-3, 0, 3} {
		s := train(2, lvl)
		for i, v := range s.x {
			s.x[i] = max(-clip, min(clip, v))
		}
		if msg := check(s, count(t, nil, s)); msg != "" {
			t.Errorf("tones at %v dBm0 clipped at +3 dBm0: %s", lvl, msg)
		}
	}
	// Harmonics at -20 dB, with random phases.
	s := newSignal(3).silence(ms(50))
	for i := range keys {
		lo, hi := digitFreqs(t, keys[i])
		s.marks = append(s.marks, burst{keys[i], len(s.x), len(s.x) + ms(50)})
		n := ms(50)
		base := len(s.x)
		s.pair(lo, peak(-10), hi, peak(-10), n)
		h := newSignal(uint64(i))
		h.pair(2*lo, peak(-30), 2*hi, peak(-30), n).pair(3*lo, peak(-30), min(3*hi, 3999), peak(-30)*b2f(3*hi < 4000), n)
		for j := range n {
			s.x[base+j] += h.x[j] + h.x[n+j]
		}
		s.silence(ms(60))
	}
	s.silence(ms(100))
	if msg := check(s, count(t, nil, s)); msg != "" {
		t.Errorf("harmonics at -20 dB: %s", msg)
	}
	// A sample clock off by ±0.5% scales every frequency.
	for _, skew := range []float64{-0.005, 0.005} {
		s := newSignal(4).silence(ms(50))
		for i := range keys {
			lo, hi := digitFreqs(t, keys[i])
			s.marks = append(s.marks, burst{keys[i], len(s.x), len(s.x) + ms(50)})
			s.pair(lo*(1+skew), peak(-10), hi*(1+skew), peak(-10), ms(50)).silence(ms(60))
		}
		s.silence(ms(100))
		if msg := check(s, count(t, nil, s)); msg != "" {
			t.Errorf("clock %+.1f%%: %s", skew*100, msg)
		}
	}
	// Clicks and line reversals: steps, spikes and decaying ringing.
	s = newSignal(5).silence(ms(5000))
	for k := 0; k < 40; k++ {
		at := ms(100) + k*ms(120)
		switch k % 4 {
		case 0: // impulse
			s.x[at] = 30000
		case 1: // line reversal: a step with a slow decay
			for j := at; j < len(s.x); j++ {
				s.x[j] += 20000 * math.Exp(-float64(j-at)/400) * math.Copysign(1, float64(k%8)-3.5)
			}
		case 2: // ringing transient
			f := 600 + 100*float64(k%7)
			for j := range ms(30) {
				s.x[at+j] += 25000 * math.Exp(-float64(j)/40) * math.Sin(2*math.Pi*f*float64(j)/8000)
			}
		default: // burst of clicks
			for j := range 10 {
				s.x[at+j*13] += 25000 * float64(1-2*(j%2))
			}
		}
	}
	if ev := count(t, nil, s); len(ev) > 0 {
		t.Errorf("clicks and reversals: got %q", digits(ev))
	}
}

// Case 13: talk-down, DTMF over speech 0..20 dB above it; at 7 dB at least
// 90% must be detected.
func TestTalkDown(t *testing.T) {
	haveTools(t)
	n := 320
	if testing.Short() {
		n = 96
	}
	sp := speechCorpus(t, 99, float64(n)*0.2+2, 0)
	// The speech level is its active level (pauses left out), as for a
	// speech-level meter; digits fall on loud syllables and quiet ones.
	sPow := activePower(sp)
	var rates []string
	snrs := []float64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20}
	if testing.Short() {
		snrs = []float64{0, 7, 20}
	}
	for _, snr := range snrs {
		// Digits of 50 ms every 200 ms; the speech power is the active power
		// of the 250 ms around each digit.
		s := newSignal(uint64(snr)).silence(len(sp))
		copy(s.x, sp)
		var found int
		for i := range n {
			at := ms(100) + i*ms(200)
			lvl := 10*math.Log10(sPow/(peak(0)*peak(0)/2)) + snr - 3 // per tone
			k := keys[i%16]
			lo, hi := digitFreqs(t, k)
			tone := newSignal(uint64(i)).pair(lo, peak(lvl), hi, peak(lvl), ms(50))
			for j, v := range tone.x {
				s.x[at+j] += v
			}
			s.marks = append(s.marks, burst{k, at, at + ms(50)})
		}
		ev := count(t, nil, s)
		var extra int
		j := 0
		for _, m := range s.marks {
			for j < len(ev) && ev[j].Start+ev[j].Duration < int64(m.start) {
				j++
				extra++
			}
			if j < len(ev) && ev[j].Start < int64(m.end) && ev[j].Digit == m.digit {
				found++
				j++
			}
		}
		extra += len(ev) - j
		rate := 100 * float64(found) / float64(n)
		rates = append(rates, fmt.Sprintf("%2.0f dB %5.1f%% (%d wrong)", snr, rate, extra))
		if snr == 7 && rate < 90 {
			t.Errorf("talk-down at 7 dB: %.1f%% detected, want >= 90%%", rate)
		}
	}
	for _, r := range rates {
		t.Log(r)
	}
}
