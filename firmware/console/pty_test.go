package console_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"

	"fairrec/drivers/serial"
	"fairrec/firmware/console"
)

// TestOverPty runs the console on a pty's slave opened as a serial port,
// the way an installer's USB serial adapter reaches it, and types on the
// master side as a terminal emulator would.
func TestOverPty(t *testing.T) {
	master, slave, err := pty.Open()
	if err != nil {
		t.Skipf("no pty: %v", err)
	}
	defer master.Close()
	defer slave.Close()
	port, err := serial.Open(slave.Name())
	if err != nil {
		t.Fatal(err)
	}
	defer port.Close()

	c := console.New(port, console.Config{Interactive: port.Interactive(), System: twoLines})
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- c.Run(ctx) }()

	var mu sync.Mutex
	var out strings.Builder
	go func() {
		buf := make([]byte, 512)
		for {
			n, err := master.Read(buf)
			mu.Lock()
			out.Write(buf[:n])
			mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	wait := func(want string) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for {
			mu.Lock()
			got := out.String()
			mu.Unlock()
			if strings.Contains(got, want) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("terminal never showed %q; got:\n%s", want, got)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	wait(console.DefaultPrompt)
	master.Write([]byte("status\r"))
	wait("line 2   off-hook, recording r42 (3.2s)\r\n")
	master.Write([]byte("recordings\r"))
	wait("2 recordings\r\n")

	cancel()
	select {
	case err := <-errc:
		if err != nil {
			t.Errorf("Run after cancel: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
}
