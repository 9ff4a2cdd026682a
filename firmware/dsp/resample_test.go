package dsp

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// deviceRates are the sound-interface rates the appliance meets; with
// -short only the two that real interfaces run at.
func deviceRates() []int {
	if testing.Short() {
		return []int{44100, 48000}
	}
	return []int{16000, 22050, 24000, 32000, 44100, 48000}
}

// resample converts x in one call with a fresh Resampler.
func resample(t testing.TB, from, to int, x []int16) ([]int16, *Resampler) {
	t.Helper()
	r, err := NewResampler(from, to)
	if err != nil {
		t.Fatal(err)
	}
	return r.Process(nil, x), r
}

// tone returns seconds of a sine at rate.
func tone(rate int, freq, dbm0, seconds float64) []int16 {
	x := make([]int16, int(float64(rate)*seconds))
	Sine(x, rate, freq, dbm0, 0.5)
	return x
}

// settled drops the filter's start-up transient and returns exactly a
// quarter second of y, so that every frequency that is a multiple of 4 Hz
// (all those used here, their aliases and images included) is a whole
// number of periods and the DFT bins below are exact projections.
func settled(t testing.TB, y []int16, r *Resampler, rate int) []int16 {
	t.Helper()
	skip := int(2*r.Delay()) + 16
	if len(y) < skip+rate/4 {
		t.Fatalf("only %d output samples, need %d", len(y), skip+rate/4)
	}
	return y[skip : skip+rate/4]
}

// binDBm0 returns the level in dBm0 of the component of x at freq Hz
// (x must span a whole number of periods of freq).
func binDBm0(x []int16, rate int, freq float64) float64 {
	var re, im float64
	w := 2 * math.Pi * freq / float64(rate)
	for n, v := range x {
		re += float64(v) * math.Cos(w*float64(n))
		im += float64(v) * math.Sin(w*float64(n))
	}
	amp := 2 * math.Hypot(re, im) / float64(len(x))
	return RMSDBm0(amp / math.Sqrt2)
}

// residualDBm0 returns the level of what is left of x after removing its
// component at freq: images, aliases, distortion and rounding noise.
func residualDBm0(x []int16, rate int, freq float64) float64 {
	var re, im float64
	w := 2 * math.Pi * freq / float64(rate)
	for n, v := range x {
		re += float64(v) * math.Cos(w*float64(n))
		im += float64(v) * math.Sin(w*float64(n))
	}
	re, im = 2*re/float64(len(x)), 2*im/float64(len(x))
	var sum float64
	for n, v := range x {
		d := float64(v) - re*math.Cos(w*float64(n)) - im*math.Sin(w*float64(n))
		sum += d * d
	}
	return RMSDBm0(math.Sqrt(sum / float64(len(x))))
}

func TestResamplerPassband(t *testing.T) {
	for _, rate := range deviceRates() {
		for _, dir := range []string{"down", "up"} {
			from, to := rate, LineRate
			if dir == "up" {
				from, to = LineRate, rate
			}
			for _, f := range []float64{300, 1000, 3400} {
				t.Run(fmt.Sprintf("%d-%d/%gHz", from, to, f), func(t *testing.T) {
					y, r := resample(t, from, to, tone(from, f, -10, 0.3))
					got := binDBm0(settled(t, y, r, to), to, f)
					if math.Abs(got+10) > 0.5 {
						t.Errorf("%g Hz at -10 dBm0 comes out at %.3f dBm0, want within 0.5 dB", f, got)
					}
					t.Logf("gain %.4f dB", got+10)
				})
			}
		}
	}
}

// TestResamplerAliasing: a tone above 4.6 kHz decimated to 8 kHz would fold
// into the telephone band (5 kHz -> 3 kHz); it must be 60 dB down.
func TestResamplerAliasing(t *testing.T) {
	for _, rate := range deviceRates() {
		for _, f := range []float64{4600, 5000, 6000, 7000, 9000, 11000, 15000, 19000, 23000} {
			if f >= float64(rate)/2 {
				continue
			}
			t.Run(fmt.Sprintf("%d/%gHz", rate, f), func(t *testing.T) {
				y, r := resample(t, rate, LineRate, tone(rate, f, 0, 0.3))
				out := settled(t, y, r, LineRate)
				alias := math.Abs(math.Remainder(f, LineRate))
				if got := binDBm0(out, LineRate, alias); got > -60 {
					t.Errorf("%g Hz at 0 dBm0 aliases to %g Hz at %.1f dBm0, want <= -60", f, alias, got)
				}
				if got := LevelDBm0(out); got > -60 {
					t.Errorf("%g Hz at 0 dBm0 leaves %.1f dBm0 in total, want <= -60", f, got)
				} else {
					t.Logf("total %.1f dBm0", got)
				}
			})
		}
	}
}

