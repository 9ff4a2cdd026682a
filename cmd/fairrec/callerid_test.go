package main

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"fairrec/firmware/callerid"
	"fairrec/firmware/dsp"
	"fairrec/firmware/wav"
)

// cidFSK renders an FSK caller ID transmission at rate Hz: channel seizure,
// marks, the message bytes with start and stop bits; mark and space in Hz,
// level in dBm0, white noise 20 dB below.
func cidFSK(rate int, mark, space, level float64, msg []byte) []float64 {
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
	bits = append(bits, true, true, true, true)
	bitLen := float64(rate) / 1200
	lead := rate / 4
	out := make([]float64, 2*lead+int(float64(len(bits))*bitLen)+1)
	peak, ph := dsp.PeakForDBm0(level), 0.0
	for i := range int(float64(len(bits)) * bitLen) {
		f := space
		if bits[int(float64(i)/bitLen)] {
			f = mark
		}
		out[lead+i] = peak * math.Sin(ph)
		ph += 2 * math.Pi * f / float64(rate)
	}
	return out
}

// cidDTMF renders DTMF CLIP keys at 8 kHz: 70 ms tones, 70 ms pauses, each
// tone at level dBm0.
func cidDTMF(keys string, level float64) []float64 {
	rows := map[byte]float64{'1': 697, '2': 697, '3': 697, 'A': 697, '4': 770, '5': 770, '6': 770, 'B': 770,
		'7': 852, '8': 852, '9': 852, 'C': 852, '*': 941, '0': 941, '#': 941, 'D': 941}
	cols := map[byte]float64{'1': 1209, '4': 1209, '7': 1209, '*': 1209, '2': 1336, '5': 1336, '8': 1336, '0': 1336,
		'3': 1477, '6': 1477, '9': 1477, '#': 1477, 'A': 1633, 'B': 1633, 'C': 1633, 'D': 1633}
	out := make([]float64, 2000+len(keys)*1120)
	peak := dsp.PeakForDBm0(level)
	for k := range len(keys) {
		for i := range 560 {
			t := float64(i) / 8000
			out[1000+k*1120+i] = peak * (math.Sin(2*math.Pi*rows[keys[k]]*t) + math.Sin(2*math.Pi*cols[keys[k]]*t))
		}
	}
	return out
}

// cidSamples adds noise 20 dB below level and rounds.
func cidSamples(x []float64, level float64, seed uint64) []int16 {
	rng := rand.New(rand.NewPCG(seed, 1))
	sigma := dsp.PeakForDBm0(level) / math.Sqrt2 / 10
	out := make([]int16, len(x))
	for i, v := range x {
		out[i] = int16(max(-32768, min(32767, math.Round(v+sigma*rng.NormFloat64()))))
	}
	return out
}

func cidMessage(typ byte, params ...string) []byte {
	m := []byte{typ, 0}
	for i := 0; i+1 < len(params); i += 2 {
		m = append(m, params[i][0], byte(len(params[i+1])))
		m = append(m, params[i+1]...)
	}
	m[1] = byte(len(m) - 2)
	return append(m, callerid.Checksum(m))
}

func cidSDMF(body string) []byte {
	m := append([]byte{0x04, byte(len(body))}, body...)
	return append(m, callerid.Checksum(m))
}

