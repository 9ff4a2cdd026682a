package dtmf

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The recorded talk-off corpus: real music (Asterisk's music on hold and
// game soundtracks from Debian packages) and speech from three synthesizers
// (espeak-ng, flite, festival), built by scripts/talkoff/corpus.sh into a
// cache directory and never committed. Each file is scaled to the levels a
// line carries and also mixed with the other side of a call. A false digit
// here is a recording lost; a false '9' an objection nobody made.

// corpusRoot returns the cache directory of the recorded corpus; the short
// and the full form each have their own directory under it.
func corpusRoot(t testing.TB) string {
	if d := os.Getenv("FAIRREC_TALKOFF_CACHE"); d != "" {
		return d
	}
	if d := os.Getenv("XDG_CACHE_HOME"); d != "" {
		return filepath.Join(d, "fairrec", "talkoff")
	}
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "fairrec", "talkoff")
	}
	return filepath.Join(os.TempDir(), "fairrec-talkoff")
}

// buildCorpus runs corpus.sh for mode ("short" or "full") and returns the
// directory, or skips the test with one line when a tool or package is
// missing.
func buildCorpus(t testing.TB, mode string) string {
	t.Helper()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash not installed")
	}
	dir := filepath.Join(corpusRoot(t), mode)
	cmd := exec.Command("bash", filepath.Join("..", "..", "scripts", "talkoff", "corpus.sh"), mode, dir)
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) && ee.ExitCode() == 3 {
			t.Skip(strings.TrimSpace(errb.String()))
		}
		t.Fatalf("corpus.sh %s: %v: %s", mode, err, errb.String())
	}
	return dir
}

type clip struct {
	name string
	x    []float64
}

// loadClips reads the raw files of one corpus part; limit (samples, 0 for
// all) cuts each file short.
func loadClips(t testing.TB, dir, part string, limit int) []clip {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, part, "*.raw"))
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(files)
	var out []clip
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		x := make([]int16, len(b)/2)
		if err := binary.Read(bytes.NewReader(b[:2*len(x)]), binary.LittleEndian, x); err != nil {
			t.Fatal(err)
		}
		if limit > 0 && len(x) > limit {
			x = x[:limit]
		}
		if len(x) < 1600 {
			continue
		}
		out = append(out, clip{strings.TrimSuffix(filepath.Base(f), ".raw"), floats(x)})
	}
	return out
}

// scaled returns x with its active level at dbm0.
func scaled(x []float64, dbm0 float64) []float64 {
	y := slices.Clone(x)
	scaleTo(y, dbm0)
	return y
}

// mix adds b (repeated or cut to fit) to a.
func mix(a, b []float64) []float64 {
	y := slices.Clone(a)
	for i := range y {
		y[i] += b[i%len(b)]
	}
	return y
}

// tally counts false digits per corpus part.
type tally struct {
	name          string
	samples       int
	digits, nines int
	firstFew      []string
}

// receiver runs a DTMF receiver over x and returns the digits it reported,
// each with a line telling where, for the log.
type receiver func(t testing.TB, name string, x []int16) (digits []byte, where []string)

// ours runs this package's detector (ETSI profile, 20 ms chunks).
func ours(t testing.TB, name string, x []int16) (digits []byte, where []string) {
	d, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range run(d, x, 160) {
		if e.Kind == End {
			digits = append(digits, e.Digit)
			where = append(where, fmt.Sprintf("%c in %s at %.2f s for %d ms, %.1f/%.1f dBm0",
				e.Digit, name, float64(e.Start)/rate, e.Duration/8, e.Low, e.High))
		}
	}
	return digits, where
}

func (ta *tally) add(t testing.TB, rx receiver, name string, x []float64) {
	t.Helper()
	ta.samples += len(x)
	digits, where := rx(t, name, quantise(x))
	ta.digits += len(digits)
	ta.nines += strings.Count(string(digits), "9")
	ta.firstFew = append(ta.firstFew, where[:min(len(where), 20-len(ta.firstFew))]...)
}

func (ta *tally) report(t testing.TB) {
	t.Helper()
	t.Logf("%-34s %6.1f min  %3d false digits  %3d false 9s", ta.name, float64(ta.samples)/rate/60, ta.digits, ta.nines)
	for _, s := range ta.firstFew {
		t.Logf("    %s", s)
	}
}

