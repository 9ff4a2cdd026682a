package dtmf

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

const (
	rate      = 8000 // the line rate, samples per second
	blockLen  = 40   // samples per Goertzel block and per decision (5 ms)
	winBlocks = 3    // blocks per analysis window
	winLen    = blockLen * winBlocks
	histLen   = 256 // the longest guard window, samples
	// histBlocks is how many blocks the history keeps: a guard window's
	// whole blocks and its head (power of two).
	histBlocks = 8

	// zeroDBm0Power is the mean power of a 0 dBm0 sine (peak 22,700).
	zeroDBm0Power = 22700.0 * 22700.0 / 2

	// minFraction is the share of the window's energy that the two tones
	// must hold. Speech and music spread their energy; a DTMF pair even
	// clipped at +3 dBm0 or under 12 dB of white noise keeps more. The
	// energy is that of the first difference of the signal, which ignores
	// DC and weighs down what lies below the DTMF band (dial tone 3 dB
	// above the digit, hum, the bulk of voiced speech).
	minFraction = 0.55
	// relPeak is how much stronger (power ratio) the chosen tone must be
	// than every other tone of its group.
	relPeak = 4 // 6 dB
	// maxHarmonic is the largest power ratio of a tone's second or third
	// harmonic to the tone. Instruments and voices have strong harmonics
	// (a flute's second, a clarinet's third about -9 dB); a phone's DTMF,
	// even over a distorting line, has them below -20 dB. The pure sines
	// F5+F#6 are a valid '3'; played on an instrument they are not.
	maxHarmonic = 0.025 // -16 dB
	// maxDecay is how far (power ratio) a tone may have fallen from its
	// peak when the digit is recognised (4 dB instead gains 0.6% of
	// talk-down at 7 dB and gives a false A in 60 minutes of espeak-ng).
	maxDecay = 2 // 3 dB
	// edgeShare places the frequency edge between the accept and reject
	// tolerances.
	edgeShare = 0.15
	// rawFraction is the share of the window's plain energy (dial tone
	// left out) that the two tones must hold. The first difference
	// hides what lies below the DTMF band, and there recorded music has
	// its bass and a voice its fundamental: a chord or a voice whose
	// partials line up with a pair in the band still has it there.
	rawFraction = 0.55
	// dialFraction is the share the pair and dial tone must hold together
	// when the pair alone holds less than rawFraction (music under a
	// voice that made a 4 held 61%).
	dialFraction = 0.7
)

var (
	rowFreqs = [4]float64{697, 770, 852, 941}
	colFreqs = [4]float64{1209, 1336, 1477, 1633}
)

// keys maps row*4+col to the digit.
const keys = "123A456B789C*0#D"

// Kind tells whether an Event starts or ends a digit.
type Kind uint8

const (
	// Begin is reported as soon as a digit is recognised, at most 60 ms
	// after its tone started; Duration is what was seen so far.
	Begin Kind = iota + 1
	// End is reported once the tone has stopped (or at Flush); it carries
	// the digit's final duration and level.
	End
)

func (k Kind) String() string {
	switch k {
	case Begin:
		return "begin"
	case End:
		return "end"
	}
	return "invalid"
}

// Event is one recognised digit, reported once as Begin and once as End.
// Times are in samples at 8 kHz, counted from the first sample given to the
// Detector since New or Reset.
type Event struct {
	Kind     Kind
	Digit    byte  // '0'-'9', '*', '#', 'A'-'D'
	At       int64 // sample count when the event was reported
	Start    int64 // estimated first sample of the tone
	Duration int64 // estimated tone length in samples

	// Low and High are the levels of the low-group and high-group tones in
	// dBm0; Level is the weaker of the two, which is what decides whether
	// a receiver still hears the digit.
	Level, Low, High float64
}

// Config configures a Detector. The zero value uses the ETSI profile.
type Config struct {
	Profile *Profile

	// Confirm lists digits that are reported only once their tone has
	// lasted ConfirmDuration: none are by default. A digit whose effect
	// cannot be undone (the objection '9', which erases a recording)
	// can ask for more than the 40 ms Q.24 requires: a person's key
	// press lasts 100 ms or more, and music or speech that lines up with
	// a pair rarely holds it that long. A confirmed digit's Begin comes
	// that much later; one that stops sooner gives no events at all.
	Confirm         string
	ConfirmDuration time.Duration
}

// ErrConfig is returned by New for a Config whose Confirm names something
// that is not a digit or whose ConfirmDuration is out of range (0-1 s).
var ErrConfig = errors.New("dtmf: invalid config")

