package sim

import (
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"fairrec/board"
	"fairrec/drivers/audio"
	fgpio "fairrec/drivers/gpio"

	"github.com/google/go-cmp/cmp"
	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpioreg"
)

// newSim loads a scenario written to a temporary directory and starts a
// simulated board on it, closed when the test ends.
func newSim(t *testing.T, text string) *Sim {
	t.Helper()
	sc, err := LoadScenario(scenarioDir(t, text))
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Config{Scenario: sc, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return s
}

func TestRenderPlacesAudio(t *testing.T) {
	for _, rate := range []int{48000, 44100, 8000} {
		t.Run(strconv.Itoa(rate), func(t *testing.T) {
			s := newSim(t, `rate = `+strconv.Itoa(rate)+`
[[line]]
events = [
  { at = "0.5s", offhook = true },
  { at = "1.25s", audio = "caller.wav" },
  { at = "3s", onhook = true },
]`)
			ch := s.LineAudio(1)
			off := rate * 5 / 4 // 1.25 s
			// Silence before the audio starts, exactly.
			for i := 0; i < off-rate/100; i++ {
				if ch[i] != 0 {
					t.Fatalf("rate %d: sample %d = %d before the audio starts", rate, i, ch[i])
				}
			}
			// Inside, the 300 Hz sine of caller.wav with its phase anchored at
			// the offset: one sample of misplacement at 48 kHz is a 4% error.
			maxErr := 0.0
			for i := off + rate/20; i < off+rate-rate/20; i++ {
				want := 10000 * math.Sin(2*math.Pi*300*float64(i-off)/float64(rate))
				maxErr = math.Max(maxErr, math.Abs(float64(ch[i])-want))
			}
			if maxErr > 100 { // 1% of the amplitude: resampler error only
				t.Errorf("rate %d: rendered audio is off by up to %.0f (of 10000)", rate, maxErr)
			}
			// And silence after its 1 s.
			for i := off + rate + rate/100; i < len(ch); i++ {
				if ch[i] != 0 {
					t.Fatalf("rate %d: sample %d = %d after the audio ended", rate, i, ch[i])
				}
			}
		})
	}
}

func TestRenderDTMFAndMixing(t *testing.T) {
	s := newSim(t, `rate = 8000
[[line]]
events = [
  { at = "1s", dtmf = "58", level = -7.0, on = "100ms", off = "100ms" },
  { at = "1s", audio = "caller.wav", gain = -20.0 },
]`)
	ch := s.LineAudio(1)
	window := func(from time.Duration) []int16 {
		i := int(from.Seconds() * 8000)
		return ch[i : i+640] // 80 ms inside the 100 ms tone
	}
	peak := 22700 * math.Pow(10, -7.0/20) // -7 dBm0
	tests := []struct {
		at   time.Duration
		freq float64
		want float64
	}{
		{1010 * time.Millisecond, 770, peak},  // '5' row
		{1010 * time.Millisecond, 1336, peak}, // '5' column
		{1010 * time.Millisecond, 852, 0},
		{1210 * time.Millisecond, 852, peak}, // '8' row
		{1210 * time.Millisecond, 1336, peak},
		{1110 * time.Millisecond, 770, 0},                        // pause between digits
		{1110 * time.Millisecond, 300, 10000 * math.Pow(10, -1)}, // the caller at -20 dB, mixed in
	}
	for _, tc := range tests {
		got := goertzel(window(tc.at), 8000, tc.freq)
		if math.Abs(got-tc.want) > 0.05*peak {
			t.Errorf("at %v: %g Hz amplitude %.0f, want %.0f", tc.at, tc.freq, got, tc.want)
		}
	}
}

func TestCaptureFileAndCalls(t *testing.T) {
	s := newSim(t, `rate = 8000
lines = 2
[[line]]
number = 2
events = [
  { at = "0.5s", offhook = true },
  { at = "1s", audio = "caller.wav" },
  { at = "2.5s", onhook = true },
  { at = "3s", offhook = true },
]`)
	if want := int64(8000 * 4); s.End() != want { // last event 3 s + 1 s tail
		t.Errorf("End = %d, want %d", s.End(), want)
	}
	if want := s.End() + 8000; s.CaptureFrames() != want {
		t.Errorf("CaptureFrames = %d, want End + 1 s of padding = %d", s.CaptureFrames(), want)
	}
	raw, err := os.ReadFile(s.CapturePath())
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(raw)) != s.CaptureFrames()*2*2 {
		t.Fatalf("capture file holds %d bytes, want %d frames of 2 channels", len(raw), s.CaptureFrames())
	}
	for i := int64(0); i < s.CaptureFrames(); i++ {
		for c := 0; c < 2; c++ {
			v := int16(binary.LittleEndian.Uint16(raw[(i*2+int64(c))*2:]))
			var want int16
			if i < s.End() {
				want = s.LineAudio(c + 1)[i]
			}
			if v != want {
				t.Fatalf("capture frame %d channel %d = %d, want %d", i, c, v, want)
			}
		}
	}
	calls := s.Calls()
	type call struct {
		Line            int
		OffHook, OnHook int64
		Len             int
	}
	var got []call
	for _, c := range calls {
		got = append(got, call{c.Line, c.OffHook, c.OnHook, len(c.Audio)})
	}
	want := []call{{2, 4000, 20000, 16000}, {2, 24000, 32000, 8000}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("calls (-want +got):\n%s", d)
	}
	if d := cmp.Diff(s.LineAudio(2)[8000:16000], calls[0].Audio[4000:12000]); d != "" {
		t.Errorf("first call's audio is not the caller's")
	}
	// The scenario alone gives the same calls, without a running board.
	alone, err := s.Scenario().Calls()
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(calls, alone); d != "" {
		t.Errorf("Scenario.Calls differs from Sim.Calls (-sim +scenario):\n%s", d)
	}
}

