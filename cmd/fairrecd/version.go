package main

import (
	"errors"
	"fmt"
	"io"

	"fairrec/internal/version"
)

// errVersion is parseArgs's answer to --version: print it and exit 0.
var errVersion = errors.New("version requested")

// printVersion prints the --version line.
func printVersion(w io.Writer) {
	fmt.Fprintln(w, "fairrecd", version.Read())
}
