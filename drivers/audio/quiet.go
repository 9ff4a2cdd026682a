package audio

import (
	"io"
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

// captureStderr runs fn with file descriptor 2 pointed at a temporary file
// and returns what the C libraries wrote there.
//
// Debian's PortAudio is built with JACK, and its probe prints half a dozen
// lines ("jack server is not running or cannot be started", ...) on every
// Initialize and Terminate, even with JACK_NO_START_SERVER set. An installer
// who gets a one-line error must not have to dig it out from under them, so
// the driver keeps those lines out of the terminal and adds them to the
// error only when PortAudio fails to start. The window is short and at
// start-up, but anything else written to stderr during it (a log line from
// another goroutine) goes the same way.
func captureStderr(fn func() error) (string, error) {
	tmp, err := os.CreateTemp("", "fairrec-pa-*.log")
	if err != nil {
		return "", fn() // no place to put it: let it through rather than fail
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	saved, err := unix.Dup(2)
	if err != nil {
		return "", fn()
	}
	defer unix.Close(saved)
	if err := unix.Dup2(int(tmp.Fd()), 2); err != nil {
		return "", fn()
	}
	ferr := fn()
	// Restoring cannot reasonably fail with a descriptor we just duplicated;
	// if it did, stderr stays in the file and the error is still returned.
	_ = unix.Dup2(saved, 2)
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return "", ferr
	}
	out, _ := io.ReadAll(io.LimitReader(tmp, 64<<10))
	return strings.TrimSpace(string(out)), ferr
}
