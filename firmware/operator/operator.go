package operator

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"fairrec/firmware/access"
	"fairrec/firmware/auth"
	"fairrec/firmware/clock"
	"fairrec/firmware/compliance"
	"fairrec/firmware/policy"
	"fairrec/firmware/trustclock"
	"fairrec/storage/audit"
	"fairrec/storage/vault"
)

// ErrUsage is wrapped by every error that is a mistake in how a command
// was called; its text is the usage.
var ErrUsage = errors.New("usage")

// Mode is how much of the data directory a command needs.
type Mode int

const (
	// ModeRules: only the purposes file (Env.Rules).
	ModeRules Mode = iota
	// ModeAudit: only the audit log, to read (Env.Log).
	ModeAudit
	// ModeRead: the vault, the keeper and the engine; the audit log read
	// only.
	ModeRead
	// ModeWrite: everything, the audit log written (the command's actions
	// are audited).
	ModeWrite
)

// Env is what a command runs on. Fields a command's Mode does not need
// may be nil.
type Env struct {
	Rules  *policy.Rules
	Engine *policy.Engine
	Vault  *vault.Vault // the engine's store: an access request reads the audio from it
	Keeper *trustclock.Keeper
	Log    *audit.Log // nil when the data directory has no audit log yet
	// LogPath and KeyPath name the audit log and the key file that signs
	// its head, for audit verify's answer.
	LogPath, KeyPath string
	// Clock is the system clock, shown beside the trusted bound.
	Clock clock.Clock
	Actor audit.Actor // who acts, as the audit log names them
	// Config is what config import needs beyond the rules (config.go).
	Config ConfigEnv
}

// auditTrail is the audit log as the report (compliance.Trail) and the
// access export (access.Trail) read it.
type auditTrail interface {
	Each(since time.Time, fn func(audit.Entry) error) error
}

// trail is the audit log as an auditTrail: a nil interface when there is
// none, never a typed nil.
func (e Env) trail() auditTrail {
	if e.Log == nil {
		return nil
	}
	return e.Log
}

// Command is one operator request.
type Command struct {
	Name    string
	Args    string // what follows the name, for help and usage
	Summary string
	Role    auth.Role // who may run it at the console; the installer may run all
	Private bool      // its line holds a caller's number or a reference
	// Parse checks args before anything is opened: a mistake is an error
	// wrapping ErrUsage. It returns what the request needs open and the
	// request itself.
	Parse func(args []string) (Mode, Run, error)
}

// Run is a parsed request.
type Run func(env Env, w io.Writer) error

// Run parses args and runs the request on env, which must hold what the
// request's Mode needs (the console's always holds everything).
func (c Command) Run(env Env, w io.Writer, args []string) error {
	_, run, err := c.Parse(args)
	if err != nil {
		return err
	}
	return run(env, w)
}

// Usage is the command's usage line.
func (c Command) Usage() string { return strings.TrimSpace(c.Name + " " + c.Args) }

func usagef(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrUsage, fmt.Sprintf(format, args...))
}

// badArg is a usage mistake that names the argument rather than the usage.
type badArg string

func (b badArg) Error() string { return string(b) }
func (b badArg) Unwrap() error { return ErrUsage }

