package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fairrec/drivers/testexec"
	"fairrec/firmware/wav"
	"fairrec/storage/vault"
)

// The daemon runs in a child process in every test: PortAudio reads
// ALSA_CONFIG_PATH once per process, and the sim board sets it. The child is
// the real binary (built once per test run) or, in -short mode and under an
// emulator (FAIRREC_EXEC), this test binary re-executed, which runs the same
// runMain.

const childEnv = "FAIRRECD_TEST_ARGS"

func TestMain(m *testing.M) {
	if env, ok := os.LookupEnv(childEnv); ok {
		var args []string
		if err := json.Unmarshal([]byte(env), &args); err != nil {
			fmt.Fprintf(os.Stderr, "fairrecd test child: %s: %v\n", childEnv, err)
			os.Exit(3)
		}
		os.Exit(runMain(args, os.Stderr))
	}
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

var (
	buildOnce sync.Once
	binDir    string
	binPath   string
	buildErr  error
)

// realBinary builds cmd/fairrecd once per test run.
func realBinary(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "fairrecd-bin-")
		if buildErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "fairrecd")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// daemonCmd returns the command that runs fairrecd with args.
func daemonCmd(t testing.TB, args ...string) *exec.Cmd {
	t.Helper()
	emu := os.Getenv(testexec.EmulatorEnv)
	if !testing.Short() && emu == "" {
		cmd := exec.Command(realBinary(t), args...)
		cmd.Env = append(os.Environ(), "JACK_NO_START_SERVER=1")
		return cmd
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := testexec.Command(exe, nil)
	enc, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Env = append(os.Environ(), "JACK_NO_START_SERVER=1", childEnv+"="+string(enc))
	return cmd
}

// result is how a daemon run ended.
type result struct {
	code   int
	stderr string
}

// runDaemon runs fairrecd to its end, killing it after timeout.
func runDaemon(t *testing.T, timeout time.Duration, args ...string) result {
	t.Helper()
	cmd := daemonCmd(t, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(timeout):
		cmd.Process.Kill()
		<-done
		t.Fatalf("fairrecd %s hung (killed after %v); stderr:\n%s", strings.Join(args, " "), timeout, stderr.String())
	}
	return result{code: cmd.ProcessState.ExitCode(), stderr: stderr.String()}
}

// dataDir makes a data directory with a key file, as `fairrec keys init`
// does at install.
func dataDir(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "data")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := vault.InitKey(filepath.Join(dir, vault.KeyFile), nil); err != nil {
		t.Fatal(err)
	}
	return dir
}

// callerAudio is a speech-like test signal: a voiced sound whose pitch
// glides between 110 and 240 Hz with five harmonics, in 4 Hz syllables, at
// about -15 dBm0, all below 3.4 kHz so that the 8 kHz line passes it.
// seed varies pitch and rhythm so two callers differ.
func callerAudio(rate int, seconds float64, seed float64) []int16 {
	n := int(seconds * float64(rate))
	out := make([]int16, n)
	phase := 0.0
	for i := range out {
		t := float64(i) / float64(rate)
		f0 := 175 + 65*math.Sin(2*math.Pi*(0.3+0.1*seed)*t+seed)
		phase += 2 * math.Pi * f0 / float64(rate)
		env := 0.5 + 0.5*math.Sin(2*math.Pi*(3.5+seed)*t)
		var v float64
		for h := 1; h <= 5; h++ {
			v += math.Sin(float64(h)*phase) / float64(h)
		}
		// Fade in and out over 20 ms: a file that starts loud would click.
		fade := math.Min(1, math.Min(t, seconds-t)/0.02)
		out[i] = int16(4500 * env * fade * v)
	}
	return out
}

func writeWAV(t testing.TB, path string, rate int, pcm []int16) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := wav.Encode(f, rate, 1, wav.PCM16, pcm); err != nil {
		t.Fatal(err)
	}
}
