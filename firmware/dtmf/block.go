package dtmf

import "math"

// block runs the filter bank over one block of blockLen samples and then
// decides on the window that ends with it.
func (d *Detector) block(dst []Event, x []int16) []Event {
	// The block goes straight into the history, which keeps whole
	// blocks, in the same pass as the row filters.
	b := &d.blocks[d.nblock&(histBlocks-1)]
	b.n = d.nblock
	d.rows(b, (*[blockLen]int16)(x), &d.hist[d.nblock&(histBlocks-1)])
	b.cols = false
	if b.r <= d.quiet {
		// A silent line: its states are (near enough) zero, and no window
		// of it gets past the energy gate.
		b.s1, b.s2, b.cols = [8]float64{}, [8]float64{}, true
	}
	d.nblock++
	if d.nblock < winBlocks {
		return dst
	}
	return d.track(dst, d.decide(), d.nblock*blockLen)
}

// rows converts a block into f and runs the row filters over it, with
// the block's plain and differenced energy: one pass, since the filters'
// recursions leave the processor time for the rest. The energies are
// summed in integers (exact: at most 2^38 over a block), which run beside
// the floating-point filters instead of lengthening their chains. The
// columns run only when a window holding this block passes the low-group
// checks (bank4 from the history).
func (d *Detector) rows(b *blockState, x *[blockLen]int16, f *[blockLen]float64) {
	c := (*[4]float64)(d.coefs[:4])
	var a1, a2, b1, b2, e1, e2, g1, g2 float64
	var r, e int64
	prev := d.prev
	for i := 0; i < blockLen; i += 2 {
		xs, xu := int64(x[i]), int64(x[i+1])
		r += xs*xs + xu*xu
		ds, du := xs-prev, xu-xs
		e += ds*ds + du*du
		prev = xu
		s, u := float64(xs), float64(xu)
		f[i], f[i+1] = s, u
		a2 = (s - a2) + c[0]*a1
		b2 = (s - b2) + c[1]*b1
		e2 = (s - e2) + c[2]*e1
		g2 = (s - g2) + c[3]*g1
		a1 = (u - a1) + c[0]*a2
		b1 = (u - b1) + c[1]*b2
		e1 = (u - e1) + c[2]*e2
		g1 = (u - g1) + c[3]*g2
	}
	d.prev = prev
	b.r, b.e = float64(r), float64(e)
	b.s1[0], b.s2[0] = a1, a2
	b.s1[1], b.s2[1] = b1, b2
	b.s1[2], b.s2[2] = e1, e2
	b.s1[3], b.s2[3] = g1, g2
}

func (d *Detector) bank4(b *blockState, k int, f *[blockLen]float64) {
	// The coefficients are read from memory in the loop (the compiler
	// folds the loads into the multiplies), which leaves the registers
	// to the states: 25% faster than holding them in registers.
	c := (*[4]float64)(d.coefs[k : k+4])
	var a1, a2, b1, b2, e1, e2, g1, g2 float64
	// (s-a2) does not depend on the previous step's result, so each
	// filter's critical path is one multiply and one add per sample. Two
	// samples per turn let the two states swap roles instead of moving.
	for i := 0; i < blockLen; i += 2 {
		s, u := f[i], f[i+1]
		a2 = (s - a2) + c[0]*a1
		b2 = (s - b2) + c[1]*b1
		e2 = (s - e2) + c[2]*e1
		g2 = (s - g2) + c[3]*g1
		a1 = (u - a1) + c[0]*a2
		b1 = (u - b1) + c[1]*b2
		e1 = (u - e1) + c[2]*e2
		g1 = (u - g1) + c[3]*g2
	}
	b.s1[k], b.s2[k] = a1, a2
	b.s1[k+1], b.s2[k+1] = b1, b2
	b.s1[k+2], b.s2[k+2] = e1, e2
	b.s1[k+3], b.s2[k+3] = g1, g2
}

// hit is what one window shows: a digit and the mean powers of its tones.
type hit struct {
	digit     int // row*4+col, -1 for none
	low, high float64
	// offFreq is the pair that passed every check but the guard check,
	// -1 for none.
	offFreq int
}

