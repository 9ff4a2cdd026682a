package console

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/term"

	"fairrec/firmware/clock"
)

// ErrInterrupt is returned by Run when the person at an interactive console
// pressed Ctrl-C, or Ctrl-D on an empty line. The caller decides what that
// means: the daemon on its own terminal shuts down, on a serial port it
// starts the console again.
var ErrInterrupt = errors.New("console: interrupted")

// DefaultPrompt is the prompt of an interactive console.
const DefaultPrompt = "fairrec> "

// DefaultMaxLine is the longest command line accepted, in characters.
const DefaultMaxLine = 256

// Config configures a Console. The zero value is a non-interactive console
// with an empty system.
type Config struct {
	// Interactive selects line editing, echo and a prompt (a person at a
	// terminal). Otherwise lines are read plainly (a pipe or a script).
	Interactive bool
	// Prompt replaces DefaultPrompt.
	Prompt string
	// MaxLine replaces DefaultMaxLine.
	MaxLine int
	// System is what the commands inspect; nil answers with empty state.
	System System
	// Commands are the daemon's own commands, added after the built-in ones.
	Commands []Command
	// Logger receives the console's own diagnostics; nil discards them.
	Logger *slog.Logger

	// Auth asks for a login before any command but help, login and (at
	// first boot) setup, and gates each command by role. nil means no
	// login: every command is open, as the installer's (tests, examples);
	// the daemon always sets it.
	Auth Auth
	// Clock times the idle logout; nil means none.
	Clock clock.Clock
	// Idle replaces DefaultIdle.
	Idle time.Duration
	// OnSessionEnd, if set, runs when a session ends (logout, idle, a new
	// login): what the session set up for its person alone ends with it,
	// such as a recording selected for the playback button.
	OnSessionEnd func()
}

// Console is a shell on one stream. Run reads and executes commands; Write
// may be called concurrently to print messages (e.g. log lines).
type Console struct {
	rw   io.ReadWriter
	cfg  Config
	log  *slog.Logger
	cmds []command

	mu  sync.Mutex     // serialises writes to rw on a plain stream; guards t
	t   *term.Terminal // the line editor when interactive; replaced after Ctrl-C
	san *sanitizer     // the line editor's input; read only by Run

	plain *bufio.Reader // a plain stream's input; read only by Run
	sess  session
	hist  *history

	size Sizer // the terminal's size, when the stream knows it
	cols int   // set by term cols N; 0: the terminal's, or DefaultCols
}

// New returns a console on rw.
func New(rw io.ReadWriter, cfg Config) *Console {
	if cfg.Prompt == "" {
		cfg.Prompt = DefaultPrompt
	}
	if cfg.MaxLine <= 0 {
		cfg.MaxLine = DefaultMaxLine
	}
	if cfg.System == nil {
		cfg.System = emptySystem{}
	}
	if cfg.Idle <= 0 {
		cfg.Idle = DefaultIdle
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	c := &Console{rw: rw, cfg: cfg, log: log, sess: session{wake: make(chan struct{}, 1)}}
	c.cmds = withExtra(c.commands(), cfg.Commands)
	// The built-in commands that take secrets are private too: a secret
	// typed on their line by mistake must not be one up-arrow away.
	c.hist = &history{max: cfg.MaxLine, known: map[string]bool{}, private: map[string]bool{"login": true, "passwd": true, "setup": true}}
	for _, cmd := range c.cmds {
		c.hist.known[cmd.name] = true
	}
	for _, x := range cfg.Commands {
		if x.Private {
			c.hist.private[x.Name] = true
		}
	}
	if s, ok := rw.(Sizer); ok {
		c.size = s
	}
	if cfg.Interactive {
		c.san = newSanitizer(rw)
		c.t = term.NewTerminal(stream{c.san, rw}, cfg.Prompt)
		c.t.History = c.hist
	} else {
		// Room for MaxLine characters of up to 4 bytes, and a CRLF.
		c.plain = bufio.NewReaderSize(rw, 4*cfg.MaxLine+2)
	}
	return c
}

// freshTerminal replaces the line editor after Ctrl-C: x/term keeps the
// interrupted line and its cursor position, which the next prompt or
// message would redraw. History carries over.
func (c *Console) freshTerminal() {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := term.NewTerminal(stream{c.san, c.rw}, c.cfg.Prompt)
	t.History = c.t.History
	c.t = t
}

func (c *Console) terminal() *term.Terminal {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// stream is what the line editor reads and writes: sanitized input, the
// raw output.
type stream struct {
	io.Reader
	io.Writer
}

// Write prints p as a message of its own, above the prompt and whatever is
// being typed on an interactive console. It is safe for concurrent use.
//
// A message that does not end its line is given a line end, so that the
// prompt drawn after it starts on a line of its own.
func (c *Console) Write(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	msg := p
	if p[len(p)-1] != '\n' {
		msg = append(bytes.Clone(p), '\n')
	}
	if t := c.terminal(); t != nil {
		c.fitWidth()
		if _, err := t.Write(msg); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, err := c.rw.Write(msg); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Run reads and executes commands until the stream ends (nil), ctx is
// cancelled (nil), or the person interrupts (ErrInterrupt). When ctx is
// cancelled Run closes the stream if it is an io.Closer, to wake the read.
// A session survives ErrInterrupt (the serial console runs Run again) and
// ends with any other return.
func (c *Console) Run(ctx context.Context) error {
	stop := make(chan struct{})
	var wg sync.WaitGroup
	defer func() { close(stop); wg.Wait() }()
	wg.Add(1)
	go func() {
		defer wg.Done()
		select {
		case <-ctx.Done():
			if cl, ok := c.rw.(io.Closer); ok {
				_ = cl.Close()
			}
		case <-stop:
		}
	}()
	if c.cfg.Auth != nil && c.cfg.Clock != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.watchIdle(stop)
		}()
	}
	var err error
	if c.cfg.Interactive {
		err = c.runInteractive(ctx)
	} else {
		err = c.runPlain(ctx)
	}
	if !errors.Is(err, ErrInterrupt) {
		c.endSession("console ended")
	}
	if ctx.Err() != nil {
		return nil
	}
	return err
}

func (c *Console) runInteractive(ctx context.Context) error {
	c.println("fairrec console; type help for the commands")
	c.greet()
	for ctx.Err() == nil {
		c.fitWidth()
		line, err := c.terminal().ReadLine()
		if errors.Is(err, term.ErrPasteIndicator) {
			err = nil // a pasted line is a line
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				// The line editor reports Ctrl-C and Ctrl-D as io.EOF too;
				// only a real end of the stream leaves the sanitizer with
				// an error.
				if c.san.err == nil {
					// Like a shell: "fairrec> sta^C", a new line, and a
					// fresh editor that has no prompt on the screen.
					c.mu.Lock()
					_, _ = c.rw.Write([]byte("^C\r\n"))
					c.mu.Unlock()
					c.freshTerminal()
					return ErrInterrupt
				}
				return nil
			}
			return fmt.Errorf("console: read: %w", err)
		}
		c.execute(line)
	}
	return nil
}

func (c *Console) runPlain(ctx context.Context) error {
	r := c.plain
	c.greet()
	for ctx.Err() == nil {
		line, err := r.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			// Longer than any line within the limit: count it to the end
			// (without keeping it) and say how long it was.
			n := runeCount(line)
			for errors.Is(err, bufio.ErrBufferFull) {
				line, err = r.ReadSlice('\n')
				n += runeCount(line)
			}
			n -= runeCount(line) - runeCount(bytes.TrimRight(line, "\r\n"))
			c.tooLong(n, false)
			if err != nil {
				return c.plainEnd(err)
			}
			continue
		}
		if len(line) > 0 {
			c.execute(string(bytes.TrimRight(line, "\r\n")))
		}
		if err != nil {
			return c.plainEnd(err)
		}
	}
	return nil
}

