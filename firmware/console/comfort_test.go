package console_test

import (
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"fairrec/firmware/auth"
	"fairrec/firmware/console"
	"fairrec/storage/audit"
)

// sized is a stream on a terminal that tells its width, as the daemon's
// own terminal does through drivers/serial.
type sized struct {
	duplex
	cols int
}

func (s sized) Size() (int, int, error) { return s.cols, 24, nil }

// wrapped is what a terminal cols wide shows for text written from the
// start of a row.
func wrapped(text string, cols int) []string {
	var rows []string
	r := []rune(text)
	for len(r) > cols {
		rows = append(rows, string(r[:cols]))
		r = r[cols:]
	}
	return append(rows, string(r))
}

// TestRecallLongLine recalls a line longer than the screen is wide, moves
// in it, edits it, and gets a log line meanwhile: the screen must show the
// log line and then exactly the prompt and the line, wrapped where the
// terminal wraps it, with nothing left over. The width comes from the
// terminal (stdio) or from term cols (a serial line, which cannot tell).
func TestRecallLongLine(t *testing.T) {
	const cols = 40
	tests := []struct {
		name  string
		wrap  func(duplex) io.ReadWriter
		setup string
	}{
		{"the terminal's width", func(d duplex) io.ReadWriter { return sized{d, cols} }, ""},
		{"term cols on a serial line", func(d duplex) io.ReadWriter { return d }, "term cols 40\r"},
	}
	long := "hold " + strings.Repeat("abcdefghij", 9)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := startOn(t, console.Config{Interactive: true, System: twoLines, Commands: helpCmds}, tc.wrap)
			pos := s.expect(0, console.DefaultPrompt)
			if tc.setup != "" {
				s.typ(tc.setup)
				pos = s.expect(pos, "cols 40")
			}
			s.typ(long + "\r")
			pos = s.expect(pos, console.DefaultPrompt)
			s.typ("status\r")
			pos = s.expect(pos, "line 2   off-hook")
			pos = s.expect(pos, console.DefaultPrompt)
			s.typ("\x1b[A\x1b[A") // up twice: the long line
			pos = s.expect(pos, "ghij")
			s.c.Write([]byte("level=INFO msg=tick"))
			pos = s.expect(pos, "msg=tick")
			s.typ(strings.Repeat("\x1b[D", 30) + "X\x1b[F!")
			s.expect(pos, "!")

			scr := newScreen(cols)
			scr.write(s.output())
			edited := long[:len(long)-30] + "X" + long[len(long)-30:] + "!"
			want := append([]string{"level=INFO msg=tick"}, wrapped(console.DefaultPrompt+edited, cols)...)
			if diff := cmp.Diff(want, scr.lines("msg=tick")); diff != "" {
				t.Errorf("screen (-want +got):\n%s", diff)
			}
		})
	}
}

// TestLineTooLong: a line over the limit is refused with its true length
// and the limit, is not in the history, and the prompt works on.
func TestLineTooLong(t *testing.T) {
	s := start(t, console.Config{Interactive: true, System: twoLines})
	pos := s.expect(0, console.DefaultPrompt)
	s.typ("status\r")
	pos = s.expect(pos, "line 2")
	s.typ(strings.Repeat("x", 300) + "\r")
	pos = s.expect(pos, "error: line too long (300 characters; at most 256); nothing was run\r\n")
	s.typ(strings.Repeat("y", 5000) + "\r")
	pos = s.expect(pos, "error: line too long (4096 characters or more; at most 256); nothing was run\r\n")
	pos = s.expect(pos, console.DefaultPrompt)
	// Up twice: status, the only line in the history, and nothing more.
	s.typ("\x1b[A\x1b[A!")
	s.expect(pos, "!")
	scr := newScreen(80)
	scr.write(s.output())
	if got := scr.lines(console.DefaultPrompt); !cmp.Equal(got, []string{console.DefaultPrompt + "status!"}) {
		t.Errorf("after up-arrows the screen ends %q, want the status line", got)
	}
}

