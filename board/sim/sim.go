package sim

import (
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"fairrec/board"
	"fairrec/drivers/audio"

	"periph.io/x/conn/v3/gpio"
)

// The ALSA PCMs (and PortAudio devices) the generated configuration defines;
// its "default" PCM (board.SimAudioDevice) captures from the first and plays
// to the second. They are separate because a file PCM also writes what it
// captures to its output file.
const (
	CapturePCM  = "fairrec-sim-capture"
	PlaybackPCM = "fairrec-sim-playback"
)

// Config configures a simulated board. Scenario is required.
type Config struct {
	// Scenario is the script, from LoadScenario or ParseScenario.
	Scenario *Scenario
	// Dir receives the capture file, the playback file and the ALSA
	// configuration. Empty: a new temporary directory that Close removes.
	Dir string
	// Realtime makes Advance pace the simulation to the wall clock, so that
	// `make run` looks like real calls (and the daemon does not spin a core
	// once the scenario is over). Tests leave it off and run as fast as the
	// file-backed device can be read.
	Realtime bool
	// TailPad is how much silence follows End in the capture file, so that
	// ALSA's repetition of the last period after the file ends repeats
	// silence. Zero means one second (50 periods of 20 ms).
	TailPad time.Duration
	// Logger receives the GPIO events as they happen; nil discards.
	Logger *slog.Logger
}

// Call is one scripted call: from off hook to on hook on a line.
type Call struct {
	Line    int   // 1-based
	OffHook int64 // sample at the device rate
	OnHook  int64 // sample at the device rate; End if the scenario never hangs up
	// Audio is what the line's capture channel carries from OffHook to
	// OnHook (caller audio and DTMF as mixed), at the device rate: what a
	// recording of the call must equal after the 8 kHz / A-law path.
	Audio []int16
}

// Sim is a running simulated board.
type Sim struct {
	sc       *Scenario
	board    board.Board
	dir      string
	tempDir  bool
	capture  string
	playback string
	config   string
	frames   int64 // capture file length, per channel
	end      int64
	lines    [][]int16
	calls    []Call
	log      *slog.Logger
	realtime bool

	mu     sync.Mutex
	pins   Pins
	inputs []input
	start  time.Time // wall clock at the first Advance, for Realtime
	// advanced is the captured count of the last Advance.
	advanced int64
}

// input is one scripted input pin.
type input struct {
	name   string
	role   string
	tl     timeline
	pulsed bool // read as latched between Advances: a pulsed ring sense
	active bool // last state logged: in a span (a ring burst) or not
}

// New renders the scenario's capture audio, writes the ALSA configuration,
// points this process's ALSA_CONFIG_PATH at it (so it must run before the
// first drivers/audio.Open), and registers the board's pins (see Pin) in
// gpioreg. Close undoes the registration.
func New(cfg Config) (*Sim, error) {
	sc := cfg.Scenario
	if sc == nil {
		return nil, errors.New("sim: no scenario")
	}
	s := &Sim{sc: sc, board: board.Sim(sc.Lines), log: cfg.Logger, realtime: cfg.Realtime}
	s.board.Rate = sc.Rate
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.dir = cfg.Dir
	if s.dir == "" {
		d, err := os.MkdirTemp("", "fairrec-sim-")
		if err != nil {
			return nil, fmt.Errorf("sim: %w", err)
		}
		s.dir, s.tempDir = d, true
	}
	ok := false
	defer func() {
		if !ok {
			s.Close()
		}
	}()
	s.capture = filepath.Join(s.dir, "capture.raw")
	s.playback = filepath.Join(s.dir, "playback.raw")
	s.config = filepath.Join(s.dir, "asound.conf")

	var err error
	if s.lines, err = sc.render(); err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	s.end = sc.Sample(sc.End)
	pad := cfg.TailPad
	if pad <= 0 {
		pad = time.Second
	}
	s.frames = s.end + sc.Sample(pad)
	if err := s.writeCapture(); err != nil {
		return nil, err
	}
	if err := os.WriteFile(s.playback, nil, 0o644); err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	fc := audio.FileConfig{
		Devices: []audio.FileDevice{
			{Name: CapturePCM, In: s.capture},
			{Name: PlaybackPCM, Out: s.playback},
		},
		Capture: CapturePCM, Playback: PlaybackPCM,
	}
	if err := fc.Write(s.config); err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	// PortAudio reads these when it initialises: without JACK_NO_START_SERVER
	// its JACK host API tries to start a server and prints noise.
	if err := os.Setenv(audio.ConfigPathEnv, s.config); err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	if err := os.Setenv("JACK_NO_START_SERVER", "1"); err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}

	s.calls = sc.calls(s.lines)
	if err := s.registerPins(); err != nil {
		return nil, err
	}
	ok = true
	return s, nil
}

