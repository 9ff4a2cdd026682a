package dsp

import "math"

// Sine fills dst with a sine of frequency freq Hz at rate samples per second
// and level dbm0, starting at phase (radians), and returns the phase of the
// sample that would follow, in [0, 2π). Passing the returned phase to the
// next call continues the tone without a click, so a tone can be generated
// frame by frame. Samples are rounded to nearest and saturate at the int16
// limits (a level above about +3.14 dBm0 clips). A rate <= 0 yields silence.
func Sine(dst []int16, rate int, freq, dbm0, phase float64) float64 {
	if rate <= 0 {
		clear(dst)
		return phase
	}
	peak := PeakForDBm0(dbm0)
	step := 2 * math.Pi * freq / float64(rate)
	for i := range dst {
		// Phase is recomputed from the start phase rather than accumulated,
		// so a long tone does not drift by rounding.
		dst[i] = saturate(peak * math.Sin(phase+step*float64(i)))
	}
	next := math.Mod(phase+step*float64(len(dst)), 2*math.Pi)
	if next < 0 {
		next += 2 * math.Pi
	}
	return next
}

// saturate rounds v to the nearest integer (ties to even) and clips it to the
// int16 range.
func saturate(v float64) int16 {
	switch {
	case v >= math.MaxInt16:
		return math.MaxInt16
	case v <= math.MinInt16:
		return math.MinInt16
	case v != v: // NaN
		return 0
	}
	return int16(math.RoundToEven(v))
}
