package console_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"fairrec/firmware/auth"
	"fairrec/firmware/console"
)

// TestHistoryForgetsSession: after a logout, the up-arrow shows nothing of
// the session (its commands name callers); a private command's line is
// never in the history at all.
func TestHistoryForgetsSession(t *testing.T) {
	f := newAuth(t, true)
	cfg := f.config()
	cfg.Commands = append(cfg.Commands,
		console.Command{Name: "erasure", Role: auth.Supervisor, Args: "NUMBER", Private: true,
			Run: func(w io.Writer, a []string) error { fmt.Fprintln(w, "erased"); return nil }},
		console.Command{Name: "hold", Role: auth.Supervisor, Args: "ID REF",
			Run: func(w io.Writer, a []string) error { fmt.Fprintln(w, "held "+strings.Join(a, " ")); return nil }})
	p := newPtyTerm(t, cfg)
	p.wait(console.DefaultPrompt)
	p.typ("login supervisor\r")
	p.wait("secret for supervisor")
	p.typ(supervisorPIN + "\r")
	p.wait("logged in as supervisor")
	p.typ("hold 7 complaint-42\r")
	p.wait("held 7 complaint-42")
	p.typ("erasure 0612345678\r")
	p.wait("erased")
	p.typ("login supervisor typed-secret\r") // a secret on the login line by mistake
	p.wait("usage: login")
	// Up-arrow once: the hold, not the private erasure or login.
	p.clear()
	p.typ("\x1b[A")
	p.wait("hold 7 complaint-42")
	if got := p.screen(); strings.Contains(got, "0612345678") || strings.Contains(got, "typed-secret") {
		t.Errorf("up-arrow shows a private line: %q", got)
	}
	p.typ("\x15logout\r") // ^U clears the recalled line
	p.wait("logged out\r\n")
	p.clear()
	// Nobody logged in now: press up-arrow twice. Nothing may come back;
	// the wait is for the keys to be handled.
	p.typ("\x1b[A\x1b[A")
	time.Sleep(300 * time.Millisecond)
	if got := p.screen(); strings.Contains(got, "0612345678") || strings.Contains(got, "complaint-42") {
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
