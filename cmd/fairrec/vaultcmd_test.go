package main

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"fairrec/firmware/clock/clocktest"
	"fairrec/firmware/dsp"
	"fairrec/firmware/wav"
	"fairrec/storage/vault"
)

// run runs fairrec with args and returns its exit code and output.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := runMain(args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errs := run(t, args...)
	if code != 0 {
		t.Fatalf("fairrec %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errs)
	}
	return out
}

// toneWAV writes a 1.5 s stereo 16 kHz WAV of two tones.
func toneWAV(t *testing.T, path string) []int16 {
	t.Helper()
	const rate = 16000
	var x []int16
	for n := range rate * 3 / 2 {
		tt := float64(n) / rate
		x = append(x, int16(8000*math.Sin(2*math.Pi*440*tt)), int16(6000*math.Sin(2*math.Pi*1000*tt)))
	}
	var b bytes.Buffer
	if err := wav.Encode(&b, rate, 2, wav.PCM16, x); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	a, err := wav.Decode(bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	mono, err := wav.Mono8k(a)
	if err != nil {
		t.Fatal(err)
	}
	// What a lossless store gives back: the A-law round trip.
	alaw := make([]byte, len(mono))
	dsp.EncodeALaw(alaw, mono)
	back := make([]int16, len(alaw))
	dsp.DecodeALaw(back, alaw)
	return back
}

type listed struct {
	ID          uint64 `json:"id"`
	Line        int    `json:"line"`
	Start       time.Time
	Bytes       int64
	State       string
	Caller      string
	Approximate bool
	Grants      []struct {
		Purpose  string
		Deadline time.Time
	}
}

func listJSON(t *testing.T, args ...string) []listed {
	t.Helper()
	out := mustRun(t, append([]string{"list", "--json"}, args...)...)
	var l []listed
	dec := json.NewDecoder(strings.NewReader(out))
	for dec.More() {
		var x listed
		if err := dec.Decode(&x); err != nil {
			t.Fatalf("list --json: %v\n%s", err, out)
		}
		l = append(l, x)
	}
	return l
}

func TestVaultCommands(t *testing.T) {
	// The tool's clock reads the day after the imported call, while its
	// grants are live.
	clk := clocktest.New(time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC))
	oldClock := policyClock
	policyClock = clk
	t.Cleanup(func() { policyClock = oldClock })
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	d := "--data=" + data
	mustRun(t, "keys", "init", d)
	if fi, err := os.Stat(filepath.Join(data, "fairrec.key")); err != nil || fi.Mode().Perm() != 0o400 {
		t.Fatalf("key file: %v, %v; want mode 0400", fi, err)
	}
	if code, _, errs := run(t, "keys", "init", d); code != 1 || !strings.Contains(errs, "already exists") {
		t.Errorf("second keys init: exit %d, %q", code, errs)
	}

	in := filepath.Join(dir, "call.wav")
	want := toneWAV(t, in)
	out := mustRun(t, "import", in, d, "--line", "2", "--caller", "+31 20 555 0123", "--start", "2026-03-14T09:30:00Z", "--purpose", "quality", "--purpose", "training")
	id := strings.TrimSpace(out)
	if _, err := vault.ParseID(id); err != nil {
		t.Fatalf("import printed %q, want an id", out)
	}
	if code, _, errs := run(t, "import", in, d, "--line", "1"); code != 2 || !strings.Contains(errs, "--purpose") {
		t.Errorf("import without a purpose: exit %d, %q; want a usage error", code, errs)
	}
	if code, _, errs := run(t, "import", in, d, "--line", "1", "--purpose", "marketing"); code != 2 || !strings.Contains(errs, `unknown purpose "marketing"`) {
		t.Errorf("import for a purpose the rules do not know: exit %d, %q; want a usage error", code, errs)
	}
	start := time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC)
	l := listJSON(t, d)
	if len(l) != 1 {
		t.Fatalf("list: %+v", l)
	}
	got := l[0]
	if got.Line != 2 || got.Caller != "+31 20 555 0123" || !got.Start.Equal(start) || got.Bytes != int64(len(want)) || got.State != "sealed" || got.Approximate ||
		len(got.Grants) != 2 || got.Grants[1].Purpose != "training" || !got.Grants[0].Deadline.Equal(start.Add(90*24*time.Hour)) || !got.Grants[1].Deadline.Equal(start.Add(30*24*time.Hour)) {
		t.Errorf("list: %+v", got)
	}
	if l := listJSON(t, d, "--caller", "0031205550123"); len(l) != 1 {
		t.Errorf("list --caller: %+v", l)
	}
	if l := listJSON(t, d, "--line", "3"); len(l) != 0 {
		t.Errorf("list --line 3: %+v", l)
	}
	if out := mustRun(t, "list", d); !strings.Contains(out, "quality until 2026-06-12") {
		t.Errorf("list table:\n%s", out)
	}

	exported := filepath.Join(dir, "out.wav")
	mustRun(t, "export", id, exported, d)
	f, _ := os.ReadFile(exported)
	a, err := wav.Decode(bytes.NewReader(f))
	if err != nil {
		t.Fatal(err)
	}
	if a.Rate != 8000 || a.Channels != 1 || a.Format != wav.PCM16 {
		t.Errorf("export: %d Hz, %d channels, %v; want 8000 Hz mono PCM16", a.Rate, a.Channels, a.Format)
	}
	if d := cmp.Diff(want, a.Samples); d != "" {
		t.Errorf("exported samples differ from the imported audio:\n%.400s", d)
	}

	// Training's 30 days are over on day 40; quality still allows an
	// export, and an export for training is refused.
	clk.Set(time.Date(2026, 4, 23, 9, 30, 0, 0, time.UTC))
	mustRun(t, "clock", "confirm", d)
	if code, _, errs := run(t, "export", id, exported, d, "--purpose", "training"); code != 1 || !strings.Contains(errs, "grant expired") {
		t.Errorf("export for an expired purpose: exit %d, %q", code, errs)
	}
	if out := mustRun(t, "export", id, exported, d); !strings.Contains(out, "exported") {
		t.Errorf("export under quality: %q", out)
	}

	if out := mustRun(t, "verify", d); !strings.Contains(out, "1 recordings") || !strings.Contains(out, "0 problems") {
		t.Errorf("verify: %s", out)
	}

	// Rotation: the new key opens the vault, a copy of the old one does not.
	old, _ := os.ReadFile(filepath.Join(data, "fairrec.key"))
	oldKey := filepath.Join(dir, "old.key")
	os.WriteFile(oldKey, old, 0o400)
	mustRun(t, "keys", "rotate", d)
	if l := listJSON(t, d); len(l) != 1 {
		t.Errorf("list after rotate: %+v", l)
	}
	if code, _, errs := run(t, "list", d, "--key", oldKey); code != 1 || !strings.Contains(errs, "wrong key") {
		t.Errorf("list with the old key: exit %d, %q", code, errs)
	}

	mustRun(t, "erase", id, d)
	if l := listJSON(t, d); len(l) != 0 {
		t.Errorf("list after erase: %+v", l)
	}
	if code, _, errs := run(t, "export", id, exported, d); code != 1 || !strings.Contains(errs, "was erased on") {
		t.Errorf("export after erase: exit %d, %q", code, errs)
	}
	if code, _, _ := run(t, "erase", "x", d); code != 2 {
		t.Errorf("erase x: exit %d, want 2", code)
	}
	// The regulator's question "who took it off the box, who erased it"
	// has an answer in the audit log.
	trail := mustRun(t, "audit", "export", d)
	for _, want := range []string{`"action":"export","recording":1`, `"purpose":"quality"`, `"action":"key-rotation"`, `"action":"erase-request","recording":1`} {
		if !strings.Contains(trail, want) {
			t.Errorf("audit log lacks %s:\n%s", want, trail)
		}
	}
}

