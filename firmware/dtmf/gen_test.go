package dtmf

import (
	"math"
	"math/rand/v2"
	"testing"

	"fairrec/firmware/dsp"
)

// digitFreqs returns the nominal frequencies of digit k ("123A456B789C*0#D").
func digitFreqs(t testing.TB, k byte) (lo, hi float64) {
	for i := range keys {
		if keys[i] == k {
			return rowFreqs[i/4], colFreqs[i%4]
		}
	}
	t.Fatalf("no digit %q", k)
	return 0, 0
}

// peak is the amplitude of a sine at dbm0.
func peak(dbm0 float64) float64 { return dsp.PeakForDBm0(dbm0) }

// codec is a line coding a test signal goes through (case 10).
type codec struct {
	name  string
	apply func([]int16) []int16
}

var codecs = []codec{
	{"linear", func(x []int16) []int16 { return x }},
	{"A-law", func(x []int16) []int16 {
		b := make([]byte, len(x))
		dsp.EncodeALaw(b, x)
		y := make([]int16, len(x))
		dsp.DecodeALaw(y, b)
		return y
	}},
	{"µ-law", func(x []int16) []int16 {
		b := make([]byte, len(x))
		dsp.EncodeMuLaw(b, x)
		y := make([]int16, len(x))
		dsp.DecodeMuLaw(y, b)
		return y
	}},
}

// signal builds test audio in float64 at 8 kHz; pcm quantises it.
type signal struct {
	x   []float64
	rng *rand.Rand
	// marks are where each tone burst starts and ends, in samples.
	marks []burst
}

type burst struct {
	digit      byte
	start, end int
}

func newSignal(seed uint64) *signal {
	return &signal{rng: rand.New(rand.NewPCG(seed, 0x5eed))}
}

func ms(v float64) int { return int(math.Round(v * 8)) }

func (s *signal) silence(n int) *signal {
	s.x = append(s.x, make([]float64, n)...)
	return s
}

// pair appends n samples of two sines with random start phases.
func (s *signal) pair(f1, a1, f2, a2 float64, n int) *signal {
	p1, p2 := s.rng.Float64()*2*math.Pi, s.rng.Float64()*2*math.Pi
	for i := range n {
		t := float64(i) / 8000
		s.x = append(s.x, a1*math.Sin(2*math.Pi*f1*t+p1)+a2*math.Sin(2*math.Pi*f2*t+p2))
	}
	return s
}

// tone appends digit k for n samples at lowDB and highDB dBm0 per tone.
func (s *signal) tone(t testing.TB, k byte, lowDB, highDB float64, n int) *signal {
	lo, hi := digitFreqs(t, k)
	s.marks = append(s.marks, burst{k, len(s.x), len(s.x) + n})
	return s.pair(lo, peak(lowDB), hi, peak(highDB), n)
}

// noise adds white Gaussian noise of mean power p (linear, 0..4 kHz).
func (s *signal) noise(p float64) *signal {
	sd := math.Sqrt(p)
	for i := range s.x {
		s.x[i] += s.rng.NormFloat64() * sd
	}
	return s
}

func (s *signal) pcm() []int16 { return quantise(s.x) }

func quantise(x []float64) []int16 {
	out := make([]int16, len(x))
	for i, v := range x {
		out[i] = int16(max(-32768, min(32767, math.Round(v))))
	}
	return out
}

// detect runs a fresh ETSI detector over x in chunks of size n (0: whole)
// and returns the End events.
func detect(t testing.TB, p *Profile, x []int16, n int) []Event {
	t.Helper()
	d, err := New(Config{Profile: p})
	if err != nil {
		t.Fatal(err)
	}
	return ends(run(d, x, n))
}

func run(d *Detector, x []int16, n int) []Event {
	if n <= 0 {
		n = len(x)
	}
	var ev []Event
	for len(x) > 0 {
		k := min(n, len(x))
		ev = d.Process(ev, x[:k])
		x = x[k:]
	}
	return d.Flush(ev)
}

func ends(ev []Event) []Event {
	var out []Event
	for _, e := range ev {
		if e.Kind == End {
			out = append(out, e)
		}
	}
	return out
}

func digits(ev []Event) string {
	b := make([]byte, len(ev))
	for i, e := range ev {
		b[i] = e.Digit
	}
	return string(b)
}
