package callerid

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"testing"
)

// casMargins runs the alerting signal detector over x and returns the
// longest run of blocks that passed the level, twist and purity checks,
// and the highest purity of a block whose tones were both above the
// minimum level: how close x came to a detection.
func casMargins(x []int16) (run, maxRun int, purity float64) {
	c := newCAS()
	for len(x) > 0 {
		k := min(len(x), casBlock-c.i)
		c.add(x[:k])
		x = x[k:]
		if c.i < casBlock {
			break
		}
		plo, phi := tonePower(complex(c.r1, -c.i1)), tonePower(complex(c.r2, -c.i2))
		if plo >= c.lo.minPow && phi >= c.hi.minPow && c.e > 0 {
			purity = max(purity, (plo+phi)/(c.e/casBlock))
		}
		c.endBlock()
		maxRun = max(maxRun, c.run)
	}
	return c.run, maxRun, purity
}

// talkOffCheck runs the decoder over x and fails on any alerting signal or
// result; it logs how close x came.
func talkOffCheck(t *testing.T, name string, x []int16) {
	t.Helper()
	got, alerts := cwDecode(t, Config{}, x)
	_, run, purity := casMargins(x)
	t.Logf("%s: %.1f s, longest run %d blocks (alerting signal: %d), highest purity %.2f (threshold %.2f)",
		name, float64(len(x))/lineRate, run, casMinBlocks, purity, casMinPurity)
	if alerts != 0 || len(got) != 0 {
		t.Errorf("%s: %d alerting signals, results %v", name, alerts, got)
	}
}

// cwMusic returns seconds of chords at an active level of dbm0, built to
// tempt the alerting signal detector: pure sine dyads of the equal-tempered
// notes nearest 2130 and 2750 Hz (C7, C#7 with E7, F7), and harmonic tones
// on fundamentals whose 7th and 9th harmonics fall on 2130 and 2750 Hz,
// with timbres from flute-like to sawtooth, vibrato and decay.
func cwMusic(seconds, dbm0 float64, seed uint64) []int16 {
	rng := rand.New(rand.NewPCG(seed, 13))
	timbres := [][]float64{
		{1},                 // pure sine
		{1, 0.35, 0.2, 0.1}, // flute-like
		{1, 0.5, 0.33, 0.25, 0.2, 0.17, 0.14, 0.12, 0.11, 0.1, 0.09, 0.08}, // sawtooth
		{1, 0, 0.33, 0, 0.2, 0, 0.14, 0, 0.11, 0, 0.09},                    // square-like
	}
	var out []float64
	for i := 0; float64(len(out)) < seconds*lineRate; i++ {
		var freqs []float64
		tim := timbres[rng.IntN(len(timbres))]
		switch i % 4 {
		case 0:
			freqs, tim = []float64{note(96), note(101)}, timbres[0] // C7 + F7
		case 1:
			freqs, tim = []float64{note(97), note(100)}, timbres[0] // C#7 + E7
		case 2:
			freqs = []float64{casLowHz / 7 * (1 + 0.02*(rng.Float64()-0.5))}
		default:
			root := 60 + rng.IntN(30)
			freqs = []float64{note(root), note(root + 4), note(root + 7)}
		}
		n := ms(150 + 850*rng.Float64())
		x := make([]float64, n)
		vib, decay := 0.006*rng.Float64(), 0.5+3*rng.Float64()
		for _, f0 := range freqs {
			for h, a := range tim {
				fh := f0 * float64(h+1)
				if a == 0 || fh > 3800 {
					continue
				}
				for k := range x {
					tt := float64(k) / lineRate
					env := math.Min(1, tt/0.01) * math.Exp(-tt*decay)
					x[k] += a * env * math.Sin(2*math.Pi*fh*(tt+vib/5.5*math.Sin(2*math.Pi*5.5*tt)))
				}
			}
		}
		out = append(out, x...)
	}
	return addNoise(scaled(out, dbm0), dbm0, 50, seed)
}

// note is the frequency of MIDI note n in equal temperament.
func note(n int) float64 { return 440 * math.Pow(2, float64(n-69)/12) }

// scaled scales x to an RMS level of dbm0 (as a sine).
func scaled(x []float64, dbm0 float64) []float64 {
	var p float64
	for _, v := range x {
		p += v * v
	}
	if p == 0 {
		return x
	}
	g := math.Sqrt(math.Pow(10, dbm0/10) * zeroDBm0Power / (p / float64(len(x))))
	for i := range x {
		x[i] *= g
	}
	return x
}

