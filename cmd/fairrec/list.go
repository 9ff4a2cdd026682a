package main

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"fairrec/firmware/console"
	"fairrec/storage/vault"
)

func init() {
	register("list", "list recordings (--json for one JSON object per line)", runList)
}

func runList(args []string, _ io.Reader, stdout, stderr io.Writer) (err error) {
	fs := newFlags("list", stderr)
	vf := addVaultFlags(fs)
	asJSON := fs.Bool("json", false, "print one JSON object per recording and line")
	line := fs.Int("line", 0, "only this line")
	caller := fs.String("caller", "", "only this caller's number")
	from := fs.String("from", "", "only recordings started at or after this time (RFC 3339)")
	to := fs.String("to", "", "only recordings started before this time (RFC 3339)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("%w: unexpected arguments %q", errUsage, pos)
	}
	q := vault.Query{Caller: *caller}
	if *line != 0 {
		q.Lines = []int{*line}
	}
	for _, t := range []struct {
		s   string
		dst *time.Time
	}{{*from, &q.From}, {*to, &q.To}} {
		if t.s == "" {
			continue
		}
		if *t.dst, err = time.Parse(time.RFC3339, t.s); err != nil {
			return fmt.Errorf("%w: %v", errUsage, err)
		}
	}
	v, err := vf.open()
	if err != nil {
		return err
	}
	defer vf.closeVault(v, &err)
	infos, err := v.List(q)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		for _, in := range infos {
			if err := enc.Encode(in); err != nil {
				return err
			}
		}
		return nil
	}
	// The console's table (its recordings command), with the callers:
	// one writer, so that the two never drift apart.
	return console.WriteRecordings(stdout, console.FromVault(infos), true)
}
