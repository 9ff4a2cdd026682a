package main

import (
	"io"
	"testing"
)

func TestVersionFlag(t *testing.T) {
	for _, args := range [][]string{{"--version"}, {"--version", "--board", "rpi4-4line"}} {
		if code := runMain(args, io.Discard); code != 0 {
			t.Errorf("%q exits %d, want 0", args, code)
		}
	}
}