// writeCapture writes the lines as interleaved S16_LE frames, followed by
// silence up to s.frames.
func (s *Sim) writeCapture() error {
	f, err := os.Create(s.capture)
	if err != nil {
		return fmt.Errorf("sim: %w", err)
	}
	n := len(s.lines)
	const chunk = 4096 // frames per write
	buf := make([]byte, chunk*n*2)
	for at := int64(0); at < s.frames; at += chunk {
		m := min(chunk, s.frames-at)
		b := buf[:m*int64(n)*2]
		for i := int64(0); i < m; i++ {
			for c, line := range s.lines {
				var v int16
				if at+i < int64(len(line)) {
					v = line[at+i]
				}
				binary.LittleEndian.PutUint16(b[(i*int64(n)+int64(c))*2:], uint16(v))
			}
		}
		if _, err := f.Write(b); err != nil {
			f.Close()
			return fmt.Errorf("sim: write capture: %w", err)
		}
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("sim: write capture: %w", err)
	}
	return nil
}

// calls finds each line's offhook/onhook pairs in the rendered lines.
func (sc *Scenario) calls(lines [][]int16) []Call {
	end := sc.Sample(sc.End)
	var calls []Call
	for k, evs := range sc.Line {
		var c *Call
		for _, e := range evs {
			switch e.Kind {
			case OffHook:
				c = &Call{Line: k + 1, OffHook: sc.Sample(e.At)}
			case OnHook:
				c.OnHook = sc.Sample(e.At)
				calls = append(calls, *c)
				c = nil
			}
		}
		if c != nil {
			c.OnHook = end
			calls = append(calls, *c)
		}
	}
	for i := range calls {
		c := &calls[i]
		c.Audio = lines[c.Line-1][c.OffHook:c.OnHook]
	}
	return calls
}

// Calls renders the scenario's audio and returns its calls, as Sim.Calls
// does, without writing files, touching the environment or registering
// pins: for a test that runs the daemon in another process and needs to
// know what it should have recorded.
func (sc *Scenario) Calls() ([]Call, error) {
	lines, err := sc.render()
	if err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	return sc.calls(lines), nil
}

func (s *Sim) registerPins() error {
	var names []string
	for _, p := range s.board.Pins() {
		names = append(names, p.Name)
	}
	pins, err := registerPins(names...)
	if err != nil {
		return fmt.Errorf("sim: %w (is another simulated board running in this process?)", err)
	}
	s.pins = pins
	add := func(name, role string, spans []span) {
		tl := newTimeline(spans)
		s.inputs = append(s.inputs, input{name: name, role: role, tl: tl, pulsed: tl.pulsed()})
	}
	for k, evs := range s.sc.Line {
		hook, ring, button := s.sc.lineSpans(evs)
		l := s.board.Lines[k]
		add(l.Hook, fmt.Sprintf("line %d off hook", k+1), hook)
		add(l.Ring, fmt.Sprintf("line %d ringing", k+1), ring)
		add(l.Button, fmt.Sprintf("line %d button pressed", k+1), button)
	}
	var sup []span
	for _, e := range s.sc.Supervisor {
		sup = append(sup, span{from: s.sc.Sample(e.At), to: s.sc.Sample(e.At + e.Duration)})
	}
	add(s.board.SupervisorButton, "supervisor button pressed", sup)
	return nil
}