// toneConst holds what the detector precomputes for one nominal frequency.
type toneConst struct {
	coef  float64 // 2cos(ω) of the Goertzel recursion
	coef2 float64 // coef²-1, for two steps at once
	diff  float64 // power gain of the first difference at ω
	// a[j], b[j] turn the end state (s1, s2) of the j-th block of a window
	// into that block's contribution to the window's DFT at ω.
	a, b [winBlocks]complex128
	// Guard check over the last n raw samples: nominal, lower, upper and
	// a harmonic: the third for the low group (whose second harmonics
	// fall next to the high-group tones), the second for the high group,
	// and ±1% around it for an instrument's vibrato.
	n     int
	guard [6]float64
	// The guard window is m head samples (the end of an older block)
	// and then whole blocks; ga/gb turn the Goertzel end states of the
	// head (index 0) and of each whole block into their contribution to
	// the window's DFT at each guard frequency, as a and b do for the
	// decision window.
	m      int
	ga, gb [guardSegs][6]complex128
	pre    [6]complex128 // e^{jω}: a segment ending just before the window
	// step is e^{jω·blockLen}, by which a whole block's contribution
	// turns when the window moves on by a block.
	step [6]complex128
}

type blockState struct {
	s1, s2 [8]float64 // Goertzel end states, rows then columns
	e      float64    // Σ(x[n]-x[n-1])²
	r      float64    // Σx[n]²
	cols   bool       // s1[4:], s2[4:] computed
	n      int64      // the block's number since Reset
}

// Detector is a streaming DTMF receiver for one line. It is not safe for
// concurrent use; use one per line.
type Detector struct {
	prof  Profile
	tones [8]toneConst
	coefs [8]float64 // tones[i].coef, contiguous for the filter bank

	minPow, maxNormal, maxReverse float64
	// gate is the plain energy of a window below which no tone can reach
	// minPow, and quiet the energy of a block so small that the filter
	// bank is skipped for it.
	gate, quiet      float64
	colDiff          float64 // the largest diff gain of the column tones
	minHits, maxMiss int
	startOff, endOff int64

	// Input framing: samples wait in carry until a block is full, so any
	// chunking of the input gives the same blocks.
	carry  [blockLen]int16
	ncarry int
	// hist keeps the raw samples of the last histBlocks blocks, by block
	// number, for the column filters, the guard check and dial tone.
	hist [histBlocks][blockLen]float64
	prev int64 // last sample of the previous block
	// blocks holds the filter bank's states of the last histBlocks
	// blocks: a window uses three, the guard check the rest.
	blocks [histBlocks]blockState
	nblock int64 // blocks processed
	// guards caches the guard filters' end states per block, for one
	// row and one column tone, so that a tone pair checked in window
	// after window runs them over each block once.
	guards [guardRing][2]guardState
	// sums holds, for one row and one column tone, the whole blocks'
	// part of the last guard window's DFT, which the next window of the
	// same tone updates instead of summing again.
	sums [2]guardSum

	// confirm has bit i set for each digit index i that Config.Confirm
	// names; such a digit's Begin waits until it has lasted confirmLen
	// samples, and while it waits held is set.
	confirm    uint16
	confirmLen int64
	held       bool

	// Recogniser state.
	cur               int // digit index being held, -1 none
	curStart, curLast int64
	curLow, curHigh   float64 // peak tone powers over the hits
	misses            int
	cand, candRun     int
	candHole          bool // the run has skipped one window
	candFirst         int64
	candLow, candHigh float64 // peak tone powers over the run
}

// New returns a Detector for cfg.
func New(cfg Config) (*Detector, error) {
	p := ETSI()
	if cfg.Profile != nil {
		p = *cfg.Profile
	}
	if err := p.validate(); err != nil {
		return nil, err
	}
	if cfg.ConfirmDuration < 0 || cfg.ConfirmDuration > time.Second {
		return nil, fmt.Errorf("%w: confirm duration %v not within 0-1 s", ErrConfig, cfg.ConfirmDuration)
	}
	d := &Detector{prof: p}
	for _, k := range []byte(cfg.Confirm) {
		i := strings.IndexByte(keys, k)
		if i < 0 {
			return nil, fmt.Errorf("%w: %q in Confirm is not a DTMF digit", ErrConfig, k)
		}
		d.confirm |= 1 << i
	}
	d.confirmLen = int64(cfg.ConfirmDuration.Seconds()*rate + 0.5)
	for i := range d.tones {
		f := rowFreqs[i%4]
		if i >= 4 {
			f = colFreqs[i-4]
		}
		d.tones[i] = makeTone(f, p)
		d.coefs[i] = d.tones[i].coef
	}
	for _, t := range d.tones[4:] {
		d.colDiff = max(d.colDiff, t.diff)
	}
	d.minPow = zeroDBm0Power * math.Pow(10, (p.MinLevel-8)/10)
	// A tone's power estimate is 2|X|²/W², and |X|² ≤ WΣx² (Cauchy-Schwarz),
	// so a window with Σx² < minPow·W/2 cannot show any tone.
	d.gate = d.minPow * winLen / 2
	// A block at -80 dBm0 (a sine of peak 2) moves a tone estimate of the
	// window by less than 0.01 dB at the weakest level ever recognised;
	// treating it as silence changes no decision.
	d.quiet = zeroDBm0Power * 1e-8 * blockLen
	d.maxNormal = math.Pow(10, (p.NormalTwist+1)/10)
	d.maxReverse = math.Pow(10, (p.ReverseTwist+1)/10)

	// A window counts as a hit once the tone covers about minFraction of
	// it, so a tone of T samples gives about (T-cover)/blockLen+1 hits
	// and a gap of G samples about (G+2*cover-winLen)/blockLen misses.
	// The thresholds sit half way between what must and must not count.
	cover := minFraction * winLen
	samples := func(ms float64) float64 { return ms * rate / 1000 }
	tmid := samples(float64(p.MinDuration+p.RejectDuration) / 2e6)
	d.minHits = max(2, int(math.Round((tmid-cover)/blockLen+1)))
	gmid := samples(float64(p.MinPause+p.MaxDropout) / 2e6)
	d.maxMiss = max(2, int(math.Round((gmid+2*cover-winLen)/blockLen)))
	d.startOff = int64(cover + blockLen/2)
	d.endOff = int64(winLen - cover - blockLen/2)
	d.Reset()
	return d, nil
}

