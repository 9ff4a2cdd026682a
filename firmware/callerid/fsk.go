package callerid

import (
	"errors"
	"fmt"
	"math"

	"fairrec/firmware/dsp"
)

// The FSK receiver's design constants.
const (
	lineRate = 8000 // samples per second on the line
	baud     = 1200 // V.23 and Bell 202 alike

	// The bit-decision filters sit midway between V.23's and Bell 202's
	// tones (1300/1200 Hz mark, 2100/2200 Hz space), 50 Hz from each, so
	// one demodulator serves both; with the standards' ±1% frequency error a
	// tone is at most 72 Hz off, which costs a 7-sample matched filter (main
	// lobe ±1143 Hz) almost nothing.
	markHz  = 1250
	spaceHz = 2150
	// bitFilterLen is the matched filters' length: the sample count nearest
	// one bit (6.67 samples) rounded up, which rejects the other tone better
	// (to -8.6 dB at 850 Hz) than 6 samples would.
	bitFilterLen = 7

	// modFilterLen is the length of the correlators that tell V.23 from
	// Bell 202 during the mark period: 10 ms, whose main lobe (±100 Hz)
	// separates 1200 from 1300 Hz by more than 10 dB even with 1% error.
	modFilterLen = 80

	// minMarkBits of continuous mark must precede a message's first byte.
	// EN 300 659-1 and GR-30 send 180 (on hook) or 80 (during a call);
	// requiring 30 lets a receiver that started late still catch the
	// message, while speech and noise almost never hold one tone that long.
	minMarkBits = 30
	// maxGapBits of mark between two bytes of one message end it as
	// truncated; the standards allow at most 10.
	maxGapBits = 24

	// minPurity is the least share of the mark period's power the mark tone
	// must hold for a message to start (see purity).
	minPurity = 0.7
)

// hpPole is the pole of the high-pass before the purity check's power:
// exp(-2π·300/8000). hpGain is its power gain at the mark filter's
// frequency, which purity divides out.
var (
	hpPole = math.Exp(-2 * math.Pi * 300 / lineRate)
	hpGain = func() float64 {
		c := math.Cos(2 * math.Pi * markHz / lineRate)
		return hpPole * hpPole * 2 * (1 - c) / (1 - 2*hpPole*c + hpPole*hpPole)
	}()
)

// zeroDBm0Power is the mean power of a 0 dBm0 sine in 16-bit linear PCM,
// the reference of MinLevel.
const zeroDBm0Power = dsp.ZeroDBm0Peak * dsp.ZeroDBm0Peak / 2

// correlator is a sliding complex correlation of the input with one tone
// over the last len(re) samples: a matched filter whose squared magnitude
// is the energy of that tone in the window, whatever its phase.
type correlator struct {
	cos, sin []float64 // one period of the tone
	phase    int
	re, im   []float64 // ring of the last products
	pos      int
	sre, sim float64
	steps    int
}

