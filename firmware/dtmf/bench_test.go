package dtmf

import (
	"math"
	"testing"
)

// benchSignal is 10 s of line audio: white noise at -20 dBm0 (which the
// cheap checks reject, as they do most speech), or a worst case of digits
// 50 ms on, 50 ms off under noise at -40 dBm0.
func benchSignal(b testing.TB, digits bool) []int16 {
	s := newSignal(42)
	if !digits {
		return s.silence(80000).noise(math.Pow(peak(-20), 2) / 2).pcm()
	}
	for i := range 100 {
		s.tone(b, keys[i%16], -10, -10, ms(50)).silence(ms(50))
	}
	return s.noise(math.Pow(peak(-40), 2) / 2).pcm()
}

// BenchmarkDetect reports ns per sample and how many 8 kHz lines one core
// keeps up with, fed in 20 ms frames as on a line.
func BenchmarkDetect(b *testing.B) {
	for _, tc := range []struct {
		name   string
		digits bool
	}{{"noise", false}, {"digits", true}} {
		b.Run(tc.name, func(b *testing.B) {
			x := benchSignal(b, tc.digits)
			d, _ := New(Config{})
			ev := make([]Event, 0, 64)
			lockThread()
			defer unlockThread()
			cpu0, cpuOK := threadCPU()
			for b.Loop() {
				for i := 0; i < len(x); i += 160 {
					ev = d.Process(ev[:0], x[i:min(i+160, len(x))])
				}
			}
			cpu1, _ := threadCPU()
			n := float64(b.N) * float64(len(x))
			ns := float64(b.Elapsed().Nanoseconds()) / n
			b.ReportMetric(ns, "ns/sample")
			// CPU time of the benchmark's thread: what the detector costs
			// when other processes share the cores (and the basis of
			// lines/core).
			if cpuOK {
				ns = float64(cpu1-cpu0) / n
				b.ReportMetric(ns, "cpu-ns/sample")
			}
			b.ReportMetric(1e9/(ns*rate), "lines/core")
		})
	}
}

// Process allocates nothing per sample once the event slice has room.
func TestNoAllocs(t *testing.T) {
	x := benchSignal(t, true)
	d, _ := New(Config{})
	ev := make([]Event, 0, 64)
	for i := 0; i+160 <= len(x); i += 160 { // warm up
		ev = d.Process(ev[:0], x[i:i+160])
	}
	i := 0
	allocs := testing.AllocsPerRun(200, func() {
		ev = d.Process(ev[:0], x[i:i+160])
		i = (i + 160) % (len(x) - 160)
	})
	if allocs != 0 {
		t.Errorf("Process allocates %.1f times per 20 ms chunk", allocs)
	}
}

// FuzzDetect feeds arbitrary bytes as samples in arbitrary chunks: nothing
// may panic, events must be well formed, and the chunking must not matter.
func FuzzDetect(f *testing.F) {
	f.Add([]byte{0, 0, 255, 127, 0, 128}, uint8(7))
	s := newSignal(1).silence(ms(10)).tone(f, '5', -5, -5, ms(60)).silence(ms(50))
	var seed []byte
	for _, v := range s.pcm() {
		seed = append(seed, byte(v), byte(uint16(v)>>8))
	}
	f.Add(seed, uint8(1))
	f.Fuzz(func(t *testing.T, data []byte, chunk uint8) {
		x := make([]int16, len(data)/2)
		for i := range x {
			x[i] = int16(uint16(data[2*i]) | uint16(data[2*i+1])<<8)
		}
		d, _ := New(Config{})
		whole := run(d, x, 0)
		d.Reset()
		if got := run(d, x, int(chunk)+1); len(got) != len(whole) {
			t.Fatalf("chunks of %d: %d events, whole: %d", int(chunk)+1, len(got), len(whole))
		}
		for _, e := range whole {
			if e.Start < 0 || e.Duration < 0 || e.Start > int64(len(x)) || math.IsNaN(e.Level) {
				t.Fatalf("bad event %+v for %d samples", e, len(x))
			}
		}
	})
}
