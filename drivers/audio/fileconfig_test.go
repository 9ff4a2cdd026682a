package audio

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestFileConfigErrors(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.raw")
	if err := os.WriteFile(in, make([]byte, 320), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		fc   FileConfig
		want string
	}{
		{"no devices", FileConfig{}, "no devices"},
		{"missing infile", FileConfig{Devices: []FileDevice{{Name: "line", In: filepath.Join(dir, "nope.raw")}}}, "nope.raw"},
		{"infile is a directory", FileConfig{Devices: []FileDevice{{Name: "line", In: dir}}}, "not a regular file"},
		{"bad name", FileConfig{Devices: []FileDevice{{Name: "line one", In: in}}}, `invalid PCM name "line one"`},
		{"empty name", FileConfig{Devices: []FileDevice{{In: in}}}, "invalid PCM name"},
		{"duplicate", FileConfig{Devices: []FileDevice{{Name: "a", In: in}, {Name: "a"}}}, `duplicate or reserved PCM name "a"`},
		{"reserved", FileConfig{Devices: []FileDevice{{Name: "default", In: in}}}, `"default"`},
		{"newline in path", FileConfig{Devices: []FileDevice{{Name: "out", Out: "a\nb"}}}, "control character"},
		{"unknown default", FileConfig{Devices: []FileDevice{{Name: "out"}}, Capture: "line"}, `default device "line"`},
	} {
		_, err := tc.fc.Bytes()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Bytes() error = %v, want one containing %q", tc.name, err, tc.want)
		}
		if err := tc.fc.Write(filepath.Join(dir, "asoundrc")); err == nil {
			t.Errorf("%s: Write succeeded", tc.name)
		}
	}
	ok := FileConfig{Devices: []FileDevice{{Name: "line", In: in}}}
	for _, p := range []string{filepath.Join(dir, "a b"), filepath.Join(dir, "a:b")} {
		if err := ok.Write(p); err == nil || !strings.Contains(err.Error(), ConfigPathEnv) {
			t.Errorf("Write(%q) = %v, want an error naming %s", p, err, ConfigPathEnv)
		}
	}
}

// TestMissingConfigFile checks that a wrong ALSA_CONFIG_PATH is an error,
// not the SIGABRT PortAudio gives when ALSA has no configuration.
func TestMissingConfigFile(t *testing.T) {
	dir := t.TempDir()
	j, err := json.Marshal(job{InputChannels: 1, Rate: 8000, Frames: 160, Chunk: 160})
	if err != nil {
		t.Fatal(err)
	}
	jobPath := filepath.Join(dir, "job.json")
	if err := os.WriteFile(jobPath, j, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{filepath.Join(dir, "nope"), filepath.Join(dir, "odd dir", "asoundrc")} {
		cmd := childCommand(childEnv+"="+jobPath, ConfigPathEnv+"="+v)
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 3 || !strings.Contains(string(out), "child: audio: initialise PortAudio: "+ConfigPathEnv) {
			t.Errorf("%s=%q: %v, output:\n%s\nwant exit 3 with a clear error", ConfigPathEnv, v, err, out)
		}
	}
}

// TestFileConfigQuoting runs a configuration whose paths need quoting
// through ALSA: a path with a space, a quote and a backslash must reach the
// file plugin intact.
func TestFileConfigQuoting(t *testing.T) {
	top := t.TempDir() // the ALSA config goes here: its path can hold no space
	dir := filepath.Join(top, `odd "dir" \ name`)
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	in := noise(3, 800, 1)
	inPath := filepath.Join(dir, "in put.raw")
	if err := os.WriteFile(inPath, in, 0o644); err != nil {
		t.Fatal(err)
	}
	outPath := filepath.Join(dir, `out"put.raw`)
	j := job{InputChannels: 1, OutputChannels: 1, Rate: 8000, Frames: 800, Chunk: 160, Loop: true,
		Capture: filepath.Join(dir, "captured.raw")}
	// Default devices: the asym default must resolve the quoted names too.
	fc := FileConfig{Devices: []FileDevice{{Name: "line", In: inPath}, {Name: "out", Out: outPath}}}
	if stderr, ok := childWith(t, top, j, fc); !ok {
		t.Fatalf("child failed:\n%s", stderr)
	}
	got, err := os.ReadFile(outPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := sameFrames(got, in, 1); err != nil {
		t.Errorf("looped through quoted paths: %v", err)
	}
}

// TestNoInfileIsSilence checks the documented capture of a FileDevice
// without In: silence, not garbage.
func TestNoInfileIsSilence(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	dir := t.TempDir()
	j := job{Input: "line", InputChannels: 2, Rate: 8000, Frames: 1600, Chunk: 160,
		Capture: filepath.Join(dir, "captured.raw")}
	if stderr, ok := childWith(t, dir, j, FileConfig{Devices: []FileDevice{{Name: "line"}}}); !ok {
		t.Fatalf("child failed:\n%s", stderr)
	}
	got, err := os.ReadFile(j.Capture)
	if err != nil {
		t.Fatal(err)
	}
	if err := sameFrames(got, make([]byte, 2*2*1600), 2); err != nil {
		t.Errorf("captured: %v", err)
	}
}
