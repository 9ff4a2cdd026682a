package dsp

import (
	"math"
	"testing"
)

func TestLevelDBm0Sine(t *testing.T) {
	for _, dbm0 := range []float64{0, -10, -30, -3, 3} {
		for _, freq := range []float64{300, 1004, 3400} {
			x := make([]int16, LineRate) // one second: many whole periods
			Sine(x, LineRate, freq, dbm0, 0.3)
			if got := LevelDBm0(x); math.Abs(got-dbm0) > 0.05 {
				t.Errorf("LevelDBm0(%g Hz at %g dBm0) = %.3f", freq, dbm0, got)
			}
		}
	}
}

func TestLevelDBm0Silence(t *testing.T) {
	for _, x := range [][]int16{nil, make([]int16, 160)} {
		if got := LevelDBm0(x); got != SilenceDBm0 {
			t.Errorf("LevelDBm0(silence of %d) = %g, want %g", len(x), got, SilenceDBm0)
		}
	}
	if got := LevelDBm0([]int16{1}); got <= SilenceDBm0 || got > -80 {
		t.Errorf("LevelDBm0(one LSB) = %g, want just above silence", got)
	}
}

func TestFullScaleIsPlus3Point14(t *testing.T) {
	// G.711: full scale is +3.14 dBm0 (A-law's overload point).
	if peak := PeakForDBm0(3.14); math.Abs(peak-32767)/32767 > 0.01 {
		t.Errorf("PeakForDBm0(3.14) = %.0f, want ≈ 32767", peak)
	}
	if got := PeakForDBm0(0); got != ZeroDBm0Peak {
		t.Errorf("PeakForDBm0(0) = %g, want %g", got, ZeroDBm0Peak)
	}
	x := make([]int16, LineRate)
	Sine(x, LineRate, 1000, 3.14, 0)
	if got := LevelDBm0(x); math.Abs(got-3.14) > 0.05 {
		t.Errorf("full-scale sine reads %.3f dBm0, want 3.14", got)
	}
}

func TestSineContinues(t *testing.T) {
	whole := make([]int16, 1000)
	Sine(whole, 48000, 997, -6, 1)
	parts := make([]int16, 1000)
	ph := 1.0
	for i := 0; i < len(parts); i += 160 {
		ph = Sine(parts[i:min(i+160, len(parts))], 48000, 997, -6, ph)
	}
	for i := range whole {
		if d := int(whole[i]) - int(parts[i]); d < -1 || d > 1 {
			t.Fatalf("sample %d: framed tone %d, whole tone %d", i, parts[i], whole[i])
		}
	}
	if ph < 0 || ph >= 2*math.Pi {
		t.Errorf("returned phase %g outside [0, 2π)", ph)
	}
}

func TestSineSaturates(t *testing.T) {
	x := make([]int16, 8000)
	Sine(x, LineRate, 1000, 10, 0)
	lo, hi := int16(0), int16(0)
	for _, v := range x {
		lo, hi = min(lo, v), max(hi, v)
	}
	if lo != math.MinInt16 || hi != math.MaxInt16 {
		t.Errorf("+10 dBm0 sine spans [%d, %d], want clipped to int16 limits", lo, hi)
	}
}
