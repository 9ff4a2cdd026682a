package console_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"

	"fairrec/drivers/serial"
	"fairrec/firmware/auth"
	"fairrec/firmware/console"
)

// TestHistoryForgetsSession: after a logout, the up-arrow shows nothing of
// the session (its commands name callers); a private command's line is
// never in the history at all.
func TestHistoryForgetsSession(t *testing.T) {
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
	cfg.Commands = append(cfg.Commands,
		console.Command{Name: "erasure", Role: auth.Supervisor, Args: "NUMBER", Private: true,
			Run: func(w io.Writer, a []string) error { fmt.Fprintln(w, "erased"); return nil }},
		console.Command{Name: "hold", Role: auth.Supervisor, Args: "ID REF",
			Run: func(w io.Writer, a []string) error { fmt.Fprintln(w, "held "+strings.Join(a, " ")); return nil }})
	c := console.New(port, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go c.Run(ctx)
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
			if strings.Count(got, want) > 0 {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("never showed %q; got:\n%q", want, got)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	wait(console.DefaultPrompt)
	master.Write([]byte("login supervisor\r"))
	wait("secret for supervisor")
	master.Write([]byte(supervisorPIN + "\r"))
	wait("logged in as supervisor")
	master.Write([]byte("hold 7 complaint-42\r"))
	wait("held 7 complaint-42")
	master.Write([]byte("erasure 0612345678\r"))
	wait("erased")
	// Up-arrow once: the hold, not the private erasure.
	mu.Lock()
	out.Reset()
	mu.Unlock()
	master.Write([]byte("\x1b[A"))
	wait("hold 7 complaint-42")
	mu.Lock()
	if got := out.String(); strings.Contains(got, "0612345678") {
		t.Errorf("up-arrow shows the private erasure line: %q", got)
	}
	mu.Unlock()
	master.Write([]byte("\x15logout\r")) // ^U clears the recalled line

	wait("logged out\r\n")
	mu.Lock()
	out.Reset()
	mu.Unlock()
	// Nobody logged in now: press up-arrow twice.
	master.Write([]byte("\x1b[A\x1b[A"))
	time.Sleep(300 * time.Millisecond)
	mu.Lock()
	got := out.String()
	mu.Unlock()
	if strings.Contains(got, "0612345678") || strings.Contains(got, "complaint-42") {
		t.Errorf("after logout, up-arrow shows the previous session's commands: %q", got)
	}
}

type plainRW struct {
	r *strings.Reader
	w *bytes.Buffer
}

func (x plainRW) Read(p []byte) (int, error)  { return x.r.Read(p) }
func (x plainRW) Write(p []byte) (int, error) { return x.w.Write(p) }

// TestLoginUsageKeepsSecret: on a plain stream the line after "login" is
// the secret even when the login line is a usage mistake; it must never be
// run (and echoed) as a command.
func TestLoginUsageKeepsSecret(t *testing.T) {
	f := newAuth(t, true)
	var out bytes.Buffer
	c := console.New(plainRW{strings.NewReader("login\n" + supervisorPIN + "\n"), &out}, f.config())
	c.Run(context.Background())
	if strings.Contains(out.String(), supervisorPIN) {
		t.Errorf("secret echoed: %q", out.String())
	}
}
