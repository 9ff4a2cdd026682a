package main

import (
	"io"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fairrec/drivers/systime"
	"fairrec/firmware/callflow"
	"fairrec/storage/vault"
)

// realCalls are calls as they happen on real lines (issue 18): a card
// payment whose number is full of 9s, a caller's 9 after the payment, rings
// that pulse at the ring frequency in national cadences, and caller ID
// between two pulsed rings. The test notice is 0.6 s long.
const realCalls = `
rate  = 48000
lines = 5

[[line]] # 1: card payment: the pause, a 16-digit number full of 9s at -6 dBm0, the pause ends
events = [
  { at = "0.1s", ring = "0.3s" },
  { at = "0.4s", offhook = true },
  { at = "1.2s", audio = "long.wav" },
  { at = "2.0s", press = "long" },
  { at = "3.5s", dtmf = "4999999999999999", level = -6.0, on = "90ms", off = "250ms" },
  { at = "9.5s", press = "long" },
  { at = "12s",  onhook = true },
]

[[line]] # 2: the same payment, then the caller's 9 alone after the pause objects
events = [
  { at = "0.2s", ring = "0.3s" },
  { at = "0.5s", offhook = true },
  { at = "1.2s", audio = "long.wav" },
  { at = "2.0s", press = "long" },
  { at = "3.5s", dtmf = "4999999999999999", level = -6.0, on = "90ms", off = "250ms" },
  { at = "9.5s", press = "long" },
  { at = "13s",  dtmf = "9" },
  { at = "18s",  onhook = true },
]

[[line]] # 3: a 25 Hz ring, half-wave, Dutch cadence; answered in the second burst
events = [
  { at = "0.3s", ring = "on", ring_hz = 25, cadence = ["1s", "4s"] },
  { at = "5.8s", offhook = true },
  { at = "6.8s", audio = "a.wav" },
  { at = "9.5s", onhook = true },
]

[[line]] # 4: a UK double ring, 25 Hz full-wave (50 Hz pulses); answered after the first pair
events = [
  { at = "0.3s", ring = "on", ring_hz = 25, wave = "full", cadence = ["0.4s", "0.2s", "0.4s", "2s"] },
  { at = "1.8s", offhook = true },
  { at = "2.8s", audio = "b.wav" },
  { at = "5.5s", onhook = true },
]

[[line]] # 5: caller ID (DTMF CLIP) between the first and second pulsed ring
events = [
  { at = "0.3s", ring = "1s", ring_hz = 25, cadence = ["1s", "4s"] },
  { at = "2.0s", dtmf = "A0201234567C" },
  { at = "5.3s", ring = "on", ring_hz = 25, cadence = ["1s", "4s"] },
  { at = "6.0s", offhook = true },
  { at = "7.0s", audio = "c.wav" },
  { at = "9.5s", onhook = true },
]
`

var (
	toolOnce sync.Once
	toolPath string
	toolErr  error
)

// toolBinary builds cmd/fairrec once per test run, next to fairrecd.
func toolBinary(t *testing.T) string {
	t.Helper()
	toolOnce.Do(func() {
		toolPath = filepath.Join(t.TempDir(), "fairrec")
		out, err := exec.Command("go", "build", "-o", toolPath, "../fairrec").CombinedOutput()
		if err != nil {
			toolErr = err
			toolPath = string(out)
		}
	})
	if toolErr != nil {
		t.Fatalf("go build ../fairrec: %v\n%s", toolErr, toolPath)
	}
	return toolPath
}