func makeTone(f float64, p Profile) toneConst {
	w := 2 * math.Pi * f / rate
	t := toneConst{coef: 2 * math.Cos(w), diff: 2 - 2*math.Cos(w)}
	t.coef2 = t.coef*t.coef - 1
	for j := range winBlocks {
		// Block j starts at j*blockLen within the window; its DFT is
		// e^{-jω(L-1)}(s1 - e^{-jω}s2) relative to its own start.
		off := float64(j*blockLen + blockLen - 1)
		t.a[j] = cmplxExp(-w * off)
		t.b[j] = -cmplxExp(-w * (off + 1))
	}
	// The guard bins sit at twice the decision edge, and the window is as
	// long as puts them on the first null of the nominal bin: a tone is
	// closer to the nominal frequency than to either guard exactly when it
	// is inside the edge, whatever its level.
	accept := f*p.AcceptPct/100 + p.AcceptHz
	reject := f * p.RejectPct / 100
	// The edge sits 15% of the way from the accept to the reject
	// tolerance rather than half way: equal-tempered notes lie 2.5% from
	// 852 Hz (A flat 5) and 2.8% from 1209 Hz (D6), recorded music is
	// tuned and played a little off its notes, and an instrument playing
	// them must not make a digit (at 30% the recorded corpus gave 42
	// false digits more, at 15% none, talk-down unchanged).
	g := 2 * (accept + edgeShare*(reject-accept))
	t.n = min(histLen, int(math.Round(rate/g)))
	harm := 2 * f
	if f < 1000 {
		harm = 3 * f
	}
	t.m = t.n % blockLen
	for i, gf := range [6]float64{f, f - g, f + g, harm, harm * 0.99, harm * 1.01} {
		w := 2 * math.Pi * gf / rate
		t.guard[i] = 2 * math.Cos(w)
		t.pre[i] = cmplxExp(w)
		t.step[i] = cmplxExp(w * blockLen)
		// Segment 0 is the head (m samples at offset 0), segment j the
		// (j-1)-th whole block, at offset m+(j-1)*blockLen.
		for j := range guardSegs {
			off, l := 0, t.m
			if j > 0 {
				off, l = t.m+(j-1)*blockLen, blockLen
			}
			t.ga[j][i] = cmplxExp(-w * float64(off+l-1))
			t.gb[j][i] = -cmplxExp(-w * float64(off+l))
		}
	}
	return t
}

func cmplxExp(x float64) complex128 {
	s, c := math.Sincos(x)
	return complex(c, s)
}

// Reset forgets all input, as after New.
func (d *Detector) Reset() {
	d.ncarry, d.nblock, d.prev = 0, 0, 0
	d.hist = [histBlocks][blockLen]float64{}
	for i := range d.guards {
		d.guards[i] = [2]guardState{{block: noBlock}, {block: noBlock}}
	}
	for i := range d.sums {
		d.sums[i] = guardSum{block: noBlock}
	}
	d.cur, d.cand, d.candRun, d.misses, d.candHole, d.held = -1, -1, 0, 0, false, false
}

// Profile returns the profile the detector uses.
func (d *Detector) Profile() Profile { return d.prof }

// Process feeds samples (8 kHz, linear) and appends the events they
// complete to dst. It allocates nothing when dst has room.
func (d *Detector) Process(dst []Event, x []int16) []Event {
	if d.ncarry > 0 {
		n := copy(d.carry[d.ncarry:], x)
		d.ncarry += n
		x = x[n:]
		if d.ncarry < blockLen {
			return dst
		}
		dst = d.block(dst, d.carry[:])
		d.ncarry = 0
	}
	for len(x) >= blockLen {
		dst = d.block(dst, x[:blockLen])
		x = x[blockLen:]
	}
	d.ncarry = copy(d.carry[:], x)
	return dst
}

// Flush ends a digit still held at the end of the input, as if silence
// followed, and appends its End event to dst.
func (d *Detector) Flush(dst []Event) []Event {
	if d.cur >= 0 {
		dst = d.end(dst, d.nblock*blockLen+int64(d.ncarry))
	}
	d.cand, d.candRun = -1, 0
	return dst
}
