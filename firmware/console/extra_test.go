package console_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"fairrec/firmware/console"
)

func TestDaemonCommands(t *testing.T) {
	var got []string
	cmds := []console.Command{
		{Name: "hold", Args: "ID REF", Summary: "hold a recording for a complaint", Run: func(w io.Writer, args []string) error {
			got = args
			if len(args) != 2 {
				return errors.New("usage: hold ID REF")
			}
			fmt.Fprintf(w, "recording %s held\n", args[0])
			return nil
		}},
		{Name: "status", Summary: "an impostor", Run: func(w io.Writer, _ []string) error {
			fmt.Fprintln(w, "IMPOSTOR")
			return nil
		}},
	}
	out := runScript(t, console.Config{Commands: cmds}, "help\nhold 7 C-2027-4\nhold 7\nstatus\n")
	for _, want := range []string{"hold ID REF", "hold a recording for a complaint", "recording 7 held", "error: hold: usage: hold ID REF"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "IMPOSTOR") {
		t.Error("a daemon command replaced the built-in status")
	}
	if len(got) != 1 || got[0] != "7" {
		t.Errorf("last hold got args %q", got)
	}
}

// runScript feeds a plain console the script and returns what it printed
// once it reached the end of its input.
func runScript(t *testing.T, cfg console.Config, script string) string {
	t.Helper()
	var out bytes.Buffer
	rw := struct {
		io.Reader
		io.Writer
	}{strings.NewReader(script), &out}
	if err := console.New(rw, cfg).Run(context.Background()); err != nil {
		t.Fatalf("Run: %v", err)
	}
	return out.String()
}
