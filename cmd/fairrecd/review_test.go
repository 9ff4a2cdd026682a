package main

import (
	"encoding/binary"
	"fairrec/firmware/appliance"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"fairrec/board"
	"fairrec/drivers/systime"
	"fairrec/firmware/dsp"
	"fairrec/storage/audit"
	"fairrec/storage/vault"
)

// reviewPurposes: line 1 records for quality (supervisors may review) and
// training, line 2 for training only, line 3 for a review purpose kept 2 s
// and a legal obligation, line 4 for quality and training (its caller
// objects).
const reviewPurposes = `
[[purpose]]
name = "training"
description = "Training."
basis = "legitimate-interests"
retention = "30d"
objection = "ends"

[[purpose]]
name = "quality"
description = "Complaints."
basis = "legitimate-interests"
retention = "90d"
objection = "ends"
review = true

[[purpose]]
name = "brief"
description = "Complaints, kept very briefly."
basis = "legitimate-interests"
retention = "2s"
objection = "ends"
review = true

[[purpose]]
name = "legal"
description = "Law."
basis = "legal-obligation"
retention = "5y"
objection = "continues"
restricted = true

[[line]]
lines = [1, 4]
purposes = ["quality", "training"]
notice = "default"

[[line]]
lines = [2]
purposes = ["training"]
notice = "default"

[[line]]
lines = [3]
purposes = ["brief", "legal"]
notice = "default"
`

// reviewScenario: four calls whose recordings get ids 1-4 in line order
// (the notice of each ends before the next one's), the caller on line 4
// objects; the supervisor presses the playback button at 5 s, by which
// time the test has selected recording 1 at the console.
const reviewScenario = `
rate = 48000
lines = 4
end = "7s"
supervisor = [ { at = "5s", press = "short" } ]

[[line]]
events = [
  { at = "0.05s", ring = "0.1s" },
  { at = "0.2s", offhook = true },
  { at = "0.9s", audio = "a.wav" },
  { at = "2.3s", onhook = true },
]

[[line]]
events = [
  { at = "0.25s", ring = "0.1s" },
  { at = "0.4s", offhook = true },
  { at = "1.1s", audio = "b.wav" },
  { at = "2.0s", onhook = true },
]

[[line]]
events = [
  { at = "0.45s", ring = "0.1s" },
  { at = "0.6s", offhook = true },
  { at = "1.3s", audio = "c.wav" },
  { at = "2.2s", onhook = true },
]

[[line]]
events = [
  { at = "0.65s", ring = "0.1s" },
  { at = "0.8s", offhook = true },
  { at = "1.8s", dtmf = "9" },
  { at = "2.4s", onhook = true },
]
`

// reviewDaemon is the real daemon on the sim board in real time, with a
// console on a pipe, the test's purposes and its sim files kept.
type reviewDaemon struct {
	cmd            *exec.Cmd
	in             io.WriteCloser
	stdout, stderr *watched
	data, simDir   string
}

func startReviewDaemon(t *testing.T, scenario, purposesText string) reviewDaemon {
	t.Helper()
	d := reviewDaemon{data: dataDir(t), simDir: t.TempDir()}
	setSecrets(t, d.data)
	notices, _ := testNotices(t)
	purposes := filepath.Join(t.TempDir(), "purposes.toml")
	if err := os.WriteFile(purposes, []byte(purposesText), 0o644); err != nil {
		t.Fatal(err)
	}
	d.cmd = daemonCmd(t, "--board", "sim", "--scenario", writeScenario(t, scenario), "--data", d.data,
		"--console", "stdio", "--notices", notices, "--purposes", purposes, "--realtime", "--sim-dir", d.simDir)
	var err error
	if d.in, err = d.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	outPipe, err := d.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	errPipe, err := d.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	d.stdout, d.stderr = watch(outPipe), watch(errPipe)
	return d
}

