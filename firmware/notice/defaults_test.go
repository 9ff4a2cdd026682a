package notice

import (
	"bytes"
	"io/fs"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"fairrec/firmware/dsp"
	"fairrec/firmware/wav"
)

// defaultLibrary loads the built-in notices once for all tests.
var defaultLibrary = func() func(t testing.TB) *Library {
	var once sync.Once
	var lib *Library
	var err error
	return func(t testing.TB) *Library {
		once.Do(func() { lib, err = Load(Config{}) })
		if err != nil {
			t.Fatal(err)
		}
		return lib
	}
}()

func TestDefaultsLoad(t *testing.T) {
	lib := defaultLibrary(t)
	var want []Key
	for _, p := range []string{"default", "sales"} {
		for _, l := range []string{"en", "nl"} {
			want = append(want, Key{p, l, KindNotice})
			if p == DefaultProfile {
				want = append(want, Key{p, l, KindConfirm}, Key{p, l, KindConfirmContinues})
			}
		}
	}
	if diff := cmp.Diff(want, lib.Keys()); diff != "" {
		t.Errorf("built-in notices (-want +got):\n%s", diff)
	}
	for _, k := range lib.Keys() {
		n, _ := lib.Lookup(k)
		if n.SourceRate < MinRate || n.Seconds() < 2 || n.Seconds() > 25 || n.LevelDBm0 < -30 || n.LevelDBm0 > -6 {
			t.Errorf("%s: %d Hz, %.1f s, %.1f dBm0: want >= 16 kHz, 2-25 s, -30..-6 dBm0",
				k, n.SourceRate, n.Seconds(), n.LevelDBm0)
		}
	}
	var total int64
	names, _ := fs.Glob(Defaults(), "*.mp3")
	for _, name := range names {
		fi, err := fs.Stat(Defaults(), name)
		if err != nil {
			t.Fatal(err)
		}
		total += fi.Size()
	}
	if total > 150_000 {
		t.Errorf("built-in notices take %d bytes, budget 150 kB", total)
	}
}

// TestDefaultTexts checks that texts.toml and the MP3s agree, and that each
// notice says what GDPR art. 13 and 21(4) ask of it.
func TestDefaultTexts(t *testing.T) {
	texts, err := Texts()
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, tx := range texts {
		files = append(files, tx.File)
		if tx.Key.Kind != KindNotice {
			continue
		}
		// The objection digit, "now or at any time", and each purpose's
		// retention.
		must := map[string][]string{
			"default": {"9", "30", "90"},
			"sales":   {"9", "30"},
		}[tx.Key.Profile]
		must = append(must, map[string]string{"en": "at any time", "nl": "op elk moment"}[tx.Key.Language])
		for _, m := range must {
			if !strings.Contains(tx.Text, m) {
				t.Errorf("%s does not say %q: %s", tx.File, m, tx.Text)
			}
		}
	}
	names, _ := fs.Glob(Defaults(), "*.mp3")
	sort.Strings(files)
	if diff := cmp.Diff(names, files); diff != "" {
		t.Errorf("MP3 files vs texts.toml (-files +texts):\n%s", diff)
	}
}

// TestDefaultsSayTheirText speaks each text again and checks that the
// shipped MP3 correlates with it, so an edited text whose MP3 was not
// regenerated (scripts/notices/make-notices.sh) fails here.
func TestDefaultsSayTheirText(t *testing.T) {
	needTools(t, "espeak-ng")
	if out, _ := exec.Command("espeak-ng", "--version").Output(); !bytes.Contains(out, []byte("1.51")) {
		t.Skipf("the defaults were spoken by espeak-ng 1.51; this is %s", out)
	}
	texts, err := Texts()
	if err != nil {
		t.Fatal(err)
	}
	lib := defaultLibrary(t)
	for _, tx := range texts {
		if testing.Short() && tx.Key.Language != "en" {
			continue
		}
		out := filepath.Join(t.TempDir(), "t.wav")
		run(t, "espeak-ng", "-v", tx.Voice, "-s", "170", "-w", out, tx.Text)
		a := readWAV(t, out)
		want, err := wav.Mono8k(a)
		if err != nil {
			t.Fatal(err)
		}
		n, err := lib.Lookup(tx.Key)
		if err != nil {
			t.Fatal(err)
		}
		// LAME's encoder delay (576 samples at 16 kHz) comes first: no
		// tag fits in these small frames.
		const lag = 288
		if len(n.Samples) < len(want)+lag-dsp.FrameSamples {
			t.Errorf("%s: %d samples, text spoken %d", tx.File, len(n.Samples), len(want))
			continue
		}
		got, c := bestLag(want[2000:min(len(want)-2000, 26000)], n.Samples[2000+lag-100:], 100)
		t.Logf("%s: correlation %.3f at lag %d", tx.File, c, got)
		if c < 0.8 {
			t.Errorf("%s: correlation %.2f (lag %d) with its text spoken again: regenerate the defaults", tx.File, c, got)
		}
	}
}
