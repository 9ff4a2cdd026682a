package main

import (
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"fairrec/firmware/dsp"
)

// levelScenario plays a 1 kHz sine at 0 dBm0 with gain -20 (so -20 dBm0
// on the line), then the digit 5, in real time while the meter runs.
const levelScenario = `
rate = 48000
lines = 1
end = "15s"

[[line]]
events = [
  { at = "1s", offhook = true },
  { at = "3s", audio = "sine.wav", gain = -20.0 },
  { at = "12s", dtmf = "5", on = "200ms" },
  { at = "14s", onhook = true },
]
`

// TestConsoleLevel: level 1 over a pipe shows the scenario's -20 dBm0
// within 1 dB, the DTMF digit, and the hook state; the next line ends it.
func TestConsoleLevel(t *testing.T) {
	data := dataDir(t)
	setSecrets(t, data)
	notices, _ := testNotices(t)
	dir := t.TempDir()
	sine := make([]int16, 16000*8)
	for i := range sine {
		sine[i] = int16(math.Round(dsp.ZeroDBm0Peak * math.Sin(2*math.Pi*1000*float64(i)/16000)))
	}
	writeWAV(t, filepath.Join(dir, "sine.wav"), 16000, sine)
	scenario := filepath.Join(dir, "level.toml")
	if err := os.WriteFile(scenario, []byte(levelScenario), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := daemonCmd(t, "--board", "sim", "--scenario", scenario, "--data", data, "--console", "stdio",
		"--notices", notices, "--realtime")
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	outPipe, _ := cmd.StdoutPipe()
	errPipe, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stdout, stderr := watch(outPipe), watch(errPipe)

	io.WriteString(in, "login installer\n"+testInstallerPIN+"\nlevel 1\n")
	pos := stdout.waitFor(t, 0, "level of line 1 in dBm0", stderr)
	stdout.waitFor(t, pos, "line 1: DTMF 5\n", stderr)
	io.WriteString(in, "\n")
	stdout.waitFor(t, pos, "level of line 1 ended", stderr)

	reading := regexp.MustCompile(`line 1 +(-?[0-9.]+) dBm0 \|[# ]+\| off hook`)
	near := 0
	for _, m := range reading.FindAllStringSubmatch(stdout.String()[pos:], -1) {
		if v, _ := strconv.ParseFloat(m[1], 64); math.Abs(v+20) <= 1 {
			near++
		}
	}
	if near < 3 {
		t.Errorf("%d readings within 1 dB of -20 dBm0 off hook; want several:\n%s", near, stdout.String()[pos:])
	}
	in.Close()
	stderr.waitFor(t, 0, "console input ended")
	stopDaemon(t, cmd, stderr)
}