// TestReviewPlayback is the supervisor's playback on the real daemon: calls
// recorded over PortAudio on the sim board; `review 1` at the console; the
// scripted press of the playback button; the review output channel then
// carries recording 1's stored audio, resampled to the device rate, and the
// audit log holds the playback's start and end. Then the refusals: no
// purpose that allows review, an expired grant, an erased recording, an
// unknown id, a garbled one. The sim runs in real time here: the console is
// typed at wall-clock time, the press is scripted in sample time.
func TestReviewPlayback(t *testing.T) {
	d := startReviewDaemon(t, reviewScenario, reviewPurposes)
	cmd, in, stdout, stderr, data, simDir := d.cmd, d.in, d.stdout, d.stderr, d.data, d.simDir

	stderr.waitFor(t, 0, `msg="recording sealed" line=1 id=1`)
	// Review is a supervisor's command.
	io.WriteString(in, "login supervisor\n"+testSupervisorPIN+"\nreview 1\n")
	pos := stdout.waitFor(t, 0, "recording 1 (line 1, ", stderr)
	pos = stdout.waitFor(t, pos, "selected for review under quality: press the playback button within 10m0s", stderr)
	stderr.waitFor(t, 0, "review: recording 1: playback completed after ")

	io.WriteString(in, "review\nreview 2\nreview 3\nreview 4\nreview 99\nreview 1x\nreview 1 2\n")
	for _, want := range []string{
		"nothing selected for review (type review ID)\nlast: recording 1: playback completed after ",
		"error: review: recording 2: no purpose that allows review is still granted (granted only for training, none of which allows review)",
		"error: review: recording 3: no purpose that allows review is still granted (brief expired ",
		"error: review: recording 4: erased ",
		"error: review: recording 99: no such recording",
		`error: review: "1x" is not a recording id`,
		"error: review: usage: review [ID|stop]",
	} {
		pos = stdout.waitFor(t, pos, want, stderr)
	}
	stderr.waitFor(t, 0, "scenario done")
	stopDaemon(t, cmd, stderr)

	// The review output holds recording 1 exactly as stored, at 48 kHz.
	v, err := vault.Open(vault.Config{Dir: data, Clock: systime.Clock{}})
	if err != nil {
		t.Fatal(err)
	}
	stored := readAudio(t, v, 1)
	info, err := v.Info(1)
	v.Close()
	if err != nil {
		t.Fatal(err)
	}
	want, err := dsp.ResampleAll(stored, dsp.LineRate, 48000)
	if err != nil {
		t.Fatal(err)
	}
	got := reviewChannel(t, simDir, 4)
	at := -1
	for o := 0; o+200 <= len(got); o++ {
		if slices.Equal(got[o:o+200], want[:200]) {
			at = o
			break
		}
	}
	if at < 0 || at+len(want) > len(got) {
		t.Fatalf("the review output (%d samples) does not carry recording 1 (%d samples at 48 kHz)", len(got), len(want))
	}
	if !slices.Equal(got[at:at+len(want)], want) {
		t.Errorf("the review output differs from recording 1's stored audio")
	}
	// It starts when the press at 5 s is confirmed, after its release,
	// and reaches the output the pump's lead later.
	release := 5.2*48000 + float64(appliance.Lead*960)
	if float64(at) < release || float64(at) > release+0.1*48000 {
		t.Errorf("playback began at %.3f s, want within 100 ms of the release at 5.2 s plus the pump's %d periods", float64(at)/48000, appliance.Lead)
	}
	for i, x := range got[at+len(want):] {
		if x != 0 {
			t.Errorf("sound on the review output %d samples after the recording's end", i)
			break
		}
	}

	// The audit log says who chose what to listen to, under which purpose,
	// and how long it was heard.
	var plays []string
	for _, e := range auditEntries(t, data) {
		if e.Action == audit.ActionPlayback || e.Action == audit.ActionReviewSelection {
			plays = append(plays, fmt.Sprintf("%d %s %s %s", e.Recording, e.Actor, e.Purpose, e.Detail))
		}
	}
	secs := fmt.Sprintf("%.1fs", info.Duration.Seconds())
	wantPlays := []string{"1 role:supervisor quality selected",
		"1 button:playback quality start length=" + secs, "1 button:playback quality end=completed heard=" + secs}
	if !slices.Equal(plays, wantPlays) {
		t.Errorf("playback entries in the audit log:\n%s\nwant:\n%s", strings.Join(plays, "\n"), strings.Join(wantPlays, "\n"))
	}
}

// reviewChannel reads the sim board's review output channel from its
// playback file, at the device rate.
func reviewChannel(t *testing.T, simDir string, lines int) []int16 {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(simDir, "playback.raw"))
	if err != nil {
		t.Fatal(err)
	}
	bd := board.Sim(lines)
	n, ch := bd.OutChannels, bd.ReviewOut
	x := make([]int16, len(b)/(2*n))
	for i := range x {
		x[i] = int16(binary.LittleEndian.Uint16(b[(i*n+ch)*2:]))
	}
	return x
}

// buttonPurposes: lines 1 and 2 record for quality (supervisors may
// review), line 3 for a review purpose kept 2 s, which has expired by the
// time the supervisor presses, and for training, which keeps the recording.
const buttonPurposes = `
[[purpose]]
name = "training"
description = "Training."
basis = "legitimate-interests"
retention = "30d"
objection = "ends"

[[purpose]]
name = "quality"
description = "Complaints."
basis = "legitimate-interests"
retention = "90d"
objection = "ends"
review = true

[[purpose]]
name = "brief"
description = "Complaints, kept very briefly."
basis = "legitimate-interests"
retention = "2s"
objection = "ends"
review = true

[[line]]
lines = [1, 2]
purposes = ["quality"]
notice = "default"

[[line]]
lines = [3]
purposes = ["brief", "training"]
notice = "default"
`

