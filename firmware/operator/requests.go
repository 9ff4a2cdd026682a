package operator

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"fairrec/firmware/auth"
	"fairrec/storage/vault"
)

func parseID(s string) (vault.ID, error) {
	id, err := vault.ParseID(s)
	if err != nil {
		return 0, badArg(fmt.Sprintf("%q is not a recording id", clip(s)))
	}
	return id, nil
}

// clip keeps an echoed argument short: a console line can be long.
func clip(s string) string {
	if r := []rune(s); len(r) > 24 {
		return string(r[:24]) + "..." // whole characters: never half of one
	}
	return s
}

func hold() Command {
	return Command{Name: "hold", Role: auth.Supervisor, Args: "ID REF",
		Summary: "hold a recording for a complaint",
		Parse: func(args []string) (Mode, Run, error) {
			pos, err := positional("hold ID REF", 2, args)
			if err != nil {
				return 0, nil, err
			}
			id, err := parseID(pos[0])
			if err != nil {
				return 0, nil, err
			}
			return ModeWrite, func(env Env, w io.Writer) error {
				r, err := env.Engine.Hold(id, pos[1], env.Actor)
				if err != nil {
					return err
				}
				return printResult(w, r.Text, nil)
			}, nil
		}}
}

func release() Command {
	return Command{Name: "release", Role: auth.Supervisor, Args: "ID",
		Summary: "release a held recording",
		Parse: func(args []string) (Mode, Run, error) {
			pos, err := positional("release ID", 1, args)
			if err != nil {
				return 0, nil, err
			}
			id, err := parseID(pos[0])
			if err != nil {
				return 0, nil, err
			}
			return ModeWrite, func(env Env, w io.Writer) error {
				r, err := env.Engine.Release(id, env.Actor)
				if err != nil {
					return err
				}
				return printResult(w, r.Text, nil)
			}, nil
		}}
}

func contract() Command {
	const usage = "contract ref ID REF | contract EVENT REF (EVENT: completed, or another a purpose waits for)"
	return Command{Name: "contract", Role: auth.Supervisor, Private: true, Args: "ref ID REF | completed REF",
		Summary: "attach an agreement's reference; mark it completed",
		Parse: func(args []string) (Mode, Run, error) {
			pos, err := parse(flag.NewFlagSet("contract", flag.ContinueOnError), usage, args)
			if err != nil {
				return 0, nil, err
			}
			switch {
			case len(pos) == 3 && pos[0] == "ref":
				id, err := parseID(pos[1])
				if err != nil {
					return 0, nil, err
				}
				return ModeWrite, func(env Env, w io.Writer) error {
					r, err := env.Engine.SetReference(id, pos[2], env.Actor)
					if err != nil {
						return err
					}
					return printResult(w, r.Text, nil)
				}, nil
			case len(pos) == 2 && pos[0] != "ref":
				// Any event a purpose waits for: "completed" in the defaults.
				return ModeWrite, func(env Env, w io.Writer) error {
					r, err := env.Engine.Event(pos[0], pos[1], env.Actor)
					if err != nil {
						return err
					}
					return printResult(w, r.Text, nil)
				}, nil
			}
			return 0, nil, usagef("%s", usage)
		}}
}

func clockCommand() Command {
	const usage = "clock [status|confirm]"
	return Command{Name: "clock", Role: auth.Installer, Args: "[status|confirm]",
		Summary: "the time the retention timers trust; confirm it after checking",
		Parse: func(args []string) (Mode, Run, error) {
			pos, err := parse(flag.NewFlagSet("clock", flag.ContinueOnError), usage, args)
			if err != nil {
				return 0, nil, err
			}
			switch {
			case len(pos) == 0, len(pos) == 1 && pos[0] == "status":
				return ModeRead, showClock, nil
			case len(pos) == 1 && pos[0] == "confirm":
				return ModeWrite, func(env Env, w io.Writer) error {
					if err := env.Engine.Confirm(env.Actor); err != nil {
						return err
					}
					return showClock(env, w)
				}, nil
			}
			return 0, nil, usagef("%s", usage)
		}}
}

// showClock shows the system clock beside the trusted lower bound.
func showClock(env Env, w io.Writer) error {
	bound, ok := env.Keeper.Bound()
	state := "trusted"
	if !env.Keeper.Trusted() {
		state = "NOT trusted (retention timers use the lower bound, so nothing is erased early; check the time, then confirm it: clock confirm)"
	}
	if !ok {
		state = "NOT trusted, no lower bound known: nothing is erased until the clock is confirmed"
	}
	fmt.Fprintf(w, "system clock: %s\nlower bound:  %s\nclock is %s\n",
		env.Clock.Now().UTC().Format(time.RFC3339), bound.UTC().Format(time.RFC3339), state)
	return nil
}

func auditCommand() Command {
	return Command{Name: "audit", Role: auth.Supervisor, Args: "verify",
		Summary: "walk the audit log's hash chain and check its signatures",
		Parse: func(args []string) (Mode, Run, error) {
			pos, err := positional("audit verify", 1, args)
			if err == nil && pos[0] != "verify" {
				err = usagef("audit verify (%q is not a subcommand)", clip(pos[0]))
			}
			if err != nil {
				return 0, nil, err
			}
			return ModeAudit, verifyAudit, nil
		}}
}

// verifyAudit walks the chain and says what it checked; a broken chain is
// an error naming the first broken link.
func verifyAudit(env Env, w io.Writer) error {
	if env.Log == nil {
		return fmt.Errorf("audit verify: no audit log at %s", env.LogPath)
	}
	rep, err := env.Log.Verify()
	if err != nil {
		return err
	}
	if rep.Entries == 0 {
		fmt.Fprintf(w, "%s: no entries\n", env.LogPath)
	} else {
		fmt.Fprintf(w, "%s: entries %d..%d (%d) chained intact\n", env.LogPath, rep.First, rep.Last, rep.Entries)
	}
	if cp := rep.Checkpoint; cp != nil {
		fmt.Fprintf(w, "checkpoint: entries up to %d pruned (%d in all), last on %s\n",
			cp.Seq, cp.Pruned, cp.Time.Format(time.RFC3339))
	}
	if rep.Signed {
		fmt.Fprintf(w, "signatures: checkpoint and head verified with %s\n", env.KeyPath)
	} else {
		fmt.Fprintf(w, "signatures: NOT checked (no key file %s): removal at the end or a forged checkpoint would go unnoticed\n", env.KeyPath)
	}
	return nil
}

// toFile runs write on w, or on the file path when path is set (created
// or replaced, as a shell's > does; a report holds no personal data), and
// says where it went.
func toFile(w io.Writer, path string, write func(io.Writer) error) (err error) {
	if path == "" {
		return write(w)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	bw := bufio.NewWriter(f)
	if err := write(bw); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "report written to %s\n", path)
	return nil
}