// decide checks the window of the last winBlocks blocks for a DTMF pair.
func (d *Detector) decide() hit {
	none := hit{digit: -1, offFreq: -1}
	var pow [8]float64
	var e float64
	var blk [winBlocks]*blockState
	var raw float64
	for j := range winBlocks {
		blk[j] = &d.blocks[(d.nblock-winBlocks+int64(j))&(histBlocks-1)]
		raw += blk[j].r
		e += blk[j].e
	}
	if raw < d.gate {
		return none // too quiet for any tone: most of a silent line ends here
	}
	for t := range 8 {
		if t == 4 {
			r := argmax(pow[:4])
			p := pow[r]
			if p < d.minPow {
				return none // most windows end here: nothing loud in the low group
			}
			for i, q := range pow[:4] {
				if i != r && q*relPeak > p {
					return none // no single row tone: speech mostly ends here
				}
			}
			// The pair's share of the differenced energy (checked below)
			// cannot be reached even by the strongest column tone that
			// the twist allows: speech and noise mostly end here, before
			// the column filters have run for the window's blocks.
			if p*(d.tones[r].diff+d.maxReverse*d.colDiff)*winLen < minFraction*e {
				return none
			}
			for _, b := range blk {
				if !b.cols {
					d.bank4(b, 4, &d.hist[b.n&(histBlocks-1)])
					b.cols = true
				}
			}
		}
		tc := &d.tones[t]
		b0, b1, b2 := blk[0], blk[1], blk[2]
		xr := real(tc.a[0])*b0.s1[t] + real(tc.b[0])*b0.s2[t] +
			real(tc.a[1])*b1.s1[t] + real(tc.b[1])*b1.s2[t] +
			real(tc.a[2])*b2.s1[t] + real(tc.b[2])*b2.s2[t]
		xi := imag(tc.a[0])*b0.s1[t] + imag(tc.b[0])*b0.s2[t] +
			imag(tc.a[1])*b1.s1[t] + imag(tc.b[1])*b1.s2[t] +
			imag(tc.a[2])*b2.s1[t] + imag(tc.b[2])*b2.s2[t]
		// A sine of amplitude A gives |X| = A*W/2; its mean power is A²/2.
		pow[t] = (xr*xr + xi*xi) * (2.0 / (winLen * winLen))
	}
	r := argmax(pow[:4])
	c := 4 + argmax(pow[4:])
	pr, pc := pow[r], pow[c]
	if pr < d.minPow || pc < d.minPow {
		return none
	}
	if pr > pc*d.maxNormal || pc > pr*d.maxReverse {
		return none
	}
	for t := range 8 {
		if t != r && t != c {
			if p := pow[t] * relPeak; (t < 4 && p > pr) || (t >= 4 && p > pc) {
				return none
			}
		}
	}
	// Energy share of the pair in the differenced signal.
	if (pr*d.tones[r].diff+pc*d.tones[c].diff)*winLen < minFraction*e {
		return none
	}
	// And of the plain energy; or, with dial tone (which a caller may
	// hear under the digit, 3 dB above it), the pair and the dial tone
	// together must hold most of it. Music has its share of 350-440 Hz
	// too, but not as a steady pure tone that fills the rest.
	if (pr+pc)*winLen < rawFraction*raw && (pr+pc+d.dialTone())*winLen < dialFraction*raw {
		return none
	}
	digit := r*4 + (c - 4)
	// A digit already recognised was checked when it began; the same pair
	// continuing is the same tone, so its guard check is skipped.
	if digit != d.cur && (!d.onFrequency(r) || !d.onFrequency(c)) {
		return hit{digit: -1, offFreq: digit}
	}
	return hit{digit: digit, low: pr, high: pc, offFreq: -1}
}

func argmax(p []float64) int {
	m := 0
	for i, v := range p {
		if v > p[m] {
			m = i
		}
	}
	return m
}

