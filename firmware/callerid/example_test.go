package callerid_test

import (
	"errors"
	"fmt"
	"math"

	"fairrec/firmware/callerid"
	"fairrec/firmware/dsp"
)

// A line's audio goes through the Decoder frame by frame; it reports each
// caller ID when the message is complete. Here the audio is DTMF CLIP as a
// Dutch exchange sends it before the first ring: A, the number, C.
func ExampleDecoder() {
	dec, err := callerid.NewDecoder(callerid.Config{})
	if err != nil {
		panic(err)
	}
	line := clipAudio("A0201234567C")
	var results []callerid.Result
	for len(line) > 0 {
		n := min(dsp.FrameSamples, len(line))
		results = dec.Process(results, line[:n])
		line = line[n:]
	}
	results = dec.Flush(results)
	for _, r := range results {
		if r.Err != nil {
			fmt.Println("rejected:", r.Err)
			continue
		}
		// r.Number is personal data: seal it (r.MarshalBinary) with the
		// recording; String and slog leave it out.
		fmt.Println(r.Number)
		fmt.Println(r)
	}
	// Output:
	// 0201234567
	// callerid DTMF number:<10 chars>
}

// clipAudio renders DTMF keys as 70 ms tones at -20 dBm0 with 70 ms pauses.
func clipAudio(keys string) []int16 {
	low := map[byte]float64{'0': 941, '1': 697, '2': 697, '3': 697, '4': 770, '5': 770,
		'6': 770, '7': 852, '8': 852, '9': 852, 'A': 697, 'B': 770, 'C': 852, 'D': 941}
	high := map[byte]float64{'0': 1336, '1': 1209, '2': 1336, '3': 1477, '4': 1209, '5': 1336,
		'6': 1477, '7': 1209, '8': 1336, '9': 1477, 'A': 1633, 'B': 1633, 'C': 1633, 'D': 1633}
	var out []int16
	a, b := make([]int16, 560), make([]int16, 560)
	for i := range len(keys) {
		dsp.Sine(a, dsp.LineRate, low[keys[i]], -20, 0)
		dsp.Sine(b, dsp.LineRate, high[keys[i]], -20, 0)
		for j := range a {
			out = append(out, a[j]+b[j])
		}
		out = append(out, make([]int16, 560)...)
	}
	return out
}

// An FSK message as the UART delivers it: type, length, parameters,
// checksum. The checksum is checked before anything is believed.
func ExampleParseMessage() {
	msg := []byte{0x80, 16,
		0x01, 8, '1', '1', '2', '7', '0', '3', '4', '2', // date and time
		0x02, 4, '1', '2', '3', '4'} // calling line identity
	msg = append(msg, callerid.Checksum(msg))

	r, err := callerid.ParseMessage(msg, callerid.V23)
	fmt.Println(r.Number, r.Time, err)

	msg[len(msg)-1]++ // one bit error in transit
	_, err = callerid.ParseMessage(msg, callerid.V23)
	fmt.Println(errors.Is(err, callerid.ErrChecksum), err)
	// Output:
	// 1234 11-27 03:42 <nil>
	// true callerid: message 0x80: checksum mismatch: expected 0x03, got 0x04
}

func ExampleParseCLIP() {
	for _, s := range []string{"A0201234567C", "0201234567#", "B10C", "A0201234567D0307654321C"} {
		r, _ := callerid.ParseCLIP(s)
		fmt.Printf("%s: number %q reason %q redirecting %q\n", s, r.Number, r.Reason, r.Redirecting)
	}
	// Output:
	// A0201234567C: number "0201234567" reason "" redirecting ""
	// 0201234567#: number "0201234567" reason "" redirecting ""
	// B10C: number "" reason "withheld" redirecting ""
	// A0201234567D0307654321C: number "0201234567" reason "" redirecting "0307654321"
}

// During a call, a CallWaiting decoder runs on every frame of the line's
// audio; it reports a waiting caller's ID after the exchange's alerting
// signal. Here, an ETSI sequence: alerting signal, the phone's 'D', then
// the V.23 message.
func ExampleCallWaiting() {
	cw, err := callerid.NewCallWaiting(callerid.Config{})
	if err != nil {
		panic(err)
	}
	msg := []byte{0x80, 12, 0x02, 10, '0', '2', '0', '1', '2', '3', '4', '5', '6', '7'}
	msg = append(msg, callerid.Checksum(msg))
	line := callWaitingAudio(msg)
	var results []callerid.Result
	for len(line) > 0 {
		n := min(dsp.FrameSamples, len(line))
		results = cw.Process(results, line[:n])
		line = line[n:]
	}
	results = cw.Flush(results)
	for _, r := range results {
		fmt.Println(r.Number, r.CallWaiting, string(rune(r.Ack)))
		fmt.Println(r)
	}
	// Output:
	// 0201234567 true D
	// callerid V.23 type 0x80 call-waiting ack:D number:<10 chars>
}

// callWaitingAudio renders an alerting signal (80 ms), a 60 ms 'D' 40 ms
// later, and 50 ms later msg in V.23 FSK after 80 bits of mark, all at
// -15 dBm0 per tone.
func callWaitingAudio(msg []byte) []int16 {
	var out []int16
	tone := func(ms int, f ...float64) {
		buf := make([]int16, ms*8)
		sum := make([]int16, ms*8)
		for _, hz := range f {
			dsp.Sine(buf, dsp.LineRate, hz, -15, 0)
			for i, v := range buf {
				sum[i] += v
			}
		}
		out = append(out, sum...)
	}
	tone(200)
	tone(80, 2130, 2750)
	tone(40)
	tone(60, 941, 1633)
	tone(50)
	bits := make([]bool, 80)
	for i := range bits {
		bits[i] = true
	}
	for _, c := range msg {
		bits = append(bits, false)
		for i := range 8 {
			bits = append(bits, c>>i&1 == 1)
		}
		bits = append(bits, true)
	}
	peak, ph := dsp.PeakForDBm0(-15), 0.0
	for i := range len(bits) * 20 / 3 {
		f := 2100.0
		if bits[i*3/20] {
			f = 1300
		}
		out = append(out, int16(peak*math.Sin(ph)))
		ph += 2 * math.Pi * f / dsp.LineRate
	}
	tone(200)
	return out
}
