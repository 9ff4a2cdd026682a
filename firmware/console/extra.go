package console

import (
	"io"

	"fairrec/firmware/auth"
)

// Command is a command the daemon adds to the console: the requests of the
// people recorded (erasure, access), holds, the compliance report, the audit
// check. The console parses the line and prints what Run writes; an error
// is printed as "error: NAME: ..." like the built-in commands'.
type Command struct {
	Name    string // one word
	Args    string // the arguments, for help, e.g. "ID REF"
	Summary string // one line for help
	Run     func(w io.Writer, args []string) error
	// Role is the least role that may run the command. The zero value is
	// auth.Installer: a command that does not say otherwise is the
	// installer's. auth.Supervisor lets both roles run it.
	Role auth.Role
	// Private keeps the command's lines out of the line editor's history:
	// they carry personal data (a caller's number).
	Private bool
	// Start, instead of Run, makes a live command (level N): it checks
	// the arguments and returns what runs until the next key (see Live).
	Start func(args []string) (Live, error)
}

// withExtra appends the daemon's commands to the built-in ones; a built-in
// name cannot be replaced, so help and status always mean the same thing.
func withExtra(cmds []command, extra []Command) []command {
	taken := map[string]bool{}
	for _, c := range cmds {
		taken[c.name] = true
	}
	for _, x := range extra {
		if x.Name == "" || (x.Run == nil) == (x.Start == nil) || taken[x.Name] {
			continue
		}
		taken[x.Name] = true
		cmds = append(cmds, command{name: x.Name, args: x.Args, summary: x.Summary, run: x.Run, start: x.Start, role: x.Role})
	}
	return cmds
}
