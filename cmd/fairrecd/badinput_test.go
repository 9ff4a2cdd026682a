package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"periph.io/x/conn/v3/gpio/gpioreg"
	"periph.io/x/host/v3"

	"fairrec/board"
	"fairrec/storage/vault"
)

// TestBadInput runs the daemon with one thing wrong at a time: each must
// end promptly with a non-zero status and one line that names the problem,
// never a panic or a hang.
func TestBadInput(t *testing.T) {
	if testing.Short() {
		t.Skip("runs in the full run, on the real binary")
	}
	scenario := writeTwoCalls(t)
	data := dataDir(t)
	tmp := t.TempDir()

	malformed := filepath.Join(tmp, "malformed.toml")
	os.WriteFile(malformed, []byte("rate = 48000\n[[line]]\nevents = [ { at = \"1s\", offhook = true }, { at = \"0.5s\", onhook = true } ]\n"), 0o644)
	garbage := filepath.Join(tmp, "garbage.toml")
	os.WriteFile(garbage, []byte("\x00\xff[[[ not toml"), 0o644)
	aFile := filepath.Join(tmp, "a-file")
	os.WriteFile(aFile, nil, 0o644)
	noKey := filepath.Join(tmp, "nokey")
	sealedKey := filepath.Join(tmp, "sealed.key")
	if err := vault.InitKey(sealedKey, []byte("correct horse")); err != nil {
		t.Fatal(err)
	}
	openKey := filepath.Join(tmp, "open.key") // as a careless copy leaves it
	if err := vault.InitKey(openKey, nil); err != nil {
		t.Fatal(err)
	}
	os.Chmod(openKey, 0o644)
	openPass := filepath.Join(tmp, "open.pass")
	os.WriteFile(openPass, []byte("correct horse\n"), 0o644)
	os.Chmod(openPass, 0o644) // whatever the umask

	tests := []struct {
		name string
		args []string
		code int
		want string // in the error line
		skip func() string
	}{
		{
			name: "missing audio device",
			args: []string{"--board", "sim", "--scenario", scenario, "--data", data, "--console", "none", "--audio-device", "NoSuchCard"},
			code: 1, want: "no such audio device",
		},
		{
			name: "unknown pin",
			args: []string{"--board", board.RPi4Name, "--data", data, "--console", "none"},
			code: 1, want: "unknown pin GPIO5 for line 1 hook sense",
			skip: func() string {
				if _, err := host.Init(); err == nil && gpioreg.ByName("GPIO5") != nil {
					return "this machine has the Raspberry Pi's GPIO5"
				}
				return ""
			},
		},
		{
			name: "scenario out of order",
			args: []string{"--board", "sim", "--scenario", malformed, "--data", data, "--console", "none"},
			code: 1, want: "malformed.toml",
		},
		{
			name: "scenario not TOML",
			args: []string{"--board", "sim", "--scenario", garbage, "--data", data, "--console", "none"},
			code: 1, want: "bad scenario",
		},
		{
			name: "scenario missing",
			args: []string{"--board", "sim", "--scenario", filepath.Join(tmp, "nope.toml"), "--data", data, "--console", "none"},
			code: 1, want: "nope.toml",
		},
		{
			name: "data directory under a file",
			args: []string{"--board", "sim", "--scenario", scenario, "--data", filepath.Join(aFile, "data"), "--console", "none"},
			code: 1, want: "data directory " + filepath.Join(aFile, "data"),
		},
		{
			name: "no key file",
			args: []string{"--board", "sim", "--scenario", scenario, "--data", noKey, "--console", "none"},
			code: 1, want: "fairrec keys init --data " + noKey,
		},
		{
			name: "sealed key without passphrase",
			args: []string{"--board", "sim", "--scenario", scenario, "--data", data, "--key", sealedKey, "--console", "none"},
			code: 1, want: "sealed with a passphrase",
		},
		{
			name: "key file others can read",
			args: []string{"--board", "sim", "--scenario", scenario, "--data", data, "--key", openKey, "--console", "none"},
			code: 1, want: "chmod 400 " + openKey,
		},
		{
			name: "passphrase file others can read",
			args: []string{"--board", "sim", "--scenario", scenario, "--data", data, "--key", sealedKey, "--passphrase-file", openPass, "--console", "none"},
			code: 1, want: "chmod 600 " + openPass,
		},
		{
			name: "console device missing",
			args: []string{"--board", "sim", "--scenario", scenario, "--data", data, "--console", "/dev/ttyNOPE9"},
			code: 1, want: "/dev/ttyNOPE9",
		},
		{
			name: "unknown board",
			args: []string{"--board", "pi5", "--data", data},
			code: 2, want: `board "pi5"`,
		},
		{
			name: "no board",
			args: []string{"--data", data},
			code: 2, want: "--board is required",
		},
		{
			name: "sim without scenario",
			args: []string{"--board", "sim", "--data", data},
			code: 2, want: "--scenario",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.skip != nil {
				if why := tc.skip(); why != "" {
					t.Skip(why)
				}
			}
			res := runDaemon(t, 30*time.Second, tc.args...)
			if res.code != tc.code {
				t.Errorf("exit status %d, want %d; stderr:\n%s", res.code, tc.code, res.stderr)
			}
			// The whole of stderr is one line: drivers/audio keeps the
			// JACK probe's chatter off the terminal.
			ours := strings.Split(strings.TrimSpace(res.stderr), "\n")
			if len(ours) != 1 || !strings.HasPrefix(ours[0], "fairrecd: ") || !strings.Contains(ours[0], tc.want) {
				t.Errorf("want one line \"fairrecd: ...%s...\"; stderr:\n%s", tc.want, res.stderr)
			}
		})
	}
}

// TestHardwareBoardWithoutHardware: told it is a Raspberry Pi on a machine
// without the board's pins, the daemon says in one line which pin it
// expected, and creates no file: not the data directory, not a database.
func TestHardwareBoardWithoutHardware(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	res := runDaemon(t, 60*time.Second, "--board", "rpi4-4line", "--data", data, "--console", "none")
	if res.code != 1 {
		t.Fatalf("exit %d, want 1; stderr:\n%s", res.code, res.stderr)
	}
	lines := strings.Split(strings.TrimSpace(res.stderr), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], "GPIO5") || !strings.Contains(lines[0], "line 1 hook sense") {
		t.Errorf("stderr %q, want one line naming GPIO5, line 1's hook sense", res.stderr)
	}
	if _, err := os.Stat(data); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the data directory was created (%v)", err)
	}
}
