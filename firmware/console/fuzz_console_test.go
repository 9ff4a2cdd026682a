package console_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"fairrec/firmware/console"
)

// FuzzConsole types arbitrary bytes at an interactive console, then Enter,
// Ctrl-U and status, as a person would after noise on the line: the console
// never panics, ends with the stream, and still answers. Ctrl-C restarts it
// as the daemon does on a serial port. Seeds: testdata/fuzz/FuzzConsole.
func FuzzConsole(f *testing.F) {
	for _, s := range []string{"help\r", "\x1b[" + strings.Repeat("9", 40), strings.Repeat("x", 5000), "re\x03co\x04\x1b[A\r", "\x1b]0;\xff"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var out bytes.Buffer
		rw := struct {
			io.Reader
			io.Writer
		}{io.MultiReader(bytes.NewReader(in), strings.NewReader("\r\x15status\r")), &out}
		c := console.New(rw, console.Config{Interactive: true, System: twoLines})
		for i := 0; ; i++ {
			err := c.Run(context.Background())
			if errors.Is(err, console.ErrInterrupt) && i <= len(in) {
				continue
			}
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			break
		}
		if !strings.Contains(out.String(), "line 2   off-hook") {
			t.Fatalf("status did not answer after %q:\n%s", in, out.String())
		}
	})
}
