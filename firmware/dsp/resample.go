package dsp

import (
	"errors"
	"fmt"
	"math"
)

// Design of the anti-alias/anti-image filter, relative to the Nyquist
// frequency of the lower of the two rates. At 8 kHz this puts the passband
// edge at 3.4 kHz (the telephone band) and the stopband edge at 4.6 kHz, so
// a tone up to 3.4 kHz passes unchanged and neither its alias (when
// decimating) nor its image (when interpolating) at 8000-f >= 4.6 kHz can
// leak through.
const (
	passEdge    = 0.85 // fraction of the lower Nyquist frequency
	stopEdge    = 1.15
	stopbandDB  = 80.0 // Kaiser design target; the tests demand 60
	maxTaps     = 1 << 16
	blockLength = 512 // input samples converted per inner pass
)

// ErrRate reports a rate pair the Resampler cannot convert.
var ErrRate = errors.New("dsp: unsupported sample rate")

// Resampler converts a stream of 16-bit samples from one rate to another
// with a polyphase FIR filter. It keeps the tail of its input between calls,
// so a signal can be fed in chunks of any size: the output is bit-identical
// to converting it in one call. The first output sample is aligned with the
// first input sample as if the stream were preceded by silence; the filter's
// group delay (see Delay) shifts everything later by a fixed amount.
//
// A Resampler is not safe for concurrent use; give each line its own.
type Resampler struct {
	from, to int
	l, m     int // to/from reduced: upsample by l, decimate by m
	taps     int // taps per phase
	// coef holds l phases of taps coefficients each, time-reversed so that
	// each output is one forward dot product over the input history.
	coef []float32
	// buf holds taps-1 samples of history followed by up to blockLength
	// new samples.
	buf []float32
	// next is the index in buf of the newest input sample the next output
	// needs, phase the filter phase (0..l-1) of that output.
	next, phase int
	// start is the upsampled time of the first output, chosen so that the
	// delay is a whole number of output samples.
	start int
	// stepInt, stepFrac: advance per output, m = stepInt*l + stepFrac.
	stepInt, stepFrac int
	delay             float64
	// dec, when not nil, does an integer decimation instead of coef.
	dec *cascade
}

// NewResampler returns a Resampler from rate from to rate to (in Hz). Any
// pair of positive rates works whose reduced ratio keeps the filter table
// below 65,536 coefficients, e.g. 44100 <-> 8000 (L/M = 80/441) or
// 48000 <-> 8000. Equal rates pass samples through unchanged.
func NewResampler(from, to int) (*Resampler, error) {
	if from <= 0 || to <= 0 {
		return nil, fmt.Errorf("new resampler %d -> %d Hz: %w", from, to, ErrRate)
	}
	g := gcd(from, to)
	r := &Resampler{from: from, to: to, l: to / g, m: from / g}
	if r.l == 1 && r.m == 1 {
		return r, nil
	}
	if c := newCascade(from, to); c != nil {
		r.dec = c
		r.delay = float64(c.delay)
		return r, nil
	}
	return r.polyphase()
}

// polyphase designs r's general polyphase filter.
func (r *Resampler) polyphase() (*Resampler, error) {
	from, to := r.from, r.to
	// Kaiser's estimate of the length for the wanted attenuation and
	// transition width, expressed as taps per phase (the filter runs at
	// l*from, but each phase sees the input rate).
	lower := float64(min(from, to)) / 2
	width := 2 * math.Pi * (stopEdge - passEdge) * lower / float64(from) // rad/sample at input rate
	taps := math.Ceil((stopbandDB-7.95)/(2.285*width)) + 1
	// Compared in float64: on 32-bit ARM the product overflows int.
	if size := taps * float64(r.l); size > maxTaps {
		return nil, fmt.Errorf("new resampler %d -> %d Hz: ratio %d/%d needs a %.0f-tap filter (max %d): %w",
			from, to, r.l, r.m, size, maxTaps, ErrRate)
	}
	r.taps = int(taps)
	// An odd prototype length puts the filter's centre c on a sample of
	// the upsampled grid; starting the output clock at c mod m then puts
	// it on an output sample too, so Delay is a whole number and callers
	// can align streams by dropping samples.
	n := r.l * r.taps
	if n%2 == 0 {
		n--
	}
	c := (n - 1) / 2
	r.start = c % r.m
	r.delay = float64(c / r.m)
	r.coef = design(r.l, r.taps, n, lower/float64(from)/float64(r.l))
	r.buf = make([]float32, r.taps-1+blockLength)
	r.stepInt, r.stepFrac = r.m/r.l, r.m%r.l
	r.Reset()
	return r, nil
}

