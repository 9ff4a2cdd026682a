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
