package dsp

import (
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
