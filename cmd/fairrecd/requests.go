package main

import (
	"errors"
	"fmt"
	"io"
	"time"

	"fairrec/firmware/auth"
	"fairrec/firmware/console"
	"fairrec/firmware/policy"
	"fairrec/storage/audit"
	"fairrec/storage/vault"
)

// requestCommands are the console's commands for the requests of the people
// recorded, supervisors' holds, the compliance report and the audit check:
// the same operations as the fairrec tool's, on the daemon's open vault and
// log (the tool cannot open them while the daemon runs). actor returns who
// is logged in, as the audit log names them: by role, never by name.
//
// Who may run what (the console asks for a login first):
//
//	report, register, audit verify         supervisor: read-only, what a regulator asks for
//	erasure, access                        supervisor: the requests of the people recorded
//	hold, release, contract                supervisor: complaints and agreements
//	clock [confirm]                        installer: confirming the time decides when recordings are erased
//
// The installer may run every command.
func requestCommands(eng *policy.Engine, log *audit.Log, actor func() audit.Actor) []console.Command {
	result := func(w io.Writer, r policy.Result, err error) error {
		if err != nil {
			return err
		}
		fmt.Fprintln(w, r.Text)
		return nil
	}
	parseID := func(s string) (vault.ID, error) {
		id, err := vault.ParseID(s)
		if err != nil {
			return 0, fmt.Errorf("%q is not a recording id", s)
		}
		return id, nil
	}
	usage := func(u string) error { return errors.New("usage: " + u) }
	return []console.Command{
		{Name: "report", Role: auth.Supervisor, Args: "[text|json|html] [SINCE]", Summary: "compliance report per purpose (since a date, default 30 days)",
			Run: func(w io.Writer, args []string) error {
				format, from := "text", time.Time{}
				for _, a := range args {
					switch a {
					case "text", "json", "html":
						format = a
					default:
						t, err := time.Parse(time.DateOnly, a)
						if err != nil {
							return usage("report [text|json|html] [YYYY-MM-DD]")
						}
						from = t
					}
				}
				if from.IsZero() {
					now, _ := eng.Now()
					from = now.AddDate(0, 0, -30)
				}
				rep, err := eng.Report(log, from)
				if err != nil {
					return err
				}
				switch format {
				case "json":
					return rep.WriteJSON(w)
				case "html":
					return rep.WriteHTML(w)
				}
				return rep.WriteText(w)
			}},
		{Name: "register", Role: auth.Supervisor, Summary: "record of processing activities (GDPR art. 30)",
			Run: func(w io.Writer, args []string) error {
				if len(args) > 0 {
					return usage("register")
				}
				return eng.Rules().WriteRegister(w)
			}},
		{Name: "erasure", Role: auth.Supervisor, Private: true, Args: "NUMBER", Summary: "erase every recording of a caller (GDPR art. 17)",
			Run: func(w io.Writer, args []string) error {
				if len(args) != 1 {
					return usage("erasure NUMBER")
				}
				r, err := eng.EraseCaller(args[0], actor())
				return result(w, r, err)
			}},
		{Name: "access", Role: auth.Supervisor, Private: true, Args: "NUMBER DIR", Summary: "export a caller's recordings, metadata and audit trail (GDPR art. 15)",
			Run: func(w io.Writer, args []string) error {
				if len(args) != 2 {
					return usage("access NUMBER DIR")
				}
				r, err := eng.Export(args[0], args[1], log, actor())
				return result(w, r, err)
			}},
		{Name: "hold", Role: auth.Supervisor, Args: "ID REF", Summary: "hold a recording for a complaint",
			Run: func(w io.Writer, args []string) error {
				if len(args) != 2 {
					return usage("hold ID REF")
				}
				id, err := parseID(args[0])
				if err != nil {
					return err
				}
				r, err := eng.Hold(id, args[1], actor())
				return result(w, r, err)
			}},
		{Name: "release", Role: auth.Supervisor, Args: "ID", Summary: "release a held recording",
			Run: func(w io.Writer, args []string) error {
				if len(args) != 1 {
					return usage("release ID")
				}
				id, err := parseID(args[0])
				if err != nil {
					return err
				}
				r, err := eng.Release(id, actor())
				return result(w, r, err)
			}},
		{Name: "contract", Role: auth.Supervisor, Private: true, Args: "ref ID REF | completed REF", Summary: "attach an agreement's reference; mark it completed",
			Run: func(w io.Writer, args []string) error {
				switch {
				case len(args) == 3 && args[0] == "ref":
					id, err := parseID(args[1])
					if err != nil {
						return err
					}
					r, err := eng.SetReference(id, args[2], actor())
					return result(w, r, err)
				case len(args) == 2 && args[0] == "completed":
					r, err := eng.Event("completed", args[1], actor())
					return result(w, r, err)
				}
				return usage("contract ref ID REF | contract completed REF")
			}},
		{Name: "clock", Args: "[confirm]", Summary: "the time the retention timers trust; confirm it after checking",
			Run: func(w io.Writer, args []string) error {
				switch {
				case len(args) == 1 && args[0] == "confirm":
					if err := eng.Confirm(actor()); err != nil {
						return err
					}
				case len(args) != 0:
					return usage("clock [confirm]")
				}
				now, trusted := eng.Now()
				state := "trusted"
				if !trusted {
					state = "NOT trusted: nothing is erased early; check the time and type clock confirm"
				}
				fmt.Fprintf(w, "lower bound of the time: %s (%s)\n", now.UTC().Format(time.RFC3339), state)
				return nil
			}},
		{Name: "audit", Role: auth.Supervisor, Args: "verify", Summary: "walk the audit log's hash chain",
			Run: func(w io.Writer, args []string) error {
				if len(args) != 1 || args[0] != "verify" {
					return usage("audit verify")
				}
				rep, err := log.Verify()
				if err != nil {
					return err
				}
				fmt.Fprintf(w, "audit log: entries %d..%d (%d) chained intact", rep.First, rep.Last, rep.Entries)
				if rep.Signed {
					fmt.Fprintln(w, "; checkpoint and head signatures verified")
				} else {
					fmt.Fprintln(w, "; signatures NOT checked (no key)")
				}
				return nil
			}},
	}
}
