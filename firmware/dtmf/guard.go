package dtmf

const (
	// guardSegs is the head plus the most whole blocks a guard window
	// holds (histLen/blockLen).
	guardSegs = 1 + histLen/blockLen
	guardRing = histBlocks // blocks whose guard states are kept
)

// guardState is the end state of the six guard filters of one tone over
// one block.
type guardState struct {
	block  int64 // absolute block number, noBlock for none
	tone   int
	s1, s2 [6]float64
}

// guardSum is the whole blocks' part of a guard window's DFT at the six
// guard frequencies of one tone, for the window ending at block count
// block.
type guardSum struct {
	block  int64
	tone   int
	xr, xi [6]float64
}

// goertzel6 runs the six guard filters of tc over x from rest and returns
// their end states. Two samples per turn, as in bank4, so the states swap
// roles instead of moving.
func goertzel6(tc *toneConst, x []float64) (s1, s2 [6]float64) {
	// The coefficients are read from memory in the loop (the compiler
	// folds the loads into the multiplies): held in registers they
	// would push the twelve states out of them.
	c := &tc.guard
	var a1, a2, b1, b2, e1, e2, g1, g2, h1, h2, k1, k2 float64
	if len(x)%2 == 1 {
		s := x[0]
		a1, b1, e1, g1, h1, k1 = s, s, s, s, s, s
		x = x[1:]
	}
	for i := 0; i+1 < len(x); i += 2 {
		s, u := x[i], x[i+1]
		a2 = (s - a2) + c[0]*a1
		b2 = (s - b2) + c[1]*b1
		e2 = (s - e2) + c[2]*e1
		g2 = (s - g2) + c[3]*g1
		h2 = (s - h2) + c[4]*h1
		k2 = (s - k2) + c[5]*k1
		a1 = (u - a1) + c[0]*a2
		b1 = (u - b1) + c[1]*b2
		e1 = (u - e1) + c[2]*e2
		g1 = (u - g1) + c[3]*g2
		h1 = (u - h1) + c[4]*h2
		k1 = (u - k1) + c[5]*k2
	}
	return [6]float64{a1, b1, e1, g1, h1, k1}, [6]float64{a2, b2, e2, g2, h2, k2}
}

// goertzel5 is goertzel6 over a whole block without the nominal filter
// (index 0), which the filter bank has run.
func goertzel5(tc *toneConst, x *[blockLen]float64) (s1, s2 [6]float64) {
	c := &tc.guard
	var b1, b2, e1, e2, g1, g2, h1, h2, k1, k2 float64
	for i := 0; i < blockLen; i += 2 {
		s, u := x[i], x[i+1]
		b2 = (s - b2) + c[1]*b1
		e2 = (s - e2) + c[2]*e1
		g2 = (s - g2) + c[3]*g1
		h2 = (s - h2) + c[4]*h1
		k2 = (s - k2) + c[5]*k1
		b1 = (u - b1) + c[1]*b2
		e1 = (u - e1) + c[2]*e2
		g1 = (u - g1) + c[3]*g2
		h1 = (u - h1) + c[4]*h2
		k1 = (u - k1) + c[5]*k2
	}
	return [6]float64{0, b1, e1, g1, h1, k1}, [6]float64{0, b2, e2, g2, h2, k2}
}

