package dsp

import "math"

// ZeroDBm0Peak is the peak amplitude, in 16-bit linear PCM, of a sine at
// 0 dBm0 (G.711: full scale is then about +3.14 dBm0).
const ZeroDBm0Peak = 22700.0

// SilenceDBm0 is the level LevelDBm0 reports for digital silence or an empty
// slice: far below anything G.711 can carry, yet a finite number that can be
// compared, averaged and printed.
const SilenceDBm0 = -120.0

// zeroDBm0RMS is the RMS of a 0 dBm0 sine.
const zeroDBm0RMS = ZeroDBm0Peak / math.Sqrt2

// LevelDBm0 returns the RMS level of x in dBm0, never below SilenceDBm0.
func LevelDBm0(x []int16) float64 {
	if len(x) == 0 {
		return SilenceDBm0
	}
	var sum float64
	for _, v := range x {
		f := float64(v)
		sum += f * f
	}
	return RMSDBm0(math.Sqrt(sum / float64(len(x))))
}

// RMSDBm0 converts an RMS value in 16-bit linear units to dBm0, never below
// SilenceDBm0.
func RMSDBm0(rms float64) float64 {
	if !(rms > 0) {
		return SilenceDBm0
	}
	return max(20*math.Log10(rms/zeroDBm0RMS), SilenceDBm0)
}

// PeakForDBm0 returns the peak amplitude, in 16-bit linear units, of a sine
// at the given level. The result can exceed 32767 above about +3.14 dBm0.
func PeakForDBm0(dbm0 float64) float64 {
	return ZeroDBm0Peak * math.Pow(10, dbm0/20)
}