// ResampleAll converts a whole signal x from rate from to rate to, with the
// filter's group delay removed: output sample i is the (band-limited) input
// at time i/to s. The output has ceil(len(x)*to/from) samples, so it lasts
// at least as long as the input; its end is computed by flushing the filter
// with silence. Equal rates return a copy of x. Use it for a signal held in
// memory (a WAV file, a notice); streams need a Resampler.
func ResampleAll(x []int16, from, to int) ([]int16, error) {
	r, err := NewResampler(from, to)
	if err != nil {
		return nil, err
	}
	want := int((int64(len(x))*int64(to) + int64(from) - 1) / int64(from))
	if from == to {
		return append(make([]int16, 0, len(x)), x...), nil
	}
	skip := int(r.delay) // a whole number (see Delay)
	out := r.Process(make([]int16, 0, want+skip+to/from+2), x)
	var zeros [256]int16
	for len(out) < skip+want {
		out = r.Process(out, zeros[:])
	}
	return out[skip : skip+want : skip+want], nil
}

// design returns the polyphase table (l phases of taps coefficients) of a
// Kaiser-windowed sinc low-pass of length n <= l*taps, padded with zeros,
// with cutoff fc (cycles per sample at the upsampled rate), scaled so that
// every phase has a DC gain of about 1.
func design(l, taps, n int, fc float64) []float32 {
	beta := 0.1102 * (stopbandDB - 8.7)
	i0beta := besselI0(beta)
	proto := make([]float64, l*taps)
	var sum float64
	center := float64(n-1) / 2
	for i := range n {
		x := float64(i) - center
		s := 2 * fc
		if x != 0 {
			s = math.Sin(2*math.Pi*fc*x) / (math.Pi * x)
		}
		r := x / center
		w := besselI0(beta*math.Sqrt(max(0, 1-r*r))) / i0beta
		proto[i] = s * w
		sum += proto[i]
	}
	// Phase p holds proto[p], proto[p+l], ...; time-reversed for a forward
	// dot product over oldest..newest input.
	coef := make([]float32, l*taps)
	for p := range l {
		for k := range taps {
			coef[p*taps+taps-1-k] = float32(proto[p+k*l] * float64(l) / sum)
		}
	}
	return coef
}

// besselI0 is the modified Bessel function of the first kind, order 0, by
// its power series (converges quickly for the beta values used here).
func besselI0(x float64) float64 {
	sum, term := 1.0, 1.0
	q := x * x / 4
	for k := 1; k < 200 && term > 1e-12*sum; k++ {
		term *= q / float64(k*k)
		sum += term
	}
	return sum
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// Reset forgets the input history, as if the Resampler were new.
func (r *Resampler) Reset() {
	if r.dec != nil {
		r.dec.reset()
		return
	}
	clear(r.buf)
	r.next = r.taps - 1 + r.start/r.l
	r.phase = r.start % r.l
}

// Rates returns the input and output rates in Hz.
func (r *Resampler) Rates() (from, to int) { return r.from, r.to }

// Delay returns the group delay of the filter in output samples, always a
// whole number: output sample n is the (band-limited) input at time
// (n - Delay()) / to seconds, so dropping the first Delay() outputs aligns the
// output with the input.
func (r *Resampler) Delay() float64 { return r.delay }

// Process converts src and appends the output to dst, returning the extended
// slice. About len(src)*to/from samples are produced; the exact count depends
// on what earlier calls left over, never on how the input is chunked. It
// allocates only when dst lacks capacity.
func (r *Resampler) Process(dst, src []int16) []int16 {
	if r.dec != nil {
		return r.dec.process(dst, src)
	}
	if r.coef == nil {
		return append(dst, src...)
	}
	hist := r.taps - 1
	for len(src) > 0 {
		n := min(len(src), blockLength)
		for i, v := range src[:n] {
			r.buf[hist+i] = float32(v)
		}
		src = src[n:]
		end := hist + n
		for r.next < end {
			c := r.coef[r.phase*r.taps : (r.phase+1)*r.taps]
			x := r.buf[r.next-hist : r.next+1]
			dst = append(dst, saturate(float64(dot(c, x))))
			r.next += r.stepInt
			r.phase += r.stepFrac
			if r.phase >= r.l {
				r.phase -= r.l
				r.next++
			}
		}
		copy(r.buf, r.buf[n:end])
		r.next -= n
	}
	return dst
}

// dot returns the dot product of c and x (same length) with four partial
// sums, which roughly doubles the speed on pipelined FPUs. The order of
// operations depends only on the length, so results are reproducible.
func dot(c, x []float32) float32 {
	x = x[:len(c)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(c); i += 4 {
		s0 += c[i] * x[i]
		s1 += c[i+1] * x[i+1]
		s2 += c[i+2] * x[i+2]
		s3 += c[i+3] * x[i+3]
	}
	for ; i < len(c); i++ {
		s0 += c[i] * x[i]
	}
	return (s0 + s1) + (s2 + s3)
}
