package main

import (
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseArgs(t *testing.T) {
	tests := []struct {
		args    []string
		want    Config
		wantErr bool
	}{
		{
			args: []string{"--board", "sim", "--scenario", "s.toml", "--data", "d", "--realtime", "--console", "stdio"},
			want: Config{Board: "sim", Scenario: "s.toml", Data: "d", Realtime: true, Console: "stdio", LogLevel: "info"},
		},
		{
			args: []string{"--board=rpi4-4line", "--data=/srv/rec", "--key=/media/usb/fairrec.key", "--audio-device", "UMC", "--exit-when-done"},
			want: Config{Board: "rpi4-4line", Data: "/srv/rec", Key: "/media/usb/fairrec.key", AudioDevice: "UMC", ExitWhenDone: true, LogLevel: "info"},
		},
		{args: []string{"--data", "d"}, wantErr: true},               // no board
		{args: []string{"--board", "sim", "extra"}, wantErr: true},   // positional
		{args: []string{"--board", "sim", "--bogus"}, wantErr: true}, // unknown flag
		{args: []string{"--board", "sim", "--realtime=maybe"}, wantErr: true},
	}
	for _, tc := range tests {
		got, err := parseArgs(tc.args, io.Discard)
		if (err != nil) != tc.wantErr {
			t.Errorf("parseArgs(%q) error %v, want error %v", tc.args, err, tc.wantErr)
			continue
		}
		if err == nil {
			if diff := cmp.Diff(tc.want, got, cmp.FilterPath(func(p cmp.Path) bool { return p.String() == "Stderr" || p.String() == "Clock" }, cmp.Ignore())); diff != "" {
				t.Errorf("parseArgs(%q) (-want +got):\n%s", tc.args, diff)
			}
		}
	}
	if _, err := parseArgs([]string{"-h"}, io.Discard); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: %v, want flag.ErrHelp", err)
	}
}

func TestRunMainExitCodes(t *testing.T) {
	if code := runMain([]string{"-h"}, io.Discard); code != 0 {
		t.Errorf("-h exits %d, want 0", code)
	}
	if code := runMain([]string{"--nope"}, io.Discard); code != 2 {
		t.Errorf("unknown flag exits %d, want 2", code)
	}
}

// TestDefaultData: ./var in a source checkout, the appliance's directory
// elsewhere.
func TestDefaultData(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if got := defaultData(); got != "/var/lib/fairrec" {
		t.Errorf("outside a checkout: %q, want /var/lib/fairrec", got)
	}
	for _, marker := range []string{"go.mod", ".git"} {
		sub := filepath.Join(dir, marker+"-checkout")
		os.MkdirAll(filepath.Join(sub, marker), 0o755)
		t.Chdir(sub)
		if got := defaultData(); got != "var" {
			t.Errorf("with %s: %q, want var", marker, got)
		}
	}
}
