package main

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fairrec/board"
	"fairrec/drivers/systime"
	"fairrec/firmware/callflow"
	"fairrec/firmware/dsp"
	"fairrec/firmware/notice"
	"fairrec/firmware/policy"
	"fairrec/storage/audit"
	"fairrec/storage/vault"
)

// eightLines is issue 7's acceptance on one board: eight lines with
// overlapping calls, each showing one behaviour of the call flow. The
// notice (testNotices) is 0.6 s long.
const eightLines = `
rate  = 48000
lines = 8

[[line]] # 1: an answered call, recorded from the notice's end
events = [
  { at = "0.1s", ring = "0.3s" },
  { at = "0.4s", offhook = true },
  { at = "1.2s", audio = "a.wav" },
  { at = "3.5s", onhook = true },
]

[[line]] # 2: the caller presses 9 during the notice, known alone after it
events = [
  { at = "0.2s", ring = "0.3s" },
  { at = "0.5s", offhook = true },
  { at = "0.75s", dtmf = "9" },
  { at = "1.3s", audio = "b.wav" },
  { at = "7.0s", onhook = true },
]

[[line]] # 3: the caller objects during the recording
events = [
  { at = "0.3s", ring = "0.3s" },
  { at = "0.6s", offhook = true },
  { at = "1.5s", audio = "c.wav" },
  { at = "3.0s", dtmf = "9" },
  { at = "8.0s", onhook = true },
]

[[line]] # 4: the employee objects with the button
events = [
  { at = "0.4s", ring = "0.3s" },
  { at = "0.7s", offhook = true },
  { at = "1.5s", audio = "a.wav" },
  { at = "3.0s", press = "short" },
  { at = "5.0s", onhook = true },
]

[[line]] # 5: card payment: digits blanked, a paused stretch
events = [
  { at = "0.5s", ring = "0.3s" },
  { at = "0.8s", offhook = true },
  { at = "1.6s", audio = "long.wav" },
  { at = "2.0s", dtmf = "1234" },
  { at = "3.0s", press = "long" },
  { at = "6.5s", press = "long" },
  { at = "9.0s", onhook = true },
]

[[line]] # 6: an outgoing call: dialled, then the employee presses the button
events = [
  { at = "0.9s", offhook = true },
  { at = "1.2s", dtmf = "0201" },
  { at = "2.0s", press = "short" },
  { at = "3.0s", audio = "b.wav" },
  { at = "5.0s", onhook = true },
]

[[line]] # 7 and 8: plain calls overlapping the others
events = [
  { at = "1.0s", ring = "0.3s" },
  { at = "1.3s", offhook = true },
  { at = "2.0s", audio = "c.wav" },
  { at = "5.0s", onhook = true },
]

[[line]]
events = [
  { at = "1.5s", ring = "0.3s" },
  { at = "1.8s", offhook = true },
  { at = "2.5s", audio = "a.wav", gain = -3.0 },
  { at = "6.0s", onhook = true },
]
`

