package sim

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"fairrec/firmware/wav"
)

// Defaults of the scenario format.
const (
	DefaultRate      = 48000
	DefaultTail      = time.Second            // after the last activity, when end is not given
	DefaultShort     = 200 * time.Millisecond // press = "short"
	DefaultLong      = 3 * time.Second        // press = "long"
	DefaultDTMFOn    = 70 * time.Millisecond
	DefaultDTMFOff   = 70 * time.Millisecond
	DefaultDTMFLevel = -7.0 // dBm0 per tone
	// MaxDTMFTone bounds a DTMF digit's on and off times. Real digits last
	// tens of milliseconds; a longer one is a typo ("300s" for "300ms").
	MaxDTMFTone = 10 * time.Second
	// MinRingHz and MaxRingHz bound a pulsed ring's frequency: ring
	// generators run at 16-50 Hz (25 Hz in Europe, 20 Hz in North America).
	MinRingHz, MaxRingHz = 10.0, 100.0
	// MaxCadence bounds one cycle of a ring cadence.
	MaxCadence = time.Minute
	// MaxDuration bounds a scenario: the capture file holds every sample.
	MaxDuration = time.Hour
	// MaxLines bounds the line count.
	MaxLines = 64
	// MaxSamples bounds lines × samples per line, the memory rendering
	// takes (2 bytes a sample) and the capture file's size: 2^27 samples is
	// 256 MiB, e.g. 46 minutes of one line or 5.8 minutes of eight lines at
	// 48 kHz.
	MaxSamples = 1 << 27
)

// ErrScenario is wrapped by every error LoadScenario and ParseScenario
// return for a malformed scenario.
var ErrScenario = errors.New("bad scenario")

// Kind is what an event does.
type Kind int

// Event kinds.
const (
	Ring    Kind = iota // ring sense active for Duration, or until RingOff / OffHook if Duration is 0
	RingOff             // ring sense inactive
	OffHook             // hook sense active: a call starts
	OnHook              // hook sense inactive: the call ends
	Audio               // a WAV file mixed into the line's capture channel
	DTMF                // DTMF digits mixed into the line's capture channel
	Press               // a button held for Duration
)

var kindNames = [...]string{"ring", "ring off", "offhook", "onhook", "audio", "dtmf", "press"}

func (k Kind) String() string {
	if k < 0 || int(k) >= len(kindNames) {
		return fmt.Sprintf("Kind(%d)", int(k))
	}
	return kindNames[k]
}

// Event is one scripted happening on a line, or a supervisor press.
type Event struct {
	Pos      string        // "file:line" (or "line 2 event 3") for messages
	At       time.Duration // from the start of the scenario
	Kind     Kind
	Duration time.Duration // Ring (0 = until stopped), Press
	File     string        // Audio: the WAV file, resolved against the scenario's directory
	Gain     float64       // Audio: dB
	Digits   string        // DTMF
	On, Off  time.Duration // DTMF: tone and pause per digit
	Level    float64       // DTMF: dBm0 per tone
	// Ring: the ring-sense input pulses at the ring frequency RingHz (0:
	// held steady), twice per cycle if FullWave (a bridge rectifier), in
	// bursts of Cadence (on, off, ... repeated; nil: one burst).
	RingHz   float64
	FullWave bool
	Cadence  []time.Duration

	audio *wav.Audio // Audio: decoded at load time
}

// Scenario is a parsed scenario file.
type Scenario struct {
	Path  string // the file, "" when parsed from bytes
	Rate  int    // device sample rate, Hz
	Lines int    // lines on the simulated board
	// End is when the scenario is over. Zero in the file means the last
	// activity (a ring, press, audio or DTMF ending, or an event) plus
	// DefaultTail; after parsing it is always set.
	End        time.Duration
	Supervisor []Event   // supervisor button presses
	Line       [][]Event // Line[0] is line 1's events, in time order
}