// recordedTalkOff runs the detector over the recorded corpus in dir. In
// short form each file is checked at one level (taking turns) instead of
// all, and limit cuts files short.
func recordedTalkOff(t *testing.T, rx receiver, dir string, full bool, limit int) (digits, nines int) {
	music := loadClips(t, dir, "music", limit)
	moh := loadClips(t, dir, "moh", limit)
	speech := loadClips(t, dir, "speech", limit)
	if len(moh) == 0 || len(speech) == 0 {
		t.Fatalf("corpus in %s is empty", dir)
	}
	levels := func(i int, all []float64) []float64 {
		if full {
			return all
		}
		return all[i%len(all) : i%len(all)+1]
	}
	synth := func(c clip) string { // espeak-ng-en_m3-1, flite-kal-1
		if strings.HasPrefix(c.name, "espeak-ng") {
			return "espeak-ng"
		}
		return strings.SplitN(c.name, "-", 2)[0]
	}
	var parts []*tally
	part := func(name string) *tally {
		for _, p := range parts {
			if p.name == name {
				return p
			}
		}
		p := &tally{name: name}
		parts = append(parts, p)
		return p
	}
	// Music as a shop's radio or a caller's television: loud to quiet.
	for i, c := range music {
		for _, l := range levels(i, []float64{-6, -13, -20}) {
			part(fmt.Sprintf("music %s at %g dBm0", strings.SplitN(c.name, "-", 2)[0], l)).add(t, rx, c.name, scaled(c.x, l))
		}
	}
	// Music on hold at the levels a PBX plays it.
	for i, c := range moh {
		for _, l := range levels(i, []float64{-10, -15, -20}) {
			part(fmt.Sprintf("music on hold at %g dBm0", l)).add(t, rx, c.name, scaled(c.x, l))
		}
	}
	// Speech of each synthesizer, from a soft to a loud talker.
	for i, c := range speech {
		for _, l := range levels(i, []float64{-22, -16, -10}) {
			part(fmt.Sprintf("speech %s at %g dBm0", synth(c), l)).add(t, rx, c.name, scaled(c.x, l))
		}
	}
	// Both sides of a call: a voice over music on hold or a radio, and two
	// voices of different synthesizers talking at once.
	bg := append(slices.Clone(moh), music...)
	for i, c := range speech {
		b := bg[(i*7)%len(bg)]
		x := mix(scaled(c.x, -16), scaled(b.x, -22))
		part("speech -16 + music -22 dBm0").add(t, rx, c.name+"+"+b.name, x)
		if full {
			x = mix(scaled(c.x, -20), scaled(b.x, -14))
			part("speech -20 + music -14 dBm0").add(t, rx, c.name+"+"+b.name, x)
		}
		o := speech[(i+len(speech)/3+1)%len(speech)]
		if synth(o) == synth(c) {
			o = speech[(i+len(speech)/2+1)%len(speech)]
		}
		x = mix(scaled(c.x, -16), scaled(o.x, -19))
		part("speech -16 + speech -19 dBm0").add(t, rx, c.name+"+"+o.name, x)
	}
	var total tally
	total.name = "total"
	for _, p := range parts {
		p.report(t)
		total.samples += p.samples
		total.digits += p.digits
		total.nines += p.nines
	}
	total.report(t)
	return total.digits, total.nines
}

// The short form for every test run: Asterisk's music on hold as played
// and through an on-hold compressor, and about a minute of each voice of
// espeak-ng, flite and festival, one level per file, and mixed.
func TestTalkOffRecorded(t *testing.T) {
	dir := buildCorpus(t, "short")
	limit := 0
	if testing.Short() {
		limit = 20 * rate
	}
	if digits, nines := recordedTalkOff(t, ours, dir, false, limit); digits > 0 {
		t.Errorf("%d false digits, %d of them 9", digits, nines)
	}
}

// The whole recorded corpus at every level (make talkoff).
func TestTalkOffRecordedFull(t *testing.T) {
	if os.Getenv("FAIRREC_TALKOFF") == "" {
		t.Skip("set FAIRREC_TALKOFF=1 (make talkoff) for the recorded talk-off corpus")
	}
	dir := buildCorpus(t, "full")
	if digits, nines := recordedTalkOff(t, ours, dir, true, 0); digits > 0 {
		t.Errorf("%d false digits, %d of them 9", digits, nines)
	}
}