// parse parses args with fs, flags anywhere among the positional
// arguments; "--" ends the flags.
func parse(fs *flag.FlagSet, usage string, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, usagef("%s (%v)", usage, err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// positional parses a command that takes exactly n arguments and no flags.
func positional(usage string, n int, args []string) ([]string, error) {
	pos, err := parse(flag.NewFlagSet(usage, flag.ContinueOnError), usage, args)
	if err != nil {
		return nil, err
	}
	if len(pos) != n {
		return nil, usagef("%s", usage)
	}
	return pos, nil
}

// Commands is the table, in the order help lists it.
func Commands() []Command {
	return []Command{report(), register(), erasure(), accessCommand(), hold(), release(), contract(), clockCommand(), auditCommand(),
		purposes(), config()}
}

// Lookup returns the command named name.
func Lookup(name string) (Command, bool) {
	for _, c := range Commands() {
		if c.Name == name {
			return c, true
		}
	}
	return Command{}, false
}

// printResult prints a request's result text, if any, and returns err.
func printResult(w io.Writer, text string, err error) error {
	if text != "" {
		fmt.Fprintln(w, text)
	}
	return err
}

func report() Command {
	const usage = "report [text|json|html] [YYYY-MM-DD] [FILE] [--format F] [--days N] [--since YYYY-MM-DD] [-o FILE]"
	return Command{Name: "report", Role: auth.Supervisor, Args: "[text|json|html] [SINCE] [FILE]",
		Summary: "compliance report per purpose (since a date, default the last 30 days)",
		Parse: func(args []string) (Mode, Run, error) {
			fs := flag.NewFlagSet("report", flag.ContinueOnError)
			format := fs.String("format", "text", "text, json or html")
			days := fs.Int("days", 30, "the last N days")
			since := fs.String("since", "", "from this date (YYYY-MM-DD, UTC)")
			out := fs.String("o", "", "write to this file")
			pos, err := parse(fs, usage, args)
			if err != nil {
				return 0, nil, err
			}
			for _, a := range pos {
				_, dateErr := time.Parse(time.DateOnly, a)
				switch {
				case a == "text" || a == "json" || a == "html":
					*format = a
				case dateErr == nil && *since == "":
					*since = a
				case dateErr != nil && *out == "" && strings.ContainsAny(a, "./"):
					// report html FILE: a path, not a date.
					*out = a
				default:
					return 0, nil, usagef("%s", usage)
				}
			}
			if *format != "text" && *format != "json" && *format != "html" {
				return 0, nil, usagef("--format %q: want text, json or html", *format)
			}
			if *days <= 0 {
				return 0, nil, usagef("--days must be positive")
			}
			var from time.Time
			if *since != "" {
				if from, err = time.Parse(time.DateOnly, *since); err != nil {
					return 0, nil, usagef("since %q: want YYYY-MM-DD", *since)
				}
			}
			return ModeRead, func(env Env, w io.Writer) error {
				if from.IsZero() {
					now, _ := env.Engine.Now()
					from = now.AddDate(0, 0, -*days)
				}
				rep, err := compliance.Generate(env.Engine, env.trail(), from)
				if err != nil {
					return err
				}
				return toFile(w, *out, func(w io.Writer) error {
					switch *format {
					case "json":
						return rep.WriteJSON(w)
					case "html":
						return rep.WriteHTML(w)
					}
					return rep.WriteText(w)
				})
			}, nil
		}}
}

func register() Command {
	return Command{Name: "register", Role: auth.Supervisor, Args: "[--print-defaults]",
		Summary: "record of processing activities (GDPR art. 30) from the purposes",
		Parse: func(args []string) (Mode, Run, error) {
			fs := flag.NewFlagSet("register", flag.ContinueOnError)
			defaults := fs.Bool("print-defaults", false, "print the shipped purposes file")
			pos, err := parse(fs, "register [--print-defaults]", args)
			if err != nil {
				return 0, nil, err
			}
			if len(pos) > 0 {
				return 0, nil, usagef("register [--print-defaults]")
			}
			return ModeRules, func(env Env, w io.Writer) error {
				if *defaults {
					_, err := w.Write(policy.DefaultTOML())
					return err
				}
				return compliance.WriteRegister(w, env.Rules)
			}, nil
		}}
}

func erasure() Command {
	return Command{Name: "erasure", Role: auth.Supervisor, Private: true, Args: "NUMBER",
		Summary: "erase every recording of a caller, the number in any written form (GDPR art. 17)",
		Parse: func(args []string) (Mode, Run, error) {
			// A number as people write it may have spaces: "+31 20 123 4567".
			pos, err := parse(flag.NewFlagSet("erasure", flag.ContinueOnError), "erasure NUMBER", args)
			if err != nil {
				return 0, nil, err
			}
			if len(pos) == 0 {
				return 0, nil, usagef("erasure NUMBER")
			}
			number := strings.Join(pos, " ")
			return ModeWrite, func(env Env, w io.Writer) error {
				r, err := env.Engine.EraseCaller(number, env.Actor)
				return printResult(w, r.Text, err)
			}, nil
		}}
}

func accessCommand() Command {
	return Command{Name: "access", Role: auth.Supervisor, Private: true, Args: "NUMBER DIR",
		Summary: "export a caller's recordings, metadata and audit trail (GDPR art. 15)",
		Parse: func(args []string) (Mode, Run, error) {
			// The directory is the last argument; the number, which may
			// have spaces, all before it.
			pos, err := parse(flag.NewFlagSet("access", flag.ContinueOnError), "access NUMBER DIR", args)
			if err != nil {
				return 0, nil, err
			}
			if len(pos) < 2 {
				return 0, nil, usagef("access NUMBER DIR")
			}
			number, dir := strings.Join(pos[:len(pos)-1], " "), pos[len(pos)-1]
			return ModeWrite, func(env Env, w io.Writer) error {
				r, err := access.Export(env.Vault, env.Engine, number, dir, env.trail(), env.Actor)
				if err != nil {
					return err
				}
				return printResult(w, r.Text, nil)
			}, nil
		}}
}
