package callerid

import (
	"math"
	"math/rand/v2"

	"fairrec/firmware/dsp"
)

// This file holds the call-waiting test signal generators: the exchange's
// alerting signal, the phone's acknowledgement and the FSK message, with a
// call's speech around them, as EN 300 659-2 / SIN227 and GR-30 /
// SR-TSV-002476 describe the sequence.

// cwTx describes one call-waiting transmission in the middle of a call.
type cwTx struct {
	fsk        fskTx   // the message; its freqErr also shifts the CAS and ack tones
	casLevel   float64 // dBm0 per tone; 0 = fsk.level
	twist      float64 // dB, 2750 Hz over 2130 Hz
	casMs      float64 // duration of the alerting signal; 0 = 80 ms
	casFreqErr float64 // extra relative error of the CAS tones alone
	ack        byte    // 'D', 'A', or 0 for a phone heard not to acknowledge
	ackLevel   float64 // dBm0 per tone; 0 = -10
	ackDelay   float64 // ms from the end of the CAS to the ack
	fskDelay   float64 // ms from the end of the ack (or its slot) to the mark
	noFSK      bool    // the exchange sends nothing after the ack
	sas        bool    // a 440 Hz subscriber alerting signal first (North America)
	talk       float64 // seconds of speech-like signal before and after
	talkLevel  float64 // its active level, dBm0; 0 = -15
}

// cwV23 is an ETSI call-waiting transmission: 'D' acknowledgement, V.23,
// 80 bits of mark, no channel seizure.
func cwV23(msg []byte) cwTx {
	tx := v23Tx(msg)
	tx.seizure, tx.marks, tx.lead, tx.trail = 0, 80, 0, 0
	return cwTx{fsk: tx, ack: 'D', ackDelay: 40, fskDelay: 60, talk: 1}
}

// cwBell is a North American CIDCW transmission: SAS, CAS, 'A' (an ADSI
// set), Bell 202 with 80 bits of mark.
func cwBell(msg []byte) cwTx {
	tx := bellTx(msg)
	tx.seizure, tx.marks, tx.lead, tx.trail = 0, 80, 0, 0
	return cwTx{fsk: tx, ack: 'A', ackDelay: 50, fskDelay: 100, sas: true, talk: 1}
}

func ms(v float64) int { return int(math.Round(v * lineRate / 1000)) }

// tones appends n samples of the sum of sines at freqs, each at dbm0 (a
// per-tone slice, one per frequency).
func tones(sig []float64, n int, freqs, dbm0 []float64) []float64 {
	for i := range n {
		v := 0.0
		for k, f := range freqs {
			v += dsp.PeakForDBm0(dbm0[k]) * math.Sin(2*math.Pi*f*float64(i)/lineRate)
		}
		sig = append(sig, v)
	}
	return sig
}

// signal renders the transmission without noise, and returns the sample
// where the FSK mark begins.
func (t cwTx) signal() ([]float64, int) {
	casLevel, ackLevel, talkLevel, casMs := t.casLevel, t.ackLevel, t.talkLevel, t.casMs
	if casLevel == 0 {
		casLevel = t.fsk.level
	}
	if ackLevel == 0 {
		ackLevel = -10
	}
	if talkLevel == 0 {
		talkLevel = -15
	}
	if casMs == 0 {
		casMs = 80
	}
	fe := 1 + t.fsk.freqErr
	var sig []float64
	sig = append(sig, speechLike(int(t.talk*lineRate), talkLevel, t.fsk.seed)...)
	if t.sas {
		sig = tones(sig, ms(300), []float64{440}, []float64{-13})
		sig = append(sig, make([]float64, ms(10))...)
	}
	cf := fe * (1 + t.casFreqErr)
	sig = tones(sig, ms(casMs), []float64{casLowHz * cf, casHighHz * cf}, []float64{casLevel - t.twist/2, casLevel + t.twist/2})
	sig = append(sig, make([]float64, ms(t.ackDelay))...)
	if k, ok := dtmfKeys[t.ack]; ok {
		sig = tones(sig, ms(60), []float64{k[0] * fe, k[1] * fe}, []float64{ackLevel, ackLevel})
	} else {
		sig = append(sig, make([]float64, ms(60))...)
	}
	sig = append(sig, make([]float64, ms(t.fskDelay))...)
	at := len(sig)
	if !t.noFSK {
		sig = append(sig, t.fsk.signal()...)
	}
	sig = append(sig, make([]float64, ms(50))...)
	sig = append(sig, speechLike(int(t.talk*lineRate), talkLevel, t.fsk.seed+1)...)
	return sig, at
}

// samples renders the transmission with white noise t.fsk.snr dB under a
// sine at the FSK's level, over the whole of it.
func (t cwTx) samples() []int16 {
	sig, _ := t.signal()
	return addNoise(sig, t.fsk.level, t.fsk.snr, t.fsk.seed)
}

// vowels are formant frequencies (F1, F2, F3) of vowels, roughly as adult
// speakers produce them.
var vowels = [][3]float64{
	{730, 1090, 2440}, {270, 2290, 3010}, {530, 1840, 2480}, {660, 1720, 2410},
	{300, 870, 2240}, {570, 840, 2410}, {440, 1020, 2240}, {490, 1350, 1690},
}

// speechLike returns n samples of a deterministic stand-in for a call's
// speech, at an active level of dbm0: syllables of voiced sound (a
// harmonic series on a gliding pitch, shaped by three formants), fricatives
// (noise weighted to the high band) and pauses.
func speechLike(n int, dbm0 float64, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 0xbab1e))
	out := make([]float64, 0, n)
	for len(out) < n {
		seg := ms(60 + 240*rng.Float64())
		x := make([]float64, seg)
		switch k := rng.IntN(8); {
		case k < 5:
			f0, glide := 90+160*rng.Float64(), 0.8+0.4*rng.Float64()
			v := vowels[rng.IntN(len(vowels))]
			ph := 0.0
			for i := range x {
				f := f0 * (1 + (glide-1)*float64(i)/float64(seg))
				ph += 2 * math.Pi * f / lineRate
				env := math.Sin(math.Pi * float64(i) / float64(seg))
				for h := 1; float64(h)*f < 3800; h++ {
					hf := float64(h) * f
					a := 0.0
					for j, fm := range v {
						bw := 80.0 + 40*float64(j)
						a += math.Pow(0.5, float64(j)) / (1 + (hf-fm)*(hf-fm)/(bw*bw))
					}
					x[i] += env * a / math.Sqrt(float64(h)) * math.Sin(float64(h)*ph)
				}
			}
		case k < 7:
			prev := 0.0
			for i := range x {
				w := rng.NormFloat64()
				x[i] = (w - prev) * 0.3 * math.Sin(math.Pi*float64(i)/float64(seg))
				prev = w
			}
		}
		out = append(out, x...)
	}
	out = out[:n]
	var p float64
	var active int
	for _, v := range out {
		if v != 0 {
			p += v * v
			active++
		}
	}
	if active == 0 {
		return out
	}
	peak := dsp.PeakForDBm0(dbm0)
	g := math.Sqrt(peak * peak / 2 / (p / float64(active)))
	for i := range out {
		out[i] *= g
	}
	return out
}