// onFrequency runs the guard check for tone t over the last n raw samples:
// the nominal bin must hold more energy than the bins at twice the edge,
// and its harmonics must be weak. The window is split into a head and
// whole blocks; each block's filter states are kept, so while a pair is
// being recognised each new window runs the filters over its new block
// and the head only, and combines the rest.
func (d *Detector) onFrequency(t int) bool {
	tc := &d.tones[t]
	var xr, xi [6]float64
	add := func(j int, s1, s2 *[6]float64) {
		for k := range 6 {
			a, b := tc.ga[j][k], tc.gb[j][k]
			xr[k] += real(a)*s1[k] + real(b)*s2[k]
			xi[k] += imag(a)*s1[k] + imag(b)*s2[k]
		}
	}
	q := tc.n / blockLen
	slot := t >> 2 // a window checks one row tone and one column tone
	if tc.m > 0 {
		hb := d.nblock - int64(q) - 1 // the block whose end is the head
		head := &d.hist[hb&(histBlocks-1)]
		if g := &d.guards[hb&(guardRing-1)][slot]; tc.m > blockLen/2 && g.block == hb && g.tone == t {
			// A long head is the whole block (whose states the window
			// before kept) less its short beginning, which ends one
			// sample before the window: e^{jω}·s1 - s2.
			add(0, &g.s1, &g.s2)
			p1, p2 := goertzel6(tc, head[:blockLen-tc.m])
			for k := range 6 {
				xr[k] -= real(tc.pre[k])*p1[k] - p2[k]
				xi[k] -= imag(tc.pre[k]) * p1[k]
			}
		} else {
			s1, s2 := goertzel6(tc, head[blockLen-tc.m:])
			add(0, &s1, &s2)
		}
	}
	// state returns the kept filter states of block blk for tone t,
	// running the filters if they are not kept.
	state := func(blk int64) *guardState {
		g := &d.guards[blk&(guardRing-1)][slot]
		if g.block != blk || g.tone != t {
			g.block, g.tone = blk, t
			// The nominal filter is the bank's own (same coefficient,
			// same samples) when the bank has run it for this block.
			x := &d.hist[blk&(histBlocks-1)]
			if b := &d.blocks[blk&(histBlocks-1)]; blk >= 0 && b.n == blk && (t < 4 || b.cols) {
				g.s1, g.s2 = goertzel5(tc, x)
				g.s1[0], g.s2[0] = b.s1[t], b.s2[t]
			} else {
				g.s1, g.s2 = goertzel6(tc, x[:])
			}
		}
		return g
	}
	sum := &d.sums[slot]
	first := d.nblock - int64(q) // the first whole block
	if old := &d.guards[(first-1)&(guardRing-1)][slot]; sum.tone == t && sum.block == d.nblock-1 &&
		old.block == first-1 && old.tone == t {
		// The window before, one block earlier: drop its first block,
		// turn the rest by a block, add the new last block.
		g := state(d.nblock - 1)
		for k := range 6 {
			a1, b1 := tc.ga[1][k], tc.gb[1][k]
			or := real(a1)*old.s1[k] + real(b1)*old.s2[k]
			oi := imag(a1)*old.s1[k] + imag(b1)*old.s2[k]
			ur, ui := sum.xr[k]-or, sum.xi[k]-oi
			st := tc.step[k]
			ur, ui = real(st)*ur-imag(st)*ui, real(st)*ui+imag(st)*ur
			al, bl := tc.ga[q][k], tc.gb[q][k]
			sum.xr[k] = ur + real(al)*g.s1[k] + real(bl)*g.s2[k]
			sum.xi[k] = ui + imag(al)*g.s1[k] + imag(bl)*g.s2[k]
		}
	} else {
		sum.xr, sum.xi = [6]float64{}, [6]float64{}
		for j := range q {
			g := state(first + int64(j))
			for k := range 6 {
				a, b := tc.ga[1+j][k], tc.gb[1+j][k]
				sum.xr[k] += real(a)*g.s1[k] + real(b)*g.s2[k]
				sum.xi[k] += imag(a)*g.s1[k] + imag(b)*g.s2[k]
			}
		}
	}
	sum.block, sum.tone = d.nblock, t
	for k := range 6 {
		xr[k] += sum.xr[k]
		xi[k] += sum.xi[k]
	}
	var pow [6]float64
	for k := range 6 {
		pow[k] = xr[k]*xr[k] + xi[k]*xi[k]
	}
	harm := max(pow[3], pow[4], pow[5])
	return pow[0] > pow[1] && pow[0] > pow[2] && harm < pow[0]*maxHarmonic
}

const noBlock = -1 << 62 // before any block, even those before the first
