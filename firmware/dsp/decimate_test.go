package dsp

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// BenchmarkDecimate48kTo8k compares the cascade that NewResampler uses for
// 48 -> 8 kHz with the general polyphase filter, interleaved period by
// period so that a busy machine slows both alike; speedup is the ratio.
func BenchmarkDecimate48kTo8k(b *testing.B) {
	cas, err := NewResampler(48000, LineRate)
	if err != nil {
		b.Fatal(err)
	}
	poly, err := (&Resampler{from: 48000, to: LineRate, l: 1, m: 6}).polyphase()
	if err != nil {
		b.Fatal(err)
	}
	src := tone(48000, 1000, -10, 0.02)
	dst := make([]int16, 0, len(src))
	var tc, tp time.Duration
	for b.Loop() {
		t0 := time.Now()
		dst = cas.Process(dst[:0], src)
		t1 := time.Now()
		dst = poly.Process(dst[:0], src)
		tp += time.Since(t1)
		tc += t1.Sub(t0)
	}
	n := float64(b.N * len(src))
	b.ReportMetric(float64(tc.Nanoseconds())/n, "ns/insample")
	b.ReportMetric(float64(tp.Nanoseconds())/n, "polyphase-ns/insample")
	b.ReportMetric(float64(tp)/float64(tc), "speedup")
}

// TestCascadeStopband sweeps a tone over every frequency whose alias lands
// in the telephone band (up to 3.4 kHz) and checks what reaches the output:
// the cascade is designed for 70 dB, and no such tone may come through at
// more than -70 dB (measured on the float path, before rounding to 16 bits).
func TestCascadeStopband(t *testing.T) {
	for _, from := range []int{16000, 24000, 32000, 48000, 64000, 96000} {
		c := newCascade(from, LineRate)
		worst, at := -200.0, 0.0
		for f := 0.575 * LineRate; f < float64(from)/2; f += LineRate / 80 {
			if a := math.Abs(math.Remainder(f, LineRate)); a > 0.425*LineRate {
				continue // lands in the output's own transition band
			}
			c.reset()
			src := make([]float32, from/4)
			for i := range src {
				src[i] = float32(10000 * math.Sin(2*math.Pi*f*float64(i)/float64(from)))
			}
			var out []float32
			for len(src) > 0 {
				k := min(len(src), blockLength)
				in := c.stages[0].filter(route(c.stages[0], src[:k]))
				for _, s := range c.stages[1:] {
					in = s.filter(route(s, in))
				}
				out = append(out, in...)
				src = src[k:]
			}
			out = out[len(out)/2:] // settled
			var e float64
			for _, v := range out {
				e += float64(v) * float64(v)
			}
			if db := 20 * math.Log10(math.Sqrt(e/float64(len(out)))/(10000/math.Sqrt2)); db > worst {
				worst, at = db, f
			}
		}
		t.Logf("%d -> 8000 Hz: worst %.1f dB at %.0f Hz", from, worst, at)
		if worst > -70 {
			t.Errorf("%d -> 8000 Hz: a tone at %.0f Hz comes through at %.1f dB, want <= -70", from, at, worst)
		}
	}
}

// TestKernels: 48 -> 8 kHz runs the two unrolled loops, and they compute
// what the generic loop does (to float rounding).
func TestKernels(t *testing.T) {
	fast, slow := newCascade(48000, LineRate), newCascade(48000, LineRate)
	if got := []kernel{fast.stages[0].kernel, fast.stages[1].kernel}; got[0] != third8 || got[1] != half30 {
		t.Fatalf("48 -> 8 kHz kernels %v, want third8 and half30", got)
	}
	for _, s := range slow.stages {
		s.kernel = generic
	}
	rng := rand.New(rand.NewPCG(3, 4))
	x := make([]int16, 48000)
	for i := range x {
		x[i] = int16(rng.IntN(40000) - 20000)
	}
	a, b := fast.process(nil, x), slow.process(nil, x)
	if len(a) != len(b) {
		t.Fatalf("%d and %d samples", len(a), len(b))
	}
	for i := range a {
		if d := int(a[i]) - int(b[i]); d < -1 || d > 1 {
			t.Fatalf("sample %d: unrolled %d, generic %d", i, a[i], b[i])
		}
	}
}