// TestResamplerImages: interpolating from 8 kHz must not create images of
// the tone at k*8000 ± f.
func TestResamplerImages(t *testing.T) {
	for _, rate := range deviceRates() {
		for _, f := range []float64{400, 1000, 3400} {
			t.Run(fmt.Sprintf("%d/%gHz", rate, f), func(t *testing.T) {
				y, r := resample(t, LineRate, rate, tone(LineRate, f, 0, 0.3))
				if got := residualDBm0(settled(t, y, r, rate), rate, f); got > -60 {
					t.Errorf("images of %g Hz at 0 dBm0: %.1f dBm0, want <= -60", f, got)
				} else {
					t.Logf("images %.1f dBm0", got)
				}
			})
		}
	}
}

// TestResamplerDelay: output sample n must be the band-limited input at time
// (n - Delay()) / to, so that callers can align streams with Delay.
func TestResamplerDelay(t *testing.T) {
	freqs := []float64{350, 1100, 2900}
	signal := func(sec float64) float64 {
		var s float64
		for i, f := range freqs {
			s += 6000 * math.Sin(2*math.Pi*f*sec+float64(i))
		}
		return s
	}
	for _, rate := range deviceRates() {
		for _, pair := range [][2]int{{rate, LineRate}, {LineRate, rate}} {
			from, to := pair[0], pair[1]
			x := make([]int16, from/2)
			for i := range x {
				x[i] = saturate(signal(float64(i) / float64(from)))
			}
			y, r := resample(t, from, to, x)
			if r.Delay() != math.Trunc(r.Delay()) || r.Delay() <= 0 {
				t.Errorf("%d -> %d: Delay %g, want a positive whole number", from, to, r.Delay())
			}
			start := int(2*r.Delay()) + 8
			var errSum, sigSum float64
			for n := start; n < len(y); n++ {
				want := signal((float64(n) - r.Delay()) / float64(to))
				d := float64(y[n]) - want
				errSum += d * d
				sigSum += want * want
			}
			snr := 10 * math.Log10(sigSum/errSum)
			t.Logf("%d -> %d: delay %g, SNR %.1f dB", from, to, r.Delay(), snr)
			if snr < 70 {
				t.Errorf("%d -> %d: output vs delayed input %.1f dB SNR, want >= 70 (Delay %.3f)", from, to, snr, r.Delay())
			}
		}
	}
}

func TestResamplerChunking(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]int16, 9000)
	for i := range x {
		x[i] = int16(rng.IntN(65536) - 32768) // full-scale noise also exercises saturation
	}
	pairs := [][2]int{{48000, 8000}, {8000, 48000}, {44100, 8000}, {8000, 44100}, {22050, 8000}, {8000, 8000},
		{16000, 8000}, {24000, 8000}, {32000, 8000}, {48000, 16000}, {56000, 8000}} // cascades of every shape
	for _, p := range pairs {
		want, r := resample(t, p[0], p[1], x)
		for trial := range 5 {
			r.Reset()
			var got []int16
			for rest := x; len(rest) > 0; {
				n := min(len(rest), rng.IntN(1200)) // includes empty and > block
				if trial == 0 {
					n = 1
				}
				got = r.Process(got, rest[:n])
				rest = rest[n:]
			}
			if len(got) != len(want) {
				t.Fatalf("%v trial %d: %d samples in chunks, %d in one call", p, trial, len(got), len(want))
			}
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("%v trial %d: sample %d is %d in chunks, %d in one call", p, trial, i, got[i], want[i])
				}
			}
		}
		// Output count tracks the ratio.
		if exp := len(x) * p[1] / p[0]; len(want) < exp-1 || len(want) > exp+1 {
			t.Errorf("%v: %d output samples for %d input, want about %d", p, len(want), len(x), exp)
		}
	}
}

func TestResamplerSaturates(t *testing.T) {
	// A full-scale square wave rings above full scale after filtering; the
	// output must clip, never wrap around.
	x := make([]int16, 4800)
	for i := range x {
		x[i] = math.MaxInt16
		if (i/240)%2 == 1 {
			x[i] = math.MinInt16
		}
	}
	for _, p := range [][2]int{{48000, 8000}, {8000, 48000}} {
		y, r := resample(t, p[0], p[1], x)
		clipped := 0
		for n := int(2 * r.Delay()); n < len(y); n++ {
			// Mid-plateau samples of the input must keep their sign.
			in := int((float64(n)-r.Delay())*float64(p[0])/float64(p[1]) + 0.5)
			if in%240 < 60 || in%240 > 180 {
				continue
			}
			if want := x[in]; (want > 0) != (y[n] > 0) {
				t.Fatalf("%v: output %d = %d, input around it %d (wrapped?)", p, n, y[n], want)
			}
			if y[n] == math.MaxInt16 || y[n] == math.MinInt16 {
				clipped++
			}
		}
		if clipped == 0 {
			t.Errorf("%v: no sample clipped: the test does not exercise saturation", p)
		}
	}
}

func TestResamplerSameRate(t *testing.T) {
	x := tone(LineRate, 1000, -3, 0.1)
	y, r := resample(t, LineRate, LineRate, x)
	if r.Delay() != 0 || len(y) != len(x) {
		t.Fatalf("8000 -> 8000: delay %g, %d samples for %d", r.Delay(), len(y), len(x))
	}
	for i := range x {
		if x[i] != y[i] {
			t.Fatalf("8000 -> 8000 changed sample %d", i)
		}
	}
}