// writeCIDWAV writes samples as a WAV file in dir and returns its path.
func writeCIDWAV(t *testing.T, dir, name string, rate, channels int, f wav.Format, x []int16) string {
	t.Helper()
	var b bytes.Buffer
	if err := wav.Encode(&b, rate, channels, f, x); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCallerIDCommand(t *testing.T) {
	dir := t.TempDir()
	etsi := cidMessage(0x80, "\x01", "11270342", "\x02", "0201234567", "\x07", "Jansen B.V.", "\x1a", "0307654321")
	v23 := writeCIDWAV(t, dir, "v23.wav", 8000, 1, wav.PCM16, cidSamples(cidFSK(8000, 1300, 2100, -20, etsi), -20, 1))

	// Bell 202 SDMF at 16 kHz stereo A-law: the signal on the left
	// channel only, silence on the right.
	mono := cidSamples(cidFSK(16000, 1200, 2200, -10, cidSDMF("070415302125551234")), -10, 2)
	stereo := make([]int16, 2*len(mono))
	for i, v := range mono {
		stereo[2*i] = v
	}
	bell := writeCIDWAV(t, dir, "bell.wav", 16000, 2, wav.ALaw, stereo)

	dtmf := writeCIDWAV(t, dir, "dtmf.wav", 8000, 1, wav.PCM16, cidSamples(cidDTMF("A0612345678C", -25), -25, 3))
	withheld := writeCIDWAV(t, dir, "withheld.wav", 8000, 1, wav.MuLaw, cidSamples(cidDTMF("B10C", -25), -25, 4))
	bad := append([]byte(nil), etsi...)
	bad[len(bad)-1]++
	badSum := writeCIDWAV(t, dir, "bad.wav", 8000, 1, wav.PCM16, cidSamples(cidFSK(8000, 1300, 2100, -20, bad), -20, 5))
	quiet := writeCIDWAV(t, dir, "quiet.wav", 8000, 1, wav.PCM16, cidSamples(make([]float64, 8000), -40, 6))
	notWAV := filepath.Join(dir, "not.wav")
	if err := os.WriteFile(notWAV, []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name     string
		args     []string
		code     int
		want     []string // substrings of stdout, in order of lines
		notWant  []string
		stderrIn string
	}{
		{name: "V.23", args: []string{"callerid", v23}, want: []string{
			`V.23 call set-up number 0201234567 name "Jansen B.V." redirected by 0307654321 sent 11-27 03:42`}},
		{name: "Bell 202 on one channel", args: []string{"callerid", "--channel", "1", bell}, want: []string{
			"Bell 202 SDMF number 2125551234 sent 07-04 15:30"}},
		{name: "Bell 202 mixed down", args: []string{"callerid", bell}, want: []string{"number 2125551234"}},
		{name: "silent channel", args: []string{"callerid", bell, "--channel", "2"}, want: []string{"no caller ID"}},
		{name: "DTMF", args: []string{"callerid", dtmf}, want: []string{"DTMF number 0612345678"}},
		{name: "withheld", args: []string{"callerid", withheld}, want: []string{"DTMF no number (withheld)"}},
		{name: "bad checksum", args: []string{"callerid", badSum},
			want: []string{"V.23 call set-up rejected: callerid: message 0x80: checksum mismatch: expected"}, notWant: []string{"0201234567"}},
		{name: "only DTMF asked", args: []string{"callerid", "--formats", "dtmf", v23}, want: []string{"no caller ID"}},
		{name: "several files", args: []string{"callerid", quiet, dtmf}, want: []string{
			quiet + ": no caller ID", dtmf + ": "}},
		{name: "no file", args: []string{"callerid"}, code: 2, stderrIn: "no WAV file"},
		{name: "bad format", args: []string{"callerid", "--formats", "v22", v23}, code: 2, stderrIn: `unknown format "v22"`},
		{name: "no such channel", args: []string{"callerid", "--channel", "3", bell}, code: 2, stderrIn: "no channel 3"},
		{name: "not a WAV", args: []string{"callerid", notWAV}, code: 1, stderrIn: "not a RIFF WAVE file"},
		{name: "missing file", args: []string{"callerid", filepath.Join(dir, "nope.wav")}, code: 1, stderrIn: "no such file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := runMain(tc.args, strings.NewReader(""), &stdout, &stderr)
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stderr: %s", code, tc.code, stderr.String())
			}
			t.Logf("stdout:\n%s", stdout.String())
			lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
			if len(tc.want) > 0 && len(lines) != len(tc.want) {
				t.Fatalf("stdout has %d lines, want %d:\n%s", len(lines), len(tc.want), stdout.String())
			}
			for i, w := range tc.want {
				if !strings.Contains(lines[i], w) {
					t.Errorf("line %d = %q, want it to contain %q", i, lines[i], w)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(stdout.String(), w) {
					t.Errorf("stdout contains %q:\n%s", w, stdout.String())
				}
			}
			if tc.stderrIn != "" && !strings.Contains(stderr.String(), tc.stderrIn) {
				t.Errorf("stderr = %q, want it to contain %q", stderr.String(), tc.stderrIn)
			}
			if tc.code != 0 && strings.Count(strings.TrimSpace(stderr.String()), "\n") > 1 {
				t.Errorf("error message is not one line (plus usage): %q", stderr.String())
			}
		})
	}

	t.Run("json", func(t *testing.T) {
		var stdout, stderr bytes.Buffer
		if code := runMain([]string{"callerid", "--json", v23, dtmf, badSum}, nil, &stdout, &stderr); code != 0 {
			t.Fatalf("exit %d: %s", code, stderr.String())
		}
		var got []callerIDJSON
		dec := json.NewDecoder(&stdout)
		for dec.More() {
			var j callerIDJSON
			if err := dec.Decode(&j); err != nil {
				t.Fatal(err)
			}
			j.At, j.Start, j.End = 0, 0, 0 // checked by the package's tests
			if j.Error != "" {
				j.Error = strings.SplitN(j.Error, ":", 4)[2] // keep the sentinel's text
			}
			got = append(got, j)
		}
		want := []callerIDJSON{
			{File: v23, Format: "V.23", Type: 0x80, Number: "0201234567", Name: "Jansen B.V.",
				Redirecting: "0307654321", Time: "11-27 03:42"},
			{File: dtmf, Format: "DTMF", Number: "0612345678"},
			{File: badSum, Format: "V.23", Type: 0x80, Error: " checksum mismatch"},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
}

// cidCallWaiting renders caller ID sent during a call at 8 kHz: an
// alerting signal (2130 + 2750 Hz, 80 ms), after 40 ms the phone's ack
// (DTMF, 60 ms; none if ack is 0), 50 ms later 80 bits of mark and msg in
// FSK (V.23, or Bell 202 when bell), every tone at level dBm0, with 0.3 s
// of a 300 Hz "voice" before and after.
func cidCallWaiting(msg []byte, bell bool, ack byte, level float64) []float64 {
	peak := dsp.PeakForDBm0(level)
	var out []float64
	tone := func(ms int, f ...float64) {
		for i := range ms * 8 {
			v := 0.0
			for _, hz := range f {
				v += peak * math.Sin(2*math.Pi*hz*float64(i)/8000)
			}
			out = append(out, v)
		}
	}
	tone(300, 300, 600, 900)
	tone(20)
	tone(80, 2130, 2750)
	tone(40)
	switch ack {
	case 'D':
		tone(60, 941, 1633)
	case 'A':
		tone(60, 697, 1633)
	default:
		tone(60)
	}
	tone(50)
	if msg != nil {
		mark, space := 1300.0, 2100.0
		if bell {
			mark, space = 1200, 2200
		}
		var bits []bool
		for range 80 {
			bits = append(bits, true)
		}
		for _, c := range msg {
			bits = append(bits, false)
			for i := range 8 {
				bits = append(bits, c>>i&1 == 1)
			}
			bits = append(bits, true)
		}
		ph := 0.0
		for i := range len(bits) * 20 / 3 {
			f := space
			if bits[i*3/20] {
				f = mark
			}
			out = append(out, peak*math.Sin(ph))
			ph += 2 * math.Pi * f / 8000
		}
	}
	tone(50)
	tone(300, 300, 600, 900)
	return out
}

func TestCallerIDCallWaiting(t *testing.T) {
	dir := t.TempDir()
	etsi := cidMessage(0x80, "\x01", "11270342", "\x02", "0201234567", "\x07", "Jansen B.V.")
	// A call that was announced on hook (V.23, before the first ring) and
	// later got a waiting caller (also V.23, with the phone's 'D').
	call := append(cidFSK(8000, 1300, 2100, -20, etsi), cidCallWaiting(cidMessage(0x80, "\x02", "0612345678"), false, 'D', -20)...)
	both := writeCIDWAV(t, dir, "call.wav", 8000, 1, wav.PCM16, cidSamples(call, -20, 11))
	bell := writeCIDWAV(t, dir, "cidcw.wav", 8000, 1, wav.ALaw,
		cidSamples(cidCallWaiting(cidSDMF("070415302125551234"), true, 0, -25), -25, 12))
	alertOnly := writeCIDWAV(t, dir, "alert.wav", 8000, 1, wav.PCM16,
		cidSamples(cidCallWaiting(nil, false, 'D', -20), -20, 13))
	bad := cidMessage(0x80, "\x02", "0612345678")
	bad[len(bad)-1]++
	badSum := writeCIDWAV(t, dir, "bad.wav", 8000, 1, wav.PCM16, cidSamples(cidCallWaiting(bad, false, 'D', -20), -20, 14))

	tests := []struct {
		name    string
		args    []string
		want    []string
		notWant []string
	}{
		{"on hook then waiting", []string{"callerid", both}, []string{
			`V.23 call set-up number 0201234567 name "Jansen B.V." sent 11-27 03:42`,
			"call-waiting V.23 call set-up number 0612345678 ack D"}, nil},
		{"CIDCW without ack", []string{"callerid", bell}, []string{
			"call-waiting Bell 202 SDMF number 2125551234 sent 07-04 15:30 no ack heard"}, nil},
		{"alerting signal alone", []string{"callerid", alertOnly}, []string{"no caller ID"}, nil},
		{"bad checksum", []string{"callerid", badSum}, []string{
			"call-waiting V.23 call set-up rejected: callerid: message 0x80: checksum mismatch: expected"}, []string{"0612345678"}},
		{"only DTMF asked", []string{"callerid", "--formats", "dtmf", bell}, []string{"no caller ID"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := runMain(tc.args, nil, &stdout, &stderr); code != 0 {
				t.Fatalf("exit %d: %s", code, stderr.String())
			}
			lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
			if len(lines) != len(tc.want) {
				t.Fatalf("stdout has %d lines, want %d:\n%s", len(lines), len(tc.want), stdout.String())
			}
			for i, w := range tc.want {
				if !strings.Contains(lines[i], w) {
					t.Errorf("line %d = %q, want it to contain %q", i, lines[i], w)
				}
			}
			// The on-hook line keeps its old form: time, then the format.
			if tc.name == "on hook then waiting" && !strings.HasSuffix(strings.Fields(lines[0])[0], "s") {
				t.Errorf("on-hook line changed: %q", lines[0])
			}
			for _, w := range tc.notWant {
				if strings.Contains(stdout.String(), w) {
					t.Errorf("stdout contains %q:\n%s", w, stdout.String())
				}
			}
		})
	}

	t.Run("json", func(t *testing.T) {
		var stdout, stderr bytes.Buffer
		if code := runMain([]string{"callerid", "--json", both, bell}, nil, &stdout, &stderr); code != 0 {
			t.Fatalf("exit %d: %s", code, stderr.String())
		}
		var got []callerIDJSON
		dec := json.NewDecoder(&stdout)
		for dec.More() {
			var j callerIDJSON
			if err := dec.Decode(&j); err != nil {
				t.Fatal(err)
			}
			j.At, j.Start, j.End = 0, 0, 0
			got = append(got, j)
		}
		want := []callerIDJSON{
			{File: both, Format: "V.23", Type: 0x80, Number: "0201234567", Name: "Jansen B.V.", Time: "11-27 03:42"},
			{File: both, Format: "V.23", Type: 0x80, Number: "0612345678", CallWaiting: true, Ack: "D"},
			{File: bell, Format: "Bell 202", Type: 0x04, Number: "2125551234", Time: "07-04 15:30", CallWaiting: true},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
}
