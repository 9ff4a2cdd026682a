package audio

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOpenErrors checks that a misconfigured device fails Open with one
// message an installer can act on: what was asked, and what exists.
func TestOpenErrors(t *testing.T) {
	tests := []struct {
		name  string
		j     job
		want  []string // substrings of the child's error
		short bool     // also run by -short; TestChoose covers the rest in-process
	}{
		{"missing input", job{Input: "UMC1820", Output: "out", InputChannels: 1, OutputChannels: 1, Rate: 8000},
			[]string{`input device "UMC1820" not found`, "no such audio device", `"line1"`, `"line2"`, `"out"`, `"default"`}, true},
		{"missing output", job{Input: "line1", Output: "speaker", InputChannels: 1, OutputChannels: 1, Rate: 8000},
			[]string{`output device "speaker" not found`, "no such audio device", `"line1"`}, false},
		{"ambiguous substring", job{Input: "line", Output: "out", InputChannels: 1, OutputChannels: 1, Rate: 8000},
			[]string{`"line" is ambiguous`, `"line1"`, `"line2"`}, false},
		{"too many channels", job{Input: "line1", Output: "out", InputChannels: 200, OutputChannels: 1, Rate: 8000},
			[]string{`"line1" has 128 input channels, 200 needed`, "no such audio device"}, false},
		{"negative channels", job{InputChannels: -1, Rate: 8000}, []string{"negative channel count"}, false},
		{"impossible rate", job{Input: "line1", Output: "out", InputChannels: 1, OutputChannels: 1, Rate: 1},
			[]string{"audio: open", `1 ch from "line1"`, "1 Hz"}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if testing.Short() && !tc.short {
				t.Skip("-short")
			}
			t.Parallel()
			dir := t.TempDir()
			in := filepath.Join(dir, "in.raw")
			if err := os.WriteFile(in, make([]byte, 3200), 0o644); err != nil {
				t.Fatal(err)
			}
			fc := FileConfig{Devices: []FileDevice{
				{Name: "line1", In: in}, {Name: "line2", In: in}, {Name: "out", Out: filepath.Join(dir, "out.raw")},
			}}
			tc.j.Frames, tc.j.Chunk = 160, 160
			stderr, ok := childWith(t, dir, tc.j, fc)
			if ok {
				t.Fatalf("Open succeeded, want an error containing %q", tc.want)
			}
			// JACK's probe writes its own lines; the driver's error is one.
			if n := strings.Count(stderr, "child: "); n != 1 || strings.Count(stderr[strings.Index(stderr, "child: "):], "\n") != 1 {
				t.Errorf("want one error line from the driver:\n%s", stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("error lacks %q:\n%s", w, stderr)
				}
			}
		})
	}
}

// TestDeviceVanishes unplugs a real device mid-stream: the playback file
// is a pipe into a command that exits after 1600 frames, so ALSA's writes
// fail (EPIPE, reported as a host I/O error) exactly as they do when a USB
// interface disappears. The child checks the error is ErrDeviceGone and
// sticks, and that Close still succeeds.
func TestDeviceVanishes(t *testing.T) {
	dir := t.TempDir()
	sink := filepath.Join(dir, "sink.raw")
	fc := FileConfig{Devices: []FileDevice{{Name: "usb", Out: "|head -c 3200 >" + sink}}}
	// More than a pipe buffer (64 KiB) beyond what head reads, so the
	// failure cannot depend on scheduling.
	j := job{Output: "usb", OutputChannels: 1, Rate: 8000, Frames: 80000, ExpectGone: true}
	stderr, ok := childWith(t, dir, j, fc)
	if !ok {
		t.Fatalf("child failed:\n%s", stderr)
	}
	// Usually "ALSA host error -5: Input/output error"; under load PortAudio
	// sometimes keeps no details of the host error.
	if !strings.Contains(stderr, "audio: write: audio device gone: ") || !strings.Contains(stderr, "host error") {
		t.Errorf("error does not name the operation, sentinel and host error:\n%s", stderr)
	}
	if got, err := os.ReadFile(sink); err != nil || len(got) != 3200 {
		t.Errorf("the device took %d bytes (%v) before vanishing, want 3200", len(got), err)
	}
}
