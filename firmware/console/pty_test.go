package console_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"

	"fairrec/drivers/serial"
	"fairrec/firmware/console"
)

// ptyTerm is a console running on a pty's slave opened as a serial port,
// the way an installer's USB serial adapter reaches it, with the master side
// as the terminal emulator: what is typed, what the screen shows.
type ptyTerm struct {
	t      *testing.T
	master *os.File
	mu     sync.Mutex
	out    strings.Builder
	errc   chan error
	cancel context.CancelFunc
}

// newPtyTerm starts a console with cfg (Interactive set from the port) on
// a fresh pty; the test's cleanup stops it.
func newPtyTerm(t *testing.T, cfg console.Config) *ptyTerm {
	t.Helper()
	master, slave, err := pty.Open()
	if err != nil {
		t.Skipf("no pty: %v", err)
	}
	t.Cleanup(func() { master.Close(); slave.Close() })
	port, err := serial.Open(slave.Name())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { port.Close() })
	cfg.Interactive = port.Interactive()
	c := console.New(port, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	p := &ptyTerm{t: t, master: master, errc: make(chan error, 1), cancel: cancel}
	go func() {
		// As the daemon does on a serial port: Ctrl-C starts a fresh
		// prompt.
		for {
			err := c.Run(ctx)
			if errors.Is(err, console.ErrInterrupt) && ctx.Err() == nil {
				continue
			}
			p.errc <- err
			return
		}
	}()
	go func() {
		buf := make([]byte, 512)
		for {
			n, err := master.Read(buf)
			p.mu.Lock()
			p.out.Write(buf[:n])
			p.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() { p.stop() })
	return p
}

// stop cancels the console and reports what Run returned.
func (p *ptyTerm) stop() error {
	if p.cancel == nil {
		return nil
	}
	p.cancel()
	p.cancel = nil
	select {
	case err := <-p.errc:
		return err
	case <-time.After(5 * time.Second):
		p.t.Error("Run did not return after cancel")
		return nil
	}
}

func (p *ptyTerm) typ(s string) { p.master.Write([]byte(s)) }

// screen is everything shown since the start or the last clear.
func (p *ptyTerm) screen() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

func (p *ptyTerm) clear() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.out.Reset()
}

// wait waits until the screen shows want.
func (p *ptyTerm) wait(want string) {
	p.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(p.screen(), want) {
		if time.Now().After(deadline) {
			p.t.Fatalf("terminal never showed %q; got:\n%s", want, p.screen())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestOverPty runs the console over a pty and types as a person would.
func TestOverPty(t *testing.T) {
	p := newPtyTerm(t, console.Config{System: twoLines})
	p.wait(console.DefaultPrompt)
	p.typ("status\r")
	p.wait("line 2   off-hook, recording r42 (3.2s)\r\n")
	p.typ("recordings\r")
	p.wait("2 recordings\r\n")
	if err := p.stop(); err != nil {
		t.Errorf("Run after cancel: %v", err)
	}
}

// TestLoginOverPtyNoEcho logs in over a pty as an installer would on a
// serial cable: the secret is asked for without echo, never shown, never in
// the history.
func TestLoginOverPtyNoEcho(t *testing.T) {
	f := newAuth(t, true)
	p := newPtyTerm(t, f.config())
	p.wait("log in: login installer | login supervisor")
	p.typ("status\r")
	p.wait("error: status: log in first\r\n")
	p.typ("login installer\r")
	p.wait("secret for installer: ")
	p.typ(installerPIN + "\r")
	p.wait("logged in as installer")
	p.typ("status\r")
	p.wait("line 2   off-hook")
	// Up twice: the line before status is the login, not the secret.
	p.typ("\x1b[A\x1b[A")
	p.wait("fairrec> login installer")
	p.typ("\x15passwd supervisor\r")
	p.wait("new secret for supervisor (6 to 128 characters): ")
	p.typ("fresh-sup-pin\r")
	p.wait("again: ")
	p.typ("fresh-sup-pin\r")
	p.wait("secret of supervisor changed")
	for _, pw := range []string{installerPIN, "fresh-sup-pin"} {
		if strings.Contains(p.screen(), pw) {
			t.Errorf("the terminal showed the secret %q:\n%s", pw, p.screen())
		}
	}
}
