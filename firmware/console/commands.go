package console

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"fairrec/firmware/auth"
)

// System is what the console shows. The daemon implements it over the
// lines, the vault and the audio stream; tests use a fake.
type System interface {
	// Status returns a snapshot of the appliance's state.
	Status() Status
	// Recordings lists the stored recordings, oldest first.
	Recordings() ([]Recording, error)
}

// Status is a snapshot for the status command.
type Status struct {
	Board string
	Lines []Line
	// Storage describes the vault in a few words, e.g. "open, 3 recordings"
	// or "no key: run fairrec keys init".
	Storage string
	// Audio describes the audio stream, e.g. "default, 48000 Hz, 2 in/3 out".
	Audio string
	// Xruns counts audio overruns and underruns since start.
	Xruns uint64
	// Uptime is the time since the daemon started.
	Uptime time.Duration
	// Review is the supervisor's playback in a few words, e.g. "idle" or
	// "recording 7 playing under quality: 1.0s of 7.1s"; "" for a board
	// without a review output (no line shown).
	Review string
	// Clock is the time the retention timers trust. The zero value shows
	// nothing (a system without a clock keeper).
	Clock Clock
	// Key describes the key-encryption key, e.g. "/var/lib/fairrec/fairrec.key
	// loaded, mode 0600"; "" shows no line.
	Key string
	// Disk is the data directory's file system; Disk.Free == 0 and
	// Disk.Used == 0 shows no line.
	Disk Disk
	// Audit is the audit chain's state, e.g. "verified at start, 120
	// entries" or "TAMPERED: ..."; "" shows no line.
	Audit string
	// LastFault is the last fault the box reported and when ("none" if
	// there was none); "" shows no line.
	LastFault string
}

// Clock is the clock's trust for the status command.
type Clock struct {
	Known   bool // false: no clock line
	Trusted bool
	// Reason says why, in the clock keeper's words ("agrees", "jumped").
	Reason string
	Now    time.Time // the lower bound the timers use
}

// Disk is the data directory's storage for the status command.
type Disk struct {
	Used  uint64 // bytes the data directory holds
	Free  uint64 // bytes the daemon may still write
	Lines int    // lines recording at once at most: the hours left divide by it
}

// BytesPerLineSecond is what one line's recording takes: G.711 A-law at
// 8 kHz.
const BytesPerLineSecond = 8000

// HoursLeft is how many hours of recording the free space holds with
// every line recording; 0 without lines.
func (d Disk) HoursLeft() float64 {
	if d.Lines <= 0 {
		return 0
	}
	return float64(d.Free) / float64(BytesPerLineSecond*d.Lines) / 3600
}

// Line is one phone line's state.
type Line struct {
	N       int  // 1-based line number
	OffHook bool // the hook is up: a call is in progress
	Ringing bool
	// Recording is the id of the recording in progress, "" if none.
	Recording string
	// Recorded is how much audio the recording in progress holds.
	Recorded time.Duration
	// Fault says why the line cannot record, "" if it can.
	Fault string
	// Phase is where the call is: "dialling", "notice", "recording",
	// "confirm" (an objection's confirmation plays), "done" (nothing more
	// is recorded in this call); "" or "idle" when on hook.
	Phase    string
	Paused   bool // storing paused for a card payment
	Objected bool // an objection was taken in this call
	// Refused names the purposes the caller's objection refused (a
	// contract): the agreement cannot be concluded by phone.
	Refused []string
	// Purposes is the line's purposes profile, Notice its notice set and
	// Language the notices' language; nothing is shown when all are empty.
	Purposes []string
	Notice   string
	Language string
}

// Recording is one stored recording for the recordings command.
type Recording struct {
	ID       string
	Line     int
	Start    time.Time
	Duration time.Duration
	Sealed   bool // false while still being recorded (or after a crash)
	// State is the vault's word for where the recording is ("sealed",
	// "open", "interrupted", "TAMPERED"); "" means by Sealed.
	State string
	// Approximate marks a start time taken while the clock was not
	// trusted (or an imported recording's).
	Approximate bool
	// Purposes are the grants still in force, e.g. "quality until
	// 2027-03-01", as `fairrec list` shows them.
	Purposes []string
	// Caller is the caller's number: personal data, shown only by
	// `recordings --callers` (and `fairrec list`).
	Caller string
}

