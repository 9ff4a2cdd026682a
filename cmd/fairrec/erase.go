package main

import (
	"fmt"
	"io"

	"fairrec/storage/audit"
	"fairrec/storage/vault"
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
	if err := ps.v.EraseMany(ids); err != nil {
		return err
	}
	for _, id := range ids {
		// The erase is durable before it is audited: the log never
		// claims an erase that a crash undid.
		if ps.log != nil {
			if err := ps.log.Record(audit.Entry{Actor: toolActor, Action: audit.ActionEraseRequest, Recording: uint64(id)}); err != nil {
				return fmt.Errorf("erased %v, but the audit log refused the entry: %w", id, err)
			}
		}
		fmt.Fprintf(stdout, "erased %v\n", id)
	}
	return nil
}