type fileFormat struct {
	Rate       int              `toml:"rate"`
	Lines      int              `toml:"lines"`
	End        any              `toml:"end"`
	Supervisor []map[string]any `toml:"supervisor"`
	Line       []struct {
		Number int              `toml:"number"`
		Events []map[string]any `toml:"events"`
	} `toml:"line"`
}

var typeErr = regexp.MustCompile(`^toml: line (\d+) \(last key "([^"]*)"\): (.*)$`)

// LoadScenario reads and checks a scenario file, and decodes the WAV files
// it names (relative to the scenario's directory).
func LoadScenario(path string) (*Scenario, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("scenario: %w", err)
	}
	return ParseScenario(src, path)
}

// ParseScenario parses a scenario; path names it in messages and anchors
// relative WAV paths ("" means the current directory).
func ParseScenario(src []byte, path string) (*Scenario, error) {
	name := path
	if name == "" {
		name = "scenario"
	}
	bad := func(where, format string, args ...any) error {
		return fmt.Errorf("%s: %w: %s", where, ErrScenario, fmt.Sprintf(format, args...))
	}
	var f fileFormat
	md, err := toml.Decode(string(src), &f)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) && pe.Position.Line > 0 {
			return nil, bad(fmt.Sprintf("%s:%d", name, pe.Position.Line), "%s", pe.Message)
		}
		// Type errors come as `toml: line N (last key "k"): message`.
		if m := typeErr.FindStringSubmatch(err.Error()); m != nil {
			return nil, bad(name+":"+m[1], "%s: %s", m[2], m[3])
		}
		return nil, bad(name, "%s", strings.TrimPrefix(err.Error(), "toml: "))
	}
	if und := md.Undecoded(); len(und) > 0 {
		return nil, bad(name, "unknown key %q", und[0].String())
	}
	pos := locate(string(src))
	where := func(lines []int, i int, fallback string) string {
		if i < len(lines) {
			return fmt.Sprintf("%s:%d", name, lines[i])
		}
		return fmt.Sprintf("%s: %s", name, fallback)
	}

	sc := &Scenario{Path: path, Rate: f.Rate, Lines: f.Lines}
	if sc.Rate == 0 {
		sc.Rate = DefaultRate
	}
	if sc.Rate < 8000 || sc.Rate > 192000 {
		return nil, bad(name, "rate %d Hz out of range 8000..192000", sc.Rate)
	}
	if f.End != nil {
		if sc.End, err = parseTime(f.End); err != nil {
			return nil, bad(name, "end: %v", err)
		}
		if sc.End == 0 {
			return nil, bad(name, "end must be after the start")
		}
	}
	numbers := make([]int, len(f.Line))
	maxLine := 0
	used := map[int]bool{}
	for k, l := range f.Line {
		n := l.Number
		if n == 0 {
			n = k + 1
		}
		if n < 1 || n > MaxLines {
			return nil, bad(name, "[[line]] %d: number %d out of range 1..%d", k+1, n, MaxLines)
		}
		if used[n] {
			return nil, bad(name, "[[line]] %d: line %d scripted twice", k+1, n)
		}
		used[n] = true
		numbers[k] = n
		maxLine = max(maxLine, n)
	}
	switch {
	case sc.Lines == 0:
		sc.Lines = max(maxLine, 1)
	case sc.Lines < 0 || sc.Lines > MaxLines:
		return nil, bad(name, "lines = %d out of range 1..%d", sc.Lines, MaxLines)
	case maxLine > sc.Lines:
		return nil, bad(name, "line %d out of range: the scenario has lines = %d", maxLine, sc.Lines)
	}
	dir := filepath.Dir(path)
	sc.Line = make([][]Event, sc.Lines)
	for i, raw := range f.Supervisor {
		e, err := parseEvent(raw, dir, true)
		if err != nil {
			return nil, bad(where(pos.supervisor, i, fmt.Sprintf("supervisor event %d", i+1)), "%v", err)
		}
		e.Pos = where(pos.supervisor, i, fmt.Sprintf("supervisor event %d", i+1))
		sc.Supervisor = append(sc.Supervisor, e)
	}
	for k, l := range f.Line {
		var lines []int
		if k < len(pos.lines) {
			lines = pos.lines[k]
		}
		for i, raw := range l.Events {
			w := where(lines, i, fmt.Sprintf("line %d event %d", numbers[k], i+1))
			e, err := parseEvent(raw, dir, false)
			if err != nil {
				return nil, bad(w, "%v", err)
			}
			e.Pos = w
			sc.Line[numbers[k]-1] = append(sc.Line[numbers[k]-1], e)
		}
	}
	if err := sc.check(); err != nil {
		return nil, err
	}
	return sc, nil
}

