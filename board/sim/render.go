package sim

import (
	"fmt"
	"math"

	"fairrec/firmware/dsp"
)

// render mixes every line's audio and DTMF into one channel per line at the
// scenario's rate, End samples long.
func (sc *Scenario) render() ([][]int16, error) {
	n := sc.Sample(sc.End)
	out := make([][]int16, sc.Lines)
	for i := range out {
		out[i] = make([]int16, n)
	}
	// mix adds src at sample at, saturating: overlapping sources clip as
	// they would in a real mixer rather than wrap around.
	mix := func(dst []int16, at int64, src []int16, gain float64) {
		if at >= int64(len(dst)) {
			return
		}
		dst = dst[at:]
		for i, v := range src {
			if i >= len(dst) {
				break
			}
			x := float64(v)
			if gain != 1 {
				x = math.Round(x * gain)
			}
			dst[i] = int16(min(max(float64(dst[i])+x, math.MinInt16), math.MaxInt16))
		}
	}
	for k, evs := range sc.Line {
		for _, e := range evs {
			switch e.Kind {
			case Audio:
				s, err := dsp.ResampleAll(e.audio.Mono(), e.audio.Rate, sc.Rate)
				if err != nil {
					return nil, fmt.Errorf("%s: audio %s: %w", e.Pos, e.File, err)
				}
				mix(out[k], sc.Sample(e.At), s, math.Pow(10, e.Gain/20))
			case DTMF:
				// Generate only what fits before End: the tone buffers
				// would otherwise be as long as on, whatever the capture.
				at := e.At
				for _, d := range e.Digits {
					start := sc.Sample(at)
					if start >= n {
						break
					}
					length := min(sc.Sample(e.On), n-start)
					mix(out[k], start, dtmfTone(d, sc.Rate, int(length), e.Level), 1)
					at += e.On + e.Off
				}
			}
		}
	}
	return out, nil
}

// dtmfTone is one DTMF digit of length samples at rate, each of its two
// tones at level dBm0.
func dtmfTone(d rune, rate, length int, level float64) []int16 {
	low, high, _ := dtmfPair(d)
	a := make([]int16, length)
	b := make([]int16, length)
	dsp.Sine(a, rate, low, level, 0)
	dsp.Sine(b, rate, high, level, 0)
	for i := range a {
		a[i] = int16(min(max(int32(a[i])+int32(b[i]), math.MinInt16), math.MaxInt16))
	}
	return a
}
