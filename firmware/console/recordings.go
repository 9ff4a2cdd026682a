package console

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"fairrec/firmware/auth"
	"fairrec/storage/vault"
)

// CallerLister is a System that can show the callers' numbers, for
// `recordings --callers`. The console asks it only for a logged-in
// supervisor; it must audit that by whom it was shown them.
type CallerLister interface {
	// RecordingsWithCallers is Recordings with Caller filled in, shown
	// to role.
	RecordingsWithCallers(role auth.Role) ([]Recording, error)
}

// FromVault makes the rows of the recordings table from the vault's
// answer, with each caller's number (WriteRecordings shows it only when
// asked): the console and `fairrec list` show the same rows this way.
func FromVault(infos []vault.Info) []Recording {
	recs := make([]Recording, 0, len(infos))
	for _, in := range infos {
		r := Recording{ID: in.ID.String(), Line: in.Line, Start: in.Start, Duration: in.Duration,
			Sealed: in.State != vault.StateOpen, State: in.State.String(), Approximate: in.Approximate, Caller: in.Caller}
		if in.Tampered {
			recs = append(recs, Recording{ID: in.ID.String(), State: "TAMPERED"})
			continue
		}
		for _, g := range in.Grants {
			r.Purposes = append(r.Purposes, g.Purpose+" until "+g.Deadline.UTC().Format(time.DateOnly))
		}
		recs = append(recs, r)
	}
	return recs
}

// WriteRecordings writes the recordings table: id, line, start ("~" when
// approximate), duration, state, the caller's number when callers is set,
// and the purposes in force with their deadlines; then how many. A
// tampered record shows only its id: nothing else in it can be trusted.
func WriteRecordings(w io.Writer, recs []Recording, callers bool) error {
	if len(recs) == 0 {
		_, err := fmt.Fprintln(w, "no recordings")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	caller := func(s string) string {
		if !callers {
			return ""
		}
		return orNone(s) + "\t"
	}
	fmt.Fprintf(tw, "ID\tLINE\tSTART\tDURATION\tSTATE\t%sPURPOSES\n", caller("CALLER"))
	for _, r := range recs {
		state := r.State
		switch {
		case state == "TAMPERED":
			fmt.Fprintf(tw, "%s\t\t\t\t%s\t%s\n", r.ID, state, caller("-"))
			continue
		case state != "":
		case r.Sealed:
			state = "sealed"
		default:
			state = "open"
		}
		start := r.Start.UTC().Format(time.RFC3339)
		if r.Approximate {
			start = "~" + start
		}
		purposes := strings.Join(r.Purposes, ", ")
		if purposes == "" {
			purposes = "-" // none in force: erased soon, or only held
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s%s\n", r.ID, r.Line, start, r.Duration.Round(100*time.Millisecond), state, caller(r.Caller), purposes)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "%d recordings\n", len(recs))
	return err
}

// recordingsCommand runs recordings [--callers]. The callers' numbers are
// personal data: shown only to a supervisor who asks (an installer sets
// the box up and has no need of them), and audited by the System.
func (c *Console) recordingsCommand(w io.Writer, args []string) error {
	callers := false
	switch {
	case len(args) == 1 && args[0] == "--callers":
		callers = true
	case len(args) > 0:
		return fmt.Errorf("usage: recordings [--callers] (got %q)", clip(strings.Join(args, " "), 32))
	}
	if !callers {
		recs, err := c.cfg.System.Recordings()
		if err != nil {
			return err
		}
		return WriteRecordings(w, recs, false)
	}
	r, _ := c.Role()
	if r != auth.Supervisor {
		return fmt.Errorf("--callers: only the supervisor is shown callers' numbers (logged in as %s)", r)
	}
	cl, ok := c.cfg.System.(CallerLister)
	if !ok {
		return errors.New("--callers: this console cannot show callers")
	}
	recs, err := cl.RecordingsWithCallers(r)
	if err != nil {
		return err
	}
	return WriteRecordings(w, recs, true)
}
