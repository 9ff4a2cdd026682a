package audio

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkInterleave measures the driver's own work per period: splitting
// a device buffer into channels and joining channels into one.
func BenchmarkInterleave(b *testing.B) {
	for _, ch := range []int{1, 2, 4} {
		b.Run(fmt.Sprintf("%dch", ch), func(b *testing.B) {
			const frames = 960 // 20 ms at 48 kHz
			dev, chans := make([]int16, frames*ch), buffers(ch, frames)
			b.ReportAllocs()
			for b.Loop() {
				deinterleave(chans, 0, dev)
				interleave(dev, chans, 0)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*frames), "ns/frame")
		})
	}
}

// BenchmarkStream measures a period read and a period written through
// PortAudio and ALSA file PCMs (a null slave, so no real-time pacing): the
// cost of the driver and the libraries per frame, and the allocations per
// period (zero after warm-up). PortAudio initialises in this process, so
// this benchmark sets ALSA_CONFIG_PATH itself; the tests never initialise
// PortAudio outside their child processes.
func BenchmarkStream(b *testing.B) {
	dir := b.TempDir()
	in := filepath.Join(dir, "in.raw")
	if err := os.WriteFile(in, noise(1, 960, 4), 0o644); err != nil {
		b.Fatal(err)
	}
	conf := filepath.Join(dir, "asoundrc")
	if err := (FileConfig{Devices: []FileDevice{{Name: "line", In: in}, {Name: "out"}}}).Write(conf); err != nil {
		b.Fatal(err)
	}
	b.Setenv(ConfigPathEnv, conf)
	b.Setenv("JACK_NO_START_SERVER", "1")
	for _, tc := range []struct {
		rate, ch int
	}{{8000, 1}, {48000, 2}, {48000, 4}} {
		b.Run(fmt.Sprintf("%dHz_%dch", tc.rate, tc.ch), func(b *testing.B) {
			s, err := Open(Config{Input: "line", Output: "out", InputChannels: tc.ch, OutputChannels: tc.ch, Rate: tc.rate})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			bufs := buffers(tc.ch, s.Period())
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.Read(bufs); err != nil {
					b.Fatal(err)
				}
				if err := s.Write(bufs); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*s.Period()), "ns/frame")
		})
	}
}
