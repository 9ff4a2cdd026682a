package dsp

import (
	"math"
	"slices"
)

// Integer decimation (48 -> 8 kHz, 16 -> 8 kHz, ...) is what every line
// does to every sample, so it gets a cheaper structure than the general
// polyphase filter: a cascade of Nyquist stages (below), each evaluated only
// at the samples it keeps.
//
// Only the last stage makes the sharp 3.4 -> 4.6 kHz transition, at twice
// the output rate, where a half-band filter does it with every other tap
// zero. The stages before it have a transition several kHz wide, so they are
// short; a stage's stopband starts where its aliases would land in the
// final passband. For 48 -> 8 kHz (÷3 then ÷2) that is 2 x 16 + 30
// multiply-adds per output sample instead of 202 (the half-band's symmetric
// taps folded to 15 multiplies), measured 3.2-3.5 times faster
// than the polyphase filter (BenchmarkDecimate48kTo8k). The price: what
// lies in the first stage's transition band (11.4-12.6 kHz) may alias into
// 3.4-4 kHz, the output's own transition band, just as 4-4.6 kHz does with
// any 8 kHz filter.

// maxStageFactor bounds the prime factors a cascade is built from; a ratio
// with a larger prime factor (44.1 -> 8 kHz is not an integer ratio at all)
// uses the polyphase filter.
const maxStageFactor = 7

// maxCascade bounds the whole ratio of a cascade; beyond it (a 1 Hz
// output...) NewResampler's general check decides.
const maxCascade = 64

// cascadeStopbandDB is the stopband attenuation each cascade stage is
// designed for. Less than the polyphase filter's 80 dB, because this path
// runs on every line all the time and a tap costs the same everywhere: 70 dB
// is still 30 dB below the quantisation noise of the A-law the lines store
// (about 38 dB under a full-scale tone), and far beyond G.712's 25-35 dB
// out-of-band limits for a PCM channel.
const cascadeStopbandDB = 70.0

// stage is one decimate-by-m stage of a cascade: a Nyquist (m-th band)
// filter, a low-pass whose transition is centred on the output's Nyquist
// frequency. Its impulse response is zero at every m-th tap from the centre,
// so of the m polyphase components one is a single tap; the others are
// short dot products over the input split by phase. With m = 2 it is the
// classic half-band filter.
//
// The input is taken in frames of m samples, the last of which is the one
// an output is due at. Phase r holds the samples r before an output, so an
// output is, for each phase, one contiguous dot product over that phase's
// newest samples.
type stage struct {
	m int
	// buf[r] holds phase r: hist frames of history, then up to
	// blockLength/m+1 new ones; the frame being filled sits after them.
	// fill is the phase the next sample goes to (m-1 first, 0 completes a
	// frame).
	buf  [][]float32
	fill int
	hist int // frames of history kept
	// taps are the phases other than the centre's, each with its
	// coefficients, oldest first, padded at the old end with zeros to a
	// multiple of four (dot then never takes its slow tail).
	taps []phase
	// The centre's phase rc contributes only center times the sample uc
	// frames back.
	center float32
	rc, uc int
	out    []float32
	kernel kernel // an unrolled loop for this exact shape, or generic
}

// kernel names the unrolled loops of the stages every 48 kHz line runs.
type kernel int

const (
	generic kernel = iota
	third8         // two phases of eight taps (48 -> 16 kHz)
	half30         // one symmetric phase of 30 taps after two zeros (16 -> 8 kHz)
)

// phase is one polyphase component of a stage.
type phase struct {
	coef []float32
	buf  []float32 // the stage's buf[r]
}