// check validates the order and the hook/ring logic of every line, and sets
// End.
func (sc *Scenario) check() error {
	bad := func(e Event, format string, args ...any) error {
		return fmt.Errorf("%s: %w: %s", e.Pos, ErrScenario, fmt.Sprintf(format, args...))
	}
	last := time.Duration(0)
	lastEvent := func(t time.Duration) { last = max(last, t) }
	ordered := func(evs []Event) error {
		for i := 1; i < len(evs); i++ {
			if evs[i].At < evs[i-1].At {
				return bad(evs[i], "events out of order: %s at %v comes after %s at %v",
					evs[i].Kind, evs[i].At, evs[i-1].Kind, evs[i-1].At)
			}
		}
		return nil
	}
	if err := ordered(sc.Supervisor); err != nil {
		return err
	}
	for _, e := range sc.Supervisor {
		lastEvent(e.At + e.Duration)
	}
	for _, evs := range sc.Line {
		if err := ordered(evs); err != nil {
			return err
		}
		offHook := false
		ringUntil := time.Duration(-1) // -1: not ringing; MaxInt64: until stopped
		for _, e := range evs {
			ringing := ringUntil > e.At
			switch e.Kind {
			case OffHook:
				if offHook {
					return bad(e, "offhook while the line is already off hook")
				}
				offHook = true
				ringUntil = -1 // answering stops the ringing
			case OnHook:
				if !offHook {
					return bad(e, "onhook while the line is on hook")
				}
				offHook = false
			case Ring:
				if offHook {
					return bad(e, "ring while the line is off hook")
				}
				ringUntil = time.Duration(math.MaxInt64)
				if e.Duration > 0 {
					ringUntil = e.At + e.Duration
				}
			case RingOff:
				if !ringing {
					return bad(e, "ring = \"off\" while the line is not ringing")
				}
				ringUntil = -1
			case Audio:
				lastEvent(e.At + time.Duration(float64(len(e.audio.Samples)/e.audio.Channels)/float64(e.audio.Rate)*float64(time.Second)))
			case DTMF:
				lastEvent(e.At + time.Duration(len(e.Digits))*(e.On+e.Off))
			}
			lastEvent(e.At + e.Duration)
		}
	}
	if sc.End == 0 {
		sc.End = last + DefaultTail
	}
	if sc.End > MaxDuration {
		return fmt.Errorf("%s: %w: scenario lasts %v, longer than %v", sc.name(), ErrScenario, sc.End, MaxDuration)
	}
	if total := sc.Sample(sc.End) * int64(sc.Lines); total > MaxSamples {
		return fmt.Errorf("%s: %w: %d lines of %v at %d Hz are %d samples, more than the simulator's %d; shorten the scenario or lower the rate",
			sc.name(), ErrScenario, sc.Lines, sc.End, sc.Rate, total, MaxSamples)
	}
	for _, evs := range append([][]Event{sc.Supervisor}, sc.Line...) {
		for _, e := range evs {
			if e.At > sc.End {
				return bad(e, "%s at %v is after the end (%v)", e.Kind, e.At, sc.End)
			}
		}
	}
	return nil
}

func (sc *Scenario) name() string {
	if sc.Path == "" {
		return "scenario"
	}
	return sc.Path
}

// Sample converts a scenario time to a sample index at the scenario's rate,
// rounding to nearest.
func (sc *Scenario) Sample(t time.Duration) int64 {
	return (int64(t)*int64(sc.Rate) + int64(time.Second)/2) / int64(time.Second)
}
