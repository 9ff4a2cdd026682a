package notice

import (
	"errors"
	"io/fs"
	"testing"
)

// FuzzDecode feeds arbitrary bytes (seeded with the first frames of real
// notices, so that mutations reach go-mp3 through the frame scan) to Decode:
// it must return a notice or an error wrapping one of the documented
// sentinels, never panic or hang. Seeds are short because go-mp3 under
// coverage instrumentation decodes only a few seconds of audio per second.
func FuzzDecode(f *testing.F) {
	for _, name := range []string{"default.en.confirm.mp3", "default.nl.notice.mp3"} {
		b, err := fs.ReadFile(Defaults(), name)
		if err != nil {
			f.Fatal(err)
		}
		for _, n := range []int{3, 20} {
			f.Add(firstFrames(b, n))
		}
		f.Add(append([]byte("ID3\x03\x00\x00\x00\x00\x00\x10"+string(make([]byte, 16))), firstFrames(b, 5)...))
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

// firstFrames returns the first n frames of an MP3 stream without tags.
func firstFrames(b []byte, n int) []byte {
	pos := 0
	for range n {
		h, ok := parseHeader(b[pos:])
		if !ok || pos+h.size > len(b) {
			break
		}
		pos += h.size
	}
	return b[:pos]
}
