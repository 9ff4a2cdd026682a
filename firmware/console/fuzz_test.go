package console

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"unicode/utf8"
)

// FuzzSanitizer checks what the line editor may receive, whatever arrives:
// valid UTF-8 of one column per character, no U+FFFD, no C1 control, every
// escape sequence one of the editor's keys; and the same bytes however the
// input is split into reads. Seeds: testdata/fuzz/FuzzSanitizer.
func FuzzSanitizer(f *testing.F) {
	for _, s := range []string{"status\r", "\x1b[A\x1bOD\x1b[3~", "\x1b[12;\xff9A", "\x1b]0;t\x07x", "\xe2\x82\x1b[Ax"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		whole, err := io.ReadAll(newSanitizer(bytes.NewReader(in)))
		if err != nil {
			t.Fatal(err)
		}
		bytewise, err := io.ReadAll(newSanitizer(iotest.OneByteReader(bytes.NewReader(in))))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(whole, bytewise) {
			t.Fatalf("split reads differ: %q whole, %q byte by byte", whole, bytewise)
		}
		checkClean(t, whole)
	})
}

func checkClean(t *testing.T, out []byte) {
	t.Helper()
	if !utf8.Valid(out) {
		t.Fatalf("invalid UTF-8 out: %q", out)
	}
	s := string(out)
	for len(s) > 0 {
		if s[0] == keyESC {
			n := 0
			for _, k := range []string{"\x1b[A", "\x1b[B", "\x1b[C", "\x1b[D", "\x1b[H", "\x1b[F", "\x1b[3~", "\x1b[1;3C", "\x1b[1;3D"} {
				if strings.HasPrefix(s, k) {
					n = len(k)
				}
			}
			if n == 0 {
				t.Fatalf("an escape sequence the editor does not know reached it: %q", s)
			}
			s = s[n:]
			continue
		}
		r, n := utf8.DecodeRuneInString(s)
		if r >= utf8.RuneSelf && !oneColumn(r) || r == utf8.RuneError {
			t.Fatalf("%U reached the editor", r)
		}
		s = s[n:]
	}
}
