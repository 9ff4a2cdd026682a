package notice

import (
	"errors"
	"io/fs"
	"testing"
)

// FuzzDecode feeds arbitrary bytes (seeded with real notices and damaged
// copies) to Decode: it must return a notice or an error wrapping one of the
// documented sentinels, never panic or hang.
func FuzzDecode(f *testing.F) {
	for _, name := range []string{"default.en.confirm.mp3", "default.nl.confirm.mp3"} {
		b, err := fs.ReadFile(Defaults(), name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		f.Add(b[:len(b)/2])
		f.Add(append([]byte("ID3\x03\x00\x00\x00\x00\x00\x10"+string(make([]byte, 16))), b...))
	}
	f.Add([]byte{})
	f.Add([]byte("\xff\xfb\x90\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		n, err := Decode("fuzz.mp3", data)
		if err == nil {
			if n.Duration < MinDuration || n.Duration > MaxDuration || n.Duration != len(n.Samples) {
				t.Fatalf("loaded a notice of %d samples", n.Duration)
			}
			return
		}
		for _, s := range []error{ErrCorrupt, ErrUnsupportedRate, ErrUnsupported, ErrTooShort, ErrTooLong, ErrSilent} {
			if errors.Is(err, s) {
				return
			}
		}
		t.Fatalf("error wraps no sentinel: %v", err)
	})
}
