package console_test

import (
	"context"
	"io"
	"os"
	"strings"

	"fairrec/firmware/console"
)

// A console on a script: plain lines in, answers out, errors on one line.
func Example() {
	script := strings.NewReader("status\nrecordings\nformat disk\n")
	c := console.New(struct {
		io.Reader
		io.Writer
	}{script, os.Stdout}, console.Config{System: twoLines})
	c.Run(context.Background())
	// Output:
	// board    sim
	// uptime   1m30s
	// storage  open, 1 recording
	// audio    default, 48000 Hz, 2 in/3 out, 7 xruns
	// line 1   on-hook, idle
	// line 2   off-hook, recording r42 (3.2s)
	// review   recording r41 playing under quality: 1.0s of 12.0s
	// ID   LINE  START                  DURATION  STATE   PURPOSES
	// r41  1     2026-11-27T03:00:00Z   12s       sealed  quality until 2027-02-25, training until 2026-12-27
	// r42  2     ~2026-11-27T03:01:00Z  3s        open    -
	// 2 recordings
	// error: unknown command "format"; type help for the commands
}