// newStage designs a decimate-by-m stage for input at rate whose passband
// ends at pass Hz; the stopband starts as far above rate/(2m) as pass is
// below it.
func newStage(m, rate int, pass, boost float64) *stage {
	edge := float64(rate) / float64(2*m)                     // the output's Nyquist frequency
	width := 2 * math.Pi * 2 * (edge - pass) / float64(rate) // rad/sample
	n := int(math.Ceil((cascadeStopbandDB-7.95)/(2.285*width))) + 1
	if n%2 == 0 {
		n++
	}
	h := kaiserLowpass(n, edge/float64(rate), cascadeStopbandDB+boost)
	c := (n - 1) / 2
	s := &stage{m: m, center: float32(h[c]), rc: c % m, uc: c / m, hist: c / m, out: make([]float32, 0, blockLength/m+1)}
	// A sample d samples before the output meets tap n-1-d; phase r holds
	// d = r, r+m, ... so its taps, oldest first, end at n-1-r.
	var coefs [][]float32
	for r := range m {
		var taps []float32
		if r != s.rc {
			for j := (n - 1 - r) % m; j <= n-1-r; j += m {
				taps = append(taps, float32(h[j]))
			}
		}
		coefs = append(coefs, taps)
	}
	// The phases differ in length by at most one tap; padding them all to
	// the same multiple of four lets one loop serve two phases at once.
	long := 0
	for _, t := range coefs {
		long = max(long, (len(t)+3)&^3)
	}
	for r, t := range coefs {
		if r != s.rc {
			coefs[r] = append(make([]float32, long-len(t), long), t...)
		}
	}
	s.hist = max(s.uc, long-1)
	for r := range m {
		s.buf = append(s.buf, make([]float32, s.hist+blockLength/m+2))
		if r != s.rc {
			s.taps = append(s.taps, phase{coef: coefs[r], buf: s.buf[r]})
		}
	}
	s.kernel = pickKernel(s.taps)
	return s
}

// delay is the stage's group delay in input samples.
func (s *stage) delay() int { return s.uc*s.m + s.rc }

// reset forgets the history; the first output then falls start samples
// (0..m-1) after the next input: the samples of its frame before the
// stream are silence.
func (s *stage) reset(start int) {
	for _, b := range s.buf {
		clear(b)
	}
	s.fill = start
}

// route splits src (at most blockLength samples) into the phases and
// returns the index one past the last complete frame.
func route[T int16 | float32](s *stage, src []T) int {
	end, fill, last := s.hist, s.fill, s.m-1
	// Finish the frame begun in the last call, then take whole frames
	// (the common case, unrolled for the factors a cascade has most),
	// then begin the next frame.
	for len(src) > 0 && fill != last {
		s.buf[fill][end] = float32(src[0])
		src = src[1:]
		if fill == 0 {
			end++
			fill = last
		} else {
			fill--
		}
	}
	frames := len(src) / s.m
	switch s.m {
	case 2:
		b1, b0 := s.buf[1][end:end+frames], s.buf[0][end:end+frames]
		for i := range b0 {
			b1[i], b0[i] = float32(src[2*i]), float32(src[2*i+1])
		}
	case 3:
		b2, b1, b0 := s.buf[2][end:end+frames], s.buf[1][end:end+frames], s.buf[0][end:end+frames]
		for i := range b0 {
			b2[i], b1[i], b0[i] = float32(src[3*i]), float32(src[3*i+1]), float32(src[3*i+2])
		}
	default:
		for i := range frames {
			for k := range s.m {
				s.buf[last-k][end+i] = float32(src[s.m*i+k])
			}
		}
	}
	end += frames
	for _, v := range src[frames*s.m:] {
		s.buf[fill][end] = float32(v)
		fill--
	}
	s.fill = fill
	return end
}

// filter computes the outputs of the frames up to end, keeps the history
// and returns the outputs, valid until the next call.
func (s *stage) filter(end int) []float32 {
	out := s.out[:0]
	cb := s.buf[s.rc]
	n := len(s.taps[0].coef)
	switch s.kernel {
	case third8:
		out = s.third8(out, end)
	case half30:
		out = s.half30(out, end)
	}
	for f := s.hist + len(out); f < end; f++ {
		y := s.center * cb[f-s.uc]
		switch len(s.taps) {
		case 1: // half-band
			y += dot(s.taps[0].coef, s.taps[0].buf[f+1-n:f+1])
		case 2: // third-band
			a, b := s.taps[0], s.taps[1]
			y += dot2(a.coef, a.buf[f+1-n:f+1], b.coef, b.buf[f+1-n:f+1])
		default:
			for _, p := range s.taps {
				y += dot(p.coef, p.buf[f+1-n:f+1])
			}
		}
		out = append(out, y)
	}
	// Keep the history and the frame being filled.
	for _, b := range s.buf {
		copy(b, b[end-s.hist:end+1])
	}
	s.out = out
	return out
}

