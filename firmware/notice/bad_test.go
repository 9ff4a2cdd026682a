package notice

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

// lameRaw encodes samples (mono, 16-bit) with lame at the given settings.
func lameRaw(t *testing.T, samples []int16, rate string, args ...string) []byte {
	t.Helper()
	needTools(t, "lame")
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.raw"), filepath.Join(dir, "out.mp3")
	b := make([]byte, 2*len(samples))
	for i, v := range samples {
		b[2*i], b[2*i+1] = byte(v), byte(uint16(v)>>8)
	}
	if err := os.WriteFile(in, b, 0o644); err != nil {
		t.Fatal(err)
	}
	base := []string{"--quiet", "-r", "-s", rate, "--bitwidth", "16", "--signed", "--little-endian", "-m", "m"}
	run(t, "lame", append(append(base, args...), in, out)...)
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func tone(n, period int, amp int16) []int16 {
	s := make([]int16, n)
	for i := range s {
		if i%period < period/2 {
			s[i] = amp
		} else {
			s[i] = -amp
		}
	}
	return s
}

func TestDecodeRejects(t *testing.T) {
	good := speak(t, testText, 16000, "-b", "16").mp3
	mpeg25 := speak(t, testText, 8000, "-b", "16").mp3
	// Layer II: the same frames relabelled (only the header is checked
	// before the rejection).
	layer2 := bytes.Clone(good)
	layer2[1] = layer2[1]&^0x06 | 0x04
	// A tagged file (LAME writes length and CRC) damaged where no frame
	// header is, and cut at a frame boundary.
	tagged := speak(t, testText, 44100, "-b", "64").mp3
	flipped := bytes.Clone(tagged)
	flipped[len(firstFrames(tagged, 50))+100] ^= 0x10 // inside frame 50
	cut := firstFrames(tagged, 40)
	corrupt := bytes.Clone(good)
	for i := 200; i < 600; i++ {
		corrupt[i] = byte(i * 7)
	}
	tests := []struct {
		name string
		data []byte
		want error
		text string // in the message
	}{
		{"empty", nil, ErrCorrupt, "empty"},
		{"text", []byte("this is not an mp3 file, it is a note to the installer"), ErrCorrupt, "no MPEG audio frame"},
		{"wav", []byte("RIFF\x24\x00\x00\x00WAVEfmt "), ErrCorrupt, "no MPEG audio frame"},
		{"truncated", good[:len(good)*2/3+5], ErrCorrupt, "truncated"},
		{"corrupt", corrupt, ErrCorrupt, "frame"},
		{"id3-too-long", append([]byte("ID3\x04\x00\x00\x7f\x7f\x7f\x7f"), good...), ErrCorrupt, "ID3v2"},
		{"mpeg2.5-8k", mpeg25, ErrUnsupportedRate, "MPEG 2.5"},
		{"crc", flipped, ErrCorrupt, "CRC"},
		{"cut-at-frame", cut, ErrCorrupt, "truncated"},
		{"layer2", layer2, ErrUnsupported, "Layer II"},
		{"short", lameRaw(t, tone(3200, 40, 8000), "16", "-b", "32"), ErrTooShort, "0."},
		{"silent", lameRaw(t, make([]int16, 32000), "16", "-b", "32"), ErrSilent, "dBm0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n, err := Decode(tc.name+".mp3", tc.data)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Decode = %v, %v; want error %v", n, err, tc.want)
			}
			if msg := err.Error(); !strings.Contains(msg, tc.name+".mp3") || !strings.Contains(msg, tc.text) {
				t.Errorf("error %q should name the file and say %q", msg, tc.text)
			}
		})
	}
}

func TestDecodeTooLong(t *testing.T) {
	// A short file repeated: each repetition starts with an empty bit
	// reservoir, so the frames concatenate into a valid stream. Just over
	// the limit (decoded, then measured) and far over it (refused by the
	// frame count before decoding) are both refused.
	one := lameRaw(t, tone(8000, 40, 8000), "16", "-b", "8", "--resample", "16", "-t")
	s, err := scan(one)
	if err != nil {
		t.Fatal(err)
	}
	over := int(120.7/(float64(s.frames*s.samples)/16000)) + 1
	for _, reps := range []int{over, 1000} {
		if reps == over && testing.Short() {
			continue // decodes two minutes
		}
		data := bytes.Repeat(one, reps)
		if _, err := Decode("long.mp3", data); !errors.Is(err, ErrTooLong) {
			t.Fatalf("Decode of %d repetitions = %v, want ErrTooLong", reps, err)
		} else {
			t.Log(err)
		}
	}
	if _, err := Decode("huge.mp3", make([]byte, MaxFileSize+1)); !errors.Is(err, ErrTooLong) {
		t.Fatalf("Decode of %d bytes = %v, want ErrTooLong", MaxFileSize+1, err)
	}
}

func TestLoadFileMissing(t *testing.T) {
	_, err := LoadFile(fstest.MapFS{}, "default.nl.notice.mp3")
	if !errors.Is(err, ErrMissing) || !strings.Contains(err.Error(), "default.nl.notice.mp3") {
		t.Fatalf("LoadFile = %v, want ErrMissing naming the file", err)
	}
}