func TestCallsAsTheyHappen(t *testing.T) {
	notices, n := testNotices(t)
	scenario := writeScenario(t, realCalls)
	data := dataDir(t)
	res := runDaemon(t, 90*time.Second, "--board", "sim", "--scenario", scenario, "--data", data,
		"--console", "none", "--exit-when-done", "--notices", notices)
	if res.code != 0 {
		t.Fatalf("fairrecd exited %d; stderr:\n%s", res.code, res.stderr)
	}
	if strings.Contains(res.stderr, "objection caller-dtmf:line1") {
		t.Errorf("a card number objected:\n%s", res.stderr)
	}
	calls, rate := expectedCalls(t, scenario)
	v, err := vault.Open(vault.Config{Dir: data, Clock: systime.Clock{}})
	if err != nil {
		t.Fatal(err)
	}
	infos, err := v.List(vault.Query{})
	if err != nil {
		t.Fatal(err)
	}
	byLine := map[int][]vault.Info{}
	for _, in := range infos {
		byLine[in.Line] = append(byLine[in.Line], in)
	}
	es := auditEntries(t, data)

	// Line 1: kept, the pause silent, every digit blanked.
	var card vault.Info
	if len(byLine[1]) != 1 {
		t.Errorf("line 1: %d recordings of the card payment, want 1", len(byLine[1]))
	} else {
		card = byLine[1][0]
		nt, err := callflow.ParseNotes(card.Notes)
		if err != nil {
			t.Fatal(err)
		}
		pcm := readAudio(t, v, card.ID)
		if len(nt.Pauses) != 1 {
			t.Errorf("line 1: notes %s, want one pause", card.Notes)
		}
		for _, s := range nt.Pauses {
			if s.To > int64(len(pcm)) || slices.ContainsFunc(pcm[s.From:s.To], func(x int16) bool { return x > 8 || x < -8 }) {
				t.Errorf("line 1: audio stored in the pause %d-%d", s.From, s.To)
			}
		}
		if got := lineEntries(es, 1); slices.Contains(got, "objection") {
			t.Errorf("line 1: audit %v: the card number objected", got)
		}
	}
	// Line 2: the 9 after the pause objects: erased.
	if len(byLine[2]) != 0 {
		t.Errorf("line 2: %d recordings after the caller's objection", len(byLine[2]))
	}
	if got := lineEntries(es, 2); !slices.Contains(got, "objection") || !slices.Contains(got, "erase-objection") {
		t.Errorf("line 2: audit %v, want the objection after the pause", got)
	}
	// Lines 3-5: a pulsed ring is a ring: the notice plays and the call is
	// recorded from its end, bit-exact.
	for _, line := range []int{3, 4, 5} {
		if len(byLine[line]) != 1 {
			t.Errorf("line %d: %d recordings after a pulsed ring and the off-hook, want 1", line, len(byLine[line]))
			continue
		}
		in := byLine[line][0]
		checkRecording(t, v, in, calls[line-1], rate, n)
		nt, err := callflow.ParseNotes(in.Notes)
		if err != nil || nt.Direction != "incoming" || nt.Notice == nil || !nt.Notice.Complete {
			t.Errorf("line %d: notes %s (%v), want an incoming call with the notice played whole", line, in.Notes, err)
		}
	}
	if len(byLine[5]) == 1 && byLine[5][0].Caller != "0201234567" {
		t.Errorf("line 5: caller %q, want the caller ID sent between the rings", byLine[5][0].Caller)
	}
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}

	// The exported card payment holds no DTMF digit at all.
	if card.ID == 0 {
		return
	}
	tool := toolBinary(t)
	out := filepath.Join(t.TempDir(), "card.wav")
	if b, err := exec.Command(tool, "export", card.ID.String(), out, "--data", data).CombinedOutput(); err != nil {
		t.Fatalf("fairrec export: %v\n%s", err, b)
	}
	b, err := exec.Command(tool, "dtmf", out).CombinedOutput()
	if err != nil {
		t.Fatalf("fairrec dtmf: %v\n%s", err, b)
	}
	if s := strings.TrimSpace(string(b)); s != "" {
		t.Errorf("fairrec dtmf finds digits in the exported card payment:\n%s", s)
	}

}

// TestErasureAnyWrittenForm: a caller whose number arrived as Dutch DTMF
// caller ID (0201234567) is found by an erasure request at the console in
// the international form most people write (+31 20 ...), and a request
// that is no number is refused, not answered with "no recordings".
func TestErasureAnyWrittenForm(t *testing.T) {
	data := dataDir(t)
	setSecrets(t, data)
	notices, _ := testNotices(t)
	scenario := writeScenario(t, `
rate = 48000
lines = 1
[[line]]
events = [
  { at = "0.1s", dtmf = "A0201234567C" },
  { at = "1.5s", ring = "0.5s", ring_hz = 25 },
  { at = "2.1s", offhook = true },
  { at = "3.0s", audio = "a.wav" },
  { at = "5.0s", onhook = true },
]
`)
	cmd, in, stdout, stderr := consoleDaemonOn(t, data, notices, scenario)
	stderr.waitFor(t, 0, "scenario done")
	io.WriteString(in, "login supervisor\n"+testSupervisorPIN+"\nerasure 12\nerasure +31 (0)20 123 45 67\nrecordings\n")
	pos := stdout.waitFor(t, 0, "logged in as supervisor", stderr)
	pos = stdout.waitFor(t, pos, "not a telephone number", stderr)
	pos = stdout.waitFor(t, pos, "erasure request: 1 recording(s) found, 1 erased", stderr)
	stdout.waitFor(t, pos, "no recordings", stderr)
	stopDaemon(t, cmd, stderr)
}
