package main

import (
	"io"

	"fairrec/firmware/console"
	"fairrec/firmware/operator"
	"fairrec/storage/audit"
)

// requestCommands are the operator's requests (firmware/operator's table,
// the same as the fairrec tool's) on the daemon's open data directory: the
// tool cannot open it while the daemon runs. actor returns who is logged
// in, as the audit log names them: by role, never by name.
func (d *daemon) requestCommands(actor func() audit.Actor) []console.Command {
	var cmds []console.Command
	for _, c := range operator.Commands() {
		cmds = append(cmds, console.Command{Name: c.Name, Args: c.Args, Summary: c.Summary, Role: c.Role, Private: c.Private,
			Run: func(w io.Writer, args []string) error {
				env := operator.Env{Rules: d.policy.Rules(), Engine: d.policy, Vault: d.vault, Keeper: d.keeper, Log: d.audit,
					LogPath: audit.PathIn(d.cfg.Data), KeyPath: d.key, Clock: d.cfg.Clock, Actor: actor(), Config: d.configEnv()}
				return c.Run(env, w, args)
			}})
	}
	return cmds
}
