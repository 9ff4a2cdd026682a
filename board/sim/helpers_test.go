package sim

import (
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// writeWAV writes a PCM16 mono WAV file. The test writes its own (rather
// than using firmware/wav's encoder) so that the scenario reader is checked
// against an independent writer.
func writeWAV(t *testing.T, path string, rate int, samples []int16) {
	t.Helper()
	data := make([]byte, 44+2*len(samples))
	copy(data[0:], "RIFF")
	binary.LittleEndian.PutUint32(data[4:], uint32(36+2*len(samples)))
	copy(data[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(data[16:], 16)
	binary.LittleEndian.PutUint16(data[20:], 1) // PCM
	binary.LittleEndian.PutUint16(data[22:], 1) // mono
	binary.LittleEndian.PutUint32(data[24:], uint32(rate))
	binary.LittleEndian.PutUint32(data[28:], uint32(rate*2))
	binary.LittleEndian.PutUint16(data[32:], 2)
	binary.LittleEndian.PutUint16(data[34:], 16)
	copy(data[36:], "data")
	binary.LittleEndian.PutUint32(data[40:], uint32(2*len(samples)))
	for i, v := range samples {
		binary.LittleEndian.PutUint16(data[44+2*i:], uint16(v))
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// sine returns n samples of a sine of freq Hz at rate with peak amplitude.
func sine(n, rate int, freq, peak float64) []int16 {
	s := make([]int16, n)
	for i := range s {
		s[i] = int16(math.Round(peak * math.Sin(2*math.Pi*freq*float64(i)/float64(rate))))
	}
	return s
}

// scenarioDir writes the scenario text and a 1 s 8 kHz "caller.wav" (a
// 300 Hz sine) into a temporary directory and returns the scenario's path.
func scenarioDir(t *testing.T, text string) string {
	t.Helper()
	dir := t.TempDir()
	writeWAV(t, filepath.Join(dir, "caller.wav"), 8000, sine(8000, 8000, 300, 10000))
	path := filepath.Join(dir, "scenario.toml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// goertzel returns the amplitude of freq in x (sampled at rate), as the peak
// of the sine that would give the same power.
func goertzel(x []int16, rate int, freq float64) float64 {
	w := 2 * math.Pi * freq / float64(rate)
	c := 2 * math.Cos(w)
	var s1, s2 float64
	for _, v := range x {
		s1, s2 = float64(v)+c*s1-s2, s1
	}
	p := s1*s1 + s2*s2 - c*s1*s2
	return 2 * math.Sqrt(math.Max(p, 0)) / float64(len(x))
}
