package wav

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// chunk builds one RIFF chunk, with the pad byte an odd size needs.
func chunk(id string, body []byte) []byte {
	b := append([]byte(id), binary.LittleEndian.AppendUint32(nil, uint32(len(body)))...)
	b = append(b, body...)
	if len(body)%2 == 1 {
		b = append(b, 0)
	}
	return b
}

// riff wraps chunks in a RIFF WAVE header with a correct size.
func riff(chunks ...[]byte) []byte {
	body := []byte("WAVE")
	for _, c := range chunks {
		body = append(body, c...)
	}
	return append(append([]byte("RIFF"), binary.LittleEndian.AppendUint32(nil, uint32(len(body)))...), body...)
}

// fmtBody builds a plain fmt chunk body.
func fmtBody(tag, channels, rate, block, bits int) []byte {
	le := binary.LittleEndian
	b := le.AppendUint16(nil, uint16(tag))
	b = le.AppendUint16(b, uint16(channels))
	b = le.AppendUint32(b, uint32(rate))
	b = le.AppendUint32(b, uint32(rate*block))
	b = le.AppendUint16(b, uint16(block))
	return le.AppendUint16(b, uint16(bits))
}

// extensible builds a WAVE_FORMAT_EXTENSIBLE fmt body for sub-format tag sub.
func extensible(sub, channels, rate, block, bits, valid int) []byte {
	le := binary.LittleEndian
	b := fmtBody(tagExtensible, channels, rate, block, bits)
	b = le.AppendUint16(b, 22)
	b = le.AppendUint16(b, uint16(valid))
	b = le.AppendUint32(b, 0x3) // front left, front right
	b = le.AppendUint16(b, uint16(sub))
	return append(b, guidSuffix[:]...)
}

func le16(v ...int16) []byte {
	var b []byte
	for _, x := range v {
		b = binary.LittleEndian.AppendUint16(b, uint16(x))
	}
	return b
}

