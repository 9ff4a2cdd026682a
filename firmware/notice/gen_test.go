package notice

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"fairrec/firmware/wav"
)

// source is a test notice: the WAV it was encoded from and the MP3.
type source struct {
	wav *wav.Audio
	mp3 []byte
}

const testText = "This call is recorded for quality and training. To object, press 9 now."

func needTools(t testing.TB, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed (scripts/deps.sh installs it)", tool)
		}
	}
}

func run(t testing.TB, name string, args ...string) {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

// speak makes a WAV of text at rate (espeak-ng, then sox to the rate, at a
// peak of -3 dBFS) and encodes it with lame and lameArgs. The source WAV is
// what lame was given, so the MP3 should decode to it.
func speak(t testing.TB, text string, rate int, lameArgs ...string) source {
	t.Helper()
	needTools(t, "espeak-ng", "sox", "lame")
	dir := t.TempDir()
	raw, src, out := filepath.Join(dir, "raw.wav"), filepath.Join(dir, "src.wav"), filepath.Join(dir, "out.mp3")
	run(t, "espeak-ng", "-v", "en", "-w", raw, text)
	run(t, "sox", raw, "-b", "16", "-r", fmt.Sprint(rate), src, "gain", "-n", "-3")
	args := append([]string{"--quiet", "-m", "m"}, lameArgs...)
	run(t, "lame", append(args, src, out)...)
	f, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	a, err := wav.Decode(bytes.NewReader(f))
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return source{wav: a, mp3: data}
}

// bestLag returns the lag (in samples, got later than want when positive)
// in [-maxLag, maxLag] at which got correlates best with want, and the
// normalised correlation there. got[maxLag] lines up with want[0] at lag 0,
// so callers pass got starting maxLag samples before want's start.
func bestLag(want, got []int16, maxLag int) (lag int, corr float64) {
	corr = -2
	for l := -maxLag; l <= maxLag; l++ {
		var sxy, sxx, syy float64
		for i := range want {
			j := i + l + maxLag
			if j < 0 || j >= len(got) {
				continue
			}
			x, y := float64(want[i]), float64(got[j])
			sxy += x * y
			sxx += x * x
			syy += y * y
		}
		if sxx == 0 || syy == 0 {
			continue
		}
		if c := sxy / math.Sqrt(sxx*syy); c > corr {
			lag, corr = l, c
		}
	}
	return lag, corr
}

func readWAV(t testing.TB, path string) *wav.Audio {
	t.Helper()
	f, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	a, err := wav.Decode(bytes.NewReader(f))
	if err != nil {
		t.Fatal(err)
	}
	return a
}
