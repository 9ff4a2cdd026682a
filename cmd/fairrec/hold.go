package main

import (
	"fmt"
	"io"

	"fairrec/storage/vault"
)

func init() {
	register("hold", "hold a recording for a complaint: hold ID REF", runHold)
	register("release", "release a held recording: release ID", runRelease)
}

func runHold(args []string, _ io.Reader, stdout, stderr io.Writer) (err error) {
	fs := newFlags("hold", stderr)
	pf := addPolicyFlags(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return fmt.Errorf("%w: usage: fairrec hold [--data DIR] ID REF", errUsage)
	}
	id, err := vault.ParseID(pos[0])
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	s, err := pf.open(true, false)
	if err != nil {
		return err
	}
	defer closeSession(s, &err)
	s.warnClock(stderr)
	r, err := s.e.Hold(id, pos[1], toolActor)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, r.Text)
	return nil
}

func runRelease(args []string, _ io.Reader, stdout, stderr io.Writer) (err error) {
	fs := newFlags("release", stderr)
	pf := addPolicyFlags(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("%w: usage: fairrec release [--data DIR] ID", errUsage)
	}
	id, err := vault.ParseID(pos[0])
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	s, err := pf.open(true, false)
	if err != nil {
		return err
	}
	defer closeSession(s, &err)
	s.warnClock(stderr)
	r, err := s.e.Release(id, toolActor)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, r.Text)
	return nil
}