func TestDecodeEncodings(t *testing.T) {
	le := binary.LittleEndian
	var f32, f64 []byte
	for _, v := range []float64{0, 0.5, -0.5, 1, -1, 2, math.NaN(), 1.0 / 32768} {
		f32 = le.AppendUint32(f32, math.Float32bits(float32(v)))
		f64 = le.AppendUint64(f64, math.Float64bits(v))
	}
	floatWant := []int16{0, 16384, -16384, 32767, -32768, 32767, 0, 1}
	tests := []struct {
		name string
		file []byte
		want Audio
	}{
		{
			name: "PCM8 unsigned",
			file: riff(chunk("fmt ", fmtBody(1, 1, 8000, 1, 8)), chunk("data", []byte{0, 128, 255, 129})),
			want: Audio{Rate: 8000, Channels: 1, Format: PCM8, Samples: []int16{-32768, 0, 32512, 256}},
		},
		{
			name: "PCM16 stereo",
			file: riff(chunk("fmt ", fmtBody(1, 2, 48000, 4, 16)), chunk("data", le16(1, -1, 32767, -32768))),
			want: Audio{Rate: 48000, Channels: 2, Format: PCM16, Samples: []int16{1, -1, 32767, -32768}},
		},
		{
			name: "PCM24 rounds and saturates",
			file: riff(chunk("fmt ", fmtBody(1, 1, 44100, 3, 24)), chunk("data", []byte{
				0x00, 0x01, 0x00, // 256 -> 1
				0x80, 0x00, 0x00, // 128 -> 0.5 rounds up to 1
				0x7F, 0x00, 0x00, // 127 -> 0
				0xFF, 0xFF, 0x7F, // max -> 32767 (would round to 32768)
				0x00, 0x00, 0x80, // min -> -32768
				0x80, 0xFF, 0xFF, // -128 -> -0.5 rounds up to 0
			})),
			want: Audio{Rate: 44100, Channels: 1, Format: PCM24, Samples: []int16{1, 1, 0, 32767, -32768, 0}},
		},
		{
			name: "PCM32",
			file: riff(chunk("fmt ", fmtBody(1, 1, 8000, 4, 32)), chunk("data",
				le.AppendUint32(le.AppendUint32(nil, 0x00010000), 0x80000000))),
			want: Audio{Rate: 8000, Channels: 1, Format: PCM32, Samples: []int16{1, -32768}},
		},
		{
			name: "Float32 scales, saturates, NaN is 0",
			file: riff(chunk("fmt ", fmtBody(3, 1, 8000, 4, 32)), chunk("data", f32)),
			want: Audio{Rate: 8000, Channels: 1, Format: Float32, Samples: floatWant},
		},
		{
			name: "Float64",
			file: riff(chunk("fmt ", fmtBody(3, 2, 8000, 16, 64)), chunk("data", f64)),
			want: Audio{Rate: 8000, Channels: 2, Format: Float64, Samples: floatWant},
		},
		{
			name: "A-law with fact and odd data",
			file: riff(chunk("fmt ", append(fmtBody(6, 1, 8000, 1, 8), 0, 0)),
				chunk("fact", le.AppendUint32(nil, 3)), chunk("data", []byte{0xD5, 0x55, 0xAA})),
			want: Audio{Rate: 8000, Channels: 1, Format: ALaw, Samples: []int16{8, -8, 32256}},
		},
		{
			name: "µ-law",
			file: riff(chunk("fmt ", fmtBody(7, 1, 8000, 1, 8)), chunk("data", []byte{0xFF, 0x80, 0x00, 0x7F})),
			want: Audio{Rate: 8000, Channels: 1, Format: MuLaw, Samples: []int16{0, 32124, -32124, 0}},
		},
		{
			name: "EXTENSIBLE 24-bit in 32-bit container",
			file: riff(chunk("fmt ", extensible(1, 2, 96000, 8, 32, 24)),
				chunk("data", le.AppendUint32(le.AppendUint32(nil, 0x7FFFFF00), 0xFFFFFF00))),
			want: Audio{Rate: 96000, Channels: 2, Format: PCM32, Samples: []int16{32767, 0}},
		},
		{
			name: "EXTENSIBLE float",
			file: riff(chunk("fmt ", extensible(3, 1, 8000, 4, 32, 32)), chunk("data", f32[4:8])),
			want: Audio{Rate: 8000, Channels: 1, Format: Float32, Samples: []int16{16384}},
		},
		{
			name: "unknown chunks and odd padding skipped",
			file: riff(chunk("LIST", []byte("INFOISFT\x05\x00\x00\x00odd!\x00")), chunk("junk", []byte{1, 2, 3}),
				chunk("fmt ", fmtBody(1, 1, 16000, 2, 16)), chunk("cue ", []byte{9}), chunk("data", le16(7, -7))),
			want: Audio{Rate: 16000, Channels: 1, Format: PCM16, Samples: []int16{7, -7}},
		},
		{
			name: "data before fmt",
			file: riff(chunk("data", le16(3, 4)), chunk("fmt ", fmtBody(1, 1, 8000, 2, 16))),
			want: Audio{Rate: 8000, Channels: 1, Format: PCM16, Samples: []int16{3, 4}},
		},
		{
			name: "chunks after data are not read",
			file: append(riff(chunk("fmt ", fmtBody(1, 1, 8000, 2, 16)), chunk("data", le16(5))), "garbage"...),
			want: Audio{Rate: 8000, Channels: 1, Format: PCM16, Samples: []int16{5}},
		},
		{
			name: "empty data followed by LIST",
			file: riff(chunk("fmt ", fmtBody(1, 1, 8000, 2, 16)), chunk("data", nil), chunk("LIST", []byte("INFO"))),
			want: Audio{Rate: 8000, Channels: 1, Format: PCM16, Samples: []int16{}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Decode(bytes.NewReader(tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(&tt.want, got); diff != "" {
				t.Errorf("Decode (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDecodeTruncated: recordings cut short by other recorders decode as far
// as whole frames go, and say so.
func TestDecodeTruncated(t *testing.T) {
	le := binary.LittleEndian
	head := func(riffSize, dataSize uint32) []byte {
		b := append([]byte("RIFF"), le.AppendUint32(nil, riffSize)...)
		b = append(b, "WAVE"...)
		b = append(b, chunk("fmt ", fmtBody(1, 2, 8000, 4, 16))...)
		return append(append(b, "data"...), le.AppendUint32(nil, dataSize)...)
	}
	frames := le16(1, 2, 3, 4, 5, 6)
	tests := []struct {
		name      string
		file      []byte
		samples   []int16
		truncated bool
	}{
		{"size beyond the file", append(head(1000, 1000), frames...), []int16{1, 2, 3, 4, 5, 6}, true},
		{"lying size, half a frame", append(head(0x7FFFFFFF, 0x7FFFFFF0), frames[:10]...), []int16{1, 2, 3, 4}, true},
		{"streaming size 0xFFFFFFFF", append(head(0xFFFFFFFF, 0xFFFFFFFF), frames...), []int16{1, 2, 3, 4, 5, 6}, false},
		{"size never finalised (0)", append(head(36, 0), frames...), []int16{1, 2, 3, 4, 5, 6}, true},
		{"size 0, nothing follows", head(36, 0), []int16{}, false},
		{"exact", append(head(36+12, 12), frames...), []int16{1, 2, 3, 4, 5, 6}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := Decode(bytes.NewReader(tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.samples, a.Samples); diff != "" {
				t.Errorf("samples (-want +got):\n%s", diff)
			}
			if a.Truncated != tt.truncated {
				t.Errorf("Truncated = %v, want %v", a.Truncated, tt.truncated)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	pcm := chunk("fmt ", fmtBody(1, 1, 8000, 2, 16))
	data := chunk("data", le16(1))
	tests := []struct {
		name string
		file []byte
		want error
	}{
		{"empty", nil, ErrNotWAV},
		{"short", []byte("RIFF"), ErrNotWAV},
		{"text", []byte("hello, this is not audio at all"), ErrNotWAV},
		{"AVI", append([]byte("RIFF\x04\x00\x00\x00AVI "), pcm...), ErrNotWAV},
		{"big-endian RIFX", []byte("RIFX\x04\x00\x00\x00WAVE"), ErrUnsupported},
		{"RF64", []byte("RF64\xff\xff\xff\xffWAVE"), ErrUnsupported},
		{"no chunks", riff(), ErrMalformed},
		{"no data", riff(pcm), ErrMalformed},
		{"no fmt", riff(data), ErrMalformed},
		{"fmt too small", riff(chunk("fmt ", fmtBody(1, 1, 8000, 2, 16)[:14]), data), ErrMalformed},
		{"fmt cut short", riff(pcm)[:30], ErrMalformed},
		{"zero channels", riff(chunk("fmt ", fmtBody(1, 0, 8000, 2, 16)), data), ErrMalformed},
		{"zero rate", riff(chunk("fmt ", fmtBody(1, 1, 0, 2, 16)), data), ErrMalformed},
		{"block align wrong", riff(chunk("fmt ", fmtBody(1, 2, 8000, 2, 16)), data), ErrMalformed},
		{"zero bits", riff(chunk("fmt ", fmtBody(1, 1, 8000, 2, 0)), data), ErrMalformed},
		{"two fmt chunks", riff(pcm, pcm, data), ErrMalformed},
		{"unknown chunk cut short", riff(pcm, chunk("LIST", make([]byte, 100)))[:70], ErrMalformed},
		{"IMA ADPCM", riff(chunk("fmt ", fmtBody(0x11, 1, 8000, 256, 4)), data), ErrUnsupported},
		{"float16", riff(chunk("fmt ", fmtBody(3, 1, 8000, 2, 16)), data), ErrUnsupported},
		{"33-bit PCM", riff(chunk("fmt ", fmtBody(1, 1, 8000, 5, 33)), data), ErrUnsupported},
		{"EXTENSIBLE, foreign GUID", riff(chunk("fmt ", func() []byte {
			b := extensible(1, 1, 8000, 2, 16, 16)
			b[len(b)-1] ^= 0xFF
			return b
		}()), data), ErrUnsupported},
		{"EXTENSIBLE, short", riff(chunk("fmt ", extensible(1, 1, 8000, 2, 16, 16)[:30]), data), ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := Decode(bytes.NewReader(tt.file))
			if !errors.Is(err, tt.want) {
				t.Fatalf("Decode = %v, %v; want %v", a, err, tt.want)
			}
			t.Log(err)
		})
	}
}

// TestDecodeLyingHeaderCheap: a header claiming 4 GiB of data must not make
// Decode allocate for it.
func TestDecodeLyingHeaderCheap(t *testing.T) {
	file := riff(chunk("fmt ", fmtBody(1, 1, 8000, 2, 16)))
	file = append(file, "data\xf0\xff\xff\xff\x01\x00"...)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if _, err := Decode(bytes.NewReader(file)); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	allocs := after.TotalAlloc - before.TotalAlloc
	if allocs > 1<<20 {
		t.Errorf("Decode of a 62-byte file claiming 4 GiB allocates %d bytes", allocs)
	}
}

// TestDecodeFixtures reads files written by sox (committed in testdata, so
// this runs without sox): foreign headers with fact chunks and EXTENSIBLE.
func TestDecodeFixtures(t *testing.T) {
	tests := []struct {
		file     string
		rate, ch int
		f        Format
		frames   int
	}{
		{"alaw-8k.wav", 8000, 1, ALaw, 80},
		{"ulaw-8k.wav", 8000, 1, MuLaw, 80},
		{"s24-44k1-extensible.wav", 44100, 2, PCM24, 88},
		{"f32-48k.wav", 48000, 1, Float32, 96},
	}
	for _, tt := range tests {
		f, err := os.Open(filepath.Join("testdata", tt.file)) // a file: sized by Stat
		if err != nil {
			t.Fatal(err)
		}
		a, err := Decode(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", tt.file, err)
		}
		if a.Rate != tt.rate || a.Channels != tt.ch || a.Format != tt.f || a.Frames() != tt.frames || a.Truncated {
			t.Errorf("%s: %d Hz, %d channels, %s, %d frames, truncated %v; want %d Hz, %d channels, %s, %d frames",
				tt.file, a.Rate, a.Channels, a.Format, a.Frames(), a.Truncated, tt.rate, tt.ch, tt.f, tt.frames)
		}
		if peak := maxAbs(a.Samples); peak < 1000 {
			t.Errorf("%s: peak %d: the sine is missing", tt.file, peak)
		}
	}
}

func maxAbs(x []int16) int {
	m := 0
	for _, v := range x {
		m = max(m, int(v), -int(v))
	}
	return m
}