func TestAdvanceAppliesEventsInSampleTime(t *testing.T) {
	s := newSim(t, `rate = 8000
supervisor = [ { at = "6s", press = "short" } ]
[[line]]
events = [
  { at = "1s", ring = "2s" },
  { at = "2s", offhook = true },
  { at = "3s", press = "500ms" },
  { at = "3.25s", press = "500ms" },
  { at = "5s", onhook = true },
]`)
	// Drive the pins through the real GPIO driver, as the daemon does.
	pins, err := fgpio.Open(s.Board())
	if err != nil {
		t.Fatal(err)
	}
	defer pins.Close()
	l := pins.Lines[0]
	type state struct{ Hook, Ring, Button, Supervisor bool }
	read := func(sample int64) state {
		s.Advance(sample)
		return state{fgpio.IsActive(l.Hook), fgpio.IsActive(l.Ring), fgpio.IsActive(l.Button), fgpio.IsActive(pins.Supervisor)}
	}
	tests := []struct {
		sample int64
		want   state
	}{
		{0, state{}},    // nothing captured yet
		{8000, state{}}, // samples 0..7999 captured: the ring at 8000 is not due
		{8001, state{Ring: true}},
		{16000, state{Ring: true}},
		{16001, state{Hook: true}}, // answering cuts the 2 s ring short
		{24000, state{Hook: true}},
		{24001, state{Hook: true, Button: true}},
		{30000, state{Hook: true, Button: true}}, // overlapping presses merge
		{30001, state{Hook: true}},
		{40000, state{Hook: true}},
		{40001, state{}},
		{48001, state{Supervisor: true}},
		{49600, state{Supervisor: true}},
		{49601, state{}},
		{1000001, state{}},
		{16001, state{Hook: true}}, // going back (a test may) re-reads the script
	}
	for _, tc := range tests {
		if got := read(tc.sample); got != tc.want {
			t.Errorf("after Advance(%d): %+v, want %+v", tc.sample, got, tc.want)
		}
	}
	if s.Done(s.End()-1) || !s.Done(s.End()) {
		t.Errorf("Done flips at the wrong sample (End %d)", s.End())
	}
}

func TestAdvanceSurvivesReconfiguration(t *testing.T) {
	// Pin.In resets the level; a driver opened after Advance (or
	// reopened) must still see the scenario's state at the next Advance.
	s := newSim(t, `rate = 8000
[[line]]
events = [ { at = "0s", offhook = true } ]`)
	s.Advance(0)
	pins, err := fgpio.Open(s.Board())
	if err != nil {
		t.Fatal(err)
	}
	defer pins.Close()
	s.Advance(160)
	if !fgpio.IsActive(pins.Lines[0].Hook) {
		t.Errorf("hook reads on hook after the driver configured it")
	}
}

