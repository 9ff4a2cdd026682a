package wav

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"testing/iotest"

	"fairrec/firmware/dsp"
)

// TestWriterMatchesEncode: a file streamed by Writer, in pieces of any
// size, is byte for byte what Encode writes.
func TestWriterMatchesEncode(t *testing.T) {
	samples := make([]int16, 20001)
	for i := range samples {
		samples[i] = int16(i*37 - 9000)
	}
	alaw := make([]byte, 8001)
	for i := range alaw {
		alaw[i] = byte(i * 13)
	}
	fromALaw := make([]int16, len(alaw))
	dsp.DecodeALaw(fromALaw, alaw)
	for _, tc := range []struct {
		name     string
		format   Format
		channels int
		samples  []int16
		pieces   []int // sizes of the Write calls; the rest goes in one
		alaw     []byte
	}{
		{name: "pcm empty", format: PCM16, channels: 1},
		{name: "pcm one call", format: PCM16, channels: 1, samples: samples},
		{name: "pcm pieces", format: PCM16, channels: 1, samples: samples, pieces: []int{1, 4095, 4097, 0, 3}},
		{name: "alaw odd", format: ALaw, channels: 1, samples: samples[:20001], pieces: []int{7}},
		{name: "mulaw stereo", format: MuLaw, channels: 2, samples: samples[:20000], pieces: []int{3, 5}},
		{name: "pcm from alaw", format: PCM16, channels: 1, samples: fromALaw, alaw: alaw},
		{name: "alaw from alaw odd", format: ALaw, channels: 1, samples: fromALaw, alaw: alaw},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var want bytes.Buffer
			if err := Encode(&want, 8000, tc.channels, tc.format, tc.samples); err != nil {
				t.Fatal(err)
			}
			f, err := os.Create(filepath.Join(t.TempDir(), "out.wav"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			w, err := NewWriter(f, 8000, tc.channels, tc.format)
			if err != nil {
				t.Fatal(err)
			}
			if tc.alaw != nil {
				if err := w.CopyALaw(iotest.HalfReader(bytes.NewReader(tc.alaw))); err != nil {
					t.Fatal(err)
				}
			} else {
				rest := tc.samples
				for _, n := range tc.pieces {
					if err := w.Write(rest[:n]); err != nil {
						t.Fatal(err)
					}
					rest = rest[n:]
				}
				if err := w.Write(rest); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if w.Samples() != int64(len(tc.samples)) {
				t.Errorf("Samples() = %d, want %d", w.Samples(), len(tc.samples))
			}
			if _, err := f.Seek(0, io.SeekStart); err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(f)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want.Bytes()) {
				t.Fatalf("streamed file (%d bytes) differs from Encode's (%d bytes)", len(got), want.Len())
			}
			if err := w.Write(tc.samples[:min(1, len(tc.samples))]); err == nil {
				t.Error("Write after Close succeeded")
			}
		})
	}
}

func TestWriterErrors(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "out.wav"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := NewWriter(f, 8000, 1, Float32); !errors.Is(err, ErrUnsupported) {
		t.Errorf("float writer: %v", err)
	}
	w, err := NewWriter(f, 8000, 2, PCM16)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write([]int16{1, 2, 3}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err == nil {
		t.Error("closed a stereo file holding half a frame")
	}
}
