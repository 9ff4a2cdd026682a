package sim

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

const goodScenario = `# two lines, every kind of event
rate = 16000
end = "20s"
supervisor = [ { at = "15s", press = "short" } ]

[[line]]
events = [
  { at = "0s", ring = "2s" },
  { at = 1.5, offhook = true },          # answered during the ring
  { at = "2s", audio = "caller.wav", gain = -6.0 },
  { at = "4s", dtmf = "9#", level = -10.0, on = "100ms", off = "50ms" },
  { at = "5s", press = "long" },
  { at = "9s", onhook = true },
]

[[line]]
number = 3
events = [
  { at = "1s", ring = "on" },
  { at = "2s", ring = "off" },
  { at = "3s", ring = true },
  { at = "4s", offhook = true },
  { at = "5s", press = "750ms" },
  { at = 6, onhook = true },
]
`

func TestParseScenario(t *testing.T) {
	path := scenarioDir(t, goodScenario)
	sc, err := LoadScenario(path)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(path)
	s := time.Second
	want := &Scenario{
		Path:  path,
		Rate:  16000,
		Lines: 3,
		End:   20 * s,
		Supervisor: []Event{
			{Pos: path + ":4", At: 15 * s, Kind: Press, Duration: DefaultShort},
		},
		Line: [][]Event{
			{
				{Pos: path + ":8", At: 0, Kind: Ring, Duration: 2 * s},
				{Pos: path + ":9", At: 1500 * time.Millisecond, Kind: OffHook},
				{Pos: path + ":10", At: 2 * s, Kind: Audio, File: filepath.Join(dir, "caller.wav"), Gain: -6},
				{Pos: path + ":11", At: 4 * s, Kind: DTMF, Digits: "9#", Level: -10, On: 100 * time.Millisecond, Off: 50 * time.Millisecond},
				{Pos: path + ":12", At: 5 * s, Kind: Press, Duration: DefaultLong},
				{Pos: path + ":13", At: 9 * s, Kind: OnHook},
			},
			nil,
			{
				{Pos: path + ":19", At: 1 * s, Kind: Ring},
				{Pos: path + ":20", At: 2 * s, Kind: RingOff},
				{Pos: path + ":21", At: 3 * s, Kind: Ring},
				{Pos: path + ":22", At: 4 * s, Kind: OffHook},
				{Pos: path + ":23", At: 5 * s, Kind: Press, Duration: 750 * time.Millisecond},
				{Pos: path + ":24", At: 6 * s, Kind: OnHook},
			},
		},
	}
	if d := cmp.Diff(want, sc, cmpopts.IgnoreUnexported(Event{})); d != "" {
		t.Errorf("scenario (-want +got):\n%s", d)
	}
	if a := sc.Line[0][2].audio; a == nil || a.Rate != 8000 || len(a.Samples) != 8000 {
		t.Errorf("caller.wav not decoded at load time: %+v", a)
	}
}

func TestDefaults(t *testing.T) {
	path := scenarioDir(t, `
[[line]]
events = [
  { at = "1s", offhook = true },
  { at = "2s", audio = "caller.wav" },
  { at = "2.5s", dtmf = "1" },
  { at = "2.6s", onhook = true },
]
`)
	sc, err := LoadScenario(path)
	if err != nil {
		t.Fatal(err)
	}
	if sc.Rate != DefaultRate || sc.Lines != 1 {
		t.Errorf("rate %d lines %d, want %d and 1", sc.Rate, sc.Lines, DefaultRate)
	}
	// The last activity is the 1 s WAV that started at 2 s.
	if want := 3*time.Second + DefaultTail; sc.End != want {
		t.Errorf("End = %v, want %v (end of caller.wav + tail)", sc.End, want)
	}
	d := sc.Line[0][2]
	if d.On != DefaultDTMFOn || d.Off != DefaultDTMFOff || d.Level != DefaultDTMFLevel {
		t.Errorf("dtmf defaults %v/%v/%v", d.On, d.Off, d.Level)
	}
}

