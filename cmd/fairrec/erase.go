package main

import (
	"fmt"
	"io"

	"fairrec/storage/vault"
	"fairrec/storage/vaultevent"
)

func init() {
	register("erase", "erase recordings for good (destroys their keys)", runErase)
}

func runErase(args []string, _ io.Reader, stdout, stderr io.Writer) (err error) {
	fs := newFlags("erase", stderr)
	pf := addPolicyFlags(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return fmt.Errorf("%w: usage: fairrec erase [--data DIR] [--key FILE] ID [ID ...]", errUsage)
	}
	ids := make([]vault.ID, len(pos))
	for i, p := range pos {
		if ids[i], err = vault.ParseID(p); err != nil {
			return fmt.Errorf("%w: %v", errUsage, err)
		}
	}
	ps, err := pf.open(true, false)
	if err != nil {
		return err
	}
	defer closeSession(ps, &err)
	// The vault owes each recording's erase entry from the transaction
	// that marks the erase, before anything is destroyed, and writes it
	// into the log (the session's journal) before EraseWhy returns: a kill
	// at any moment leaves the entry written or owed to the next open.
	why := vault.Why{Cause: vault.CauseRequest, Actor: vaultevent.ActorString(toolActor)}
	if err := ps.v.EraseWhy(ids, why); err != nil {
		return err
	}
	if n, err := ps.v.Owed(); err != nil || n > 0 {
		return fmt.Errorf("erased %v, but %d audit entries are not yet written (written at the next open): %v", ids, n, err)
	}
	for _, id := range ids {
		fmt.Fprintf(stdout, "erased %v\n", id)
	}
	return nil
}