// TestPlainLineLimit: the limit is in characters on a script's stream too,
// and an over-long line says its length without its line end.
func TestPlainLineLimit(t *testing.T) {
	accented := strings.Repeat("\u00e9", 200) // 400 bytes, 200 characters
	out := runScript(t, console.Config{System: twoLines}, "status "+accented+"\n"+strings.Repeat("z", 3000)+"\r\nrecordings\n")
	for _, want := range []string{"error: status: takes no arguments", "error: line too long (3000 characters; at most 256)", "2 recordings"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestTermCols(t *testing.T) {
	tests := []struct {
		name   string
		wrap   func(duplex) io.ReadWriter
		script string
		want   []string
	}{
		{"serial line", func(d duplex) io.ReadWriter { return d },
			"term\nterm cols 132\nterm\nterm cols 5\nterm cols auto\nterm rows 3\n",
			[]string{
				"cols 80 (the default; the terminal does not tell its width)",
				"cols 132 (set with term cols)",
				"cols 132 (set with term cols)",
				`error: term: cols "5": a number from 20 to 1000, or auto`,
				"cols 80 (the default; the terminal does not tell its width)",
				"error: term: usage: term [cols N|auto]",
			}},
		{"stdio", func(d duplex) io.ReadWriter { return sized{d, 50} },
			"term\nterm cols 100\nterm cols auto\n",
			[]string{"cols 50 (the terminal's)", "cols 100 (set with term cols)", "cols 50 (the terminal's)"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := startOn(t, console.Config{System: twoLines}, tc.wrap)
			s.typ(tc.script)
			pos := 0
			for _, w := range tc.want {
				pos = s.expect(pos, w+"\n")
			}
		})
	}
}

// helpCmds are daemon commands with usages of every length.
var helpCmds = []console.Command{
	{Name: "hold", Args: "ID REF", Summary: "hold a recording for a complaint", Role: auth.Supervisor, Run: func(io.Writer, []string) error { return nil }},
	{Name: "contract", Args: "ref ID REF | completed REF", Summary: "attach an agreement's reference", Role: auth.Supervisor, Run: func(io.Writer, []string) error { return nil }},
	{Name: "clock", Args: "[confirm]", Summary: "the time the retention timers trust", Run: func(io.Writer, []string) error { return nil }},
}

// TestHelpAligned: every summary starts in the same column, whether its
// usage is short or long.
func TestHelpAligned(t *testing.T) {
	out := runScript(t, console.Config{Commands: helpCmds}, "help\n")
	col := -1
	for _, summary := range []string{"list the commands, or show how to use one", "list the stored recordings",
		"hold a recording for a complaint", "attach an agreement's reference", "the time the retention timers trust"} {
		found := false
		for _, line := range strings.Split(out, "\n") {
			if i := strings.Index(line, summary); i >= 0 {
				found = true
				if col < 0 {
					col = i
				}
				if i != col {
					t.Errorf("summary %q starts in column %d, others in %d:\n%s", summary, i, col, out)
				}
			}
		}
		if !found {
			t.Errorf("help lacks %q:\n%s", summary, out)
		}
	}
	if !strings.Contains(out, "  contract ref ID REF | completed REF\n") {
		t.Errorf("a long usage is not shown whole:\n%s", out)
	}
}

func TestHelpCmd(t *testing.T) {
	f := newAuth(t, true)
	cfg := f.config()
	cfg.Commands = append(cfg.Commands, helpCmds...)
	tests := []struct{ in, want string }{
		{"help hold", "usage: hold ID REF\n  hold a recording for a complaint\n  for the supervisor and the installer\n"},
		{"help clock", "usage: clock [confirm]\n  the time the retention timers trust\n  for the installer only\n"},
		{"help login", "usage: login ROLE\n  log in as installer or supervisor (the secret is asked for next)\n  anyone, without a login\n"},
		{"help term", "usage: term [cols N|auto]\n"},
		{"help reboot", "error: help: no command \"reboot\"; type help for the commands\n"},
		{"help a b", "error: help: usage: help [CMD]\n"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			// Before any login: how to use a command is no secret.
			out := runScript(t, cfg, tc.in+"\n")
			if !strings.Contains(out, tc.want) {
				t.Errorf("%s:\n%s\nwant it to hold:\n%s", tc.in, out, tc.want)
			}
		})
	}
}

// TestHelpFirstBoot: on a first boot help lists setup and says what to do.
func TestHelpFirstBoot(t *testing.T) {
	f := newAuth(t, false)
	out := runScript(t, f.config(), "help\n")
	for _, w := range []string{"  setup ", "first boot: type setup to set the installer secret"} {
		if !strings.Contains(out, w) {
			t.Errorf("help at first boot lacks %q:\n%s", w, out)
		}
	}
	if strings.Contains(out, "log in for the other commands") {
		t.Errorf("help at first boot asks for a login that cannot work:\n%s", out)
	}
}

// TestLoginNoSecret: a login for a role without a secret says so at once;
// the secret is not asked for.
func TestLoginNoSecret(t *testing.T) {
	f := newAuth(t, false)
	if err := f.store.SetSecret(auth.Installer, []byte(installerPIN), audit.Actor{Kind: audit.ActorTool, ID: "fairrec"}); err != nil {
		t.Fatal(err)
	}
	p := newPtyTerm(t, f.config())
	p.wait(console.DefaultPrompt)
	p.typ("login supervisor\r")
	p.wait("error: login: supervisor has no secret yet; the installer sets it with passwd supervisor\r\n")
	p.wait(console.DefaultPrompt)
	if strings.Contains(p.screen(), "secret for supervisor") {
		t.Errorf("the secret was asked for:\n%s", p.screen())
	}
	p.typ("login installer\r")
	p.wait("secret for installer: ")
	p.typ(installerPIN + "\r")
	p.wait("logged in as installer")
}
