package selfcheck

import (
	"fmt"
	"math"

	"fairrec/firmware/callerid"
	"fairrec/firmware/dsp"
	"fairrec/firmware/dtmf"
)

// lineRate is the firmware's line rate: the detectors run at 8 kHz.
const lineRate = 8000

// frame is how the line feeds the detectors: 20 ms at a time.
const frame = 160

// The DTMF check's signal: every key of the keypad, each tone of a pair at
// dtmfLevel, on and off for 80 ms (Q.24 asks receivers to take 40 ms).
const (
	dtmfKeys  = "123A456B789C*0#D"
	dtmfLevel = -10.0 // dBm0 per tone
	dtmfOn    = 640   // samples
	dtmfOff   = 640
)

// DTMFSignal renders keys (of "0123456789*#ABCD") as DTMF at 8 kHz: on
// samples of each key's tone pair, each tone at level dBm0, then off
// samples of silence, after a lead of off samples. An unknown key is
// silence.
func DTMFSignal(keys string, on, off int, level float64) []int16 {
	x := make([]int16, off+len(keys)*(on+off))
	lo, hi := make([]int16, on), make([]int16, on)
	for i := range len(keys) {
		f, ok := dtmfPair(keys[i])
		if !ok {
			continue
		}
		dsp.Sine(lo, lineRate, f[0], level, 0)
		dsp.Sine(hi, lineRate, f[1], level, 0)
		at := off + i*(on+off)
		for j := range on {
			x[at+j] = int16(max(math.MinInt16, min(math.MaxInt16, int32(lo[j])+int32(hi[j]))))
		}
	}
	return x
}

// dtmfPair is the row and column frequency of key (Q.23).
func dtmfPair(key byte) ([2]float64, bool) {
	const pad = "123A456B789C*0#D"
	rows := [4]float64{697, 770, 852, 941}
	cols := [4]float64{1209, 1336, 1477, 1633}
	for i := range len(pad) {
		if pad[i] == key {
			return [2]float64{rows[i/4], cols[i%4]}, true
		}
	}
	return [2]float64{}, false
}

// DTMF checks the DTMF detector (ETSI profile) on every key of the keypad.
func DTMF() Check {
	return Check{Name: "dtmf", Run: func() (string, error) {
		d, err := dtmf.New(dtmf.Config{})
		if err != nil {
			return "", fmt.Errorf("dtmf detector: %w", err)
		}
		x := DTMFSignal(dtmfKeys, dtmfOn, dtmfOff, dtmfLevel)
		var evs []dtmf.Event
		for i := 0; i < len(x); i += frame {
			evs = d.Process(evs, x[i:min(i+frame, len(x))])
		}
		evs = d.Flush(evs)
		var got []byte
		for _, e := range evs {
			if e.Kind == dtmf.End {
				got = append(got, byte(e.Digit))
			}
		}
		if string(got) != dtmfKeys {
			return "", fmt.Errorf("generated %s at %g dBm0 per tone, detected %q", dtmfKeys, dtmfLevel, got)
		}
		return fmt.Sprintf("%d keys at %g dBm0 per tone detected", len(dtmfKeys), dtmfLevel), nil
	}}
}

// The caller-ID check's message: a V.23 call set-up (MDMF) with a date, a
// number and a name, at a typical line level.
const (
	cidNumber = "0201234567"
	cidName   = "SELFTEST"
	cidLevel  = -13.0 // dBm0
)

// FSK is one FSK caller-ID modulation: its tones and bit rate.
type FSK struct {
	Mark, Space float64 // Hz
	Baud        float64
}

// V23 is the modulation of ETSI EN 300 659-1's FSK caller ID.
var V23 = FSK{Mark: 1300, Space: 2100, Baud: 1200}

// Message is an FSK caller-ID message: type, length, parameters (each
// type, length, value) and checksum (EN 300 659-3).
func Message(typ byte, params ...Param) []byte {
	var body []byte
	for _, p := range params {
		body = append(body, p.Type, byte(len(p.Value)))
		body = append(body, p.Value...)
	}
	m := append([]byte{typ, byte(len(body))}, body...)
	return append(m, callerid.Checksum(m))
}

// Param is one MDMF parameter.
type Param struct {
	Type  byte
	Value string
}

// Signal renders msg as the exchange sends it on hook, at 8 kHz and level
// dBm0: 300 bits of channel seizure (0101...), 180 marks, each byte as a
// start bit, 8 data bits LSB first and a stop bit, then a few marks; the
// phase is continuous, with 100 ms of silence on each side.
func (m FSK) Signal(msg []byte, level float64) []int16 {
	var bits []bool
	for i := range 300 {
		bits = append(bits, i%2 == 1)
	}
	for range 180 {
		bits = append(bits, true)
	}
	for _, c := range msg {
		bits = append(bits, false)
		for i := range 8 {
			bits = append(bits, c>>i&1 == 1)
		}
		bits = append(bits, true)
	}
	for range 8 {
		bits = append(bits, true)
	}
	const lead = lineRate / 10
	bitLen := lineRate / m.Baud
	n := int(math.Ceil(float64(len(bits)) * bitLen))
	x := make([]int16, lead+n+lead)
	peak := dsp.PeakForDBm0(level)
	phase := 0.0
	for i := range n {
		f := m.Space
		if bits[min(int(float64(i)/bitLen), len(bits)-1)] {
			f = m.Mark
		}
		x[lead+i] = int16(math.Round(peak * math.Sin(phase)))
		phase = math.Mod(phase+2*math.Pi*f/lineRate, 2*math.Pi)
	}
	return x
}

// CallerID checks the caller-ID decoder on a generated V.23 call set-up
// message.
func CallerID() Check {
	return Check{Name: "callerid", Run: func() (string, error) {
		d, err := callerid.NewDecoder(callerid.Config{Formats: callerid.V23})
		if err != nil {
			return "", fmt.Errorf("caller ID decoder: %w", err)
		}
		msg := Message(0x80, Param{0x01, "01011200"}, Param{0x02, cidNumber}, Param{0x07, cidName})
		x := V23.Signal(msg, cidLevel)
		var res []callerid.Result
		for i := 0; i < len(x); i += frame {
			res = d.Process(res, x[i:min(i+frame, len(x))])
		}
		res = d.Flush(res)
		if len(res) != 1 {
			return "", fmt.Errorf("generated one V.23 message at %g dBm0, decoded %d", cidLevel, len(res))
		}
		r := res[0]
		switch {
		case r.Err != nil:
			return "", fmt.Errorf("generated V.23 message at %g dBm0 rejected: %w", cidLevel, r.Err)
		case r.Number != cidNumber || r.Name != cidName:
			return "", fmt.Errorf("generated V.23 message at %g dBm0 decoded wrong: number %q name %q, want %q %q",
				cidLevel, r.Number, r.Name, cidNumber, cidName)
		}
		return fmt.Sprintf("V.23 call set-up at %g dBm0 decoded (number and name)", cidLevel), nil
	}}
}
