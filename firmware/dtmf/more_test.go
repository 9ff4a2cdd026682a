package dtmf

import (
	"math"
	"testing"
)

// Case 7: interruptions.
func TestInterruptions(t *testing.T) {
	for seed := range uint64(20) {
		// Two equal digits with a 40 ms gap: two reports.
		s := newSignal(seed).silence(ms(30) + int(seed)*2)
		s.tone(t, '5', -10, -10, ms(50)).silence(ms(40)).tone(t, '5', -10, -10, ms(50)).silence(ms(80))
		if msg := check(s, count(t, nil, s)); msg != "" {
			t.Errorf("40 ms gap, seed %d: %s", seed, msg)
		}

		// A 10 ms dropout inside one tone: one report spanning both parts.
		s = newSignal(seed).silence(ms(30) + int(seed)*2)
		s.tone(t, '0', -10, -10, ms(40)).silence(ms(10)).tone(t, '0', -10, -10, ms(40)).silence(ms(80))
		ev := count(t, nil, s)
		if len(ev) != 1 || ev[0].Digit != '0' {
			t.Errorf("10 ms dropout, seed %d: got %q, want one 0", seed, digits(ev))
		} else if d := ev[0].Duration; math.Abs(float64(d-int64(ms(90)))) > 40 {
			t.Errorf("10 ms dropout, seed %d: duration %d samples, want %d", seed, d, ms(90))
		}
	}
	// A 2 s press: one report with its duration.
	s := newSignal(3).silence(ms(100)).tone(t, '#', -12, -10, ms(2000)).silence(ms(100))
	ev := count(t, nil, s)
	if msg := check(s, ev); msg != "" {
		t.Fatal(msg)
	}
	if d := ev[0].Duration; math.Abs(float64(d-int64(ms(2000)))) > 40 {
		t.Errorf("2 s press: duration %d samples, want %d", d, ms(2000))
	}
}

// Case 8: ten digits per second, and different digits back to back.
func TestFastAndBackToBack(t *testing.T) {
	const seq = "0123456789*#ABCD"
	for seed := range uint64(10) {
		s := newSignal(seed).silence(ms(20) + int(seed)*4)
		for i := range seq {
			s.tone(t, seq[i], -10, -10, ms(45)).silence(ms(55))
		}
		s.silence(ms(100))
		if msg := check(s, count(t, nil, s)); msg != "" {
			t.Errorf("10/s, seed %d: %s", seed, msg)
		}

		s = newSignal(seed).silence(ms(20) + int(seed)*4)
		for _, k := range []byte("1236547898*0#D") {
			s.tone(t, k, -10, -10, ms(50))
		}
		s.silence(ms(100))
		if msg := check(s, count(t, nil, s)); msg != "" {
			t.Errorf("back to back, seed %d: %s", seed, msg)
		}
	}
}

// noisePower is the white-noise power (0-4 kHz) for an S/N of snr dB against
// two tones at lvl dBm0 each.
func noisePower(lvl, snr float64) float64 {
	sig := 2 * math.Pow(peak(lvl), 2) / 2
	return sig / math.Pow(10, snr/10)
}

// Case 9: 1000 of 1000 digits at 12 dB S/N; nothing from noise alone.
func TestNoise(t *testing.T) {
	n := 1000
	if testing.Short() {
		n = 160
	}
	s := newSignal(9).silence(ms(50))
	for i := range n {
		s.tone(t, keys[i%16], -20, -20, ms(40)).silence(ms(40) + s.rng.IntN(blockLen))
	}
	s.silence(ms(100)).noise(noisePower(-20, 12))
	if msg := check(s, count(t, nil, s)); msg != "" {
		t.Errorf("%d digits at 12 dB S/N: %s", n, msg)
	}
	for _, lvl := range []float64{-40, -20, -10, 0} {
		s := newSignal(uint64(-lvl)).silence(ms(10000)).noise(math.Pow(peak(lvl), 2) / 2)
		if ev := count(t, nil, s); len(ev) > 0 {
			t.Errorf("white noise at %v dBm0: got %q", lvl, digits(ev))
		}
	}
}

