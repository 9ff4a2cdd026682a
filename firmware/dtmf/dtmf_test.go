package dtmf

import (
	"fmt"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// check asserts that ev holds exactly one End per burst of s, with the right
// digit, overlapping the burst, and nothing else. It returns a description
// of the first problem, or "".
func check(s *signal, ev []Event) string {
	if len(ev) != len(s.marks) {
		return fmt.Sprintf("%d digits %q, want %d", len(ev), digits(ev), len(s.marks))
	}
	for i, m := range s.marks {
		e := ev[i]
		if e.Digit != m.digit || e.Start >= int64(m.end) || e.Start+e.Duration <= int64(m.start) {
			return fmt.Sprintf("burst %d: got %c at %d+%d, want %c at %d+%d", i, e.Digit, e.Start, e.Duration, m.digit, m.start, m.end-m.start)
		}
	}
	return ""
}

// burstTrain is 10 repeats of all 16 digits, on for on and off for off
// samples, with levels low and high dBm0, starting at an offset that depends
// on seed (all its bursts then share one block alignment).
func burstTrain(t testing.TB, seed uint64, on, off int, low, high float64) *signal {
	s := newSignal(seed)
	s.silence(s.rng.IntN(blockLen) + ms(20))
	for range 10 {
		for i := range keys {
			s.tone(t, keys[i], low, high, on).silence(off)
		}
	}
	return s.silence(ms(100))
}

// Case 1: all 16 digits, 10 repeats each, at 50/50 and 40/40 ms.
func TestBursts(t *testing.T) {
	eachCodec(t, func(t *testing.T, c codec) {
		for _, tc := range []struct{ on, off float64 }{{50, 50}, {40, 40}} {
			t.Run(fmt.Sprintf("%v/%v", tc.on, tc.off), func(t *testing.T) {
				for seed := range uint64(4) { // more block alignments
					s := burstTrain(t, seed+10, ms(tc.on), ms(tc.off), -10, -10)
					if msg := check(s, detect(t, nil, c.apply(s.pcm()), 0)); msg != "" {
						t.Fatalf("seed %d: %s", seed+10, msg)
					}
				}
				s := burstTrain(t, 1, ms(tc.on), ms(tc.off), -10, -10)
				ev := detect(t, nil, c.apply(s.pcm()), 0)
				if msg := check(s, ev); msg != "" {
					t.Fatal(msg)
				}
				var worstStart, worstDur float64
				for i, m := range s.marks {
					worstStart = max(worstStart, math.Abs(float64(ev[i].Start-int64(m.start))))
					worstDur = max(worstDur, math.Abs(float64(ev[i].Duration-int64(m.end-m.start))))
					if d := ev[i].Level - (-10); math.Abs(d) > 1 {
						t.Errorf("burst %d: level %.1f dBm0, want -10", i, ev[i].Level)
					}
				}
				t.Logf("worst start error %.1f ms, duration error %.1f ms", worstStart/8, worstDur/8)
				if worstStart > 40 || worstDur > 40 {
					t.Errorf("timing off by more than 5 ms: start %.0f, duration %.0f samples", worstStart, worstDur)
				}
			})
		}
	})
}

// Case 2: any chunking gives the same events, Begin and End alike.
func TestChunking(t *testing.T) {
	eachCodec(t, func(t *testing.T, c codec) {
		s := burstTrain(t, 2, ms(40), ms(40), -20, -18)
		x := c.apply(s.pcm())
		d, _ := New(Config{})
		want := run(d, x, 0)
		if len(ends(want)) != len(s.marks) {
			t.Fatalf("whole buffer: %d digits, want %d", len(ends(want)), len(s.marks))
		}
		for _, n := range []int{1, 7, 80, 160, 1000} {
			d.Reset()
			if diff := cmp.Diff(want, run(d, x, n)); diff != "" {
				t.Errorf("chunks of %d differ from the whole buffer (-whole +chunked):\n%s", n, diff)
			}
		}
	})
}

// oneDigit returns silence, digit k for on samples at the given frequencies
// and levels, and silence, starting at a random block alignment.
func oneDigit(seed uint64, f1, a1, f2, a2 float64, on int) *signal {
	s := newSignal(seed)
	s.silence(ms(30) + s.rng.IntN(blockLen))
	s.marks = append(s.marks, burst{0, len(s.x), len(s.x) + on})
	return s.pair(f1, a1, f2, a2, on).silence(ms(80))
}

// count returns the digits the detector reports for s through codec c.
func count(t testing.TB, p *Profile, s *signal, c ...codec) []Event {
	x := s.pcm()
	for _, c := range c {
		x = c.apply(x)
	}
	return detect(t, p, x, 160)
}

// eachCodec runs f for the signal as it is and after G.711 A-law and µ-law
// round trips (case 10).
func eachCodec(t *testing.T, f func(t *testing.T, c codec)) {
	for _, c := range codecs {
		t.Run(c.name, func(t *testing.T) { f(t, c) })
	}
}

// Case 3: frequency tolerance for all eight tones.
func TestFrequency(t *testing.T) {
	eachCodec(t, func(t *testing.T, c codec) {
		etsi, att := ETSI(), ATT()
		for _, p := range []*Profile{&etsi, &att} {
			for row := range 4 {
				for col := range 4 {
					lo, hi := rowFreqs[row], colFreqs[col]
					k := keys[row*4+col]
					acc := func(f float64) float64 { return f*p.AcceptPct/100 + p.AcceptHz }
					rej := func(f float64) float64 { return f * p.RejectPct / 100 }
					type off struct {
						dl, dh float64
						ok     bool
					}
					cases := []off{
						{0, 0, true},
						{acc(lo), 0, true}, {-acc(lo), 0, true}, {0, acc(hi), true}, {0, -acc(hi), true},
						{acc(lo), acc(hi), true}, {-acc(lo), -acc(hi), true}, {acc(lo), -acc(hi), true}, {-acc(lo), acc(hi), true},
						{rej(lo), 0, false}, {-rej(lo), 0, false}, {0, rej(hi), false}, {0, -rej(hi), false},
						{rej(lo), rej(hi), false}, {-rej(lo), -rej(hi), false},
						{rej(lo), acc(hi), false}, {acc(lo), -rej(hi), false},
					}
					for i, o := range cases {
						levels := []float64{-3, -25}
						if testing.Short() && c.name != "linear" {
							levels = levels[1:]
						}
						for _, lvl := range levels {
							s := oneDigit(uint64(row*100+col*10+i), lo+o.dl, peak(lvl), hi+o.dh, peak(lvl), ms(60))
							ev := count(t, p, s, c)
							got := len(ev) == 1 && ev[0].Digit == k
							if got != o.ok || (!o.ok && len(ev) > 0) {
								t.Errorf("%s %c %+.1f/%+.1f Hz at %v dBm0: got %q, want detected=%v", p.Name, k, o.dl, o.dh, lvl, digits(ev), o.ok)
							}
						}
					}
				}
			}
		}
	})
}

// TestFrequencyEdges measures where each tone stops being accepted and logs
// it; it fails if an edge falls outside (accept, reject).
func TestFrequencyEdges(t *testing.T) {
	if testing.Short() {
		t.Skip("bisection is slow under -short")
	}
	for i := range 8 {
		for _, sign := range []float64{-1, 1} {
			f, other := rowFreqs[i%4], colFreqs[0]
			if i >= 4 {
				f, other = colFreqs[i-4], rowFreqs[0]
			}
			detects := func(pct float64) bool {
				for seed := range uint64(4) {
					s := oneDigit(seed, f*(1+sign*pct/100), peak(-10), other, peak(-10), ms(60))
					if len(count(t, nil, s)) != 1 {
						return false
					}
				}
				return true
			}
			a, b := 0.0, 5.0
			for b-a > 0.02 {
				if m := (a + b) / 2; detects(m) {
					a = m
				} else {
					b = m
				}
			}
			t.Logf("%4.0f Hz %+.0f: accepted up to %.2f%% (%.1f Hz)", f, sign, a, f*a/100)
			if a < 1.5+200/f || a >= 3.5 {
				t.Errorf("%.0f Hz: edge %.2f%% outside (1.5%%+2 Hz, 3.5%%)", f, a)
			}
		}
	}
}

// Case 4: level range.
func TestLevel(t *testing.T) {
	eachCodec(t, func(t *testing.T, c codec) {
		for _, lvl := range []float64{3, 0, -5, -10, -15, -20, -25, -28, -30, -45, -50, -60} {
			for _, k := range []byte("1D") {
				lo, hi := digitFreqs(t, k)
				s := oneDigit(uint64(-lvl), lo, peak(lvl), hi, peak(lvl), ms(45))
				ev := count(t, nil, s, c)
				want := lvl >= -30
				if got := len(ev) == 1 && ev[0].Digit == k; got != want || (!want && len(ev) > 0) {
					t.Errorf("%c at %v dBm0: got %q, want detected=%v", k, lvl, digits(ev), want)
				}
			}
		}
	})
}

// Case 5: twist. Normal twist: the high-group tone weaker than the low one.
func TestTwist(t *testing.T) {
	eachCodec(t, func(t *testing.T, c codec) {
		for _, p := range []Profile{ETSI(), ATT(), NTT()} {
			for _, tc := range []struct {
				twist float64 // dB, + normal, - reverse
				ok    bool
			}{
				{p.NormalTwist, true}, {-p.ReverseTwist, true},
				{p.NormalTwist + 2, false}, {-p.ReverseTwist - 2, false},
			} {
				for _, k := range []byte("1#D") {
					lo, hi := digitFreqs(t, k)
					low, high := -10.0, -10-tc.twist
					if tc.twist < 0 {
						low, high = -10+tc.twist, -10.0
					}
					s := oneDigit(uint64(k), lo, peak(low), hi, peak(high), ms(50))
					ev := count(t, &p, s, c)
					if got := len(ev) == 1; got != tc.ok || len(ev) > 1 {
						t.Errorf("%s %c twist %+v dB: got %q, want detected=%v", p.Name, k, tc.twist, digits(ev), tc.ok)
					}
				}
			}
		}
	})
}

// Case 6: 40 ms or more always detects, 20 ms or less never.
func TestDuration(t *testing.T) {
	eachCodec(t, func(t *testing.T, c codec) {
		for _, dur := range []float64{5, 10, 15, 20, 40, 42, 45, 60, 100} {
			for seed := range uint64(20) {
				lvl := []float64{3, -8, -20, -30}[seed%4]
				s := oneDigit(seed, 852, peak(lvl), 1477, peak(lvl), ms(dur))
				ev := count(t, nil, s, c)
				if want := dur >= 40; (len(ev) == 1) != want || len(ev) > 1 {
					t.Errorf("%v ms at %v dBm0 (seed %d): got %q, want detected=%v", dur, lvl, seed, digits(ev), want)
				}
			}
		}
	})
}
