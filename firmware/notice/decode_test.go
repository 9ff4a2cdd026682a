package notice

import (
	"testing"

	"fairrec/firmware/dsp"
	"fairrec/firmware/wav"
)

// TestDecodeMatchesSource encodes speech at every rate a notice may have,
// with and without a LAME tag, and checks that the decoded 8 kHz notice
// lasts as long as the source and lines up with it.
func TestDecodeMatchesSource(t *testing.T) {
	tests := []struct {
		name string
		rate int
		lame []string
		// lag is where the decoded notice lines up with the source, in
		// source samples: 0 when a LAME tag states the encoder delay,
		// LAME's 576 when there is no tag (-t, or frames too small to
		// hold one: below 40 kbit/s at 16 kHz, 56 at 22.05, 64 at 24).
		// (Not 32 kbit/s at 22.05 or 24 kHz: go-mp3 v0.3.4 decodes
		// LAME's streams there wrongly, see the package doc.)
		lag int
	}{
		{"16k-16kbps-untagged", 16000, []string{"-b", "16"}, 576},
		{"16k-48kbps-tagged", 16000, []string{"-b", "48"}, 0},
		{"22k-untagged", 22050, []string{"-b", "48"}, 576},
		{"22k-tagged", 22050, []string{"-b", "64"}, 0},
		{"24k-tagged", 24000, []string{"-b", "64"}, 0},
		{"44k-tagged", 44100, []string{"-b", "96"}, 0},
		{"48k-tagged", 48000, []string{"-b", "96"}, 0},
		{"48k-untagged", 48000, []string{"-b", "96", "-t"}, 576},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if testing.Short() && tc.name != "16k-16kbps-untagged" && tc.name != "48k-tagged" {
				t.Skip("short: one MPEG-2 and one MPEG-1 case")
			}
			t.Parallel()
			src := speak(t, testText, tc.rate, tc.lame...)
			n, err := Decode(tc.name+".mp3", src.mp3)
			if err != nil {
				t.Fatal(err)
			}
			if n.SourceRate != tc.rate {
				t.Errorf("source rate %d, want %d", n.SourceRate, tc.rate)
			}
			want, err := wav.Mono8k(src.wav)
			if err != nil {
				t.Fatal(err)
			}
			// Duration: exact (to rounding) with a tag; without one the
			// encoder delay and padding stay, less than two frames.
			frame := 576 * dsp.LineRate / tc.rate
			if tc.rate > 24000 {
				frame *= 2
			}
			diff := n.Duration - len(want)
			if tc.lag == 0 && (diff < -1 || diff > 1) || tc.lag != 0 && (diff < 0 || diff > 2*frame) {
				t.Errorf("duration %d samples, source %d (diff %d, frame %d)", n.Duration, len(want), diff, frame)
			}
			// Compare the two seconds after the first half second: enough
			// speech to be sure, cheap enough to search 700 lags.
			lag, corr := bestLag(want[4000:20000], n.Samples[4000-350:], 350)
			wantLag := (tc.lag*dsp.LineRate + tc.rate/2) / tc.rate
			if lag < wantLag-1 || lag > wantLag+1 {
				t.Errorf("decoded notice lags the source by %d samples, want %d", lag, wantLag)
			}
			if corr < 0.9 {
				t.Errorf("correlation with the source %.3f, want >= 0.9", corr)
			}
			if d := n.LevelDBm0 - dsp.LevelDBm0(want); d < -1 || d > 1 {
				t.Errorf("level %.1f dBm0, source %.1f dBm0", n.LevelDBm0, dsp.LevelDBm0(want))
			}
			t.Logf("%d samples (source %d), lag %d, corr %.4f, %.1f dBm0", n.Duration, len(want), lag, corr, n.LevelDBm0)
		})
	}
}

// TestDecodeWithID3Tags: installers' files often carry ID3 tags (title,
// artist); they are skipped, and LAME's length and CRC still check out.
func TestDecodeWithID3Tags(t *testing.T) {
	for _, tc := range []struct {
		args   []string
		v1, v2 bool
	}{
		{[]string{"-b", "64", "--tt", "Notice", "--ta", "Installer", "--add-id3v2"}, true, true},
		{[]string{"-b", "64", "--tt", "Notice", "--id3v1-only"}, true, false},
		{[]string{"-b", "64", "--tt", "Notice", "--id3v2-only", "--pad-id3v2-size", "100"}, false, true},
	} {
		if testing.Short() && !(tc.v1 && tc.v2) {
			continue // short: both tags at once only
		}
		args := tc.args
		src := speak(t, testText, 44100, args...)
		v1 := len(src.mp3) > 128 && string(src.mp3[len(src.mp3)-128:][:3]) == "TAG"
		v2 := string(src.mp3[:3]) == "ID3"
		if v1 != tc.v1 || v2 != tc.v2 {
			t.Fatalf("lame %v wrote ID3v1 %v, ID3v2 %v; the test expects %v, %v", args, v1, v2, tc.v1, tc.v2)
		}
		n, err := Decode("tagged.mp3", src.mp3)
		if err != nil {
			t.Errorf("lame %v: %v", args, err)
			continue
		}
		want, _ := wav.Mono8k(src.wav)
		if d := n.Duration - len(want); d < -1 || d > 1 {
			t.Errorf("lame %v: %d samples, source %d", args, n.Duration, len(want))
		}
	}
}
