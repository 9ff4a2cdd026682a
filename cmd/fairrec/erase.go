package main

import (
	"fmt"
	"io"

	"fairrec/storage/vault"
)

func init() {
	register("erase", "erase recordings for good (destroys their keys)", runErase)
}

func runErase(args []string, _ io.Reader, stdout, stderr io.Writer) (err error) {
	fs := newFlags("erase", stderr)
	vf := addVaultFlags(fs)
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
	v, err := vf.open()
	if err != nil {
		return err
	}
	defer closeVault(v, &err)
	if err := v.EraseMany(ids); err != nil {
		return err
	}
	for _, id := range ids {
		fmt.Fprintf(stdout, "erased %v\n", id)
	}
	return nil
}
