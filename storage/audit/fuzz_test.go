package audit

import (
	"bytes"
	"testing"
)

// FuzzDecode: no stored bytes, however garbled, make decode panic, and what
// it accepts re-encodes to the same bytes (so the hash of a stored entry is
// the hash of what Verify decoded).
func FuzzDecode(f *testing.F) {
	for i := range 8 {
		e := sample(i)
		e.Seq, e.Time = uint64(i+1), t0
		f.Add(e.encode())
	}
	f.Add([]byte{1})
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := decode(b)
		if err != nil {
			return
		}
		if got := e.encode(); !bytes.Equal(got, b) {
			t.Fatalf("decode/encode changed\n%x\nto\n%x", b, got)
		}
	})
}

// FuzzRedact: whatever the input, Redact's output is a valid Detail.
func FuzzRedact(f *testing.F) {
	f.Add("caller 06 1234 5678 objected")
	f.Add("jan@example.nl\x00\xff")
	f.Fuzz(func(t *testing.T, s string) {
		if err := checkText("detail", Redact(s), MaxDetailLen); err != nil {
			t.Fatalf("Redact(%q) = %q: %v", s, Redact(s), err)
		}
	})
}
