package main

import (
	"errors"
	"fmt"
	"io"

	"fairrec/firmware/appliance"
	"fairrec/firmware/auth"
	"fairrec/firmware/console"
	"fairrec/firmware/review"
	"fairrec/storage/audit"
	"fairrec/storage/vault"
)

// newReview makes the supervisor's player on the board's review output,
// reading its playback button as the appliance latches it; the vault, the
// policy and the audit log behind it.
func (d *daemon) newReview(button appliance.Pin) (appliance.Review, error) {
	p, err := review.New(review.Config{
		Rate: d.audio.Rate(),
		// An absent pin is a nil interface: the player then refuses
		// every selection.
		Button: button,
		// The button alone plays the lines the board assigns it (nil:
		// all).
		Lines: d.board.ReviewLines,
		Store: d.vault, Policy: d.policy, Clock: d.keeper,
		Audit: &d.sink, Trail: d.audit, Logger: d.log,
	})
	if err != nil {
		return nil, err
	}
	d.review = p
	return p, nil
}

// reviewCommands is the supervisor's `review` command. The player may be
// nil (a board without a review output).
func reviewCommands(p *review.Player, actor func() audit.Actor) []console.Command {
	return []console.Command{{Name: "review", Args: "[ID|stop]", Role: auth.Supervisor,
		Summary: "select a recording for the playback button; show what plays; stop it",
		Run: func(w io.Writer, args []string) error {
			if p == nil {
				return errors.New("this board has no review output")
			}
			switch {
			case len(args) == 0:
				fmt.Fprintln(w, p.Status())
				return nil
			case len(args) == 1 && args[0] == "stop":
				fmt.Fprintln(w, p.Stop(actor()))
				return nil
			case len(args) == 1:
				id, err := vault.ParseID(args[0])
				if err != nil {
					return fmt.Errorf("%q is not a recording id", clipArg(args[0]))
				}
				msg, err := p.Select(id, actor())
				if err != nil {
					return err
				}
				fmt.Fprintln(w, msg)
				return nil
			}
			return errors.New("usage: review [ID|stop]")
		}}}
}

// clipArg keeps an echoed argument short: a console line can be long.
func clipArg(s string) string {
	if r := []rune(s); len(r) > 24 {
		return string(r[:24]) + "..." // whole characters: never half of one
	}
	return s
}

// sessionEnd drops a review selection not yet played when the console
// session that made it ends.
func (d *daemon) sessionEnd() {
	if d.review != nil {
		d.review.Cancel()
	}
}
