package wav

import (
	"bytes"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"

	"fairrec/firmware/dsp"
)

func TestMono(t *testing.T) {
	a := &Audio{Rate: 8000, Channels: 2, Samples: []int16{1, 2, -1, -2, 32767, 32767, -32768, -32768, 100, -100}}
	want := []int16{2, -2, 32767, -32768, 0} // rounded half away from zero
	if diff := cmp.Diff(want, a.Mono()); diff != "" {
		t.Errorf("Mono (-want +got):\n%s", diff)
	}
	if a.Frames() != 5 {
		t.Errorf("Frames = %d, want 5", a.Frames())
	}
}

func TestMono8k(t *testing.T) {
	// Passband tones on both channels of 48 kHz and 44.1 kHz audio must
	// come out at 8 kHz at the same level and at the same time: output
	// sample n is the input at n/8000 s.
	signal := func(sec float64) float64 {
		return 8000*math.Sin(2*math.Pi*440*sec) + 6000*math.Sin(2*math.Pi*3000*sec+1)
	}
	for _, rate := range []int{48000, 44100, 16000, 8000} {
		frames := rate / 4
		a := &Audio{Rate: rate, Channels: 2, Samples: make([]int16, 2*frames)}
		for i := range frames {
			v := int16(math.Round(signal(float64(i) / float64(rate))))
			a.Samples[2*i], a.Samples[2*i+1] = v, v
		}
		got, err := Mono8k(a)
		if err != nil {
			t.Fatal(err)
		}
		if want := (frames*8000 + rate - 1) / rate; len(got) != want {
			t.Errorf("%d Hz: %d samples, want %d", rate, len(got), want)
		}
		var errSum, sigSum float64
		for n := 100; n < len(got)-100; n++ { // away from the edges' transients
			want := signal(float64(n) / 8000)
			errSum += (float64(got[n]) - want) * (float64(got[n]) - want)
			sigSum += want * want
		}
		if snr := 10 * math.Log10(sigSum/errSum); snr < 60 {
			t.Errorf("%d Hz: Mono8k vs input at n/8000 s: %.1f dB SNR, want >= 60", rate, snr)
		}
	}
	if _, err := Mono8k(&Audio{}); err == nil {
		t.Error("Mono8k of empty Audio succeeded")
	}
}

// benchFile is one second of 48 kHz stereo PCM16, what a USB interface gives.
func benchFile(b *testing.B) []byte {
	x := make([]int16, 2*48000)
	dsp.Sine(x, 48000, 1000, -10, 0)
	var buf bytes.Buffer
	if err := Encode(&buf, 48000, 2, PCM16, x); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

func BenchmarkDecode(b *testing.B) {
	file := benchFile(b)
	b.ReportAllocs()
	b.SetBytes(int64(len(file)))
	for b.Loop() {
		if _, err := Decode(bytes.NewReader(file)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMono8k(b *testing.B) {
	a, err := Decode(bytes.NewReader(benchFile(b)))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Mono8k(a); err != nil {
			b.Fatal(err)
		}
	}
}
