package main

import (
	"errors"
	"fmt"

	"fairrec/firmware/operator"

	"fairrec/storage/audit"
	"fairrec/storage/vault"
)

// inUseError says the daemon holds the data directory: the vault's or the
// audit log's file lock did not come free. Every command says it in the
// same words, with what to do instead.
type inUseError struct {
	dir string
	err error // vault.ErrInUse or audit.ErrLocked, for errors.Is
	// console is the console command that does what the tool was asked,
	// "" when there is none (runMain fills it in).
	console string
}

// consoleCommand names the console command that does what a tool command
// does, where the names differ; the operator's table is the same on both.
var consoleCommand = map[string]string{"list": "recordings", "verify": "selftest", "passwd": "passwd", "selftest": "selftest"}

// consoleFor returns the console's command for the tool's command name.
func consoleFor(name string) string {
	if c, ok := consoleCommand[name]; ok {
		return c
	}
	for _, c := range operator.Commands() {
		if c.Name == name {
			return name
		}
	}
	return ""
}

func (e *inUseError) Error() string {
	cmds := "its status, recordings, report … commands"
	if e.console != "" {
		cmds = "its " + e.console + " command"
	}
	return fmt.Sprintf("the data directory %s is in use by fairrecd: use the console (%s), or stop fairrecd first", e.dir, cmds)
}

func (e *inUseError) Unwrap() error { return e.err }

// inUse turns a lock that did not come free into an inUseError naming dir;
// other errors pass unchanged.
func inUse(dir string, err error) error {
	var iu *inUseError
	if err == nil || errors.As(err, &iu) || !errors.Is(err, vault.ErrInUse) && !errors.Is(err, audit.ErrLocked) {
		return err
	}
	return &inUseError{dir: dir, err: err}
}
