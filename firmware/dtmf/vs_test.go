package dtmf

import (
	"math"
	"os/exec"
	"slices"
	"testing"
	"time"
)

// BenchmarkVsSpandsp runs the Go detector and spandsp's dtmf_rx side by
// side in one process on the same 60 s of audio, fed in 20 ms chunks: each
// benchmark iteration is one round that times both (in turn first), in CPU
// time of the benchmark's thread, so that another process taking the core
// does not count. It reports the median cost of each and the median and
// range of the per-round ratios Go/spandsp. It needs -tags spandsp and
// libspandsp-dev (make bench adds the tag when pkg-config finds it).
func BenchmarkVsSpandsp(b *testing.B) {
	rx, ok := spandspRx()
	if !ok {
		b.Skip("spandsp not built in: make bench adds -tags spandsp when pkg-config finds libspandsp-dev")
	}
	const n = 60 * rate
	for _, tc := range []struct {
		name string
		make func(b *testing.B) []int16
	}{
		{"silence", func(*testing.B) []int16 { return make([]int16, n) }},
		{"noise", func(*testing.B) []int16 {
			return newSignal(42).silence(n).noise(math.Pow(peak(-20), 2) / 2).pcm()
		}},
		{"speech", func(b *testing.B) []int16 {
			if _, err := exec.LookPath("espeak-ng"); err != nil {
				b.Skip("espeak-ng not installed (scripts/deps.sh installs it)")
			}
			sp := speechCorpus(b, 5, 60, 0)
			return quantise(sp[:n])
		}},
		{"digits", func(b *testing.B) []int16 {
			s := newSignal(42)
			for i := range 600 {
				s.tone(b, keys[i%16], -10, -10, ms(50)).silence(ms(50))
			}
			return s.noise(math.Pow(peak(-40), 2) / 2).pcm()[:n]
		}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			x := tc.make(b)
			ev := make([]Event, 0, 64)
			goRun := func() int {
				d, _ := New(Config{})
				k := 0
				for i := 0; i < len(x); i += 160 {
					ev = d.Process(ev[:0], x[i:min(i+160, len(x))])
					k += len(ev)
				}
				return k / 2
			}
			lockThread()
			defer unlockThread()
			cpu := func(f func() int) (time.Duration, int) {
				c0, _ := threadCPU()
				k := f()
				c1, _ := threadCPU()
				return c1 - c0, k
			}
			if _, ok := threadCPU(); !ok {
				b.Skip("no per-thread CPU time on this system")
			}
			var goNs, spNs, ratios []float64
			var goDigits, spDigits int
			round := 0
			for b.Loop() {
				var tg, ts time.Duration
				if round%2 == 0 {
					tg, goDigits = cpu(goRun)
					ts, spDigits = cpu(func() int { return rx(x, 160) })
				} else {
					ts, spDigits = cpu(func() int { return rx(x, 160) })
					tg, goDigits = cpu(goRun)
				}
				round++
				goNs = append(goNs, float64(tg.Nanoseconds())/float64(len(x)))
				spNs = append(spNs, float64(ts.Nanoseconds())/float64(len(x)))
				if ts > 0 {
					ratios = append(ratios, float64(tg)/float64(ts))
				}
			}
			if len(ratios) == 0 {
				return
			}
			slices.Sort(ratios)
			med := func(v []float64) float64 { v = slices.Clone(v); slices.Sort(v); return v[len(v)/2] }
			b.ReportMetric(med(goNs), "go-ns/sample")
			b.ReportMetric(med(spNs), "spandsp-ns/sample")
			b.ReportMetric(med(ratios), "ratio")
			b.ReportMetric(ratios[0], "ratio-min")
			b.ReportMetric(ratios[len(ratios)-1], "ratio-max")
			b.Logf("%s: Go %.1f ns/sample, spandsp %.1f ns/sample, ratio %.2f (%.2f-%.2f over %d rounds); digits Go %d, spandsp %d",
				tc.name, med(goNs), med(spNs), med(ratios), ratios[0], ratios[len(ratios)-1], len(ratios), goDigits, spDigits)
		})
	}
}
