package serial_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"

	"fairrec/drivers/serial"
	"fairrec/drivers/testexec"
)

// openPty opens a pty pair; the test plays the terminal on the master side
// and the port under test opens the slave by name, as it would a UART.
func openPty(t *testing.T) (master *os.File, slaveName string) {
	t.Helper()
	m, s, err := pty.Open()
	if err != nil {
		t.Skipf("no pty on this machine: %v", err)
	}
	t.Cleanup(func() { m.Close(); s.Close() })
	return m, s.Name()
}

func TestPtyBothWays(t *testing.T) {
	master, name := openPty(t)
	p, err := serial.Open(name)
	if err != nil {
		t.Fatalf("Open(%s): %v", name, err)
	}
	defer p.Close()
	if !p.Interactive() || p.Name() != name {
		t.Errorf("Interactive()=%v Name()=%q, want true %q", p.Interactive(), p.Name(), name)
	}

	// Raw mode: what the terminal types arrives byte for byte, no line
	// discipline in between (a CR stays a CR, control bytes pass).
	in := "status\r\x03\x7f\x1b[A"
	if _, err := master.Write([]byte(in)); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, 0, len(in))
	buf := make([]byte, 64)
	for len(got) < len(in) {
		n, err := p.Read(buf)
		if err != nil {
			t.Fatalf("Read: %v", err)
		}
		got = append(got, buf[:n]...)
	}
	if string(got) != in {
		t.Errorf("read %q, want %q", got, in)
	}

	out := "fairrec> line 1: on-hook\r\n"
	if _, err := p.Write([]byte(out)); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(master).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	if line != out {
		t.Errorf("terminal got %q, want %q", line, out)
	}
}

func TestCloseWakesRead(t *testing.T) {
	_, name := openPty(t)
	p, err := serial.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := p.Read(make([]byte, 16))
		done <- err
	}()
	time.Sleep(20 * time.Millisecond) // let the reader block
	if err := p.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	select {
	case err := <-done:
		if err == nil {
			t.Error("Read after Close returned no error")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not wake the blocked Read")
	}
	if err := p.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestOpenMissingDevice(t *testing.T) {
	_, err := serial.Open("/dev/does-not-exist-fairrec")
	if err == nil {
		t.Fatal("Open of a missing device succeeded")
	}
	if !strings.Contains(err.Error(), "/dev/does-not-exist-fairrec") {
		t.Errorf("error %q does not name the device", err)
	}
}

func TestOpenNotATerminal(t *testing.T) {
	f := t.TempDir() + "/plain"
	if err := os.WriteFile(f, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := serial.Open(f); err == nil {
		t.Fatal("Open of a regular file succeeded; want an error")
	}
}

// TestStdioPipe runs the stdio mode in a child process whose standard input
// is a pipe: not interactive, and Close wakes a Read blocked on the pipe.
func TestStdioPipe(t *testing.T) {
	if os.Getenv("SERIAL_TEST_CHILD") == "1" {
		p, err := serial.Open(serial.Stdio)
		if err != nil {
			os.Exit(3)
		}
		buf := make([]byte, 64)
		n, _ := p.Read(buf)
		p.Write([]byte(strings.ToUpper(string(buf[:n]))))
		go func() { time.Sleep(50 * time.Millisecond); p.Close() }()
		_, err = p.Read(buf) // blocks: the parent writes nothing more
		if err == nil || errors.Is(err, io.EOF) {
			os.Exit(4)
		}
		if p.Interactive() {
			os.Exit(5)
		}
		os.Exit(0)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := newChild(exe, "-test.run=^TestStdioPipe$")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	var out strings.Builder
	cmd.Stdout = &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stdin.Write([]byte("hello"))
	errc := make(chan error, 1)
	go func() { errc <- cmd.Wait() }()
	select {
	case err := <-errc:
		if err != nil {
			t.Fatalf("child: %v", err)
		}
	case <-time.After(10 * time.Second):
		cmd.Process.Kill()
		t.Fatal("child hung: Close did not wake the stdin Read")
	}
	if !strings.HasPrefix(out.String(), "HELLO") {
		t.Errorf("child echoed %q, want HELLO", out.String())
	}
}

// newChild re-executes the test binary; under `make test-arm64` the binary
// is foreign and runs through the emulator named in FAIRREC_EXEC.
func newChild(exe string, args ...string) *exec.Cmd {
	return testexec.Command(exe, []string{"SERIAL_TEST_CHILD=1"}, args...)
}

// TestSizeOnSerialLine: a serial line cannot tell the terminal's size, even
// when the device is a pty that has one; the console then assumes 80
// columns.
func TestSizeOnSerialLine(t *testing.T) {
	master, name := openPty(t)
	if err := pty.Setsize(master, &pty.Winsize{Cols: 132, Rows: 40}); err != nil {
		t.Fatal(err)
	}
	p, err := serial.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if _, _, err := p.Size(); !errors.Is(err, serial.ErrNoSize) {
		t.Errorf("Size on a serial line: %v, want ErrNoSize", err)
	}
}

// TestStdioSize: on the daemon's own terminal the port tells the window's
// size, as it is now.
func TestStdioSize(t *testing.T) {
	if os.Getenv("SERIAL_TEST_CHILD") == "size" {
		p, err := serial.Open(serial.Stdio)
		if err != nil {
			os.Exit(3)
		}
		cols, rows, err := p.Size()
		fmt.Fprintf(p, "size %dx%d %v.", cols, rows, err)
		p.Close()
		os.Exit(0)
	}
	master, slave, err := pty.Open()
	if err != nil {
		t.Skipf("no pty: %v", err)
	}
	defer master.Close()
	defer slave.Close()
	if err := pty.Setsize(master, &pty.Winsize{Cols: 132, Rows: 40}); err != nil {
		t.Fatal(err)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := testexec.Command(exe, []string{"SERIAL_TEST_CHILD=size"}, "-test.run=^TestStdioSize$")
	cmd.Stdin, cmd.Stdout = slave, slave
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	got := make(chan string, 1)
	go func() {
		var out []byte
		buf := make([]byte, 64)
		for !strings.Contains(string(out), ".") {
			n, err := master.Read(buf)
			out = append(out, buf[:n]...)
			if err != nil {
				break
			}
		}
		got <- string(out)
	}()
	select {
	case out := <-got:
		if !strings.Contains(out, "size 132x40 <nil>.") {
			t.Errorf("child said %q, want size 132x40", out)
		}
	case <-time.After(10 * time.Second):
		t.Error("child said nothing")
	}
	cmd.Process.Kill()
	cmd.Wait()
}
