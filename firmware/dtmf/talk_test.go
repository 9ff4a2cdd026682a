package dtmf

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// The talk-off and talk-down corpora are generated, never committed: speech
// from espeak-ng (resampled to 8 kHz by sox) in several languages, voices,
// pitches and speeds, and music chords with instrument-like timbres.

var vocab = map[string]string{
	"en":    "one two three four five six seven eight nine zero hello please hold the line your call is important to us we will transfer you to billing thank you for waiting account number order delivery tomorrow morning afternoon evening",
	"en-us": "hi there yeah sure absolutely I can help with that what is your zip code let me check the system one moment please okay great sounds good awesome you are all set have a nice day",
	"nl":    "een twee drie vier vijf zes zeven acht negen nul goedemorgen u spreekt met de klantenservice mag ik uw postcode en huisnummer de bestelling wordt morgen bezorgd dank u wel fijne dag nog",
	"de":    "eins zwei drei vier fünf sechs sieben acht neun null guten tag sie sprechen mit dem kundendienst ihre kundennummer bitte einen moment die lieferung kommt morgen vielen dank auf wiederhören",
	"fr":    "un deux trois quatre cinq six sept huit neuf zéro bonjour vous êtes bien au service client votre numéro de dossier un instant s'il vous plaît la livraison arrive demain merci au revoir",
	"es":    "uno dos tres cuatro cinco seis siete ocho nueve cero buenos días servicio al cliente su número de pedido un momento por favor la entrega llega mañana muchas gracias adiós",
	"it":    "uno due tre quattro cinque sei sette otto nove zero buongiorno servizio clienti il suo codice cliente un attimo per favore la consegna arriva domani grazie mille arrivederci",
	"sv":    "ett två tre fyra fem sex sju åtta nio noll god morgon kundtjänst ditt kundnummer ett ögonblick leveransen kommer i morgon tack så mycket hej då",
	"pt":    "um dois três quatro cinco seis sete oito nove zero bom dia apoio ao cliente o seu número de cliente um momento por favor a entrega chega amanhã muito obrigado",
	"pl":    "jeden dwa trzy cztery pięć sześć siedem osiem dziewięć zero dzień dobry obsługa klienta proszę podać numer zamówienia chwileczkę dostawa jutro dziękuję do widzenia",
}

var variants = []string{"", "+f1", "+f2", "+f3", "+f4", "+f5", "+m1", "+m3", "+m5", "+klatt", "+croak", "+whisper"}

func haveTools(t testing.TB) {
	t.Helper()
	for _, tool := range []string{"espeak-ng", "sox"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed (scripts/deps.sh installs it)", tool)
		}
	}
}

// speak returns 8 kHz speech for text, normalised to dbm0 of active level.
func speak(t testing.TB, voice string, pitch, speed int, text string) []int16 {
	t.Helper()
	cmd := exec.Command("sh", "-c", fmt.Sprintf(
		"espeak-ng -v %s -p %d -s %d --stdout \"$TEXT\" | sox -q -t wav - -r 8000 -t raw -e signed -b 16 -c 1 -",
		voice, pitch, speed))
	cmd.Env = append(os.Environ(), "TEXT="+text)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("espeak-ng %s: %v: %s", voice, err, errb.String())
	}
	x := make([]int16, out.Len()/2)
	if err := binary.Read(&out, binary.LittleEndian, x); err != nil {
		t.Fatal(err)
	}
	return x
}

// activePower returns the mean power of the 20 ms frames of x that are
// within 30 dB of its loudest frame: the level of the speech, not the pauses.
func activePower(x []float64) float64 {
	var frames []float64
	top := 0.0
	for i := 0; i+160 <= len(x); i += 160 {
		var p float64
		for _, v := range x[i : i+160] {
			p += v * v
		}
		frames = append(frames, p/160)
		top = max(top, p/160)
	}
	var sum float64
	var n int
	for _, p := range frames {
		if p > top/1000 {
			sum += p
			n++
		}
	}
	if n == 0 {
		return 0
	}
	return sum / float64(n)
}

// scaleTo scales x so its active power is that of dbm0 (as a sine).
func scaleTo(x []float64, dbm0 float64) {
	g := math.Sqrt(math.Pow(peak(dbm0), 2) / 2 / activePower(x))
	for i := range x {
		x[i] *= g
	}
}

func floats(x []int16) []float64 {
	f := make([]float64, len(x))
	for i, v := range x {
		f[i] = float64(v)
	}
	return f
}

// speechCorpus generates at least seconds of speech with a fixed seed,
// cycling through languages, voice variants, pitches and speeds; each
// utterance is normalised to -16 dBm0 active level plus gain dB.
func speechCorpus(t testing.TB, seed uint64, seconds float64, gain float64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 7))
	langs := slices.Sorted(maps.Keys(vocab))
	var out []float64
	for i := 0; float64(len(out)) < seconds*8000; i++ {
		lang := langs[i%len(langs)]
		words := strings.Fields(vocab[lang])
		var b strings.Builder
		for range 25 + rng.IntN(20) {
			b.WriteString(words[rng.IntN(len(words))])
			b.WriteByte(' ')
		}
		v := variants[(i/len(langs)+i)%len(variants)]
		x := floats(speak(t, lang+v, 20+rng.IntN(80), 130+rng.IntN(70), b.String()))
		if len(x) < 1600 {
			continue
		}
		scaleTo(x, -16+gain)
		out = append(out, x...)
	}
	return out
}

