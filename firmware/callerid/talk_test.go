package callerid

import (
	"bytes"
	"math"
	"os/exec"
	"testing"

	"fairrec/firmware/dsp"
	"fairrec/firmware/wav"
)

// speech returns espeak-ng's rendering of text in voice at 8 kHz, scaled to
// an RMS level of dbm0.
func speech(t *testing.T, voice, text string, dbm0 float64) []int16 {
	t.Helper()
	if _, err := exec.LookPath("espeak-ng"); err != nil {
		t.Skip("espeak-ng not installed (make deps installs it)")
	}
	var out, errb bytes.Buffer
	cmd := exec.Command("espeak-ng", "-v", voice, "--stdout", text)
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("espeak-ng: %v: %s", err, errb.String())
	}
	a, err := wav.Decode(&out)
	if err != nil {
		t.Fatal(err)
	}
	x, err := wav.Mono8k(a)
	if err != nil {
		t.Fatal(err)
	}
	g := math.Pow(10, (dbm0-dsp.LevelDBm0(x))/20)
	for i, v := range x {
		x[i] = int16(max(-32768, min(32767, math.Round(float64(v)*g))))
	}
	return x
}

// TestTalkOff: speech, which is what the Decoder hears during every call,
// gives no caller ID and no rejected message, whatever its level.
func TestTalkOff(t *testing.T) {
	utterances := []struct{ voice, text string }{
		{"nl", "Goedemiddag, u spreekt met de klantenservice van de energiemaatschappij. Waarmee kan ik u helpen?"},
		{"en-us", "Hi, I'd like to know how long you keep recordings of my calls, and I object to being recorded."},
		{"en+f3", "Sure, one moment please. Your customer number is four five six, seven eight nine, zero one two."},
	}
	levels := []float64{-5, -20, -35}
	if testing.Short() {
		utterances, levels = utterances[:1], levels[:1]
	}
	for _, u := range utterances {
		for _, level := range levels {
			x := speech(t, u.voice, u.text, level)
			for _, r := range decodeAll(t, Config{}, x) {
				t.Errorf("%s at %g dBm0: %v", u.voice, level, r)
			}
		}
	}
}