func TestParseErrors(t *testing.T) {
	line := func(events ...string) string {
		return "[[line]]\nevents = [\n  " + strings.Join(events, ",\n  ") + ",\n]\n"
	}
	tests := []struct {
		name, src, want string
	}{
		{"toml syntax", "rate = = 3\n", "scenario.toml:1: bad scenario"},
		{"wrong type", "\nrate = \"fast\"\n", "scenario.toml:2: bad scenario: rate: incompatible types"},
		{"unknown top-level key", "speed = 3\n", `unknown key "speed"`},
		{"unknown line key", "[[line]]\nnumbr = 2\n", `unknown key "line.numbr"`},
		{"unknown event", line(`{ at = "1s", hangup = true }`), `scenario.toml:3: bad scenario: unknown event "hangup"`},
		{"no at", line(`{ offhook = true }`), `scenario.toml:3: bad scenario: event without "at"`},
		{"no action", line(`{ at = "1s" }`), "event has no action"},
		{"two actions", line(`{ at = "1s", offhook = true, dtmf = "1" }`), `both "offhook" and "dtmf"`},
		{"bad time", line(`{ at = "soon", offhook = true }`), `scenario.toml:3: bad scenario: at: bad time "soon"`},
		{"negative time", line(`{ at = -1, offhook = true }`), "negative time"},
		{"bad end", "end = \"later\"\n", `end: bad time "later"`},
		{"out of order", line(`{ at = "2s", offhook = true }`, `{ at = "1s", onhook = true }`),
			"scenario.toml:4: bad scenario: events out of order: onhook at 1s comes after offhook at 2s"},
		{"offhook twice", line(`{ at = "1s", offhook = true }`, `{ at = "2s", offhook = true }`),
			"scenario.toml:4: bad scenario: offhook while the line is already off hook"},
		{"onhook first", line(`{ at = "1s", onhook = true }`), "onhook while the line is on hook"},
		{"offhook false", line(`{ at = "1s", offhook = false }`), "write offhook = true"},
		{"ring while off hook", line(`{ at = "1s", offhook = true }`, `{ at = "2s", ring = "3s" }`), "ring while the line is off hook"},
		{"ring off when silent", line(`{ at = "1s", ring = "1s" }`, `{ at = "3s", ring = "off" }`), "not ringing"},
		{"bad ring", line(`{ at = "1s", ring = "loud" }`), `ring = "loud"`},
		{"missing wav", line(`{ at = "1s", audio = "nobody.wav" }`), "scenario.toml:3: bad scenario: audio: open"},
		{"not a wav", line(`{ at = "1s", audio = "scenario.toml" }`), "scenario.toml:3: bad scenario: audio"},
		{"bad gain", line(`{ at = "1s", audio = "caller.wav", gain = "loud" }`), "gain"},
		{"option of another action", line(`{ at = "1s", audio = "caller.wav", level = -3 }`), `unknown key "level" for a audio event`},
		{"bad dtmf digit", line(`{ at = "1s", dtmf = "12x" }`), `'X' is not a DTMF digit`},
		{"bad dtmf level", line(`{ at = "1s", dtmf = "1", level = 5 }`), "level = 5"},
		{"dtmf on too long", line(`{ at = "1s", dtmf = "1", on = "300s" }`), "on = 300s: a DTMF tone or pause longer than 10s"},
		{"dtmf off too long", line(`{ at = "1s", dtmf = "12", off = 11 }`), "off = 11: a DTMF tone or pause longer than 10s"},
		{"bad press", line(`{ at = "1s", press = "hard" }`), `press = hard`},
		{"ring_hz out of range", line(`{ at = "1s", ring = "2s", ring_hz = 5 }`), "ring_hz = 5: want the ring frequency in Hz, 10 to 100"},
		{"bad wave", line(`{ at = "1s", ring = "2s", ring_hz = 25, wave = "square" }`), `wave = square: want "half" or "full"`},
		{"wave without ring_hz", line(`{ at = "1s", ring = "2s", wave = "full" }`), "wave needs ring_hz"},
		{"odd cadence", line(`{ at = "1s", ring = "2s", cadence = ["1s", "4s", "1s"] }`), "want on and off times in pairs"},
		{"bad cadence time", line(`{ at = "1s", ring = "2s", cadence = ["1s", "0s"] }`), "0s is not a time of at least 20ms"},
		{"ring off with cadence", line(`{ at = "1s", ring = "on" }`, `{ at = "2s", ring = "off", cadence = ["1s", "4s"] }`), "a ring that stops takes no ring_hz"},
		{"line out of range", "lines = 1\n[[line]]\nnumber = 2\n", "line 2 out of range: the scenario has lines = 1"},
		{"line scripted twice", "[[line]]\nnumber = 1\n[[line]]\nnumber = 1\n", "line 1 scripted twice"},
		{"too many lines", "lines = 1000\n", "lines = 1000 out of range"},
		{"bad rate", "rate = 100\n", "rate 100 Hz out of range"},
		{"event after end", "end = \"2s\"\n" + line(`{ at = "3s", offhook = true }`), "scenario.toml:4: bad scenario: offhook at 3s is after the end (2s)"},
		{"too long", line(`{ at = "59m", offhook = true }`, `{ at = "59m59s", press = "2s" }`), "longer than 1h0m0s"},
		{"too many samples", "lines = 8\nend = \"10m\"\n", "more than the simulator's"},
		{"supervisor offhook", `supervisor = [ { at = "1s", offhook = true } ]`, "scenario.toml:1: bad scenario: supervisor event \"offhook\""},
		{"supervisor out of order", `supervisor = [ { at = "2s", press = "short" }, { at = "1s", press = "short" } ]`, "events out of order"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := scenarioDir(t, tc.src)
			_, err := LoadScenario(path)
			if err == nil {
				t.Fatalf("LoadScenario accepted:\n%s", tc.src)
			}
			if !errors.Is(err, ErrScenario) {
				t.Errorf("error %v does not wrap ErrScenario", err)
			}
			msg := strings.ReplaceAll(err.Error(), filepath.Dir(path)+string(filepath.Separator), "")
			if !strings.Contains(msg, tc.want) {
				t.Errorf("error\n  %s\ndoes not say\n  %s", msg, tc.want)
			}
			if strings.Count(msg, "\n") > 0 {
				t.Errorf("error spans several lines: %q", msg)
			}
		})
	}
}

func TestMissingFile(t *testing.T) {
	_, err := LoadScenario(filepath.Join(t.TempDir(), "none.toml"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("LoadScenario(missing) = %v, want ErrNotExist", err)
	}
}

func TestLocateTableForms(t *testing.T) {
	// Events written as arrays of tables, with braces and brackets inside
	// strings and comments that must not count.
	src := `supervisor = [ { at = "1s", press = "short" } ] # { not an event
[[line]]
events = [ { at = "1s", offhook = true, # a { comment
  }, { at = "2s", dtmf = "{[" }, ]
[[line]]
[[line.events]]
at = "1s"
offhook = true
[[line.events]]
at = "2s"
onhook = true
[[supervisor]]
`
	got := locate(src)
	want := positions{supervisor: []int{1, 12}, lines: [][]int{{3, 4}, {6, 9}}}
	if d := cmp.Diff(want, got, cmp.AllowUnexported(positions{})); d != "" {
		t.Errorf("positions (-want +got):\n%s", d)
	}
}