// track runs the recogniser on one decision; now is the sample count at the
// end of the window.
func (d *Detector) track(dst []Event, h hit, now int64) []Event {
	if h.digit >= 0 && h.digit == d.cur {
		d.misses = 0
		d.curLast = now
		d.curLow, d.curHigh = max(d.curLow, h.low), max(d.curHigh, h.high)
		d.cand, d.candRun = -1, 0
		return d.confirmed(dst, now)
	}
	if d.cur >= 0 {
		d.misses++
	}
	if h.digit >= 0 {
		if h.digit != d.cand {
			d.cand, d.candRun, d.candFirst = h.digit, 0, now
			d.candLow, d.candHigh = 0, 0
		}
		d.candHole = false
		d.candRun++
		d.candLow, d.candHigh = max(d.candLow, h.low), max(d.candHigh, h.high)
		// A phone's tones are steady once they have filled the window;
		// speech that happens to line up with a pair is not. The digit
		// begins only while both tones are within 3 dB of their peak.
		steady := h.low*maxDecay >= d.candLow && h.high*maxDecay >= d.candHigh
		if d.candRun >= d.minHits && steady {
			if d.cur >= 0 {
				dst = d.end(dst, now)
			}
			d.cur = d.cand
			d.curStart = max(0, d.candFirst-d.startOff)
			d.curLast = now
			d.curLow, d.curHigh = d.candLow, d.candHigh
			d.misses = 0
			d.cand, d.candRun = -1, 0
			if d.held = d.confirm&(1<<d.cur) != 0; d.held {
				dst = d.confirmed(dst, now)
			} else {
				dst = append(dst, d.event(Begin, now))
			}
		}
	} else if d.candHole || d.cand < 0 || h.offFreq == d.cand {
		// A tone pair that leaves its frequencies is a note's vibrato or
		// a voice's glide, not a hole in a phone's steady tone: the
		// onset restarts.
		d.cand, d.candRun = -1, 0
	} else {
		// One window lost to noise does not restart a tone's onset; two do.
		d.candHole = true
	}
	if d.cur >= 0 && d.misses >= d.maxMiss {
		dst = d.end(dst, now)
	}
	return dst
}

// confirmed reports the Begin of the digit just recognised, or of one
// held for Config.Confirm once it has lasted long enough.
func (d *Detector) confirmed(dst []Event, now int64) []Event {
	if !d.held || d.curLast-d.endOff-d.curStart < d.confirmLen {
		return dst
	}
	d.held = false
	return append(dst, d.event(Begin, now))
}

func (d *Detector) end(dst []Event, now int64) []Event {
	if !d.held { // a held digit that stops short was never reported
		dst = append(dst, d.event(End, now))
	}
	d.cur, d.misses, d.held = -1, 0, false
	return dst
}

func (d *Detector) event(k Kind, now int64) Event {
	end := d.curLast - d.endOff
	// The strongest windows are those the tone filled: the first and
	// last hits see part of it only.
	low, high := dbm0(d.curLow), dbm0(d.curHigh)
	return Event{
		Kind:     k,
		Digit:    keys[d.cur],
		At:       now,
		Start:    d.curStart,
		Duration: max(0, end-d.curStart),
		Level:    min(low, high),
		Low:      low,
		High:     high,
	}
}

func dbm0(p float64) float64 {
	if p <= 0 {
		return -120
	}
	return math.Round(100*10*math.Log10(p/zeroDBm0Power)) / 100
}

// dialTone returns the mean power of dial tone in the window: 425 Hz
// (Europe) or 350+440 Hz (North America), whichever is larger.
func (d *Detector) dialTone() float64 {
	const c350, c425, c440 = 1.9249105, 1.8896121, 1.8817615 // 2cos(2πf/8000)
	var a1, a2, b1, b2, e1, e2 float64
	const n = (histBlocks - 2) * blockLen
	for j := d.nblock - n/blockLen; j < d.nblock; j++ {
		for _, s := range &d.hist[j&(histBlocks-1)] {
			a1, a2 = (s-a2)+c350*a1, a1
			b1, b2 = (s-b2)+c425*b1, b1
			e1, e2 = (s-e2)+c440*e1, e1
		}
	}
	pow := func(s1, s2, c float64) float64 { return 2 * (s1*s1 + s2*s2 - c*s1*s2) / (n * n) }
	return max(pow(b1, b2, c425), pow(a1, a2, c350)+pow(e1, e2, c440))
}
