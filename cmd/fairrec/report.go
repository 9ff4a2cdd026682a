package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"time"
)

func init() {
	register("report", "compliance report per purpose (--format text|json|html)", runReport)
}

func runReport(args []string, _ io.Reader, stdout, stderr io.Writer) (err error) {
	fs := newFlags("report", stderr)
	pf := addPolicyFlags(fs)
	format := fs.String("format", "text", "text, json or html (one self-contained printable page)")
	days := fs.Int("days", 30, "the period: the last N days")
	since := fs.String("since", "", "the period starts at this date (YYYY-MM-DD, UTC) instead")
	out := fs.String("o", "", "write to this file instead of standard output")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("%w: unexpected arguments %q", errUsage, pos)
	}
	if *format != "text" && *format != "json" && *format != "html" {
		return fmt.Errorf("%w: --format %q: want text, json or html", errUsage, *format)
	}
	if *days <= 0 {
		return fmt.Errorf("%w: --days must be positive", errUsage)
	}
	s, err := pf.open(true, true)
	if err != nil {
		return err
	}
	defer closeSession(s, &err)
	s.warnClock(stderr)
	from := s.k.Now().Add(-time.Duration(*days) * 24 * time.Hour)
	if *since != "" {
		if from, err = time.Parse(time.DateOnly, *since); err != nil {
			return fmt.Errorf("%w: --since %q: want YYYY-MM-DD", errUsage, *since)
		}
	}
	rep, err := s.e.Report(s.trail(), from)
	if err != nil {
		return err
	}
	w := stdout
	var f *os.File
	if *out != "" {
		if f, err = os.Create(*out); err != nil {
			return err
		}
		defer func() {
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}()
	}
	if f != nil {
		w = f
	}
	bw := bufio.NewWriter(w)
	switch *format {
	case "json":
		err = rep.WriteJSON(bw)
	case "html":
		err = rep.WriteHTML(bw)
	default:
		err = rep.WriteText(bw)
	}
	if err != nil {
		return err
	}
	return bw.Flush()
}
