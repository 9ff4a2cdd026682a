package audio

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
)

// ConfigPathEnv is the environment variable through which ALSA (and so
// PortAudio) reads the configuration a [FileConfig] writes. It must be set
// before the process's first [Open] or [Devices].
const ConfigPathEnv = "ALSA_CONFIG_PATH"

// FileDevice is one ALSA file PCM: a sound "card" whose capture reads raw
// frames from In and whose playback writes raw frames to Out. Frames are
// S16_LE with channels interleaved, at whatever rate and channel count the
// stream opens it with; the device runs as fast as it is read and written.
type FileDevice struct {
	// Name is the PCM name, which is the PortAudio device name: letters,
	// digits, '_' and '-'.
	Name string
	// In is the file capture reads. Empty: capture yields silence (read
	// from /dev/zero: a file PCM without an infile captures whatever the
	// null slave's buffer held, which is not silence). When In ends,
	// capture repeats its last period forever.
	In string
	// Out is the file playback writes. Empty: /dev/null. An Out starting
	// with '|' is a shell command ALSA starts (popen) and feeds the frames
	// to; when the command exits, playback fails the way an unplugged
	// device does, with [ErrDeviceGone]. Each stream open
	// truncates it: a process that opens several streams in turn keeps
	// only the last one's output (ALSA's "truncate false" does not append
	// either, it writes OUT.0001, OUT.0002, ...).
	Out string
}

// FileConfig is an ALSA configuration made of file PCMs, for tests and the
// simulated board. The default device (which PortAudio requires: without
// a pcm.default it aborts the process) captures from Capture and plays to
// Playback; empty means the first device with an In, and the first device
// with an Out (or, failing that, the first device).
type FileConfig struct {
	Devices           []FileDevice
	Capture, Playback string
}

// Bytes renders the configuration, checking names and that every infile is
// a readable regular file (ALSA silently drops a device whose infile is
// missing, and PortAudio then picks another one).
func (fc FileConfig) Bytes() ([]byte, error) {
	if len(fc.Devices) == 0 {
		return nil, errors.New("audio: file config: no devices")
	}
	var b bytes.Buffer
	seen := map[string]bool{}
	for _, d := range fc.Devices {
		if !validName(d.Name) {
			return nil, fmt.Errorf("audio: file config: invalid PCM name %q (letters, digits, _ and - only)", d.Name)
		}
		if seen[d.Name] || d.Name == "default" {
			return nil, fmt.Errorf("audio: file config: duplicate or reserved PCM name %q", d.Name)
		}
		seen[d.Name] = true
		for _, p := range []string{d.In, d.Out} {
			if err := checkPath(p); err != nil {
				return nil, fmt.Errorf("audio: file config: device %q: %w", d.Name, err)
			}
		}
		out := d.Out
		if out == "" {
			out = "/dev/null"
		}
		fmt.Fprintf(&b, "pcm.%s {\n\ttype file\n\tslave.pcm { type null }\n\tformat \"raw\"\n\tfile %s\n\tperm 0644\n", d.Name, quote(out))
		in := "/dev/zero" // a null slave alone captures whatever its buffer held
		if d.In != "" {
			if err := readable(d.In); err != nil {
				return nil, fmt.Errorf("audio: file config: device %q: %w", d.Name, err)
			}
			in = d.In
		}
		fmt.Fprintf(&b, "\tinfile %s\n", quote(in))
		b.WriteString("}\n")
	}
	capture, playback, err := fc.defaults(seen)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(&b, "pcm.default {\n\ttype asym\n\tcapture.pcm %s\n\tplayback.pcm %s\n}\n", quote(capture), quote(playback))
	return b.Bytes(), nil
}

// defaults resolves the default capture and playback device names.
func (fc FileConfig) defaults(names map[string]bool) (capture, playback string, err error) {
	capture, playback = fc.Capture, fc.Playback
	for _, d := range fc.Devices {
		if capture == "" && d.In != "" {
			capture = d.Name
		}
		if playback == "" && d.Out != "" {
			playback = d.Name
		}
	}
	if capture == "" {
		capture = fc.Devices[0].Name
	}
	if playback == "" {
		playback = fc.Devices[0].Name
	}
	for _, n := range []string{capture, playback} {
		if !names[n] {
			return "", "", fmt.Errorf("audio: file config: default device %q is not among the devices", n)
		}
	}
	return capture, playback, nil
}

// Write writes the configuration to path. Point [ConfigPathEnv] at path
// before the first [Open].
// The path may hold no space or colon: ALSA splits the variable at both.
func (fc FileConfig) Write(path string) error {
	if strings.ContainsAny(path, " :") || checkPath(path) != nil {
		return fmt.Errorf("audio: file config: %q cannot be named in %s, which ALSA splits at ':' and ' '", path, ConfigPathEnv)
	}
	b, err := fc.Bytes()
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return fmt.Errorf("audio: file config: %w", err)
	}
	return nil
}

func validName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// quote renders s as a double-quoted ALSA configuration string; inside
// quotes ALSA's parser only needs the backslash and the quote escaped.
// Paths holding control characters are refused by checkPath first.
func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// checkPath refuses paths ALSA's configuration syntax cannot carry.
func checkPath(p string) error {
	for _, r := range p {
		if r < 0x20 || r == 0x7f {
			return fmt.Errorf("path %q holds a control character", p)
		}
	}
	return nil
}

// readable checks that path is a regular file this process can open.
func readable(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("infile: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("infile: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("infile %s is not a regular file", path)
	}
	return nil
}