func newCorrelator(hz, n int) *correlator {
	period := lineRate / gcd(hz, lineRate)
	c := &correlator{
		cos: make([]float64, period), sin: make([]float64, period),
		re: make([]float64, n), im: make([]float64, n),
	}
	for i := range period {
		w := 2 * math.Pi * float64(hz) * float64(i) / lineRate
		c.cos[i], c.sin[i] = math.Cos(w), math.Sin(w)
	}
	return c
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// step adds one sample and returns the squared magnitude of the window's
// correlation.
func (c *correlator) step(x float64) float64 {
	r, i := x*c.cos[c.phase], -x*c.sin[c.phase]
	if c.phase++; c.phase == len(c.cos) {
		c.phase = 0
	}
	c.sre += r - c.re[c.pos]
	c.sim += i - c.im[c.pos]
	c.re[c.pos], c.im[c.pos] = r, i
	if c.pos++; c.pos == len(c.re) {
		c.pos = 0
	}
	// Recompute the sums now and then so rounding errors of the running
	// sums cannot accumulate over days of line audio.
	if c.steps++; c.steps == 1<<13 {
		c.steps, c.sre, c.sim = 0, 0, 0
		for k := range c.re {
			c.sre += c.re[k]
			c.sim += c.im[k]
		}
	}
	return c.sre*c.sre + c.sim*c.sim
}

func (c *correlator) reset() {
	clear(c.re)
	clear(c.im)
	c.sre, c.sim, c.pos, c.phase, c.steps = 0, 0, 0, 0, 0
}

// uartState is where the receiver is in a character.
type uartState uint8

const (
	hunting uartState = iota // waiting for a start bit
	inChar                   // sampling the bits of a character
)

// fsk is the FSK receiver: demodulator, UART and message framer. It is fed
// samples and emits Results for messages it completed or rejected.
type fsk struct {
	formats  Format
	minPower float64 // carrier threshold, mean power

	mark, space  *correlator
	m1200, m1300 *correlator
	power        float64 // smoothed in-band power estimate
	inst         float64 // in-band power of the current sample's window
	carrier      bool
	prevD        float64
	hist         [2]float64 // the two decisions before the current one
	markRun      int        // samples of continuous mark (carrier on)
	e1200, e1300 float64    // tone energies over the current mark run
	eAll         float64    // Σx² (high-passed) over the same samples
	hp, prevX    float64    // high-pass state
	bitLen       float64    // samples per bit
	state        uartState
	edge         float64 // sample index of the current start bit's edge
	bit          int     // next bit to sample: 0 start, 1-8 data, 9 stop
	char         uint16
	lastStop     int64 // sample of the last stop bit of the message
	msg          []byte
	msgStart     int64
	msgFormat    Format
	n            int64 // index of the next sample
}

func newFSK(formats Format, minLevel float64) *fsk {
	return &fsk{
		formats:  formats,
		minPower: zeroDBm0Power * math.Pow(10, minLevel/10),
		mark:     newCorrelator(markHz, bitFilterLen),
		space:    newCorrelator(spaceHz, bitFilterLen),
		m1200:    newCorrelator(1200, modFilterLen),
		m1300:    newCorrelator(1300, modFilterLen),
		bitLen:   float64(lineRate) / baud,
		msg:      make([]byte, 0, 258),
	}
}

func (f *fsk) reset() {
	for _, c := range []*correlator{f.mark, f.space, f.m1200, f.m1300} {
		c.reset()
	}
	f.power, f.carrier, f.prevD, f.n, f.hp, f.prevX = 0, false, 0, 0, 0, 0
	f.endMessage()
}

// skip accounts for n samples the receiver did not hear (FSK switched
// off): whatever it was in the middle of is forgotten.
func (f *fsk) skip(n int) {
	at := f.n + int64(n)
	f.reset()
	f.n = at
}

// endMessage forgets the message in progress; the next one needs a new mark
// period.
func (f *fsk) endMessage() {
	f.state = hunting
	f.markRun, f.e1200, f.e1300, f.eAll = 0, 0, 0, 0
	f.msg = f.msg[:0]
}

// process runs the receiver over samples, appending results to dst.
func (f *fsk) process(dst []Result, samples []int16) []Result {
	const norm = 2.0 / (bitFilterLen * bitFilterLen)
	for _, s := range samples {
		x := float64(s)
		m, sp := f.mark.step(x), f.space.step(x)
		e12, e13 := f.m1200.step(x), f.m1300.step(x)
		d := m - sp
		// A tone of mean power P gives |corr|² = L²P/2 in its own filter.
		f.inst = (m + sp) * norm
		f.power += (f.inst - f.power) / 8
		// Hysteresis: on at the threshold, off 3 dB under it, so the dips
		// where a bit straddles two tones do not drop the carrier.
		if f.carrier {
			f.carrier = f.power >= f.minPower/2
		} else {
			f.carrier = f.power >= f.minPower
		}
		// The purity check's power is taken after a one-pole high-pass
		// (-3 dB at about 300 Hz), so mains hum and DC on the line do not
		// count against the mark tone.
		f.hp = hpPole * (f.hp + x - f.prevX)
		f.prevX = x
		dst = f.uart(dst, d, e12, e13, f.hp*f.hp)
		f.prevD = d
		f.hist[0], f.hist[1] = f.hist[1], d
		f.n++
	}
	return dst
}

// uart advances the character receiver by one sample of the decision d
// (positive: mark).
func (f *fsk) uart(dst []Result, d, e12, e13, p float64) []Result {
	n := f.n
	if !f.carrier {
		if len(f.msg) > 0 {
			dst = f.truncated(dst, "carrier lost")
		}
		f.endMessage()
		return dst
	}
	switch f.state {
	case hunting:
		if d > 0 {
			f.markRun++
			if f.markRun >= modFilterLen { // the window holds only mark
				f.e1200 += e12
				f.e1300 += e13
				f.eAll += p
			}
			if len(f.msg) > 0 && float64(n-f.lastStop) > maxGapBits*f.bitLen {
				dst = f.truncated(dst, "no next byte")
				f.endMessage()
			}
			return dst
		}
		if len(f.msg) == 0 && f.markRun < int(minMarkBits*f.bitLen) {
			f.markRun, f.e1200, f.e1300, f.eAll = 0, 0, 0, 0
			return dst
		}
		// A start bit: place its edge where d crossed zero, between the
		// previous sample and this one.
		frac := 1.0
		if f.prevD > 0 {
			frac = f.prevD / (f.prevD - d)
		}
		f.edge = float64(n-1) + frac
		f.state, f.bit, f.char = inChar, 0, 0
	case inChar:
		pos := float64(f.bit) + 0.5
		// Decide on the sum of the three decisions around the bit's
		// centre: it averages noise over more of the bit than one sample.
		centre := int64(math.Round(f.edge + pos*f.bitLen))
		if n < centre+1 {
			return dst
		}
		d = f.hist[0] + f.hist[1] + d
		switch {
		case f.bit == 0:
			if d >= 0 { // a glitch, not a start bit
				f.state = hunting
				if len(f.msg) == 0 {
					f.markRun, f.e1200, f.e1300, f.eAll = 0, 0, 0, 0
				}
				return dst
			}
		case f.bit <= 8:
			if d > 0 {
				f.char |= 1 << (f.bit - 1)
			}
		default: // stop bit
			f.state = hunting
			f.markRun = 1
			if d <= 0 {
				// The smoothed power lags the end of a signal by about a
				// dozen bits; a stop bit that meets no tone at all is the
				// signal ending mid-byte, not a framing error. (Without
				// this, the sign of the filters' round-off in the silence
				// decided which error a cut message got.)
				switch {
				case len(f.msg) >= 2 && f.inst < f.minPower:
					dst = f.truncated(dst, "carrier lost")
				case len(f.msg) >= 2:
					dst = append(dst, f.failed(fmt.Errorf("callerid: fsk: %w: framing error in byte %d", ErrMalformed, len(f.msg))))
				}
				f.endMessage()
				return dst
			}
			return f.byte(dst, byte(f.char))
		}
		f.bit++
	}
	return dst
}

// byte takes one received character into the message being framed.
func (f *fsk) byte(dst []Result, b byte) []Result {
	if len(f.msg) == 0 {
		if !knownType(b) {
			f.endMessage()
			return dst
		}
		f.msgStart = int64(f.edge)
		// The mark period must have been one pure tone: the mark
		// correlator's energy against what a sine of the measured power
		// gives (L²P/2 per sample). A vowel that happened to hold the
		// decision at mark long enough spreads over harmonics and falls short.
		if f.purity() < minPurity {
			f.endMessage()
			return dst
		}
		f.msgFormat = Bell202
		if f.e1300 > f.e1200 {
			f.msgFormat = V23
		}
	}
	f.msg = append(f.msg, b)
	f.lastStop = f.n
	if len(f.msg) < 2 || len(f.msg) < int(f.msg[1])+3 {
		return dst
	}
	r, err := ParseMessage(f.msg, f.msgFormat)
	r.Start, r.End = f.msgStart, f.n
	f.endMessage()
	switch {
	case err == nil:
		if f.formats&r.Format == 0 {
			return dst
		}
	case errors.Is(err, ErrUnsupported):
		return dst
	default:
		r.Err = err
	}
	return append(dst, r)
}

// purity is the share of the mark period's power that the nearer of the
// two mark tones holds: 1 for a clean tone, 0.95 for one 1% off frequency
// under 20 dB of noise, much less for speech.
func (f *fsk) purity() float64 {
	if f.eAll == 0 {
		return 0
	}
	return max(f.e1200, f.e1300) * hpGain / (f.eAll * modFilterLen * modFilterLen / 2)
}

// truncated reports a message that stopped early, once its type and length
// were known (before that it may well have been speech or noise).
func (f *fsk) truncated(dst []Result, why string) []Result {
	if len(f.msg) < 2 {
		return dst
	}
	return append(dst, f.failed(fmt.Errorf("callerid: fsk: %w: %s after %d of %d bytes", ErrTruncated, why, len(f.msg), int(f.msg[1])+3)))
}

func (f *fsk) failed(err error) Result {
	return Result{Format: f.msgFormat, Type: f.msg[0], Start: f.msgStart, End: f.n, Err: err}
}

// flush ends the input: a message in progress is truncated.
func (f *fsk) flush(dst []Result) []Result {
	dst = f.truncated(dst, "end of input")
	f.endMessage()
	return dst
}