type emptySystem struct{}

func (emptySystem) Status() Status                   { return Status{} }
func (emptySystem) Recordings() ([]Recording, error) { return nil, nil }

// command is one console command; run writes its answer to w.
type command struct {
	name, args, summary string
	run                 func(w io.Writer, args []string) error
	start               func(args []string) (Live, error) // a live command, instead of run
	// role is the least role that may run it; open commands need no
	// login at all.
	role auth.Role
	open bool
}

func (c *Console) commands() []command {
	cmds := []command{{name: "help", args: "[CMD]", summary: "list the commands, or show how to use one", run: c.help, open: true}}
	if c.cfg.Auth != nil {
		cmds = append(cmds,
			command{name: "login", args: "ROLE", summary: "log in as installer or supervisor (the secret is asked for next)", run: c.login, open: true},
			command{name: "logout", summary: "end the session", run: c.logout, open: true},
			command{name: "setup", summary: "first boot: set the installer secret", run: c.setup, open: true},
			command{name: "passwd", args: "ROLE", summary: "set or change a role's secret", run: c.passwd, role: auth.Installer},
		)
	}
	return append(cmds,
		command{name: "status", summary: "lines, hook and recording state, storage, audio", run: c.status, role: auth.Supervisor},
		command{name: "recordings", args: "[--callers]", summary: "list the stored recordings (--callers: with numbers, supervisor only)", run: c.recordingsCommand, role: auth.Supervisor},
		command{name: "term", args: "[cols N|auto]", summary: "show the terminal's width, or set it (a serial line cannot tell it)", run: c.term, role: auth.Supervisor},
	)
}

// visible reports whether help lists cmd for the session as it is.
func (c *Console) visible(cmd command) bool {
	r, in := c.Role()
	switch cmd.name {
	case "setup":
		return c.cfg.Auth.NeedsSetup()
	case "logout":
		return in
	}
	return cmd.open || in && r.Can(cmd.role)
}

func noArgs(args []string) error {
	if len(args) > 0 {
		return fmt.Errorf("takes no arguments (got %q)", clip(strings.Join(args, " "), 32))
	}
	return nil
}

// helpColumn is where help starts the summaries; a usage longer than
// that has its summary on the next line, in the same column.
const helpColumn = 22

func (c *Console) help(w io.Writer, args []string) error {
	if len(args) > 1 {
		return errors.New("usage: help [CMD]")
	}
	if len(args) == 1 {
		return c.helpOne(w, args[0])
	}
	for _, cmd := range c.cmds {
		if !c.visible(cmd) {
			continue
		}
		if u := usage(cmd); len(u) <= helpColumn-4 {
			fmt.Fprintf(w, "  %-*s%s\n", helpColumn-2, u, cmd.summary)
		} else {
			fmt.Fprintf(w, "  %s\n%*s%s\n", u, helpColumn, "", cmd.summary)
		}
	}
	a := c.cfg.Auth
	switch r, in := c.Role(); {
	case a == nil:
	case in:
		fmt.Fprintf(w, "logged in as %s\n", r)
	case a.Err() != nil:
		fmt.Fprintf(w, "the console is locked: %s\n", authMessage(a.Err()))
	case a.NeedsSetup():
		fmt.Fprintln(w, "first boot: type setup to set the installer secret; the other commands follow a login")
	default:
		fmt.Fprintln(w, "log in for the other commands: login installer | login supervisor")
	}
	fmt.Fprintln(w, "help CMD shows how to use one command")
	return nil
}

// helpOne shows one command's usage, also one the session may not run
// yet: how to use it is no secret, and the answer says who may.
func (c *Console) helpOne(w io.Writer, name string) error {
	for _, cmd := range c.cmds {
		if cmd.name != name {
			continue
		}
		fmt.Fprintf(w, "usage: %s\n  %s\n", usage(cmd), cmd.summary)
		switch {
		case c.cfg.Auth == nil:
		case cmd.name == "setup":
			fmt.Fprintln(w, "  anyone, at first boot only (no installer secret yet)")
		case cmd.open:
			fmt.Fprintln(w, "  anyone, without a login")
		case cmd.role == auth.Supervisor:
			fmt.Fprintln(w, "  for the supervisor and the installer")
		default:
			fmt.Fprintf(w, "  for the %s only\n", cmd.role)
		}
		return nil
	}
	return fmt.Errorf("no command %q; type help for the commands", clip(name, 32))
}

