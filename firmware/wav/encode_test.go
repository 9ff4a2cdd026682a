package wav

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"fairrec/firmware/dsp"
)

func TestEncodeRoundTrip(t *testing.T) {
	ramp := make([]int16, 0, 65536)
	for x := math.MinInt16; x <= math.MaxInt16; x += 7 {
		ramp = append(ramp, int16(x))
	}
	odd := ramp[:len(ramp)/3*3] // 3 channels
	if len(odd)%2 == 0 {
		odd = odd[:len(odd)-3]
	}
	tests := []struct {
		name     string
		rate, ch int
		f        Format
		samples  []int16
		want     func(int16) int16
	}{
		{"PCM16 mono", 8000, 1, PCM16, ramp, func(x int16) int16 { return x }},
		{"PCM16 stereo", 48000, 2, PCM16, ramp[:len(ramp)/2*2], func(x int16) int16 { return x }},
		{"A-law", 8000, 1, ALaw, ramp, func(x int16) int16 { return dsp.ALawDecode(dsp.ALawEncode(x)) }},
		{"A-law 3 channels odd size", 8000, 3, ALaw, odd, func(x int16) int16 { return dsp.ALawDecode(dsp.ALawEncode(x)) }},
		{"µ-law", 8000, 1, MuLaw, ramp, func(x int16) int16 { return dsp.MuLawDecode(dsp.MuLawEncode(x)) }},
		{"empty", 8000, 1, ALaw, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Encode(&buf, tt.rate, tt.ch, tt.f, tt.samples); err != nil {
				t.Fatal(err)
			}
			if buf.Len()%2 != 0 {
				t.Errorf("file of %d bytes: RIFF chunks must be padded to even size", buf.Len())
			}
			if got := binary.LittleEndian.Uint32(buf.Bytes()[4:]); int(got) != buf.Len()-8 {
				t.Errorf("RIFF size %d, file %d bytes", got, buf.Len())
			}
			a, err := Decode(bytes.NewReader(buf.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			want := &Audio{Rate: tt.rate, Channels: tt.ch, Format: tt.f, Samples: []int16{}}
			for _, x := range tt.samples {
				want.Samples = append(want.Samples, tt.want(x))
			}
			// slices.Equal first: cmp.Diff of 64k samples is slow under -race.
			if !slices.Equal(want.Samples, a.Samples) || a.Truncated {
				if diff := cmp.Diff(want, a); diff != "" {
					t.Errorf("round trip (-want +got):\n%s", diff)
				}
			}
			want.Samples, a.Samples = nil, nil
			if diff := cmp.Diff(want, a); diff != "" {
				t.Errorf("round trip (-want +got):\n%s", diff)
			}
		})
	}
}

func TestEncodeG711Header(t *testing.T) {
	var buf bytes.Buffer
	if err := Encode(&buf, 8000, 1, ALaw, []int16{1, 2, 3}); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	le := binary.LittleEndian
	if string(b[12:16]) != "fmt " || le.Uint32(b[16:]) != 18 || le.Uint16(b[36:]) != 0 {
		t.Errorf("fmt chunk: want size 18 with cbSize 0, got % x", b[12:38])
	}
	if string(b[38:42]) != "fact" || le.Uint32(b[42:]) != 4 || le.Uint32(b[46:]) != 3 {
		t.Errorf("fact chunk: want 3 frames, got % x", b[38:50])
	}
	if string(b[50:54]) != "data" || le.Uint32(b[54:]) != 3 || len(b) != 62 {
		t.Errorf("data chunk: want 3 bytes + pad, got % x", b[50:])
	}
}

func TestEncodeErrors(t *testing.T) {
	tests := []struct {
		name     string
		rate, ch int
		f        Format
		samples  []int16
	}{
		{"float", 8000, 1, Float32, nil},
		{"zero format", 8000, 1, 0, nil},
		{"zero channels", 8000, 0, PCM16, nil},
		{"zero rate", 0, 1, PCM16, nil},
		{"partial frame", 8000, 2, PCM16, []int16{1, 2, 3}},
		{"too many channels", 8000, 70000, PCM16, nil},
	}
	for _, tt := range tests {
		if err := Encode(&bytes.Buffer{}, tt.rate, tt.ch, tt.f, tt.samples); err == nil {
			t.Errorf("%s: Encode succeeded", tt.name)
		}
	}
	if err := Encode(&bytes.Buffer{}, 8000, 1, Float64, nil); !errors.Is(err, ErrUnsupported) {
		t.Errorf("Encode(Float64) = %v, want ErrUnsupported", err)
	}
}
