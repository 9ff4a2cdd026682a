package console_test

import (
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"fairrec/firmware/console"
)

// TestGarbageOverPty is the acceptance's garbage test, typed at a serial
// terminal as a loose connector or a wrong baud rate would: random bytes,
// 10 kB lines, every control character, broken escape sequences. Logged in
// as the installer, afterwards nothing has run, nothing is audited, the
// session, the width and the history are as they were, and the prompt
// answers.
func TestGarbageOverPty(t *testing.T) {
	f := newAuth(t, true)
	cfg := f.config()
	var ran atomic.Int32
	cfg.Commands = append(cfg.Commands, console.Command{Name: "format", Summary: "a command that changes things",
		Run: func(w io.Writer, _ []string) error { ran.Add(1); fmt.Fprintln(w, "formatted"); return nil }})
	p := newPtyTerm(t, cfg)
	p.wait(console.DefaultPrompt)
	p.typ("login installer\r")
	p.wait("secret for installer: ")
	p.typ(installerPIN + "\r")
	p.wait("logged in as installer")
	p.typ("recordings\r")
	p.wait("2 recordings")
	audited := len(f.rec.Entries())

	rng := rand.New(rand.NewPCG(14, 14))
	random := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.UintN(256))
		}
		return string(b)
	}
	var controls strings.Builder
	for b := range byte(0x20) {
		controls.WriteString("x" + string(b))
	}
	garbage := []string{
		random(4000),
		strings.Repeat("format ", 1500), // a 10 kB line naming a command
		strings.Repeat("\xff\xfe", 5000),
		controls.String() + "\x7f\u0085\u009b",
		"\x1b[12;" + random(40),
		"\x1b[" + strings.Repeat("9", 200) + "format\r",
		"\x1b]0;" + strings.Repeat("t", 400),
		"\x1bPformat\r",
		"\x1bOformat\r",
		"\x1b[200~" + strings.Repeat("\x00", 300) + "\x1b[201", // a paste that never ends
		random(4000),
	}
	for _, g := range garbage {
		p.typ(g)
		p.typ("\r\x15")
	}
	p.typ("\r\x15help\r")
	p.wait("logged in as installer\r\n")
	p.clear()
	p.typ("\x1b[A")
	p.wait("help")
	p.typ("\x15term\r")
	p.wait("cols 80 (the default; the terminal does not tell its width)\r\n")
	p.typ("status\r")
	p.wait("line 2   off-hook, recording r42")
	// The history, newest first: what was typed, none of the garbage.
	p.typ("\x1b[A\x1b[A\x1b[A\x1b[A\x1b[A!")
	p.wait("!")
	scr := newScreen(80)
	scr.write(p.screen())
	if diff := cmp.Diff([]string{console.DefaultPrompt + "recordings!"}, scr.lines(console.DefaultPrompt)); diff != "" {
		t.Errorf("the oldest line in the history (-want +got):\n%s", diff)
	}
	if n := ran.Load(); n != 0 {
		t.Errorf("garbage ran format %d times", n)
	}
	if got := f.rec.Entries()[audited:]; len(got) != 0 {
		t.Errorf("garbage was audited: %v", got)
	}
}

// TestTypeAheadAfterInterrupt: what is typed after Ctrl-C, arriving in the
// same read, is the fresh prompt's, not lost with the interrupted line.
func TestTypeAheadAfterInterrupt(t *testing.T) {
	p := newPtyTerm(t, console.Config{System: twoLines})
	p.wait(console.DefaultPrompt)
	p.typ("reco\x03status\r")
	p.wait("reco^C\r\n")
	p.wait("line 2   off-hook")
}
