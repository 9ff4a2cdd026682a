package main

import (
	"fmt"
	"io"

	"fairrec/storage/vault"
)

func init() {
	register("contract", "contract ref ID REF | contract completed REF", runContract)
}

const contractUsage = `usage:
  fairrec contract ref [--data DIR] ID REF     attach an agreement's reference to a recording
  fairrec contract completed [--data DIR] REF  the agreement is completed: keep its recordings 30 more days (per the purposes)`

func runContract(args []string, _ io.Reader, stdout, stderr io.Writer) (err error) {
	fs := newFlags("contract", stderr)
	pf := addPolicyFlags(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return fmt.Errorf("%w: %s", errUsage, contractUsage)
	}
	var run func(s *policySession) (string, error)
	switch {
	case pos[0] == "ref" && len(pos) == 3:
		id, err := vault.ParseID(pos[1])
		if err != nil {
			return fmt.Errorf("%w: %v", errUsage, err)
		}
		run = func(s *policySession) (string, error) {
			r, err := s.e.SetReference(id, pos[2], toolActor)
			return r.Text, err
		}
	case len(pos) == 2 && pos[0] != "ref":
		// Any event a purpose waits for: "completed" in the defaults.
		run = func(s *policySession) (string, error) {
			r, err := s.e.Event(pos[0], pos[1], toolActor)
			return r.Text, err
		}
	default:
		return fmt.Errorf("%w: %s", errUsage, contractUsage)
	}
	s, err := pf.open(true, false)
	if err != nil {
		return err
	}
	defer closeSession(s, &err)
	s.warnClock(stderr)
	text, err := run(s)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, text)
	return nil
}