func TestPinsRegisteredUnderBoardNames(t *testing.T) {
	sc, err := ParseScenario([]byte("lines = 3\n"), "")
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Config{Scenario: sc})
	if err != nil {
		t.Fatal(err)
	}
	b := s.Board()
	if want := board.Sim(3); b.Name != want.Name || len(b.Lines) != 3 || b.Rate != DefaultRate {
		t.Errorf("board %+v", b)
	}
	if err := b.Validate(); err != nil {
		t.Error(err)
	}
	for _, p := range b.Pins() {
		if gpioreg.ByName(p.Name) == nil {
			t.Errorf("%s (%s) is not registered", p.Name, p.Role)
		}
		if _, ok := s.Pins()[p.Name]; !ok {
			t.Errorf("%s missing from Pins()", p.Name)
		}
	}
	// A second simulated board in the same process cannot take the names.
	if s2, err := New(Config{Scenario: sc}); err == nil {
		s2.Close()
		t.Errorf("a second sim registered the same pins")
	}
	dir := filepath.Dir(s.CapturePath())
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for _, p := range b.Pins() {
		if gpioreg.ByName(p.Name) != nil {
			t.Errorf("%s still registered after Close", p.Name)
		}
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("temporary directory %s left behind (%v)", dir, err)
	}
	s.Advance(100) // after Close: no effect, no panic
}

func TestLEDsVisible(t *testing.T) {
	s := newSim(t, "lines = 1\n")
	pins, err := fgpio.Open(s.Board())
	if err != nil {
		t.Fatal(err)
	}
	defer pins.Close()
	if err := pins.Lines[0].LEDRecording.Out(gpio.High); err != nil {
		t.Fatal(err)
	}
	if got := s.Pins().Level("SIM_L1_LED_REC"); got != gpio.High {
		t.Errorf("recording LED = %s, want High", got)
	}
}

func TestRealtimePaces(t *testing.T) {
	sc, err := ParseScenario([]byte("rate = 8000\n"), "")
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Config{Scenario: sc, Realtime: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.Advance(0)
	start := time.Now()
	s.Advance(800) // 100 ms of audio
	// Only a lower bound: a loaded machine may be slower, never faster.
	if d := time.Since(start); d < 80*time.Millisecond {
		t.Errorf("Advance over 100 ms of audio returned after %v", d)
	}
}

func TestSetsALSAEnvironment(t *testing.T) {
	s := newSim(t, "lines = 1\n")
	if got := os.Getenv(audio.ConfigPathEnv); got != s.ConfigPath() {
		t.Errorf("%s = %q, want %q", audio.ConfigPathEnv, got, s.ConfigPath())
	}
	if os.Getenv("JACK_NO_START_SERVER") != "1" {
		t.Errorf("JACK_NO_START_SERVER not set")
	}
}

// TestPulsedRing: a ring with ring_hz pulses within each burst of its
// cadence, and reads as an edge latch between reads would: active in every
// 20 ms period a pulse touched, idle between bursts.
func TestPulsedRing(t *testing.T) {
	s := newSim(t, `rate = 8000
[[line]]
events = [
  { at = "0s", ring = "6s", ring_hz = 25, cadence = ["0.4s", "0.2s", "0.4s", "2s"] },
]`)
	pins, err := fgpio.Open(s.Board())
	if err != nil {
		t.Fatal(err)
	}
	defer pins.Close()
	var got []byte
	for n := int64(160); n <= 3400*8; n += 160 { // 20 ms periods for 3.4 s
		s.Advance(n)
		got = append(got, map[bool]byte{false: '_', true: '#'}[fgpio.IsActive(pins.Lines[0].Ring)])
	}
	// 25 Hz half-wave pulses 16 ms of every 40, here in step with the
	// periods: every other period sees a pulse.
	burst := strings.Repeat("#_", 10)
	want := burst + strings.Repeat("_", 10) + burst + strings.Repeat("_", 100) + burst
	if string(got) != want {
		t.Errorf("ring sense per period:\n got %s\nwant %s", got, want)
	}
	// Read at each sample instead, the pin pulses: 16 ms on, 24 ms off.
	var on int
	for n := int64(1); n <= 320; n++ {
		s.Advance(n)
		if fgpio.IsActive(pins.Lines[0].Ring) {
			on++
		}
	}
	if on != 128 {
		t.Errorf("%d of 320 samples active, want 128", on)
	}
}
