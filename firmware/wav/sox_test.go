package wav

import (
	"bytes"
	"encoding/binary"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"fairrec/firmware/dsp"
)

// These tests check interoperability with sox, an independent
// implementation of RIFF WAVE and G.711. They skip when sox is missing.

func needSox(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("sox"); err != nil {
		t.Skip("sox not on PATH")
	}
	if os.Getenv("FAIRREC_EXEC") != "" {
		// Under qemu-user (make test-arm64) a fork of a multithreaded
		// process can deadlock before its exec, and these tests start
		// sox dozens of times; what they check (file formats) does not
		// depend on the CPU, and make test runs them natively.
		t.Skip("sox interoperability runs natively, not under an emulator")
	}
}

func sox(t *testing.T, args ...string) []byte {
	t.Helper()
	// -D: no dither, so sox's conversions are deterministic.
	out, err := exec.Command("sox", append([]string{"-D"}, args...)...).Output()
	if err != nil {
		msg := ""
		if ee, ok := err.(*exec.ExitError); ok {
			msg = string(ee.Stderr)
		}
		t.Fatalf("sox %v: %v\n%s", args, err, msg)
	}
	return out
}

func soxInfo(t *testing.T, flag, file string) string {
	t.Helper()
	out, err := exec.Command("sox", "--i", flag, file).Output()
	if err != nil {
		t.Fatalf("sox --i %s %s: %v", flag, file, err)
	}
	return strings.TrimSpace(string(out))
}

// soxRaw returns sox's own conversion of file to 16-bit signed samples.
func soxRaw(t *testing.T, file string) []int16 {
	t.Helper()
	raw := sox(t, file, "-t", "raw", "-e", "signed", "-b", "16", "-")
	s := make([]int16, len(raw)/2)
	for i := range s {
		s[i] = int16(binary.LittleEndian.Uint16(raw[2*i:]))
	}
	return s
}

func decodeFile(t *testing.T, file string) *Audio {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	a, err := Decode(f)
	if err != nil {
		t.Fatalf("Decode(%s): %v", file, err)
	}
	return a
}

// TestSoxReadsOurFiles: sox accepts what Encode writes and decodes the same
// samples from it.
func TestSoxReadsOurFiles(t *testing.T) {
	needSox(t)
	dir := t.TempDir()
	tone := make([]int16, 4001*2)
	dsp.Sine(tone, 48000, 1000, -3, 0)
	tests := []struct {
		name     string
		rate, ch int
		f        Format
		samples  []int16
		encoding string
	}{
		{"pcm16-stereo", 48000, 2, PCM16, tone, "Signed Integer PCM"},
		{"alaw-odd", 8000, 1, ALaw, tone[:4001], "A-law"},
		{"ulaw", 8000, 1, MuLaw, tone[:4000], "u-law"},
		{"alaw-stereo", 8000, 2, ALaw, tone, "A-law"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := filepath.Join(dir, tt.name+".wav")
			var buf bytes.Buffer
			if err := Encode(&buf, tt.rate, tt.ch, tt.f, tt.samples); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			for flag, want := range map[string]string{
				"-r": strconv.Itoa(tt.rate),
				"-c": strconv.Itoa(tt.ch),
				"-s": strconv.Itoa(len(tt.samples) / tt.ch),
			} {
				if got := soxInfo(t, flag, file); got != want {
					t.Errorf("sox --i %s = %q, want %q", flag, got, want)
				}
			}
			if got := soxInfo(t, "-e", file); !strings.Contains(got, tt.encoding) {
				t.Errorf("sox --i -e = %q, want %q", got, tt.encoding)
			}
			ours := decodeFile(t, file).Samples
			theirs := soxRaw(t, file)
			if len(ours) != len(theirs) {
				t.Fatalf("sox decodes %d samples, we %d", len(theirs), len(ours))
			}
			for i := range ours {
				if ours[i] != theirs[i] {
					t.Fatalf("sample %d: sox decodes %d, we %d", i, theirs[i], ours[i])
				}
			}
		})
	}
}

