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
		{"C1 control", "a\u009b31mb", "a?31mb"},
		{"two columns or none", "\u72b6e\u0301\U0001f600\u200b!", "?e???!"},
		{"arrow keys", "\x1b[A\x1b[D\x1b[3~", "\x1b[A\x1b[D\x1b[3~"},
		{"application cursor keys", "\x1bOA\x1bOD", "\x1b[A\x1b[D"},
		{"home and end", "\x1b[1~\x1b[4~\x1b[H\x1bOF", "\x1b[H\x1b[F\x1b[H\x1b[F"},
		{"word moves", "\x1b[1;5C\x1b[1;3D", "\x1b[1;3C\x1b[1;3D"},
		{"unknown keys dropped whole", "a\x1bOP\x1b[15~\x1b[2J\x1b[?25hb", "ab"},
		{"alt and a key", "\x1bbx\x1b\x7fy", "xy"},
		{"ESC alone then a sequence", "\x1b\x1b[Ax", "\x1b[Ax"},
		{"endless CSI dropped to its final byte", "\x1b[" + strings.Repeat("9", 40) + "ok", "k"},
		{"noise in a CSI", "\x1b[\xff\xfeAok", "ok"},
		{"Enter ends a broken CSI", "\x1b[12\rstatus\r", "\rstatus\r"},
		{"Ctrl-C ends a broken CSI", "\x1b[1\x03", "\x03"},
		{"CAN cancels", "\x1b[1\x18x", "x"},
		{"paste markers", "\x1b[200~ls\x1b[201~", "ls"},
		{"OSC to BEL", "\x1b]0;title\x07ok", "ok"},
		{"OSC to ST", "\x1b]11;rgb:0/0/0\x1b\\ok", "ok"},
		{"Enter ends a string", "\x1bPjunk\rok", "\rok"},
		{"endless string", "\x1b]" + strings.Repeat("z", maxString+10) + "\rok", strings.Repeat("z", 10) + "\rok"},
		{"ESC in a string starts a sequence", "\x1b]x\x1b[Aok", "\x1b[Aok"},
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
