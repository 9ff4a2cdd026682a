package serial

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	bug "go.bug.st/serial"
	"golang.org/x/sys/unix"
	"golang.org/x/term"
)

// Stdio names the process's standard input and output as the console port.
const Stdio = "stdio"

// Baud is the console's line speed; 115200 8N1 is what a Raspberry Pi's UART
// console and every USB serial adapter default to.
const Baud = 115200

// Port is an open console port. Read, Write and Close may be called from
// different goroutines.
type Port struct {
	name        string
	r           io.Reader
	w           io.Writer
	interactive bool

	size func() (cols, rows int, err error)

	closeOnce sync.Once
	closeErr  error
	close     func() error
}

// ErrNoSize is Size's answer on a port that cannot tell the terminal's
// size: a serial line carries no window size.
var ErrNoSize = errors.New("serial: the terminal's size is unknown on a serial line")

// Open opens the console port name: Stdio, or the path of a serial device
// (e.g. /dev/ttyAMA0, /dev/ttyUSB0, or a pty's slave in tests).
func Open(name string) (*Port, error) {
	if name == Stdio {
		return openStdio()
	}
	mode := &bug.Mode{BaudRate: Baud, DataBits: 8, Parity: bug.NoParity, StopBits: bug.OneStopBit}
	// InitialStatusBits stays nil: the library then leaves DTR/RTS alone.
	p, err := bug.Open(name, mode)
	if err != nil {
		return nil, fmt.Errorf("open console port %s: %w", name, err)
	}
	return &Port{name: name, r: p, w: p, interactive: true, close: p.Close}, nil
}

// openStdio makes the standard input pollable, so that Close can interrupt
// a blocked Read, and puts a terminal into raw mode for line editing.
func openStdio() (*Port, error) {
	fd := int(os.Stdin.Fd())
	p := &Port{name: Stdio, w: os.Stdout}
	var restore []func()
	if term.IsTerminal(fd) {
		old, err := term.MakeRaw(fd)
		if err != nil {
			return nil, fmt.Errorf("open console on stdio: raw mode: %w", err)
		}
		restore = append(restore, func() { _ = term.Restore(fd, old) })
		p.interactive = true
		p.size = func() (int, int, error) {
			w, h, err := term.GetSize(fd)
			if err != nil {
				return 0, 0, fmt.Errorf("console on stdio: window size: %w", err)
			}
			return w, h, nil
		}
	}
	// A second *os.File on a non-blocking descriptor goes through the
	// runtime's poller, whose Close wakes a pending Read. Regular files and
	// /dev/null cannot be polled; they never block for long anyway.
	in := os.Stdin
	dup, err := unix.Dup(fd)
	if err == nil {
		if err := unix.SetNonblock(dup, true); err == nil {
			in = os.NewFile(uintptr(dup), "stdin")
			restore = append(restore, func() { _ = in.Close() })
		} else {
			_ = unix.Close(dup)
		}
	}
	p.r = in
	p.close = func() error {
		if in != os.Stdin {
			// Wake the reader before closing, then restore blocking mode:
			// the descriptor is shared with the shell that started us.
			_ = in.SetReadDeadline(time.Now())
		}
		for i := len(restore) - 1; i >= 0; i-- {
			restore[i]()
		}
		_ = unix.SetNonblock(fd, false)
		return nil
	}
	return p, nil
}

// Name returns the name the port was opened with.
func (p *Port) Name() string { return p.name }

// Interactive reports whether a person's terminal is on the other end, so
// that the console should echo and edit lines. A serial port always counts
// as interactive; stdio does when it is a terminal.
func (p *Port) Interactive() bool { return p.interactive }

// Size returns the size of the terminal on stdio, asked of the kernel
// each time (the window may have been resized), or ErrNoSize on a serial
// line and on a pipe.
func (p *Port) Size() (cols, rows int, err error) {
	if p.size == nil {
		return 0, 0, ErrNoSize
	}
	return p.size()
}

// Read reads from the port. After Close it returns an error.
func (p *Port) Read(b []byte) (int, error) {
	for {
		n, err := p.r.Read(b)
		if n == 0 && err == nil {
			// go.bug.st/serial returns 0, nil when a read timeout passes; we
			// set none, but never hand a reader an empty success.
			continue
		}
		if err != nil && errors.Is(err, os.ErrDeadlineExceeded) {
			err = os.ErrClosed
		}
		return n, err
	}
}

// Write writes to the port.
func (p *Port) Write(b []byte) (int, error) { return p.w.Write(b) }

// Close closes the port and wakes a Read in progress. It is safe to call
// more than once.
func (p *Port) Close() error {
	p.closeOnce.Do(func() { p.closeErr = p.close() })
	return p.closeErr
}