// runeCount counts the characters in p, a piece of a line that may start
// or end inside one: it counts every byte that is not a UTF-8
// continuation byte.
func runeCount(p []byte) int {
	n := 0
	for _, b := range p {
		if b&0xc0 != 0x80 {
			n++
		}
	}
	return n
}

// editorMax is the longest line x/term's editor holds (its maxLineLength):
// it ignores the keys typed after that.
const editorMax = 4096

// tooLong says that a line of n characters was not run.
func (c *Console) tooLong(n int, capped bool) {
	count := fmt.Sprintf("%d characters", n)
	if capped {
		count = fmt.Sprintf("%d characters or more", n)
	}
	c.printf("error: line too long (%s; at most %d); nothing was run", count, c.cfg.MaxLine)
}

func (c *Console) plainEnd(err error) error {
	if errors.Is(err, io.EOF) {
		return nil
	}
	return fmt.Errorf("console: read: %w", err)
}

// execute runs one command line and prints its answer.
func (c *Console) execute(line string) {
	if n := utf8.RuneCountInString(line); n > c.cfg.MaxLine {
		c.tooLong(n, c.cfg.Interactive && n >= editorMax)
		return
	}
	if i := strings.IndexFunc(line, func(r rune) bool { return unicode.IsControl(r) && r != '\t' }); i >= 0 {
		c.printf("error: line contains control characters; type help for the commands")
		return
	}
	fields := strings.Fields(line)
	if len(fields) == 0 {
		return
	}
	name, args := fields[0], fields[1:]
	c.checkIdle()
	// Activity counts from the start of a command too: one that runs
	// long (an access export) must not be logged out half way, its
	// entries then out of order with the logout in the audit log.
	c.touch()
	defer c.touch()
	for _, cmd := range c.cmds {
		if cmd.name == name {
			if c.cfg.Auth != nil && !cmd.open {
				r, in := c.Role()
				if !in {
					c.printf("error: %s: log in first", name)
					return
				}
				if !r.Can(cmd.role) {
					c.printf("error: %s: needs the %s role (logged in as %s)", name, cmd.role, r)
					return
				}
			}
			if cmd.start != nil {
				c.runLive(name, cmd.start, args)
				return
			}
			var b strings.Builder
			if err := cmd.run(&b, args); err != nil {
				fmt.Fprintf(&b, "error: %s: %v\n", name, err)
			}
			c.print(b.String())
			return
		}
	}
	c.printf("error: unknown command %q; type help for the commands", clip(name, 32))
}

func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "..."
	}
	return s
}

func (c *Console) printf(format string, args ...any) { c.print(fmt.Sprintf(format, args...) + "\n") }
func (c *Console) println(s string)                  { c.print(s + "\n") }

func (c *Console) print(s string) {
	if _, err := c.Write([]byte(s)); err != nil {
		c.log.Debug("console write failed", "err", err)
	}
}
