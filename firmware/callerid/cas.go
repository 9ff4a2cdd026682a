package callerid

import (
	"math"
	"math/cmplx"
)

// The alerting signal detector's design constants. The signal itself is the
// same in Europe and North America: 2130 and 2750 Hz together for 75-85 ms
// (ETSI's Dual Tone Alerting Signal, Telcordia's CPE Alerting Signal),
// ±0.5% in frequency (BT ±0.6%), at most 6 dB of twist (BT 7), sent at -14
// to -32 dBm per tone (Telcordia; ETSI -12 to -35 dBV).
const (
	casLowHz  = 2130
	casHighHz = 2750

	// casBlock is the length of one decision: 5 ms. Short blocks keep a
	// tone that is 1% off frequency within 0.3 dB of the bin's peak (a 10
	// ms block would lose 1.1 dB and blur the purity), and measure the
	// frequency without ambiguity up to ±100 Hz from the phase advance
	// between blocks.
	casBlock = 40

	// A run of casMinBlocks to casMaxBlocks qualifying blocks (65-110 ms,
	// counting the partial blocks at either edge) is an alerting signal:
	// the standards' 75-85 ms with room for block alignment, and up to BT's
	// on-hook 110 ms. Anything longer is a held note or a modem, not this.
	casMinBlocks = 13
	casMaxBlocks = 22

	// casMinLevel is the weakest tone (dBm0, each of the two) taken: 6 dB
	// under the -40 dBm0 the acceptance tests use, and above the idle noise
	// of a line.
	casMinLevel = -46
	// casMaxTwist is the largest level difference of the two tones, dB.
	casMaxTwist = 7

	// casMinPurity is the least share of a block's energy (of the first
	// difference of the signal, which weighs down hum and the bulk of
	// voiced speech below 1 kHz) that the two tones must hold. A clean
	// tone pair holds over 0.9 even 1% off frequency under 20 dB of noise;
	// speech and music spread their energy over many more frequencies.
	casMinPurity = 0.8

	// casMaxFreqErr is the largest relative frequency error of either tone,
	// measured over the run. The standards allow 0.5% (BT 0.6%); the
	// project's acceptance criteria ask every format to decode at 1%.
	// Equal-tempered notes lie further away: C7 is 1.7% under 2130 Hz, F7
	// 1.6% over 2750 Hz.
	casMaxFreqErr = 0.013

	// casMinCoherence is the least ratio of the length of the summed
	// block-to-block phase advances to the sum of their lengths: 1 for a
	// steady tone, less for one whose frequency wanders (vibrato, glides).
	casMinCoherence = 0.9
)

// casEvent is what a block's end tells the call-waiting decoder.
type casEvent uint8

const (
	casNone      casEvent = iota
	casCandidate          // a run long and pure enough to be an alerting signal so far
	casConfirmed          // the run ended within the allowed duration
	casRejected           // a run that was a candidate turned out too long
)

// casTone is one of the two tones' correlator tables and constants.
type casTone struct {
	hz       float64
	cos, sin [casBlock]float64 // e^{-jωi} over a block
	gain     float64           // power gain of the first difference at ω
	rot      complex128        // e^{-jωN}: a block's phase advance at exactly ω
	minPow   float64           // casMinLevel as mean power, after the difference
}

func newCASTone(hz float64) casTone {
	t := casTone{hz: hz}
	w := 2 * math.Pi * hz / lineRate
	for i := range casBlock {
		t.cos[i], t.sin[i] = math.Cos(w*float64(i)), math.Sin(w*float64(i))
	}
	s := 2 * math.Sin(w/2)
	t.gain = s * s
	t.rot = cmplx.Exp(complex(0, -w*casBlock))
	t.minPow = zeroDBm0Power * math.Pow(10, casMinLevel/10.0) * t.gain
	return t
}

// casRun is what the detector keeps about the current run of qualifying
// blocks, per tone.
type casRun struct {
	last complex128 // the previous block's DFT
	adv  complex128 // Σ X_k·conj(X_{k-1})·rot: the phase advance beyond ω
	mag  float64    // Σ |X_k|·|X_{k-1}|
}