func usage(cmd command) string { return strings.TrimSpace(cmd.name + " " + cmd.args) }

func (c *Console) status(w io.Writer, args []string) error {
	if err := noArgs(args); err != nil {
		return err
	}
	s := c.cfg.System.Status()
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "board\t%s\n", orNone(s.Board))
	fmt.Fprintf(tw, "uptime\t%s\n", s.Uptime.Round(time.Second))
	fmt.Fprintf(tw, "storage\t%s\n", orNone(s.Storage))
	fmt.Fprintf(tw, "audio\t%s, %d xruns\n", orNone(s.Audio), s.Xruns)
	// The labels stay within "storage"'s width: the lines' states keep
	// the column they always had.
	for _, l := range s.Lines {
		fmt.Fprintf(tw, "line %d\t%s\n", l.N, lineState(l))
		if len(l.Purposes) > 0 || l.Notice != "" || l.Language != "" {
			purposes := strings.Join(l.Purposes, ", ")
			fmt.Fprintf(tw, "\tpurposes %s; notice set %s, language %s\n", orNone(purposes), orNone(l.Notice), orNone(l.Language))
		}
	}
	if len(s.Lines) == 0 {
		fmt.Fprintf(tw, "lines\tnone\n")
	}
	if s.Review != "" {
		fmt.Fprintf(tw, "review\t%s\n", s.Review)
	}
	if c := s.Clock; c.Known {
		trust := "trusted (" + orNone(c.Reason) + ")"
		if !c.Trusted {
			trust = "APPROXIMATE: " + orNone(c.Reason) + "; nothing is erased early; check the time, then clock confirm"
		}
		fmt.Fprintf(tw, "clock\t%s, %s\n", c.Now.UTC().Format(time.RFC3339), trust)
	}
	if s.Key != "" {
		fmt.Fprintf(tw, "key\t%s\n", s.Key)
	}
	if d := s.Disk; d.Used > 0 || d.Free > 0 {
		fmt.Fprintf(tw, "disk\t%s used, %s free: about %.0f hours of recording on %d lines\n",
			bytesText(d.Used), bytesText(d.Free), d.HoursLeft(), d.Lines)
	}
	if s.Audit != "" {
		fmt.Fprintf(tw, "audit\t%s\n", s.Audit)
	}
	if s.LastFault != "" {
		fmt.Fprintf(tw, "fault\t%s\n", s.LastFault)
	}
	return tw.Flush()
}

// bytesText writes n bytes as people read a disk's size: "1.2 GB".
func bytesText(n uint64) string {
	const unit = 1000
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	f, i := float64(n), -1
	for f >= unit && i < 3 {
		f /= unit
		i++
	}
	return fmt.Sprintf("%.1f %cB", f, "kMGT"[i])
}

func lineState(l Line) string {
	hook := "on-hook"
	if l.OffHook {
		hook = "off-hook"
	}
	if l.Ringing {
		hook += ", ringing"
	}
	var extra string
	if l.Objected {
		extra += ", objection taken"
	}
	if len(l.Refused) > 0 {
		extra += " (" + strings.Join(l.Refused, ", ") + " refused: no agreement by phone)"
	}
	if l.Paused {
		extra += ", PAUSED (card payment)"
	}
	switch {
	case l.Fault != "":
		return hook + extra + ", FAULT: " + l.Fault
	case l.Recording != "":
		return fmt.Sprintf("%s, recording %s (%s)%s", hook, l.Recording, l.Recorded.Round(100*time.Millisecond), extra)
	case l.Phase == "notice":
		return hook + ", playing the notice" + extra
	case l.Phase == "dialling":
		return hook + ", dialling (notice on button press or after the last digit)"
	case l.Phase == "confirm":
		return hook + ", playing the objection's confirmation, not recording" + extra
	case l.Phase == "done":
		return hook + ", not recording" + extra
	}
	return hook + ", idle"
}

func orNone(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
