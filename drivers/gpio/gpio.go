package gpio

import (
	"errors"
	"fmt"
	"sync"

	"fairrec/board"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpioreg"
	"periph.io/x/host/v3"
)

// ErrUnknownPin is wrapped by Open when gpioreg has no pin of a board's pin
// name: a typo in a profile, a missing driver, or (on a PC) a hardware board
// run without its hardware.
var ErrUnknownPin = errors.New("unknown pin")

// Active is the level of an input while it is active: off hook, ringing,
// button pressed.
const Active = gpio.Low

// IsActive reports whether p reads Active; a nil (absent) pin is never
// active.
func IsActive(p gpio.PinIn) bool {
	return p != nil && p.Read() == Active
}

// Line is one phone line's pins; an absent pin is nil.
type Line struct {
	Hook         gpio.PinIn  // Low = off hook
	Ring         gpio.PinIn  // Low = ring voltage present
	Button       gpio.PinIn  // Low = objection button pressed
	LEDRecording gpio.PinOut // High = recording
	LEDObjection gpio.PinOut // High = objection taken / paused
}

// Pins are a board's configured GPIO pins.
type Pins struct {
	Lines      []Line      // Lines[0] is line 1
	Supervisor gpio.PinIn  // Low = playback button pressed; nil if absent
	Fault      gpio.PinOut // High = needs attention; nil if absent

	mu     sync.Mutex
	all    []gpio.PinIO
	pulsed []*Pulsed // watched by a goroutine each, stopped by Close
	closed bool
}

// Open initialises periph's host drivers (harmless on a PC without GPIO) and
// configures every pin of b: inputs with pull-up and no edge detection,
// outputs Low. On error, pins already configured are halted again.
func Open(b board.Board) (*Pins, error) {
	if _, err := host.Init(); err != nil {
		return nil, fmt.Errorf("gpio: init periph host drivers: %w", err)
	}
	p := &Pins{Lines: make([]Line, len(b.Lines))}
	fail := func(err error) (*Pins, error) {
		_ = p.Close()
		return nil, err
	}
	for i, l := range b.Lines {
		n := i + 1
		var err error
		line := &p.Lines[i]
		if line.Hook, err = p.input(l.Hook, fmt.Sprintf("line %d hook sense", n)); err != nil {
			return fail(err)
		}
		if b.RingPulsed {
			line.Ring, err = p.pulsedInput(l.Ring, fmt.Sprintf("line %d ring sense", n))
		} else {
			line.Ring, err = p.input(l.Ring, fmt.Sprintf("line %d ring sense", n))
		}
		if err != nil {
			return fail(err)
		}
		if line.Button, err = p.input(l.Button, fmt.Sprintf("line %d objection button", n)); err != nil {
			return fail(err)
		}
		if line.LEDRecording, err = p.output(l.LEDRecording, fmt.Sprintf("line %d recording LED", n)); err != nil {
			return fail(err)
		}
		if line.LEDObjection, err = p.output(l.LEDObjection, fmt.Sprintf("line %d objection LED", n)); err != nil {
			return fail(err)
		}
	}
	var err error
	if p.Supervisor, err = p.input(b.SupervisorButton, "supervisor button"); err != nil {
		return fail(err)
	}
	if p.Fault, err = p.output(b.LEDFault, "fault LED"); err != nil {
		return fail(err)
	}
	return p, nil
}

// lookup resolves name; "" is an absent pin (nil, nil).
func (p *Pins) lookup(name, role string) (gpio.PinIO, error) {
	if name == "" {
		return nil, nil
	}
	pin := gpioreg.ByName(name)
	if pin == nil {
		return nil, fmt.Errorf("gpio: %w %s for %s", ErrUnknownPin, name, role)
	}
	p.all = append(p.all, pin)
	return pin, nil
}

// input returns a nil interface (not a typed nil) for an absent pin, so that
// callers can compare the field with nil.
func (p *Pins) input(name, role string) (gpio.PinIn, error) {
	pin, err := p.lookup(name, role)
	if pin == nil || err != nil {
		return nil, err
	}
	if err := pin.In(gpio.PullUp, gpio.NoEdge); err != nil {
		return nil, fmt.Errorf("gpio: configure %s for %s as input: %w", name, role, err)
	}
	return pin, nil
}

// pulsedInput is input for a pulsed ring sense: its edges are latched
// (Pulsed).
func (p *Pins) pulsedInput(name, role string) (gpio.PinIn, error) {
	pin, err := p.lookup(name, role)
	if pin == nil || err != nil {
		return nil, err
	}
	w, err := newPulsed(pin, role)
	if err != nil {
		return nil, err
	}
	p.pulsed = append(p.pulsed, w)
	return w, nil
}

func (p *Pins) output(name, role string) (gpio.PinOut, error) {
	pin, err := p.lookup(name, role)
	if pin == nil || err != nil {
		return nil, err
	}
	if err := pin.Out(gpio.Low); err != nil {
		return nil, fmt.Errorf("gpio: configure %s for %s as output: %w", name, role, err)
	}
	return pin, nil
}

// Close turns the LEDs off and halts every pin. It is safe to call more than
// once; later calls do nothing.
func (p *Pins) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil
	}
	p.closed = true
	var errs []error
	off := func(o gpio.PinOut) {
		if o != nil {
			if err := o.Out(gpio.Low); err != nil {
				errs = append(errs, fmt.Errorf("gpio: turn %s off: %w", o, err))
			}
		}
	}
	for _, l := range p.Lines {
		off(l.LEDRecording)
		off(l.LEDObjection)
	}
	off(p.Fault)
	for _, w := range p.pulsed {
		w.close()
	}
	for _, pin := range p.all {
		if err := pin.Halt(); err != nil {
			errs = append(errs, fmt.Errorf("gpio: halt %s: %w", pin, err))
		}
	}
	return errors.Join(errs...)
}
