package wav

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzDecode: whatever the bytes, Decode returns audio that is consistent
// with itself or one of the documented errors, and never panics. Run it with
// `go test -run '^$' -fuzz FuzzDecode ./firmware/wav/`.
func FuzzDecode(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "*.wav"))
	for _, name := range seeds {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	var pcm, alaw bytes.Buffer
	if err := Encode(&pcm, 48000, 2, PCM16, []int16{1, 2, 3, 4, 5, 6}); err != nil {
		f.Fatal(err)
	}
	if err := Encode(&alaw, 8000, 1, ALaw, []int16{1, 2, 3}); err != nil {
		f.Fatal(err)
	}
	f.Add(pcm.Bytes())
	f.Add(alaw.Bytes())
	f.Add(riff(chunk("LIST", []byte("INFOodd")), chunk("fmt ", extensible(3, 2, 8000, 8, 32, 32)), chunk("data", make([]byte, 9))))
	f.Add(riff(chunk("data", []byte{1, 2, 3}), chunk("fmt ", fmtBody(7, 1, 8000, 1, 8))))
	f.Add([]byte("RIFF\xff\xff\xff\xffWAVEdata\xff\xff\xff\xff"))
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := Decode(bytes.NewReader(b))
		if err != nil {
			if a != nil {
				t.Fatalf("Decode returned audio and error %v", err)
			}
			for _, sentinel := range []error{ErrNotWAV, ErrUnsupported, ErrMalformed, ErrTooLarge} {
				if errors.Is(err, sentinel) {
					return
				}
			}
			t.Fatalf("Decode error %v wraps no documented sentinel", err)
		}
		if a.Rate < 1 || a.Channels < 1 || a.Format < PCM8 || a.Format > MuLaw {
			t.Fatalf("Decode returned %d Hz, %d channels, %s", a.Rate, a.Channels, a.Format)
		}
		if len(a.Samples)%a.Channels != 0 || len(a.Samples) > len(b) {
			t.Fatalf("%d samples of %d channels from %d bytes", len(a.Samples), a.Channels, len(b))
		}
		if m := a.Mono(); len(m) != a.Frames() {
			t.Fatalf("Mono has %d samples for %d frames", len(m), a.Frames())
		}
	})
}
