package main

import (
	"io"
	"strings"

	"fairrec/firmware/datadir"
	"fairrec/firmware/operator"
	"fairrec/storage/audit"
)

// The operator's requests are firmware/operator's table, the one the
// daemon's console runs: same arguments, same output, same audit entries.
// The tool adds only how it finds the data directory (--data, --key,
// --passphrase-file, --purposes), which may stand anywhere on the line.
func init() {
	for _, c := range operator.Commands() {
		summary := c.Summary
		if c.Name == "audit" {
			summary = "verify (as the console does) or export the tamper-evident audit log"
		}
		register(c.Name, summary, func(args []string, _ io.Reader, stdout, stderr io.Writer) error {
			if c.Name == "audit" && len(args) > 0 && args[0] == "export" {
				// The log as JSON lines: the tool's alone (a console
				// line is no place for a whole log).
				return runAuditExport(args[1:], stdout, stderr)
			}
			return runOperator(c, args, stdout, stderr)
		})
	}
}

// dataFlags are the tool's own flags of the shared commands; true: takes a
// value.
var dataFlags = map[string]bool{"data": true, "key": true, "passphrase-file": true, "purposes": true}

// splitDataFlags takes the tool's data-directory flags out of args and
// leaves the command's own arguments and flags in order.
func splitDataFlags(args []string) (mine, rest []string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return mine, append(rest, args[i:]...)
		}
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || !dataFlags[name] {
			rest = append(rest, a)
			continue
		}
		mine = append(mine, a)
		if !hasValue && i+1 < len(args) {
			i++
			mine = append(mine, args[i])
		}
	}
	return mine, rest
}

func runOperator(c operator.Command, args []string, stdout, stderr io.Writer) (err error) {
	mine, rest := splitDataFlags(args)
	fs := newFlags(c.Name, stderr)
	pf := addPolicyFlags(fs)
	if _, err := parseFlags(fs, mine); err != nil {
		return err
	}
	mode, run, err := c.Parse(rest)
	if err != nil {
		return usageErr{err}
	}
	env := operator.Env{Clock: policyClock, Actor: toolActor, LogPath: audit.PathIn(*pf.data), KeyPath: pf.keyPath(),
		Config: operator.ConfigEnv{Purposes: datadir.PurposesPath(*pf.data, *pf.purposes)}}
	switch mode {
	case operator.ModeRules:
		if env.Rules, err = pf.rules(); err != nil {
			return err
		}
	case operator.ModeAudit:
		key, err := auditKey(pf.vaultFlags)
		if err != nil {
			return err
		}
		anchor, err := auditAnchor(pf.vaultFlags, key)
		if err != nil {
			return err
		}
		if anchor != nil {
			defer anchor.Close()
		}
		if env.Log, err = auditOpen(*pf.data, key, anchor); err != nil {
			return err
		}
		defer env.Log.Close()
	default:
		s, err := pf.open(true, mode == operator.ModeRead)
		if err != nil {
			return err
		}
		defer closeSession(s, &err)
		s.warnClock(stderr)
		env.Rules, env.Engine, env.Vault, env.Keeper, env.Log = s.d.Rules, s.e, s.v, s.k, s.log
	}
	return run(env, stdout)
}

// usageErr marks an operator usage mistake as the tool's own (exit 2).
type usageErr struct{ err error }

func (u usageErr) Error() string   { return u.err.Error() }
func (u usageErr) Unwrap() []error { return []error{u.err, errUsage} }
