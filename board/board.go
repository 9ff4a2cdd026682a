package board

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Line is one phone line's wiring.
type Line struct {
	// In is the capture channel (0-based) that carries the line's audio.
	In int
	// Out is the playback channel (0-based) whose audio is injected into the
	// line (the recording notice, the objection confirmation).
	Out int
	// Pin names as periph's gpioreg knows them; "" means the board has no
	// such pin for this line (e.g. no ring sense: the firmware then relies on
	// hook sense or VOX).
	Hook         string // hook sense input, Low = off hook
	Ring         string // ring sense input, Low = ring voltage present
	Button       string // objection / pause button input, Low = pressed
	LEDRecording string // output, High = recording
	LEDObjection string // output, High = objection taken / recording paused
}

// Board is a hardware profile.
type Board struct {
	// Name is the profile's name as given to Lookup and --board.
	Name string
	// AudioDevice names the sound interface as drivers/audio selects it
	// (a PortAudio device name or a unique part of it).
	AudioDevice string
	// Rate is the device sample rate in Hz.
	Rate int
	// InChannels and OutChannels are the channel counts the audio stream is
	// opened with.
	InChannels, OutChannels int
	// Lines are the phone lines, in order: line 1 is Lines[0].
	Lines []Line
	// RingPulsed says the ring-sense inputs pulse at the ring frequency
	// (an optocoupler straight on the AC ring voltage conducts on each
	// half-wave: 20-50 Hz, or twice that behind a bridge rectifier) instead
	// of holding a steady level while the line rings. drivers/gpio then
	// latches their edges, so that every read says whether the ring
	// voltage was present at any moment since the previous read; read at
	// the 50 Hz frame rate without a latch, a 25 Hz pulse train aliases to
	// a constant.
	RingPulsed bool
	// SupervisorButton is the supervisor's playback button input, Low =
	// pressed; "" if absent.
	SupervisorButton string
	// ReviewLines are the lines (1-based) whose recordings the supervisor
	// button plays on its own, with nothing selected at the console (e.g.
	// the customer-service lines of a box that also records a director's
	// line); nil means all lines.
	ReviewLines []int
	// ReviewOut is the playback channel the supervisor hears a recording on;
	// -1 if the board has none.
	ReviewOut int
	// LEDFault is an output, High = the appliance needs attention (audio
	// device lost, storage failing); "" if absent.
	LEDFault string
	// Console is the installer's serial device, e.g. /dev/serial0; "" means
	// the daemon's standard input and output.
	Console string
	// ConsoleBaud is the console's speed in bit/s; 0 when Console is "".
	ConsoleBaud int
}

// Errors returned by Lookup and Validate.
var (
	// ErrUnknownBoard is returned by Lookup for a name that is not a
	// profile.
	ErrUnknownBoard = errors.New("unknown board")
	// ErrInvalid wraps every problem Validate finds.
	ErrInvalid = errors.New("invalid board")
)

// Names lists the built-in profiles.
func Names() []string { return []string{RPi4Name, SimName} }

// Lookup returns the built-in profile with the given name. "sim" is the
// simulated board with DefaultSimLines lines; board/sim builds one with the
// scenario's line count through Sim.
func Lookup(name string) (Board, error) {
	switch name {
	case RPi4Name:
		return RPi4(), nil
	case SimName:
		return Sim(DefaultSimLines), nil
	}
	return Board{}, fmt.Errorf("board %q: %w (known: %s)", name, ErrUnknownBoard, strings.Join(Names(), ", "))
}

// PinRole is one pin of a board with what it does, e.g. "line 2 hook sense".
type PinRole struct {
	Name   string // the pin name, never ""
	Role   string // human-readable function, for error messages
	Output bool   // true for LEDs
}

// Pins lists every pin the board uses with its role, lines first, in a
// stable order. Absent pins ("") are left out.
func (b Board) Pins() []PinRole {
	var ps []PinRole
	add := func(name, role string, out bool) {
		if name != "" {
			ps = append(ps, PinRole{Name: name, Role: role, Output: out})
		}
	}
	for i, l := range b.Lines {
		n := i + 1
		add(l.Hook, fmt.Sprintf("line %d hook sense", n), false)
		add(l.Ring, fmt.Sprintf("line %d ring sense", n), false)
		add(l.Button, fmt.Sprintf("line %d objection button", n), false)
		add(l.LEDRecording, fmt.Sprintf("line %d recording LED", n), true)
		add(l.LEDObjection, fmt.Sprintf("line %d objection LED", n), true)
	}
	add(b.SupervisorButton, "supervisor button", false)
	add(b.LEDFault, "fault LED", true)
	return ps
}

// Validate reports every wiring mistake in b, joined, each wrapping
// ErrInvalid.
func (b Board) Validate() error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("board %q: %w: %s", b.Name, ErrInvalid, fmt.Sprintf(format, args...)))
	}
	if b.Rate <= 0 {
		bad("sample rate %d Hz", b.Rate)
	}
	if len(b.Lines) == 0 {
		bad("no lines")
	}
	if b.InChannels <= 0 || b.OutChannels <= 0 {
		bad("channel counts %d in, %d out", b.InChannels, b.OutChannels)
	}
	ins := map[int]int{}
	outs := map[int]int{}
	for i, l := range b.Lines {
		n := i + 1
		if l.In < 0 || l.In >= b.InChannels {
			bad("line %d input channel %d out of range 0..%d", n, l.In, b.InChannels-1)
		} else if prev, ok := ins[l.In]; ok {
			bad("line %d input channel %d already carries line %d", n, l.In, prev)
		} else {
			ins[l.In] = n
		}
		if l.Out < 0 || l.Out >= b.OutChannels {
			bad("line %d output channel %d out of range 0..%d", n, l.Out, b.OutChannels-1)
		} else if prev, ok := outs[l.Out]; ok {
			bad("line %d output channel %d already feeds line %d", n, l.Out, prev)
		} else {
			outs[l.Out] = n
		}
	}
	if b.ReviewOut != -1 {
		if b.ReviewOut < 0 || b.ReviewOut >= b.OutChannels {
			bad("review output channel %d out of range 0..%d", b.ReviewOut, b.OutChannels-1)
		} else if n, ok := outs[b.ReviewOut]; ok {
			bad("review output channel %d feeds line %d", b.ReviewOut, n)
		}
	}
	for _, n := range b.ReviewLines {
		if n < 1 || n > len(b.Lines) {
			bad("review line %d out of range 1..%d", n, len(b.Lines))
		}
	}
	seen := map[string]string{}
	for _, p := range b.Pins() {
		if prev, ok := seen[p.Name]; ok {
			bad("pin %s is both %s and %s", p.Name, prev, p.Role)
			continue
		}
		seen[p.Name] = p.Role
	}
	if b.Console != "" && b.ConsoleBaud <= 0 {
		bad("console %s without a baud rate", b.Console)
	}
	return errors.Join(errs...)
}

// Line returns line n (1-based) and whether it exists.
func (b Board) Line(n int) (Line, bool) {
	if n < 1 || n > len(b.Lines) {
		return Line{}, false
	}
	return b.Lines[n-1], true
}

// Clone returns a deep copy, so a caller may edit a profile's lines without
// touching the profile.
func (b Board) Clone() Board {
	b.Lines = slices.Clone(b.Lines)
	b.ReviewLines = slices.Clone(b.ReviewLines)
	return b
}