// note returns the frequency of MIDI note n in equal temperament (A4 = 440).
func note(n int) float64 { return 440 * math.Pow(2, float64(n-69)/12) }

// timbres are harmonic amplitudes (fundamental first) of instrument-like
// tones. A pure sine pair F5+F#6 is a valid '3' by any standard (both within
// 0.3% of 697 and 1477 Hz): no receiver may reject it, so music is played
// with the harmonics real instruments have.
var timbres = [][]float64{
	{1, 0.5, 0.33, 0.25, 0.2, 0.16},    // sawtooth-like (strings, brass)
	{1, 0, 0.33, 0, 0.2, 0, 0.14},      // square-like (clarinet)
	{1, 0.6, 0.3, 0.4, 0.15, 0.1},      // piano-like
	{1, 0.8, 0.6, 0.5, 0.3, 0.2},       // organ
	{1, 0.35, 0.2, 0.1},                // flute-like, the cleanest
	{1, 0.7, 0.5, 0.45, 0.4, 0.3, 0.2}, // accordion
}

// music returns seconds of chords at -16 dBm0+gain: random triads and
// dyads across the DTMF band, the F5+F#6 dyad every fourth chord, with
// attack/decay envelopes, vibrato and a random timbre each.
func music(seed uint64, seconds float64, gain float64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 11))
	var out []float64
	for i := 0; float64(len(out)) < seconds*8000; i++ {
		var notes []int
		switch i % 4 {
		case 0:
			notes = []int{77, 90} // F5 + F#6: '3' as pure sines
		case 1:
			root := 60 + rng.IntN(24)
			notes = []int{root, root + 4, root + 7}
		case 2:
			notes = []int{72 + rng.IntN(12), 84 + rng.IntN(12)}
		default:
			root := 55 + rng.IntN(30)
			notes = []int{root, root + 3, root + 7, root + 12}
		}
		tim := timbres[rng.IntN(len(timbres))]
		n := ms(150 + rng.Float64()*850)
		x := make([]float64, n)
		vib := rng.Float64() * 0.006
		decay := 0.5 + 3*rng.Float64()
		for _, nt := range notes {
			f0 := note(nt)
			ph := rng.Float64() * 2 * math.Pi
			for h, a := range tim {
				fh := f0 * float64(h+1)
				if a == 0 || fh > 3800 {
					continue
				}
				for k := range x {
					tt := float64(k) / 8000
					env := math.Min(1, tt/0.01) * math.Exp(-tt*decay)
					x[k] += a * env * math.Sin(2*math.Pi*fh*(tt+vib/5.5*math.Sin(2*math.Pi*5.5*tt))+ph*float64(h+1))
				}
			}
		}
		scaleTo(x, -16+gain)
		out = append(out, x...)
	}
	return out
}

// talkOff runs the detector over speech and music of the given lengths at
// normal level and +6 dB and returns the false digits.
func talkOff(t testing.TB, speechSec, musicSec float64) []Event {
	var all []Event
	for _, gain := range []float64{0, 6} {
		sp := speechCorpus(t, uint64(1+gain), speechSec/2, gain)
		mu := music(uint64(2+gain), musicSec/2, gain)
		for _, part := range []struct {
			name string
			x    []float64
		}{{"speech", sp}, {"music", mu}} {
			ev := detect(t, nil, quantise(part.x), 160)
			t.Logf("%s at %+v dB: %.1f min, %d false digits %q", part.name, gain, float64(len(part.x))/8000/60, len(ev), digits(ev))
			for _, e := range ev {
				t.Logf("  %c at %.2f s for %d ms, %.1f dBm0", e.Digit, float64(e.Start)/8000, e.Duration/8, e.Level)
			}
			all = append(all, ev...)
		}
	}
	return all
}

// Case 12, short form for every test run: about a minute of speech and
// half a minute of music.
func TestTalkOff(t *testing.T) {
	haveTools(t)
	sec := 60.0
	if testing.Short() {
		sec = 20
	}
	if ev := talkOff(t, sec, sec/2); len(ev) > 0 {
		t.Errorf("%d false digits", len(ev))
	}
}

// Case 12 in full: FAIRREC_TALKOFF=1 (make talkoff) runs 60 minutes of
// speech and 10 of music; FAIRREC_TALKOFF_MIN overrides the speech minutes.
func TestTalkOffFull(t *testing.T) {
	if os.Getenv("FAIRREC_TALKOFF") == "" {
		t.Skip("set FAIRREC_TALKOFF=1 (make talkoff) for the 60-minute talk-off run")
	}
	haveTools(t)
	minutes := 60.0
	if v := os.Getenv("FAIRREC_TALKOFF_MIN"); v != "" {
		if _, err := fmt.Sscan(v, &minutes); err != nil {
			t.Fatalf("FAIRREC_TALKOFF_MIN=%q: %v", v, err)
		}
	}
	if ev := talkOff(t, minutes*60, 600); len(ev) > 0 {
		t.Errorf("%d false digits", len(ev))
	}
}