// TestDecodeSoxFiles: files sox writes (including its EXTENSIBLE headers for
// 24-bit and float) decode to the samples sox itself reads from them.
func TestDecodeSoxFiles(t *testing.T) {
	needSox(t)
	dir := t.TempDir()
	tests := []struct {
		name     string
		args     []string
		rate, ch int
		f        Format
		slack    int // LSBs of rounding difference allowed when narrowing
	}{
		{"s16-48k-stereo", []string{"-r", "48000", "-c", "2", "-b", "16"}, 48000, 2, PCM16, 0},
		{"alaw-8k", []string{"-r", "8000", "-c", "1", "-e", "a-law"}, 8000, 1, ALaw, 0},
		{"ulaw-8k", []string{"-r", "8000", "-c", "1", "-e", "u-law"}, 8000, 1, MuLaw, 0},
		{"u8-22k", []string{"-r", "22050", "-c", "1", "-b", "8", "-e", "unsigned"}, 22050, 1, PCM8, 0},
		{"s24-44k", []string{"-r", "44100", "-c", "2", "-b", "24"}, 44100, 2, PCM24, 1},
		{"s32-16k", []string{"-r", "16000", "-c", "1", "-b", "32"}, 16000, 1, PCM32, 1},
		{"f32-32k", []string{"-r", "32000", "-c", "3", "-e", "floating-point", "-b", "32"}, 32000, 3, Float32, 1},
		{"f64-24k", []string{"-r", "24000", "-c", "1", "-e", "floating-point", "-b", "64"}, 24000, 1, Float64, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := filepath.Join(dir, tt.name+".wav")
			args := append([]string{"-n"}, tt.args...)
			sox(t, append(args, file, "synth", "0.25", "sine", "1000", "vol", "0.5")...)
			a := decodeFile(t, file)
			if a.Rate != tt.rate || a.Channels != tt.ch || a.Format != tt.f || a.Truncated {
				t.Errorf("got %d Hz, %d channels, %s, truncated %v; want %d Hz, %d channels, %s",
					a.Rate, a.Channels, a.Format, a.Truncated, tt.rate, tt.ch, tt.f)
			}
			if want := tt.rate / 4; a.Frames() != want {
				t.Errorf("%d frames, want %d", a.Frames(), want)
			}
			theirs := soxRaw(t, file)
			if len(theirs) != len(a.Samples) {
				t.Fatalf("sox reads %d samples, we %d", len(theirs), len(a.Samples))
			}
			for i := range theirs {
				if d := int(a.Samples[i]) - int(theirs[i]); d < -tt.slack || d > tt.slack {
					t.Fatalf("sample %d: sox reads %d, we %d", i, theirs[i], a.Samples[i])
				}
			}
			// Half of full scale is 3.14 - 6.02 dBm0.
			if got := dsp.LevelDBm0(a.Mono()); math.Abs(got-(3.14-6.02)) > 0.2 {
				t.Errorf("level %.2f dBm0, want about -2.9", got)
			}
		})
	}
}

// TestG711MatchesSox encodes every int16 with sox and with dsp: an
// independent check of the encoders' segments, signs and bit inversions.
// sox first rounds its input to the codec's precision (13 bits for A-law, 14
// for µ-law; halves toward +∞), which moves every decision value by half a
// step; dsp follows G.711's decision values (truncation, as the G.191
// reference does). And for µ-law sox mirrors negative inputs with the two's
// complement (-x) where G.191 and dsp use the one's complement (-x-1); the
// two differ only for an input exactly on a decision value. So sox's code for
// x must be dsp's code for x rounded and mirrored the way sox does it.
func TestG711MatchesSox(t *testing.T) {
	needSox(t)
	dir := t.TempDir()
	raw := make([]byte, 0, 2*65536)
	for x := math.MinInt16; x <= math.MaxInt16; x++ {
		raw = binary.LittleEndian.AppendUint16(raw, uint16(int16(x)))
	}
	in := filepath.Join(dir, "ramp.raw")
	if err := os.WriteFile(in, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		enc    string
		shift  int // bits sox drops before encoding
		encode func(int16) byte
		negate bool // mirror negatives by -x
	}{{"a-law", 3, dsp.ALawEncode, false}, {"u-law", 2, dsp.MuLawEncode, true}} {
		codes := sox(t, "-t", "raw", "-r", "8000", "-c", "1", "-e", "signed", "-b", "16", in,
			"-t", "raw", "-e", tt.enc, "-")
		if len(codes) != 65536 {
			t.Fatalf("sox %s: %d codes for 65536 samples", tt.enc, len(codes))
		}
		mismatches := 0
		for i, c := range codes {
			x := i + math.MinInt16
			half := 1 << (tt.shift - 1)
			rounded := (x + half) >> tt.shift << tt.shift
			got := tt.encode(int16(min(rounded, math.MaxInt16)))
			if tt.negate && rounded < 0 {
				got = tt.encode(int16(min(-rounded, math.MaxInt16))) ^ 0x80
			}
			if got != c {
				if mismatches++; mismatches <= 5 {
					t.Errorf("%s: x=%d: dsp code of %d is %#02x, sox code of x %#02x", tt.enc, x, rounded, got, c)
				}
			}
		}
		if mismatches > 0 {
			t.Errorf("%s: %d of 65536 codes differ from sox", tt.enc, mismatches)
		}
	}
}