// Case 11: other tones give no digits; DTMF 3 dB below a dial tone does.
func TestOtherTones(t *testing.T) {
	cadence := func(s *signal, f1, f2 float64, lvl float64, on, off, total int) {
		for len(s.x) < total {
			s.pair(f1, peak(lvl), f2, peak(lvl), on).silence(off)
		}
	}
	for _, tc := range []struct {
		name         string
		f1, f2       float64
		on, off, lvl float64
	}{
		{"EU dial 425", 425, 425, 5000, 0, -10},
		{"US dial 350+440", 350, 440, 5000, 0, -13},
		{"EU busy", 425, 425, 500, 500, -10},
		{"US busy 480+620", 480, 620, 500, 500, -10},
		{"EU ringback", 425, 425, 1000, 4000, -10},
		{"US ringback 440+480", 440, 480, 2000, 4000, -16},
		{"fax CNG 1100", 1100, 1100, 500, 3000, -10},
		{"fax CED 2100", 2100, 2100, 3000, 0, -10},
		{"fax CNG+CED", 1100, 2100, 3000, 0, -10},
	} {
		s := newSignal(11)
		total := ms(10000)
		if testing.Short() {
			total = ms(5000)
		}
		cadence(s, tc.f1, tc.f2, tc.lvl-3*b2f(tc.f1 == tc.f2), ms(tc.on), ms(tc.off), total)
		if ev := count(t, nil, s); len(ev) > 0 {
			t.Errorf("%s: got %q", tc.name, digits(ev))
		}
	}
	// DTMF 3 dB below a dial tone (per tone against the dial tone).
	for _, dial := range []struct {
		name   string
		f1, f2 float64
	}{{"EU", 425, 425}, {"US", 350, 440}} {
		s := newSignal(12).silence(ms(2000))
		for i := range keys {
			at := ms(100) + i*ms(100)
			s.marks = append(s.marks, burst{keys[i], at, at + ms(50)})
			lo, hi := digitFreqs(t, keys[i])
			tone := newSignal(uint64(i)).pair(lo, peak(-13), hi, peak(-13), ms(50))
			for j, v := range tone.x {
				s.x[at+j] += v
			}
		}
		d := newSignal(13).pair(dial.f1, peak(-10), dial.f2, peak(-10), len(s.x))
		if dial.f1 == dial.f2 {
			d = newSignal(13).pair(dial.f1, peak(-10), 0, 0, len(s.x))
		}
		for j, v := range d.x {
			s.x[j] += v
		}
		if msg := check(s, count(t, nil, s)); msg != "" {
			t.Errorf("DTMF 3 dB under %s dial tone: %s", dial.name, msg)
		}
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// Case 15: a digit is reported no later than 60 ms after its tone starts.
func TestLatency(t *testing.T) {
	worst := int64(0)
	for seed := range uint64(40) {
		s := newSignal(seed).silence(ms(30) + int(seed))
		lvl := -5 - float64(seed%6)*5
		s.tone(t, keys[seed%16], lvl, lvl, ms(100)).silence(ms(80))
		d, _ := New(Config{})
		var begin *Event
		ev := run(d, s.pcm(), 1)
		for i := range ev {
			if ev[i].Kind == Begin {
				begin = &ev[i]
				break
			}
		}
		if begin == nil {
			t.Fatalf("seed %d: no Begin in %+v", seed, ev)
		}
		worst = max(worst, begin.At-int64(s.marks[0].start))
	}
	t.Logf("worst latency %.1f ms", float64(worst)/8)
	if worst > int64(ms(60)) {
		t.Errorf("latency %d samples, want <= %d", worst, ms(60))
	}
}