// TestCallWaitingTalkOff: the speech and music of a call, which is what
// the decoder hears all day, give no alerting signal and no message.
func TestCallWaitingTalkOff(t *testing.T) {
	utterances := []struct{ voice, text string }{
		{"nl", "Goedemiddag, u spreekt met de klantenservice van de energiemaatschappij. Waarmee kan ik u helpen?"},
		{"en-us", "Hi, I'd like to know how long you keep recordings of my calls, and I object to being recorded."},
		{"en+f3", "Sure, one moment please. Your customer number is four five six, seven eight nine, zero one two."},
	}
	levels := []float64{-5, -20, -35}
	sec := 60.0
	if testing.Short() {
		utterances, levels, sec = utterances[:1], levels[:1], 20
	}
	for i, level := range levels {
		talkOffCheck(t, fmt.Sprintf("music at %g dBm0", level), cwMusic(sec/float64(len(levels)), level, uint64(60+i)))
		talkOffCheck(t, fmt.Sprintf("speech-like at %g dBm0", level), addNoise(speechLike(int(sec/float64(len(levels))*lineRate), level, uint64(70+i)), level, 50, 1))
	}
	for _, u := range utterances {
		for _, level := range levels {
			talkOffCheck(t, fmt.Sprintf("%s at %g dBm0", u.voice, level), speech(t, u.voice, u.text, level))
		}
	}
}

// TestCallWaitingTalkOffFull is the long talk-off run (FAIRREC_TALKOFF=1,
// make talkoff): espeak-ng speech in ten languages and voices, about
// fifteen minutes, and ten minutes of music.
func TestCallWaitingTalkOffFull(t *testing.T) {
	if os.Getenv("FAIRREC_TALKOFF") == "" {
		t.Skip("set FAIRREC_TALKOFF=1 (make talkoff) for the long call-waiting talk-off run")
	}
	texts := map[string]string{
		"en":    "Thank you for calling. Your account number is five five two, eight one nine. Please hold while I transfer you to billing; the delivery comes tomorrow morning.",
		"en-us": "Yeah sure, absolutely, I can help with that. What is your zip code? Okay great, sounds good, you are all set, have a nice day.",
		"nl":    "Goedemorgen, mag ik uw postcode en huisnummer? De bestelling wordt morgen tussen negen en twaalf bezorgd. Dank u wel en een fijne dag nog.",
		"de":    "Guten Tag, Sie sprechen mit dem Kundendienst. Ihre Kundennummer bitte. Einen Moment, die Lieferung kommt morgen. Vielen Dank, auf Wiederhören.",
		"fr":    "Bonjour, vous êtes bien au service client. Votre numéro de dossier, s'il vous plaît. La livraison arrive demain. Merci, au revoir.",
		"es":    "Buenos días, servicio al cliente. ¿Su número de pedido? Un momento por favor, la entrega llega mañana. Muchas gracias, adiós.",
		"it":    "Buongiorno, servizio clienti. Il suo codice cliente, per favore. Un attimo, la consegna arriva domani. Grazie mille, arrivederci.",
		"sv":    "God morgon, kundtjänst. Ditt kundnummer, tack. Ett ögonblick, leveransen kommer i morgon. Tack så mycket, hej då.",
		"pt":    "Bom dia, apoio ao cliente. O seu número de cliente, por favor. Um momento, a entrega chega amanhã. Muito obrigado.",
		"pl":    "Dzień dobry, obsługa klienta. Proszę podać numer zamówienia. Chwileczkę, dostawa jutro. Dziękuję, do widzenia.",
	}
	variants := []string{"", "+f2", "+f4", "+m3", "+klatt", "+croak", "+whisper"}
	var total, maxPurity float64
	var maxRun int
	for lang, text := range texts {
		for _, v := range variants {
			for _, level := range []float64{-5, -15, -30} {
				x := speech(t, lang+v, text, level)
				total += float64(len(x)) / lineRate
				got, alerts := cwDecode(t, Config{}, x)
				_, run, purity := casMargins(x)
				maxRun, maxPurity = max(maxRun, run), max(maxPurity, purity)
				if alerts != 0 || len(got) != 0 {
					t.Errorf("%s%s at %g dBm0: %d alerting signals, results %v (run %d, purity %.2f)", lang, v, level, alerts, got, run, purity)
				}
			}
		}
	}
	t.Logf("speech: %.1f min, longest run %d blocks (alerting signal: %d), highest purity %.2f (threshold %.2f)",
		total/60, maxRun, casMinBlocks, maxPurity, casMinPurity)
	for i, level := range []float64{-5, -15, -30} {
		talkOffCheck(t, fmt.Sprintf("music at %g dBm0", level), cwMusic(200, level, uint64(80+i)))
	}
}
