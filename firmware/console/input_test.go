package console

import (
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func TestSanitizer(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"ascii", "status\r", "status\r"},
		{"utf-8", "gr\u00fc\u00dfe \u20ac", "gr\u00fc\u00dfe \u20ac"},
		{"invalid bytes", "a\xffb\xc3", "a?b?"},
		{"torn rune then ascii", "\xe2\x82x", "??x"},
		{"replacement char", "\ufffd", "?"},
		{"arrow keys", "\x1b[A\x1b[D\x1b[3~", "\x1b[A\x1b[D\x1b[3~"},
		{"endless escape", "\x1b" + strings.Repeat("9", 40) + "ok", strings.Repeat("9", 40-maxEscape) + "ok"},
		{"paste markers", "\x1b[200~ls\x1b[201~", "ls"},
		{"escape with high bytes", "\x1b[\xff\xfeA", "\x1b[\xff\xfeA"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// One byte at a time: state must carry across reads.
			r := newSanitizer(iotest.OneByteReader(strings.NewReader(tc.in)))
			got, err := io.ReadAll(r)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("sanitize(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
