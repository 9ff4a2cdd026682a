package main

import (
	"fmt"
	"io"
)

func init() {
	register("register", "record of processing activities (GDPR art. 30) from the purposes", runRegister)
}

func runRegister(args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("register", stderr)
	pf := addPolicyFlags(fs)
	defaults := fs.Bool("print-defaults", false, "print the shipped purposes file (to start a "+PurposesFile+" from)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("%w: unexpected arguments %q", errUsage, pos)
	}
	if *defaults {
		_, err := stdout.Write(policyDefaultTOML())
		return err
	}
	rules, err := pf.rules()
	if err != nil {
		return err
	}
	return rules.WriteRegister(stdout)
}