func TestVaultCommandsKeyErrors(t *testing.T) {
	dir := t.TempDir()
	d := "--data=" + dir
	if code, _, errs := run(t, "list", d); code != 1 || !strings.Contains(errs, "fairrec keys init") {
		t.Errorf("list without a key: exit %d, %q", code, errs)
	}
	if testing.Short() {
		t.Skip("argon2id with the production parameters takes about a second per open")
	}
	pass := filepath.Join(t.TempDir(), "pass")
	os.WriteFile(pass, []byte("correct horse\n"), 0o600)
	mustRun(t, "keys", "init", d, "--passphrase-file", pass)
	if code, _, errs := run(t, "list", d); code != 1 || !strings.Contains(errs, "passphrase") {
		t.Errorf("list without the passphrase: exit %d, %q", code, errs)
	}
	t.Setenv("FAIRREC_PASSPHRASE", "wrong")
	if code, _, errs := run(t, "list", d); code != 1 || !strings.Contains(errs, "wrong passphrase") {
		t.Errorf("list with a wrong passphrase: exit %d, %q", code, errs)
	}
	t.Setenv("FAIRREC_PASSPHRASE", "correct horse")
	mustRun(t, "list", d)
}

// TestToolAuditsWhatTheVaultFindsAtOpen: a recording a power cut left open
// is sealed as interrupted by whichever program opens the vault first; when
// that is the tool, the audit log still says so.
func TestToolAuditsWhatTheVaultFindsAtOpen(t *testing.T) {
	data := t.TempDir()
	d := "--data=" + data
	mustRun(t, "keys", "init", d)
	clk := clocktest.New(time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC))
	v, err := vault.Open(vault.Config{Dir: data, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	id, err := v.Create(vault.Meta{Line: 1, Start: clk.Now(),
		Grants: []vault.Grant{{Purpose: "quality", Granted: clk.Now(), Deadline: clk.Now().Add(90 * 24 * time.Hour)}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Append(id, make([]byte, 800)); err != nil {
		t.Fatal(err)
	}
	if err := v.Close(); err != nil { // no Seal: as if the power went
		t.Fatal(err)
	}
	mustRun(t, "list", d) // the first to open the vault after the "power cut"
	trail := mustRun(t, "audit", "export", d)
	if !strings.Contains(trail, `"action":"interrupted-at-boot","recording":1`) {
		t.Errorf("the audit log does not record the interrupted recording:\n%s", trail)
	}
}
