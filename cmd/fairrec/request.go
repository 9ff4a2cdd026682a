package main

import (
	"fmt"
	"io"

	"fairrec/firmware/policy"
)

func init() {
	register("erasure", "erasure request: erase every recording of a caller's number (GDPR art. 17)", runErasure)
	register("access", "subject access request: export a caller's recordings, metadata and audit trail", runAccess)
}

func policyDefaultTOML() []byte { return policy.DefaultTOML() }

func runErasure(args []string, _ io.Reader, stdout, stderr io.Writer) (err error) {
	fs := newFlags("erasure", stderr)
	pf := addPolicyFlags(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("%w: usage: fairrec erasure [--data DIR] NUMBER", errUsage)
	}
	s, err := pf.open(true, false)
	if err != nil {
		return err
	}
	defer closeSession(s, &err)
	s.warnClock(stderr)
	r, err := s.e.EraseCaller(pos[0], toolActor)
	if r.Text != "" {
		fmt.Fprintln(stdout, r.Text)
	}
	return err
}

func runAccess(args []string, _ io.Reader, stdout, stderr io.Writer) (err error) {
	fs := newFlags("access", stderr)
	pf := addPolicyFlags(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return fmt.Errorf("%w: usage: fairrec access [--data DIR] NUMBER OUTDIR", errUsage)
	}
	s, err := pf.open(true, false)
	if err != nil {
		return err
	}
	defer closeSession(s, &err)
	s.warnClock(stderr)
	r, err := s.e.Export(pos[0], pos[1], s.trail(), toolActor)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, r.Text)
	return nil
}
