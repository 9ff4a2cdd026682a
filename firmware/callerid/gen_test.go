package callerid

import (
	"math"
	"math/rand/v2"

	"fairrec/firmware/dsp"
)

// This file holds the test signal generators: an FSK caller ID transmitter
// as EN 300 659-1 and GR-30 describe it, a DTMF CLIP transmitter, and white
// Gaussian noise, all deterministic for a given seed.

// fskTx describes one FSK transmission.
type fskTx struct {
	mark, space float64 // nominal tones, Hz
	freqErr     float64 // relative frequency error of both tones (0.01 = +1%)
	baudErr     float64 // relative bit-rate error
	level       float64 // dBm0
	snr         float64 // dB, white noise over the whole band; 0 = no noise
	seed        uint64
	seizure     int // bits of alternating 0/1 channel seizure
	marks       int // bits of mark before the message
	lead, trail int // samples of silence (plus noise) around the signal
	msg         []byte
}

func v23Tx(msg []byte) fskTx {
	return fskTx{mark: 1300, space: 2100, level: -13, seizure: 300, marks: 180, lead: 800, trail: 800, msg: msg}
}

func bellTx(msg []byte) fskTx {
	return fskTx{mark: 1200, space: 2200, level: -13, seizure: 300, marks: 180, lead: 800, trail: 800, msg: msg}
}

// modulation is the Format the transmission's tones belong to.
func (t fskTx) modulation() Format {
	if t.mark > 1250 {
		return V23
	}
	return Bell202
}

// bits returns the transmission's bit sequence: seizure, marks, then each
// byte as start bit, 8 data bits LSB first, stop bit; then a few marks.
func (t fskTx) bits() []bool {
	var b []bool
	for i := range t.seizure {
		b = append(b, i%2 == 1) // starts with a space ("0101...")
	}
	for range t.marks {
		b = append(b, true)
	}
	for _, c := range t.msg {
		b = append(b, false)
		for i := range 8 {
			b = append(b, c>>i&1 == 1)
		}
		b = append(b, true)
	}
	for range 8 {
		b = append(b, true)
	}
	return b
}

// samples renders the transmission: continuous-phase FSK at 8 kHz.
func (t fskTx) samples() []int16 {
	return addNoise(t.signal(), t.level, t.snr, t.seed)
}

// signal is the transmission without noise.
func (t fskTx) signal() []float64 {
	bits := t.bits()
	bitLen := lineRate / (baud * (1 + t.baudErr))
	n := int(math.Ceil(float64(len(bits)) * bitLen))
	sig := make([]float64, t.lead+n+t.trail)
	peak := dsp.PeakForDBm0(t.level)
	phase := 0.0
	for i := range n {
		bit := bits[min(int(float64(i)/bitLen), len(bits)-1)]
		f := t.space
		if bit {
			f = t.mark
		}
		f *= 1 + t.freqErr
		sig[t.lead+i] = peak * math.Sin(phase)
		phase += 2 * math.Pi * f / lineRate
	}
	return sig
}

// addNoise adds white Gaussian noise snr dB below a sine at level dBm0 (0:
// none) and rounds to int16.
func addNoise(sig []float64, level, snr float64, seed uint64) []int16 {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	sigma := 0.0
	if snr != 0 {
		p := dsp.PeakForDBm0(level)
		sigma = math.Sqrt(p * p / 2 / math.Pow(10, snr/10))
	}
	out := make([]int16, len(sig))
	for i, v := range sig {
		v += sigma * rng.NormFloat64()
		out[i] = int16(max(-32768, min(32767, math.Round(v))))
	}
	return out
}

// noise returns n samples of white Gaussian noise at level dBm0.
func noise(n int, level float64, seed uint64) []int16 {
	return addNoise(make([]float64, n), level, 0.0000001, seed)
}

// message builds an FSK message: type, length, parameters, checksum.
func message(typ byte, body ...[]byte) []byte {
	var b []byte
	for _, p := range body {
		b = append(b, p...)
	}
	m := append([]byte{typ, byte(len(b))}, b...)
	return append(m, Checksum(m))
}

// param encodes one MDMF parameter.
func param(typ byte, v string) []byte {
	return append([]byte{typ, byte(len(v))}, v...)
}

// dtmfKeys maps a key to its row and column frequencies.
var dtmfKeys = map[byte][2]float64{
	'1': {697, 1209}, '2': {697, 1336}, '3': {697, 1477}, 'A': {697, 1633},
	'4': {770, 1209}, '5': {770, 1336}, '6': {770, 1477}, 'B': {770, 1633},
	'7': {852, 1209}, '8': {852, 1336}, '9': {852, 1477}, 'C': {852, 1633},
	'*': {941, 1209}, '0': {941, 1336}, '#': {941, 1477}, 'D': {941, 1633},
}

// dtmfTx renders keys as DTMF CLIP does: 70 ms tones, 70 ms pauses, each
// of the two tones at level dBm0 with the relative frequency error ferr.
func dtmfTx(keys string, level, ferr, snr float64, seed uint64) []int16 {
	return dtmfTxTimed(keys, 560, 560, level, ferr, snr, seed)
}

// dtmfTxTimed is dtmfTx with on and off times in samples.
func dtmfTxTimed(keys string, on, off int, level, ferr, snr float64, seed uint64) []int16 {
	const lead = 800
	sig := make([]float64, lead+len(keys)*(on+off)+lead)
	peak := dsp.PeakForDBm0(level)
	for k := range len(keys) {
		f := dtmfKeys[keys[k]]
		at := lead + k*(on+off)
		for i := range on {
			x := float64(i) / lineRate
			sig[at+i] = peak * (math.Sin(2*math.Pi*f[0]*(1+ferr)*x) + math.Sin(2*math.Pi*f[1]*(1+ferr)*x))
		}
	}
	return addNoise(sig, level, snr, seed)
}