// buttonScenario: three calls, recordings 1-3 in line order; at 6 s the
// supervisor presses the playback button once, at 10 s twice (a double
// press: the releases 300 ms apart).
const buttonScenario = `
rate = 48000
lines = 3
end = "14s"
supervisor = [
  { at = "6s", press = "short" },
  { at = "10s", press = "short" },
  { at = "10.3s", press = "short" },
]

[[line]]
events = [
  { at = "0.05s", ring = "0.1s" },
  { at = "0.2s", offhook = true },
  { at = "0.9s", audio = "a.wav" },
  { at = "2.3s", onhook = true },
]

[[line]]
events = [
  { at = "0.25s", ring = "0.1s" },
  { at = "0.4s", offhook = true },
  { at = "1.1s", audio = "b.wav" },
  { at = "2.0s", onhook = true },
]

[[line]]
events = [
  { at = "0.45s", ring = "0.1s" },
  { at = "0.6s", offhook = true },
  { at = "1.3s", audio = "c.wav" },
  { at = "2.2s", onhook = true },
]
`

// TestReviewButtonAlone is the supervisor's button with nothing selected,
// on the real daemon: three calls; one press plays the most recent
// recording that may still be reviewed (2: recording 3's review purpose
// has expired, so it is skipped), bit-exact on the review output; a double
// press plays the one before it (1). Recording 3 is never read.
func TestReviewButtonAlone(t *testing.T) {
	// Real time: the 2 s grant expires by the wall clock.
	d := startReviewDaemon(t, buttonScenario, buttonPurposes)
	cmd, stderr, data, simDir := d.cmd, d.stderr, d.data, d.simDir
	pos := stderr.waitFor(t, 0, "review: recording 2: playback completed after ")
	stderr.waitFor(t, pos, "review: recording 1: playback completed after ")
	stderr.waitFor(t, 0, "scenario done")
	stopDaemon(t, cmd, stderr)

	v, err := vault.Open(vault.Config{Dir: data, Clock: systime.Clock{}})
	if err != nil {
		t.Fatal(err)
	}
	var want [][]int16
	var secs []string
	for _, id := range []vault.ID{1, 2, 3} {
		stored := readAudio(t, v, id)
		info, err := v.Info(id)
		if err != nil {
			t.Fatal(err)
		}
		w, err := dsp.ResampleAll(stored, dsp.LineRate, 48000)
		if err != nil {
			t.Fatal(err)
		}
		want, secs = append(want, w), append(secs, fmt.Sprintf("%.1fs", info.Duration.Seconds()))
	}
	v.Close()
	got := reviewChannel(t, simDir, 3)
	find := func(w []int16, from int) int {
		for o := from; o+200 <= len(got); o++ {
			if slices.Equal(got[o:o+200], w[:200]) {
				return o
			}
		}
		return -1
	}
	at2 := find(want[1], 0)
	if at2 < 0 || at2+len(want[1]) > len(got) || !slices.Equal(got[at2:at2+len(want[1])], want[1]) {
		t.Fatalf("the review output does not carry recording 2 bit-exact after the press (at %d)", at2)
	}
	at1 := find(want[0], at2+len(want[1]))
	if at1 < 0 || at1+len(want[0]) > len(got) || !slices.Equal(got[at1:at1+len(want[0])], want[0]) {
		t.Fatalf("the review output does not carry recording 1 bit-exact after the double press (at %d)", at1)
	}
	if at := find(want[2], 0); at >= 0 {
		t.Errorf("recording 3, whose review purpose expired, was played at %.3f s", float64(at)/48000)
	}
	// The press at 6 s plays after the double-press window; the double
	// press at 10 s after its second release.
	if s := float64(at2) / 48000; s < 6 || s > 7.5 {
		t.Errorf("recording 2 began at %.3f s, want soon after the press at 6 s", s)
	}
	if s := float64(at1) / 48000; s < 10.3 || s > 11.5 {
		t.Errorf("recording 1 began at %.3f s, want soon after the double press at 10-10.5 s", s)
	}
	for i, x := range got[at1+len(want[0]):] {
		if x != 0 {
			t.Errorf("sound on the review output %d samples after recording 1's end", i)
			break
		}
	}

	var plays []string
	for _, e := range auditEntries(t, data) {
		if e.Action == audit.ActionPlayback || e.Action == audit.ActionReviewSelection {
			plays = append(plays, fmt.Sprintf("%d %s %s %s", e.Recording, e.Actor, e.Purpose, e.Detail))
		}
	}
	wantPlays := []string{
		"2 button:playback quality selected by the button",
		"2 button:playback quality start length=" + secs[1],
		"2 button:playback quality end=completed heard=" + secs[1],
		"1 button:playback quality selected by the button",
		"1 button:playback quality start length=" + secs[0],
		"1 button:playback quality end=completed heard=" + secs[0],
	}
	if !slices.Equal(plays, wantPlays) {
		t.Errorf("playback entries in the audit log:\n%s\nwant:\n%s", strings.Join(plays, "\n"), strings.Join(wantPlays, "\n"))
	}
}