func TestNewResamplerErrors(t *testing.T) {
	for _, p := range [][2]int{{0, 8000}, {8000, 0}, {-48000, 8000}, {44100, 44101}, {8000, 7919 * 13}, {1 << 30, 1}, {1, 1 << 30}} {
		r, err := NewResampler(p[0], p[1])
		if !errors.Is(err, ErrRate) || r != nil {
			t.Errorf("NewResampler(%d, %d) = %v, %v; want ErrRate", p[0], p[1], r, err)
		}
	}
}

func TestResamplerNoAllocs(t *testing.T) {
	r, err := NewResampler(44100, LineRate)
	if err != nil {
		t.Fatal(err)
	}
	src := tone(44100, 1000, -10, 0.02)
	dst := make([]int16, 0, 1000)
	if n := testing.AllocsPerRun(50, func() { dst = r.Process(dst[:0], src) }); n != 0 {
		t.Errorf("Process allocates %g times per call", n)
	}
}

func benchmarkResampler(b *testing.B, from, to int) {
	r, err := NewResampler(from, to)
	if err != nil {
		b.Fatal(err)
	}
	src := tone(from, 1000, -10, 0.02) // one 20 ms period of the device
	dst := make([]int16, 0, 2*len(src)*to/from+16)
	b.ReportAllocs()
	b.SetBytes(int64(2 * len(src)))
	for b.Loop() {
		dst = r.Process(dst[:0], src)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(src)), "ns/insample")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(src)*to/from), "ns/outsample")
}

func BenchmarkResample48kTo8k(b *testing.B)  { benchmarkResampler(b, 48000, 8000) }
func BenchmarkResample44k1To8k(b *testing.B) { benchmarkResampler(b, 44100, 8000) }
func BenchmarkResample8kTo48k(b *testing.B)  { benchmarkResampler(b, 8000, 48000) }
func BenchmarkResample8kTo44k1(b *testing.B) { benchmarkResampler(b, 8000, 44100) }
func BenchmarkResample16kTo8k(b *testing.B)  { benchmarkResampler(b, 16000, 8000) }
func BenchmarkNewResampler44k1(b *testing.B) {
	for b.Loop() {
		if _, err := NewResampler(44100, 8000); err != nil {
			b.Fatal(err)
		}
	}
}

// TestResampleAll: a whole signal comes out aligned with its input (no
// group delay), ceil(len*to/from) samples long, and correct up to its end,
// which needs the filter flushed.
func TestResampleAll(t *testing.T) {
	freqs := []float64{350, 1100, 2900}
	signal := func(sec float64) float64 {
		var s float64
		for i, f := range freqs {
			s += 6000 * math.Sin(2*math.Pi*f*sec+float64(i))
		}
		return s
	}
	pairs := [][2]int{{44100, LineRate}, {48000, LineRate}, {LineRate, 48000}, {11025, LineRate}, {LineRate, 44100}, {LineRate, LineRate}}
	for _, pair := range pairs {
		from, to := pair[0], pair[1]
		for _, n := range []int{0, 1, 7, 441, from/2 + 3} {
			x := make([]int16, n)
			for i := range x {
				x[i] = saturate(signal(float64(i) / float64(from)))
			}
			y, err := ResampleAll(x, from, to)
			if err != nil {
				t.Fatalf("%d -> %d, %d samples: %v", from, to, n, err)
			}
			if want := int(math.Ceil(float64(n) * float64(to) / float64(from))); len(y) != want {
				t.Errorf("%d -> %d, %d samples: %d out, want %d", from, to, n, len(y), want)
			}
			if n < from/4 {
				continue
			}
			// Away from both edges (where the input starts and stops
			// abruptly), y[i] is the input at i/to.
			r, _ := NewResampler(from, to)
			margin := int(2*r.Delay()) + 8
			var errSum, sigSum float64
			for i := margin; i < len(y)-margin; i++ {
				want := signal(float64(i) / float64(to))
				d := float64(y[i]) - want
				errSum += d * d
				sigSum += want * want
			}
			if snr := 10 * math.Log10(sigSum/errSum); snr < 70 {
				t.Errorf("%d -> %d: output vs input %.1f dB SNR, want >= 70 (delay not removed?)", from, to, snr)
			}
			// The last samples carry the signal too, not the flush's
			// silence or nothing.
			if lvl := LevelDBm0(y[len(y)-margin : len(y)-margin/2]); lvl < -20 {
				t.Errorf("%d -> %d: the end of the output is at %.1f dBm0, want the signal", from, to, lvl)
			}
		}
	}
	x := []int16{1, 2, 3}
	y, _ := ResampleAll(x, LineRate, LineRate)
	y[0] = 9
	if x[0] != 1 {
		t.Errorf("ResampleAll at equal rates returned its input, not a copy")
	}
	if _, err := ResampleAll(x, 0, LineRate); !errors.Is(err, ErrRate) {
		t.Errorf("ResampleAll from 0 Hz = %v, want ErrRate", err)
	}
}