// cas detects the alerting signal. It is fed samples in pieces that never
// cross a block boundary (the caller cuts them), and decides once per block.
type cas struct {
	lo, hi casTone

	i                  int     // samples of the current block so far
	prev               float64 // last sample, for the first difference
	e                  float64 // Σ d² of the block
	r1, i1, r2, i2     float64 // the block's correlations
	run                int     // qualifying blocks in a row
	rlo, rhi           casRun
	candidate, tooLong bool
}

func newCAS() *cas {
	return &cas{lo: newCASTone(casLowHz), hi: newCASTone(casHighHz)}
}

func (c *cas) reset() {
	lo, hi := c.lo, c.hi
	*c = cas{lo: lo, hi: hi}
}

// add accumulates samples, which must not run past the end of the block.
// This is the only per-sample work the call-waiting decoder does outside
// its listening window, so it is kept to five multiplications.
func (c *cas) add(x []int16) {
	i, prev := c.i, c.prev
	e, r1, i1, r2, i2 := c.e, c.r1, c.i1, c.r2, c.i2
	lc, ls := c.lo.cos[i:i+len(x)], c.lo.sin[i:i+len(x)]
	hc, hs := c.hi.cos[i:i+len(x)], c.hi.sin[i:i+len(x)]
	for k, s := range x {
		v := float64(s)
		d := v - prev
		prev = v
		e += d * d
		r1 += d * lc[k]
		i1 += d * ls[k]
		r2 += d * hc[k]
		i2 += d * hs[k]
	}
	c.i, c.prev = i+len(x), prev
	c.e, c.r1, c.i1, c.r2, c.i2 = e, r1, i1, r2, i2
}

// tonePower turns a block's DFT into the tone's mean power (of the first
// difference): a sine of mean power P gives |X|² = N²P/2.
func tonePower(x complex128) float64 {
	re, im := real(x), imag(x)
	return 2 * (re*re + im*im) / (casBlock * casBlock)
}

// endBlock decides on the block just completed and starts the next.
func (c *cas) endBlock() casEvent {
	xlo := complex(c.r1, -c.i1)
	xhi := complex(c.r2, -c.i2)
	plo, phi := tonePower(xlo), tonePower(xhi)
	total := c.e / casBlock
	c.i, c.e, c.r1, c.i1, c.r2, c.i2 = 0, 0, 0, 0, 0, 0

	// Twist is compared on the line's levels, not the differenced ones.
	llo, lhi := plo/c.lo.gain, phi/c.hi.gain
	ok := plo >= c.lo.minPow && phi >= c.hi.minPow &&
		llo <= lhi*casTwistRatio && lhi <= llo*casTwistRatio &&
		plo+phi >= casMinPurity*total
	if !ok {
		ev := casNone
		switch {
		case c.candidate && !c.tooLong && c.run <= casMaxBlocks:
			ev = casConfirmed
		case c.candidate && !c.tooLong:
			ev = casRejected
		}
		c.run, c.candidate, c.tooLong = 0, false, false
		return ev
	}
	if c.run == 0 {
		c.rlo, c.rhi = casRun{last: xlo}, casRun{last: xhi}
	} else {
		c.rlo.step(xlo, c.lo.rot)
		c.rhi.step(xhi, c.hi.rot)
	}
	c.run++
	switch {
	case c.run == casMinBlocks:
		if c.rlo.steady(c.lo.hz) && c.rhi.steady(c.hi.hz) {
			c.candidate = true
			return casCandidate
		}
	case c.run > casMaxBlocks && c.candidate && !c.tooLong:
		c.tooLong = true
		return casRejected
	}
	return casNone
}

// casTwistRatio is casMaxTwist as a power ratio.
var casTwistRatio = math.Pow(10, casMaxTwist/10.0)

func (r *casRun) step(x, rot complex128) {
	r.adv += x * cmplx.Conj(r.last) * rot
	r.mag += cmplx.Abs(x) * cmplx.Abs(r.last)
	r.last = x
}

// steady reports whether the run's tone held one frequency within
// casMaxFreqErr of hz: the mean phase advance per block beyond the nominal
// tone's is 2π·Δf·N/rate.
func (r *casRun) steady(hz float64) bool {
	if r.mag == 0 || cmplx.Abs(r.adv) < casMinCoherence*r.mag {
		return false
	}
	df := cmplx.Phase(r.adv) * lineRate / (2 * math.Pi * casBlock)
	return math.Abs(df) <= casMaxFreqErr*hz
}
