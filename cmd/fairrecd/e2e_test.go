package main

import (
	"fairrec/firmware/appliance"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"fairrec/board/sim"
	"fairrec/drivers/systime"
	"fairrec/firmware/dsp"
	"fairrec/firmware/notice"
	"fairrec/storage/vault"
)

// twoCalls is a scenario of two overlapping calls on two lines whose caller
// audio comes from WAV files at two rates other than the device's.
const twoCalls = `
rate  = 48000
lines = 2

[[line]]
events = [
  { at = "0.2s", ring = "0.6s" },
  { at = "0.8s", offhook = true },
  { at = "1.5s", audio = "caller1.wav" },
  { at = "4.0s", onhook = true },
]

[[line]]
events = [
  { at = "1.2s",  ring = "0.5s" },
  { at = "1.5s",  offhook = true },
  { at = "2.14s", audio = "caller2.wav", gain = -2.0 },
  { at = "4.7s",  onhook = true },
]
`

func writeTwoCalls(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	writeWAV(t, filepath.Join(dir, "caller1.wav"), 16000, callerAudio(16000, 2.2, 0))
	writeWAV(t, filepath.Join(dir, "caller2.wav"), 44100, callerAudio(44100, 2.3, 1))
	path := filepath.Join(dir, "two-calls.toml")
	if err := os.WriteFile(path, []byte(twoCalls), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// expectedCalls renders the scenario in this process to learn what each
// call's capture channel carried, without running any audio.
func expectedCalls(t *testing.T, scenario string) (calls []sim.Call, rate int) {
	t.Helper()
	sc, err := sim.LoadScenario(scenario)
	if err != nil {
		t.Fatal(err)
	}
	calls, err = sc.Calls()
	if err != nil {
		t.Fatal(err)
	}
	return calls, sc.Rate
}

// linePath is what a call's audio becomes on its way into the vault when
// nothing goes wrong: resampled to 8 kHz, then through A-law.
func linePath(t *testing.T, rate int, pcm []int16) []int16 {
	t.Helper()
	r, err := dsp.NewResampler(rate, dsp.LineRate)
	if err != nil {
		t.Fatal(err)
	}
	x := r.Process(nil, pcm)
	alaw := make([]byte, len(x))
	dsp.EncodeALaw(alaw, x)
	dsp.DecodeALaw(x, alaw)
	return x
}

// align finds the lag (in 8 kHz samples) at which rec best matches ref,
// rec[i] ~ ref[i+lag], searching ±maxLag, by normalised cross-correlation
// over the loudest second of ref (so that silence before the caller speaks
// does not count, and the race detector's run stays quick).
func align(rec, ref []int16, maxLag int) int {
	from, loudest := 0, -1.0
	for k := 0; k+dsp.LineRate <= len(ref); k += dsp.LineRate / 5 {
		var e float64
		for _, x := range ref[k : k+dsp.LineRate] {
			e += float64(x) * float64(x)
		}
		if e > loudest {
			from, loudest = k, e
		}
	}
	to := min(len(rec), from+dsp.LineRate)
	best, bestScore := 0, math.Inf(-1)
	for lag := -maxLag; lag <= maxLag; lag++ {
		var dot, e float64
		for i := from; i < to; i++ {
			j := i + lag
			if j < 0 || j >= len(ref) {
				continue
			}
			dot += float64(rec[i]) * float64(ref[j])
			e += float64(ref[j]) * float64(ref[j])
		}
		if e == 0 {
			continue
		}
		if s := dot / math.Sqrt(e); s > bestScore {
			best, bestScore = lag, s
		}
	}
	return best
}

// snr compares rec with ref shifted by lag over their overlap, in dB.
func snr(rec, ref []int16, lag int) float64 {
	var sig, noise float64
	for i := range rec {
		j := i + lag
		if j < 0 || j >= len(ref) {
			continue
		}
		d := float64(rec[i]) - float64(ref[j])
		sig += float64(ref[j]) * float64(ref[j])
		noise += d * d
	}
	if noise == 0 {
		return math.Inf(1)
	}
	return 10 * math.Log10(sig/noise)
}

// testNotices writes a notices directory whose default.nl.notice.mp3 is
// 0.6 s of a two-tone chord (MP3 by lame, at 16 kHz), so that calls in
// tests need not outlast the 14 s built-in notice, and returns it with the
// notice as the daemon decodes it.
func testNotices(t testing.TB) (string, *notice.Notice) {
	t.Helper()
	dir := t.TempDir()
	pcm := make([]int16, 9600)
	b := make([]int16, len(pcm))
	dsp.Sine(pcm, 16000, 440, -15, 0)
	dsp.Sine(b, 16000, 660, -15, 0)
	for i := range pcm {
		pcm[i] += b[i]
	}
	in := filepath.Join(dir, "notice.wav")
	writeWAV(t, in, 16000, pcm)
	out := filepath.Join(dir, "default.nl.notice.mp3")
	if b, err := exec.Command("lame", "--quiet", "-b", "32", "-m", "m", in, out).CombinedOutput(); err != nil {
		t.Skipf("lame: %v %s", err, b)
	}
	os.Remove(in)
	n, err := notice.LoadFile(os.DirFS(dir), "default.nl.notice.mp3")
	if err != nil {
		t.Fatal(err)
	}
	return dir, n
}

// builtinNotice is the notice the daemon plays without --notices.
func builtinNotice(t *testing.T) *notice.Notice {
	t.Helper()
	n, err := notice.LoadFile(notice.Defaults(), "default.nl.notice.mp3")
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestRecordsTwoCalls is the walking skeleton's acceptance: fairrecd on the
// sim board, over real PortAudio (ALSA file PCMs), real GPIO fakes and the
// real vault, records two overlapping calls, and each recording, read back
// from the vault, is the call's audio after the 8 kHz/A-law path.
func TestRecordsTwoCalls(t *testing.T) {
	dir, n := testNotices(t)
	recordAndCheck(t, writeTwoCalls(t), 2, 0, n, "--notices", dir)
}

// TestRecordsDemo runs `make run`'s demo scenario as fast as the files go.
func TestRecordsDemo(t *testing.T) {
	demo := filepath.Join("..", "..", "scripts", "demo", "demo.toml")
	if _, err := os.Stat(demo); err != nil {
		t.Skipf("no demo scenario: %v", err)
	}
	// The third call objects during the notice: it leaves no recording.
	recordAndCheck(t, demo, 3, 1, builtinNotice(t))
}

// recordAndCheck runs the daemon through scenario until it is done, then
// compares every recording in the vault with the call it should hold: the
// call's audio from the end of the notice n, which plays from the frame
// that confirmed the answer, two frames after the off-hook. The last
// `unrecorded` calls of their lines leave no recording (an objection).
func recordAndCheck(t *testing.T, scenario string, wantCalls, unrecorded int, n *notice.Notice, args ...string) {
	t.Helper()
	data := dataDir(t)
	res := runDaemon(t, 60*time.Second, append([]string{"--board", "sim", "--scenario", scenario, "--data", data,
		"--console", "none", "--exit-when-done"}, args...)...)
	if res.code != 0 {
		t.Fatalf("fairrecd exited %d; stderr:\n%s", res.code, res.stderr)
	}
	calls, rate := expectedCalls(t, scenario)
	if len(calls) != wantCalls {
		t.Fatalf("scenario has %d calls, want %d", len(calls), wantCalls)
	}

	v, err := vault.Open(vault.Config{Dir: data, Clock: systime.Clock{}})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	infos, err := v.List(vault.Query{})
	if err != nil {
		t.Fatal(err)
	}
	if len(infos) != len(calls)-unrecorded {
		t.Fatalf("vault holds %d recordings, want %d; stderr:\n%s", len(infos), len(calls)-unrecorded, res.stderr)
	}
	// Calls come line by line; recordings in the order they started. Pair
	// them up line by line, in order.
	byLine := map[int][]vault.Info{}
	for _, in := range infos {
		byLine[in.Line] = append(byLine[in.Line], in)
	}
	for _, call := range calls {
		if len(byLine[call.Line]) == 0 {
			if unrecorded > 0 {
				unrecorded--
				continue
			}
			t.Errorf("no recording for a call on line %d", call.Line)
			continue
		}
		info := byLine[call.Line][0]
		byLine[call.Line] = byLine[call.Line][1:]
		if info.State != vault.StateSealed {
			t.Errorf("recording %s on line %d is %v, want sealed", info.ID, info.Line, info.State)
		}
		checkRecording(t, v, info, call, rate, n)
	}
}

// checkRecording compares a recording with the call it should hold.
// playbackLead is how many line samples later than its capture period the
// line hears its playback: the pump's lead, periods of 20 ms.
const playbackLead = appliance.Lead * dsp.FrameSamples

func checkRecording(t *testing.T, v *vault.Vault, info vault.Info, call sim.Call, rate int, n *notice.Notice) {
	t.Helper()
	rc, err := v.Audio(info.ID)
	if err != nil {
		t.Fatal(err)
	}
	alaw, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		t.Fatal(err)
	}
	rec := make([]int16, len(alaw))
	dsp.DecodeALaw(rec, alaw)
	ref := linePath(t, rate, call.Audio)
	// The line hears the notice from the frame after the one that
	// confirmed the off-hook (the pump's lead), and recording starts where
	// the notice ends there.
	ref = ref[min(len(ref), 2*dsp.FrameSamples+playbackLead+n.Duration):]

	// The recording runs from the notice's end (the notice starts in
	// the frame that confirms the off-hook) to the last frame that did
	// not see the hook on: within a frame of the scripted times at each
	// end.
	if d := len(rec) - len(ref); d < -dsp.FrameSamples || d > dsp.FrameSamples {
		t.Errorf("line %d: recording holds %d samples, the call %d (off by %d, more than a frame)",
			call.Line, len(rec), len(ref), d)
	}
	lag := align(rec, ref, 2*dsp.FrameSamples)
	if lag < -dsp.FrameSamples || lag > dsp.FrameSamples {
		t.Errorf("line %d: recording starts %d samples off the notice's end, more than a frame", call.Line, lag)
	}
	q := snr(rec, ref, lag)
	t.Logf("line %d: %d samples, lag %d, SNR %.1f dB against the 8 kHz/A-law path", call.Line, len(rec), lag, q)
	if q < 30 {
		t.Errorf("line %d: recording differs from the call's audio: SNR %.1f dB, want >= 30", call.Line, q)
	}
}
