package main

import (
	"fmt"
	"io"
)

func init() {
	register("verify", "check the vault: bbolt consistency and every chunk's authentication", runVerify)
}

func runVerify(args []string, _ io.Reader, stdout, stderr io.Writer) (err error) {
	fs := newFlags("verify", stderr)
	vf := addVaultFlags(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("%w: unexpected arguments %q", errUsage, pos)
	}
	v, err := vf.open()
	if err != nil {
		return err
	}
	defer vf.closeVault(v, &err)
	rep, err := v.Verify()
	if err != nil {
		return err
	}
	for _, p := range rep.Problems {
		fmt.Fprintln(stdout, "PROBLEM:", p)
	}
	fmt.Fprintf(stdout, "%d recordings, %d chunks, %d audio bytes checked; %d problems\n", rep.Recordings, rep.Chunks, rep.Bytes, len(rep.Problems))
	if len(rep.Problems) > 0 {
		return fmt.Errorf("%d problems found", len(rep.Problems))
	}
	return nil
}
