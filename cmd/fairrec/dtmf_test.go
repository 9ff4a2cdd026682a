package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fairrec/firmware/wav"
)

// dtmfWAV writes digits (80 ms on, 100 ms off, -7 dBm0 per tone, after
// 200 ms of silence) as a WAV file at rate in format f.
func dtmfWAV(t *testing.T, dir, name string, rate int, f wav.Format, keys string) string {
	t.Helper()
	freqs := map[byte][2]float64{'1': {697, 1209}, '9': {852, 1477}, '#': {941, 1477}, 'D': {941, 1633}, '0': {941, 1336}}
	sec := func(s float64) int { return int(s * float64(rate)) }
	x := make([]int16, sec(0.2))
	a := 22700 * math.Pow(10, -7.0/20)
	for i := range len(keys) {
		fr := freqs[keys[i]]
		for n := range sec(0.08) {
			tt := float64(n) / float64(rate)
			x = append(x, int16(a*math.Sin(2*math.Pi*fr[0]*tt)+a*math.Sin(2*math.Pi*fr[1]*tt)))
		}
		x = append(x, make([]int16, sec(0.1))...)
	}
	var b bytes.Buffer
	if err := wav.Encode(&b, rate, 1, f, x); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDTMFCommand(t *testing.T) {
	dir := t.TempDir()
	pcm := dtmfWAV(t, dir, "pcm48k.wav", 48000, wav.PCM16, "19#")
	alaw := dtmfWAV(t, dir, "alaw.wav", 8000, wav.ALaw, "D0")
	mulaw := dtmfWAV(t, dir, "mulaw.wav", 8000, wav.MuLaw, "9")
	silent := dtmfWAV(t, dir, "silent.wav", 8000, wav.PCM16, "")
	notAudio := filepath.Join(dir, "notes.txt")
	os.WriteFile(notAudio, []byte("this is not audio\n"), 0o644)
	pcmBytes, _ := os.ReadFile(pcm)

	// fields returns the digit column and checks each line's shape.
	digitsOf := func(t *testing.T, out string) string {
		var ds []string
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			f := strings.Fields(line)
			if len(f) != 4 {
				t.Fatalf("line %q: want <start_ms> <digit> <dur_ms> <level_dbm0>", line)
			}
			ds = append(ds, f[1])
		}
		return strings.Join(ds, "")
	}
	for _, tc := range []struct {
		name   string
		args   []string
		stdin  []byte
		code   int
		digits string
		stdout []string // substrings
		stderr string
	}{
		{name: "48 kHz PCM", args: []string{pcm}, code: 0, digits: "19#"},
		{name: "A-law", args: []string{alaw}, digits: "D0"},
		{name: "µ-law", args: []string{mulaw}, digits: "9"},
		{name: "stdin", args: []string{"-"}, stdin: pcmBytes, digits: "19#"},
		{name: "several files", args: []string{alaw, mulaw}, digits: "D09", stdout: []string{"# " + alaw + "\n", "# " + mulaw + "\n"}},
		{name: "no digits", args: []string{silent}, digits: ""},
		{name: "not audio", args: []string{notAudio}, code: 1, stderr: "not a RIFF WAVE file"},
		{name: "missing file", args: []string{filepath.Join(dir, "nope.wav")}, code: 1, stderr: "no such file"},
		{name: "no args", args: nil, code: 2, stderr: "no WAV file"},
		{name: "bad profile", args: []string{pcm, "--profile", "xx"}, code: 2, stderr: "unknown profile"},
		{name: "NTT after file", args: []string{pcm, "--profile", "ntt"}, digits: "19#"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := runMain(append([]string{"dtmf"}, tc.args...), bytes.NewReader(tc.stdin), &out, &errb)
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stderr: %s", code, tc.code, errb.String())
			}
			if tc.code != 0 {
				if !strings.Contains(errb.String(), tc.stderr) || strings.Count(errb.String(), "\n") != 1 {
					t.Errorf("stderr %q, want one line containing %q", errb.String(), tc.stderr)
				}
				return
			}
			// Every digit is 80 ms at -7 dBm0; the first starts at 200 ms.
			for i, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
				var start, dur int
				var d string
				var lvl float64
				if strings.HasPrefix(line, "#") || line == "" {
					continue
				}
				if _, err := fmt.Sscan(line, &start, &d, &dur, &lvl); err != nil {
					t.Fatalf("line %q: %v", line, err)
				}
				if (i == 0 && (start < 195 || start > 205)) || dur < 75 || dur > 85 || math.Abs(lvl+7) > 1 {
					t.Errorf("line %q: want start 200 ms (first), 80 ms, -7 dBm0", line)
				}
			}
			if got := digitsOf(t, out.String()); got != tc.digits {
				t.Errorf("digits %q, want %q; output:\n%s", got, tc.digits, out.String())
			}
			for _, s := range tc.stdout {
				if !strings.Contains(out.String(), s) {
					t.Errorf("output lacks %q:\n%s", s, out.String())
				}
			}
		})
	}

	t.Run("json", func(t *testing.T) {
		var out, errb bytes.Buffer
		if code := runMain([]string{"dtmf", "--json", pcm, alaw}, nil, &out, &errb); code != 0 {
			t.Fatalf("exit %d: %s", code, errb.String())
		}
		var got []string
		for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
			var m map[string]any
			if err := json.Unmarshal([]byte(line), &m); err != nil {
				t.Fatalf("line %q: %v", line, err)
			}
			for _, k := range []string{"file", "t_ms", "digit", "dur_ms", "level_dbm0"} {
				if _, ok := m[k]; !ok {
					t.Errorf("line %q lacks %q", line, k)
				}
			}
			if len(m) != 5 {
				t.Errorf("line %q: want exactly 5 keys", line)
			}
			got = append(got, m["file"].(string)+":"+m["digit"].(string))
		}
		want := []string{pcm + ":1", pcm + ":9", pcm + ":#", alaw + ":D", alaw + ":0"}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("got %v, want %v", got, want)
		}
	})
}
