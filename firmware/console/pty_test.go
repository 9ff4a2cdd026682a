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

// TestLoginOverPtyNoEcho logs in over a pty as an installer would on a
// serial cable: the secret is asked for without echo, never shown, never in
// the history.
func TestLoginOverPtyNoEcho(t *testing.T) {
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

	f := newAuth(t, true)
	cfg := f.config()
	cfg.Interactive = port.Interactive()
	c := console.New(port, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- c.Run(ctx) }()
	defer func() {
		cancel()
		<-errc
	}()

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
	screen := func() string {
		mu.Lock()
		defer mu.Unlock()
		return out.String()
	}
	wait := func(want string) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for !strings.Contains(screen(), want) {
			if time.Now().After(deadline) {
				t.Fatalf("terminal never showed %q; got:\n%s", want, screen())
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	wait("log in: login installer | login supervisor")
	master.Write([]byte("status\r"))
	wait("error: status: log in first\r\n")
	master.Write([]byte("login installer\r"))
	wait("secret for installer: ")
	master.Write([]byte(installerPIN + "\r"))
	wait("logged in as installer")
	master.Write([]byte("status\r"))
	wait("line 2   off-hook")
	// Up twice: the line before status is the login, not the secret.
	master.Write([]byte("\x1b[A\x1b[A"))
	wait("fairrec> login installer")
	master.Write([]byte("\x15passwd supervisor\r"))
	wait("new secret for supervisor (6 to 128 characters): ")
	master.Write([]byte("fresh-sup-pin\r"))
	wait("again: ")
	master.Write([]byte("fresh-sup-pin\r"))
	wait("secret of supervisor changed")
	for _, pw := range []string{installerPIN, "fresh-sup-pin"} {
		if strings.Contains(screen(), pw) {
			t.Errorf("the terminal showed the secret %q:\n%s", pw, screen())
		}
	}
}