func writeScenario(t testing.TB, text string) string {
	t.Helper()
	dir := t.TempDir()
	for i, name := range []string{"a.wav", "b.wav", "c.wav"} {
		writeWAV(t, filepath.Join(dir, name), 16000, callerAudio(16000, 1.8, float64(i)))
	}
	writeWAV(t, filepath.Join(dir, "long.wav"), 16000, callerAudio(16000, 5, 0.5))
	path := filepath.Join(dir, "scenario.toml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// playedOut reads a line's output channel from the sim board's playback
// file, at 8 kHz.
func playedOut(t *testing.T, simDir string, lines, line, rate int) []int16 {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(simDir, "playback.raw"))
	if err != nil {
		t.Fatal(err)
	}
	bd := board.Sim(lines)
	n, ch := bd.OutChannels, bd.Lines[line-1].Out
	x := make([]int16, len(b)/(2*n))
	for i := range x {
		x[i] = int16(binary.LittleEndian.Uint16(b[(i*n+ch)*2:]))
	}
	r, err := dsp.NewResampler(rate, dsp.LineRate)
	if err != nil {
		t.Fatal(err)
	}
	return r.Process(nil, x)
}

// findNotice returns where n's first second best matches x (normalised
// correlation), and how well (1 = exactly).
func findNotice(x []int16, n *notice.Notice) (at int, score float64) {
	ref := n.Samples[:min(len(n.Samples), dsp.LineRate)]
	var er float64
	for _, v := range ref {
		er += float64(v) * float64(v)
	}
	score = -1
	for k := 0; k+len(ref) <= len(x); k += 4 {
		var dot, ex float64
		for i, v := range ref {
			dot += float64(v) * float64(x[k+i])
			ex += float64(x[k+i]) * float64(x[k+i])
		}
		if ex == 0 {
			continue
		}
		if s := dot / math.Sqrt(er*ex); s > score {
			at, score = k, s
		}
	}
	// Refine to the sample.
	for k := max(at-4, 0); k <= at+4 && k+len(ref) <= len(x); k++ {
		var dot, ex float64
		for i, v := range ref {
			dot += float64(v) * float64(x[k+i])
			ex += float64(x[k+i]) * float64(x[k+i])
		}
		if ex > 0 && dot/math.Sqrt(er*ex) > score {
			at, score = k, dot/math.Sqrt(er*ex)
		}
	}
	return at, score
}

func auditEntries(t *testing.T, data string) []audit.Entry {
	t.Helper()
	lg, err := audit.Open(audit.Config{Path: audit.PathIn(data), ReadOnly: true, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer lg.Close()
	var es []audit.Entry
	if err := lg.Each(time.Time{}, func(e audit.Entry) error { es = append(es, e); return nil }); err != nil {
		t.Fatal(err)
	}
	return es
}

func lineEntries(es []audit.Entry, line int) []string {
	var out []string
	tag := fmt.Sprintf("line%d", line)
	for _, e := range es {
		if e.Actor.ID == tag || strings.HasPrefix(e.Actor.ID, tag+"-") || strings.Contains(e.Detail, fmt.Sprintf("line=%d ", line)) {
			out = append(out, e.Action.String())
		}
	}
	return out
}

func readAudio(t *testing.T, v *vault.Vault, id vault.ID) []int16 {
	t.Helper()
	rc, err := v.Audio(id)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	alaw, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	pcm := make([]int16, len(alaw))
	dsp.DecodeALaw(pcm, alaw)
	return pcm
}

// TestEightLines runs the eight-line scenario through the real daemon
// (PortAudio over ALSA files, gpiotest pins, the real vault, policy and
// audit log) and checks every line.
func TestEightLines(t *testing.T) {
	if testing.Short() && raceOn {
		// 76 line-seconds of audio take ~25 s under the race detector;
		// the console and two-call tests race the same daemon code.
		t.Skip("the eight-line scenario runs without -race")
	}
	notices, n := testNotices(t)
	scenario := writeScenario(t, eightLines)
	data, simDir := dataDir(t), t.TempDir()
	res := runDaemon(t, 90*time.Second, "--board", "sim", "--scenario", scenario, "--data", data,
		"--console", "none", "--exit-when-done", "--notices", notices, "--sim-dir", simDir)
	if res.code != 0 {
		t.Fatalf("fairrecd exited %d; stderr:\n%s", res.code, res.stderr)
	}
	calls, rate := expectedCalls(t, scenario)
	v, err := vault.Open(vault.Config{Dir: data, Clock: systime.Clock{}})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	infos, err := v.List(vault.Query{})
	if err != nil {
		t.Fatal(err)
	}
	byLine := map[int][]vault.Info{}
	for _, in := range infos {
		byLine[in.Line] = append(byLine[in.Line], in)
	}
	es := auditEntries(t, data)
	// The configuration in force is on record before the first call.
	if len(es) == 0 {
		t.Fatal("empty audit log")
	}
	if len(es) < 5 || es[0].Action != audit.ActionConfigChange || !strings.Contains(es[0].Detail, "4 purposes from defaults") ||
		es[1].Purpose != "training" || !strings.Contains(es[1].Detail, "30 days") ||
		es[4].Purpose != "legal" || !strings.Contains(es[4].Detail, "5 years, up to 7 years if held") {
		t.Errorf("first audit entries %+v, want the configuration in force", es[:min(len(es), 5)])
	}
	confirm, err := notice.LoadFile(notice.Defaults(), "default.nl.confirm.mp3")
	if err != nil {
		t.Fatal(err)
	}

	// Lines 1, 7, 8: the call from the notice's end; the notice on the line
	// from the answer.
	for _, line := range []int{1, 7, 8} {
		if len(byLine[line]) != 1 {
			t.Errorf("line %d: %d recordings, want 1", line, len(byLine[line]))
			continue
		}
		call := calls[line-1]
		checkRecording(t, v, byLine[line][0], call, rate, n)
		out := playedOut(t, simDir, 8, line, rate)
		at, score := findNotice(out, n)
		answer := int(call.OffHook*dsp.LineRate/int64(rate)) + 2*dsp.FrameSamples + playbackLead
		t.Logf("line %d: notice played at %d (answered %d), correlation %.3f", line, at, answer, score)
		if score < 0.95 || at < answer-dsp.FrameSamples || at > answer+dsp.FrameSamples {
			t.Errorf("line %d: notice found at sample %d (correlation %.2f), want within a frame of %d", line, at, score, answer)
		}
		want := []string{"notice-receipt", "recording-created", "recording-sealed"}
		if got := lineEntries(es, line); !slices.Equal(got, want) {
			t.Errorf("line %d: audit %v, want %v", line, got, want)
		}
		nt, err := callflow.ParseNotes(byLine[line][0].Notes)
		if err != nil || nt.Notice == nil || !nt.Notice.Complete || nt.Notice.Hash != n.Hash {
			t.Errorf("line %d: notes %q (%v), want the complete notice's receipt", line, byLine[line][0].Notes, err)
		}
		if len(byLine[line][0].Grants) == 0 {
			t.Errorf("line %d: no grants", line)
		}
	}

	// Line 2: a 9 pressed during the notice is an objection once it is
	// known to have been pressed alone, 2 s after its release; this test
	// notice (0.6 s) has ended by then, so the recording begun meanwhile is
	// erased. Nothing is kept, and the confirmation plays then.
	if len(byLine[2]) != 0 {
		t.Errorf("line 2: %d recordings after an objection", len(byLine[2]))
	}
	if got, want := lineEntries(es, 2), []string{"notice-receipt", "recording-created", "objection", "erase-objection"}; !slices.Equal(got, want) {
		t.Errorf("line 2: audit %v, want %v", got, want)
	}
	alone := (0.75 + 0.07 + callflow.DefaultAloneAfter.Seconds()) * dsp.LineRate
	if at, score := findNotice(playedOut(t, simDir, 8, 2, rate), confirm); score < 0.95 || at < int(alone) || at > int(alone)+int(0.2*dsp.LineRate) {
		t.Errorf("line 2: confirmation at %d (correlation %.2f), want within 200 ms of %d, %v after the digit's end", at, score, int(alone), callflow.DefaultAloneAfter)
	}

	// Lines 3 and 4: objection during the recording: erased.
	for _, line := range []int{3, 4} {
		if len(byLine[line]) != 0 {
			t.Errorf("line %d: %d recordings after an objection", line, len(byLine[line]))
		}
		got := lineEntries(es, line)
		if !slices.Contains(got, "recording-created") || !slices.Contains(got, "objection") || !slices.Contains(got, "erase-objection") {
			t.Errorf("line %d: audit %v", line, got)
		}
		if _, score := findNotice(playedOut(t, simDir, 8, line, rate), confirm); score < 0.95 {
			t.Errorf("line %d: no confirmation played (correlation %.2f)", line, score)
		}
	}

	// Line 5: digits blanked, the pause a marked gap of silence.
	if len(byLine[5]) == 1 {
		in := byLine[5][0]
		nt, err := callflow.ParseNotes(in.Notes)
		if err != nil {
			t.Fatal(err)
		}
		pcm := readAudio(t, v, in.ID)
		if len(nt.Blanked) != 4 || len(nt.Pauses) != 1 {
			t.Errorf("line 5: notes %s, want 4 blanked digits and 1 pause", in.Notes)
		}
		for _, s := range append(nt.Blanked, nt.Pauses...) {
			if s.To > int64(len(pcm)) || slices.ContainsFunc(pcm[s.From:s.To], func(x int16) bool { return x > 8 || x < -8 }) {
				t.Errorf("line 5: audio stored in the gap %d-%d", s.From, s.To)
			}
		}
		if len(nt.Pauses) == 1 {
			p := nt.Pauses[0]
			if d := time.Duration(p.To-p.From) * time.Second / dsp.LineRate; d < 3400*time.Millisecond || d > 3600*time.Millisecond {
				// Each press counts as long after 1 s held: 4.0 s to 7.5 s.
				t.Errorf("line 5: pause of %v, want 3.5 s (from one long press to the next)", d)
			}
		}
	} else {
		t.Errorf("line 5: %d recordings, want 1", len(byLine[5]))
	}

	// Line 6: outgoing, the dialled number kept (encrypted).
	if len(byLine[6]) == 1 {
		in := byLine[6][0]
		nt, _ := callflow.ParseNotes(in.Notes)
		if in.Caller != "0201" || nt.Direction != "outgoing" || nt.Notice == nil {
			t.Errorf("line 6: caller %q, notes %s", in.Caller, in.Notes)
		}
	} else {
		t.Errorf("line 6: %d recordings, want 1", len(byLine[6]))
	}
}

// TestRefusesWithoutNotice: a corrupt notice MP3 is rejected at load and
// every line refuses to record, and says why on the console.
func TestRefusesWithoutNotice(t *testing.T) {
	notices := t.TempDir()
	if err := os.WriteFile(filepath.Join(notices, "default.nl.notice.mp3"), []byte("ID3 not really an mp3"), 0o644); err != nil {
		t.Fatal(err)
	}
	data := dataDir(t)
	setSecrets(t, data)
	cmd := daemonCmd(t, "--board", "sim", "--scenario", writeTwoCalls(t), "--data", data, "--console", "stdio", "--notices", notices)
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
	stderr.waitFor(t, 0, "scenario done")
	io.WriteString(in, "login supervisor\n"+testSupervisorPIN+"\nstatus\n")
	pos := stdout.waitFor(t, 0, "line 2   on-hook, FAULT: refuses to record: no usable notice default/nl/notice", stderr)
	// The status's fault row names every line's fault at once.
	stdout.waitFor(t, pos, "fault    line 1: refuses to record: no usable notice default/nl/notice", stderr)
	in.Close()
	stopDaemon(t, cmd, stderr)
	if !strings.Contains(stderr.String(), "default.nl.notice.mp3") {
		t.Errorf("the log does not name the bad file:\n%s", stderr.String())
	}
	checkSealed(t, data, 0)
}

// TestObjectionAtMinuteThree: a caller who objects three minutes into a
// call has the recording so far erased, and nothing later is stored.
func TestObjectionAtMinuteThree(t *testing.T) {
	if testing.Short() {
		t.Skip("a 3.5-minute call")
	}
	notices, _ := testNotices(t)
	scenario := writeScenario(t, `
rate = 48000
lines = 1
[[line]]
events = [
  { at = "0.1s", ring = "0.3s" },
  { at = "0.4s", offhook = true },
  { at = "1.2s", audio = "long.wav" },
  { at = "3m",   dtmf = "9" },
  { at = "3m1s", audio = "a.wav" },
  { at = "3m30s", onhook = true },
]
`)
	data := dataDir(t)
	res := runDaemon(t, 120*time.Second, "--board", "sim", "--scenario", scenario, "--data", data,
		"--console", "none", "--exit-when-done", "--notices", notices)
	if res.code != 0 {
		t.Fatalf("fairrecd exited %d; stderr:\n%s", res.code, res.stderr)
	}
	checkSealed(t, data, 0)
	got := lineEntries(auditEntries(t, data), 1)
	want := []string{"notice-receipt", "recording-created", "objection", "erase-objection"}
	if !slices.Equal(got, want) {
		t.Errorf("audit %v, want %v", got, want)
	}
}

// TestNoticePerLineProfile: each line plays the notice set its purposes
// profile names, so a sales line's callers hear about the contract purpose
// while the other lines' hear about training and quality.
func TestNoticePerLineProfile(t *testing.T) {
	notices, _ := testNotices(t)
	b, err := os.ReadFile(filepath.Join(notices, "default.nl.notice.mp3"))
	if err != nil {
		t.Fatal(err)
	}
	// Line 2 serves foreign customers: its sales notice is in English.
	if err := os.WriteFile(filepath.Join(notices, "sales.en.notice.mp3"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	data := dataDir(t)
	purposes := strings.Replace(string(policy.DefaultTOML()), "[[line]]\npurposes = [\"quality\", \"training\"]",
		"[[line]]\nlines = [2]\npurposes = [\"contract\", \"quality\"]\nnotice = \"sales\"\nlanguage = \"en\"\n\n[[line]]\npurposes = [\"quality\", \"training\"]", 1)
	if err := os.WriteFile(filepath.Join(data, "purposes.toml"), []byte(purposes), 0o644); err != nil {
		t.Fatal(err)
	}
	res := runDaemon(t, 120*time.Second, "--board", "sim", "--scenario", writeTwoCalls(t), "--data", data,
		"--console", "none", "--exit-when-done", "--notices", notices)
	if res.code != 0 {
		t.Fatalf("fairrecd exited %d; stderr:\n%s", res.code, res.stderr)
	}
	var receipts []string
	for _, e := range auditEntries(t, data) {
		if e.Action == audit.ActionNoticeReceipt {
			line, _, _ := strings.Cut(e.Detail, " sha256")
			receipts = append(receipts, line)
		}
	}
	slices.Sort(receipts)
	want := []string{"line=1 notice=default.nl.notice.mp3", "line=2 notice=sales.en.notice.mp3"}
	if !slices.Equal(receipts, want) {
		t.Errorf("notice receipts %q, want %q", receipts, want)
	}
}
