package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

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
	tw := tabwriter.NewWriter(stdout, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tLINE\tSTART\tDURATION\tSTATE\tCALLER\tPURPOSES")
	for _, in := range infos {
		if in.Tampered {
			fmt.Fprintf(tw, "%v\t\t\t\tTAMPERED\t\t\n", in.ID)
			continue
		}
		var ps []string
		for _, g := range in.Grants {
			ps = append(ps, g.Purpose+" until "+g.Deadline.Format(time.DateOnly))
		}
		start := in.Start.Format(time.RFC3339)
		if in.Approximate {
			start = "~" + start
		}
		fmt.Fprintf(tw, "%v\t%d\t%s\t%v\t%v\t%s\t%s\n", in.ID, in.Line, start, in.Duration.Round(time.Second), in.State, in.Caller, strings.Join(ps, ", "))
	}
	return tw.Flush()
}