// pickKernel returns the unrolled loop that computes exactly what the
// generic one would for these phases, if there is one.
func pickKernel(taps []phase) kernel {
	switch {
	case len(taps) == 2 && len(taps[0].coef) == 8:
		return third8
	case len(taps) == 1 && len(taps[0].coef) == 32:
		c := taps[0].coef
		if c[0] != 0 || c[1] != 0 {
			return generic
		}
		for i := range 15 {
			if c[2+i] != c[31-i] {
				return generic // half30 folds the taps by symmetry
			}
		}
		return half30
	}
	return generic
}

// kaiserLowpass returns a Kaiser-windowed sinc low-pass of odd length n with
// cutoff fc (cycles per sample), scaled to a DC gain of 1. With fc = 1/(2m)
// every m-th tap from the centre is zero.
func kaiserLowpass(n int, fc, db float64) []float64 {
	beta := 0.1102 * (db - 8.7)
	i0beta := besselI0(beta)
	h := make([]float64, n)
	center := float64(n-1) / 2
	var sum float64
	for i := range n {
		x := float64(i) - center
		v := 2 * fc
		if x != 0 {
			v = math.Sin(2*math.Pi*fc*x) / (math.Pi * x)
		}
		r := x / center
		h[i] = v * besselI0(beta*math.Sqrt(max(0, 1-r*r))) / i0beta
		sum += h[i]
	}
	for i := range h {
		h[i] /= sum
	}
	return h
}

// cascade is a chain of decimating stages from one rate to an integer
// fraction of it.
type cascade struct {
	stages []*stage
	starts []int // where each stage's first output falls
	delay  int   // group delay in output samples, whole
}

// newCascade returns the cascade from rate from to rate to, or nil if the
// ratio is not an integer made of small prime factors.
func newCascade(from, to int) *cascade {
	if to <= 0 || from%to != 0 || from == to || from/to > maxCascade {
		return nil
	}
	var factors []int
	m := from / to
	for p := 2; m > 1; p++ {
		if p > maxStageFactor {
			return nil
		}
		for m%p == 0 {
			factors = append(factors, p)
			m /= p
		}
	}
	// The last stage makes the sharp transition at twice the output
	// rate: a factor 2 there gives it a half-band filter. The larger
	// factors go first, where the transition is widest.
	slices.Sort(factors)
	if factors[0] == 2 {
		factors = append(factors[1:], 2)
	}
	slices.Reverse(factors[:len(factors)-1])
	pass := passEdge * float64(to) / 2
	c := &cascade{}
	rate := from
	for i, f := range factors {
		// Kaiser's length estimate runs short for the few taps of the
		// wide stages (the worst alias measured 66.7-68.4 dB): they get
		// the window of a 75 dB design at the same length. That widens
		// their transition by a few hundred hertz, all of it within what
		// lands in the output's own transition band, and brings every
		// rate TestCascadeStopband sweeps to 70 dB or better.
		boost := 0.0
		if i < len(factors)-1 {
			boost = 5
		}
		c.stages = append(c.stages, newStage(f, rate, pass, boost))
		rate /= f
	}
	// Choose where each stage's first output falls so that the whole
	// delay is a whole number of output samples: then output k is the
	// input at exactly (k - delay)/to, and callers align streams by
	// dropping samples. acc is the time of the first output's centre,
	// relative to the first input, in input samples; period is the
	// spacing of the current stage's input samples.
	acc, period := 0, 1
	for _, s := range c.stages {
		// acc is a multiple of period; pick start so the centre of the
		// stage's first output, acc + period*(start-delay), is a
		// multiple of the stage's output spacing.
		m, d := s.m, s.delay()
		start := ((d-acc/period)%m + m) % m
		c.starts = append(c.starts, start)
		acc += period * (start - d)
		period *= m
		s.reset(start)
	}
	c.delay = -acc / period
	return c
}