// Advance tells the simulation that samples 0..captured-1 (at the device
// rate, per channel) have been captured: every input event at a sample
// before captured is applied to the pins. Call it with the count at the end
// of the period just read, before the firmware handles that period: the
// firmware then sees each change in the period that contains it. Every input pin is set on every call, not only on a change,
// because configuring a pin (In) resets its level. With
// Config.Realtime, Advance then sleeps until the wall clock has caught up
// with sample.
func (s *Sim) Advance(captured int64) {
	s.mu.Lock()
	if s.pins == nil { // closed
		s.mu.Unlock()
		return
	}
	for i := range s.inputs {
		in := &s.inputs[i]
		active := in.tl.activeAt(captured - 1)
		if active != in.active {
			in.active = active
			s.log.Info("sim", "event", in.role, "active", active, "at", s.seconds(captured))
		}
		if in.pulsed {
			// As drivers/gpio's edge latch reads a pulsed ring sense: active
			// if it was at any moment since the last read.
			active = in.tl.anyActive(min(s.advanced, captured-1), captured)
		}
		l := gpio.High
		if active {
			l = gpio.Low
		}
		s.pins.Set(in.name, l)
	}
	s.advanced = captured
	var wait time.Duration
	if s.realtime {
		now := time.Now()
		if s.start.IsZero() {
			s.start = now.Add(-s.duration(captured))
		}
		wait = s.start.Add(s.duration(captured)).Sub(now)
	}
	s.mu.Unlock()
	if wait > 0 {
		time.Sleep(wait)
	}
}

func (s *Sim) duration(sample int64) time.Duration {
	return time.Duration(sample * int64(time.Second) / int64(s.sc.Rate))
}

func (s *Sim) seconds(sample int64) string {
	return fmt.Sprintf("%.3fs", float64(sample)/float64(s.sc.Rate))
}

// Done reports whether the scenario is over once captured samples have been
// captured: every event has happened and its tail has been captured.
func (s *Sim) Done(captured int64) bool { return captured >= s.end }

// Board is the simulated board, with the scenario's line count and rate.
func (s *Sim) Board() board.Board { return s.board.Clone() }

// Scenario is the script the simulation runs.
func (s *Sim) Scenario() *Scenario { return s.sc }

// End is the scenario's end in samples at the device rate.
func (s *Sim) End() int64 { return s.end }

// CaptureFrames is the capture file's length in frames (samples per
// channel): End plus the silent tail.
func (s *Sim) CaptureFrames() int64 { return s.frames }

// CapturePath, PlaybackPath and ConfigPath are the files the simulation
// made: the raw S16_LE interleaved capture (one channel per line), the raw
// playback the audio driver writes (OutChannels interleaved), and the ALSA
// configuration.
func (s *Sim) CapturePath() string  { return s.capture }
func (s *Sim) PlaybackPath() string { return s.playback }
func (s *Sim) ConfigPath() string   { return s.config }

// LineAudio is line n's (1-based) whole capture channel before the silent
// tail, at the device rate; nil for a line that does not exist.
func (s *Sim) LineAudio(n int) []int16 {
	if n < 1 || n > len(s.lines) {
		return nil
	}
	return s.lines[n-1]
}

// Calls are the scenario's calls, line by line in time order.
func (s *Sim) Calls() []Call { return s.calls }

// Pins are the board's registered pins by name, for tests that read the
// LEDs (High = lit) or force an input; nil after Close.
func (s *Sim) Pins() Pins { return s.pins }

// Playback reads the playback file and splits it into the board's output
// channels.
func (s *Sim) Playback() ([][]int16, error) {
	b, err := os.ReadFile(s.playback)
	if err != nil {
		return nil, fmt.Errorf("sim: %w", err)
	}
	n := s.board.OutChannels
	frames := len(b) / (2 * n)
	out := make([][]int16, n)
	for c := range out {
		out[c] = make([]int16, frames)
	}
	for i := 0; i < frames; i++ {
		for c := 0; c < n; c++ {
			out[c][i] = int16(binary.LittleEndian.Uint16(b[(i*n+c)*2:]))
		}
	}
	return out, nil
}

// Close unregisters the pins and removes the temporary directory New made
// (a Config.Dir is left as it is, for inspection).
func (s *Sim) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	if s.pins != nil {
		errs = append(errs, s.pins.unregister())
		s.pins = nil
	}
	if s.tempDir {
		errs = append(errs, os.RemoveAll(s.dir))
		s.tempDir = false
	}
	return errors.Join(errs...)
}