func (c *cascade) reset() {
	for i, s := range c.stages {
		s.reset(c.starts[i])
	}
}

// process converts src and appends the output to dst.
func (c *cascade) process(dst, src []int16) []int16 {
	first := c.stages[0]
	for len(src) > 0 {
		n := min(len(src), blockLength)
		in := first.filter(route(first, src[:n]))
		src = src[n:]
		for _, s := range c.stages[1:] {
			in = s.filter(route(s, in))
		}
		for _, v := range in {
			dst = append(dst, saturate(float64(v)))
		}
	}
	return dst
}

// dot2 returns dot(a, x) + dot(b, y) for four slices of one length, a
// multiple of four, in one loop.
func dot2(a, x, b, y []float32) float32 {
	x, b, y = x[:len(a)], b[:len(a)], y[:len(a)]
	var s0, s1, s2, s3 float32
	for i := 0; i+4 <= len(a); i += 4 {
		s0 += a[i] * x[i]
		s1 += a[i+1] * x[i+1]
		s2 += b[i] * y[i]
		s3 += b[i+1] * y[i+1]
		s0 += a[i+2] * x[i+2]
		s1 += a[i+3] * x[i+3]
		s2 += b[i+2] * y[i+2]
		s3 += b[i+3] * y[i+3]
	}
	return (s0 + s1) + (s2 + s3)
}

// half30 is filter for a half-band stage with 30 taps (padded to 32): 16 ->
// 8 kHz, the last stage of every 48 kHz line. The taps are symmetric, so
// each pair of samples they weigh alike is added before the multiply: 15
// multiplies instead of 30, with every index a constant.
func (s *stage) half30(out []float32, end int) []float32 {
	g := (*[32]float32)(s.taps[0].coef)[2:]
	var c [15]float32
	copy(c[:], g)
	xp, xc := s.taps[0].buf, s.buf[s.rc]
	center, uc := s.center, s.uc
	for f := s.hist; f < end; f++ {
		x := (*[30]float32)(xp[f-29 : f+1])
		s0 := c[0]*(x[0]+x[29]) + c[4]*(x[4]+x[25]) + c[8]*(x[8]+x[21]) + c[12]*(x[12]+x[17])
		s1 := c[1]*(x[1]+x[28]) + c[5]*(x[5]+x[24]) + c[9]*(x[9]+x[20]) + c[13]*(x[13]+x[16])
		s2 := c[2]*(x[2]+x[27]) + c[6]*(x[6]+x[23]) + c[10]*(x[10]+x[19]) + c[14]*(x[14]+x[15])
		s3 := c[3]*(x[3]+x[26]) + c[7]*(x[7]+x[22]) + c[11]*(x[11]+x[18])
		out = append(out, center*xc[f-uc]+((s0+s1)+(s2+s3)))
	}
	return out
}

// third8 is filter for a third-band stage with eight taps per phase:
// 48 -> 16 kHz, the first stage of every 48 kHz line, three times per
// output sample. The loop is unrolled with the coefficients in locals.
func (s *stage) third8(out []float32, end int) []float32 {
	a, b := (*[8]float32)(s.taps[0].coef), (*[8]float32)(s.taps[1].coef)
	a0, a1, a2, a3, a4, a5, a6, a7 := a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]
	b0, b1, b2, b3, b4, b5, b6, b7 := b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]
	xa, xb, xc := s.taps[0].buf, s.taps[1].buf, s.buf[s.rc]
	center, uc := s.center, s.uc
	for f := s.hist; f < end; f++ {
		x := (*[8]float32)(xa[f-7 : f+1])
		y := (*[8]float32)(xb[f-7 : f+1])
		s0 := a0*x[0] + b0*y[0] + a4*x[4] + b4*y[4]
		s1 := a1*x[1] + b1*y[1] + a5*x[5] + b5*y[5]
		s2 := a2*x[2] + b2*y[2] + a6*x[6] + b6*y[6]
		s3 := a3*x[3] + b3*y[3] + a7*x[7] + b7*y[7]
		out = append(out, center*xc[f-uc]+((s0+s1)+(s2+s3)))
	}
	return out
}
