package sim

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpioreg"
	"periph.io/x/conn/v3/physic"
)

// Pin is one of the simulated board's GPIO pins: a periph gpio.PinIO that
// Sim registers in gpioreg under the board's pin name, so that
// drivers/gpio.Open finds it as it finds a real board's pins. It is part of
// the board, not a test fake: the daemon drives it on the sim board.
//
// An input's level is set by the scenario (Sim.Advance) or by a test (Set);
// configuring the pin with In resets the level to the pull's (High for
// PullUp, Low for PullDown), as on periph's gpiotest pins. Out sets the level,
// so a test reads an LED with Read or Pins.Level. The simulation latches
// pulsed inputs itself (see the package doc), so a Pin detects no edges:
// In with an edge is refused and WaitForEdge returns false at once.
type Pin struct {
	name string
	num  int

	mu    sync.Mutex
	level gpio.Level
	pull  gpio.Pull
}

var _ gpio.PinIO = (*Pin)(nil)

// String returns the pin's name and number, e.g. "SIM_L1_HOOK(0)".
func (p *Pin) String() string { return fmt.Sprintf("%s(%d)", p.name, p.num) }

// Halt does nothing: a simulated pin runs nothing in the background.
func (p *Pin) Halt() error { return nil }

// Name is the board's name for the pin.
func (p *Pin) Name() string { return p.name }

// Number is the pin's index in the board's pin list.
func (p *Pin) Number() int { return p.num }

// Function returns "In/Out": a simulated pin is both.
func (p *Pin) Function() string { return "In/Out" }

// In configures the pin as an input and resets its level to the pull's.
func (p *Pin) In(pull gpio.Pull, edge gpio.Edge) error {
	if edge != gpio.NoEdge {
		return fmt.Errorf("sim: %s: edge detection not simulated (pulsed inputs are latched by the simulation)", p.name)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pull = pull
	switch pull {
	case gpio.PullUp:
		p.level = gpio.High
	case gpio.PullDown:
		p.level = gpio.Low
	}
	return nil
}

// Read returns the pin's level.
func (p *Pin) Read() gpio.Level {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.level
}

// WaitForEdge returns false at once: edge detection is never enabled.
func (p *Pin) WaitForEdge(time.Duration) bool { return false }

// Pull is the pull the pin was last configured with.
func (p *Pin) Pull() gpio.Pull {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.pull
}

// DefaultPull is the pull the pin was last configured with.
func (p *Pin) DefaultPull() gpio.Pull { return p.Pull() }

// Out sets the pin's level, as the firmware drives an LED.
func (p *Pin) Out(l gpio.Level) error {
	p.set(l)
	return nil
}

// PWM is refused: the simulated board has no PWM output.
func (p *Pin) PWM(gpio.Duty, physic.Frequency) error {
	return fmt.Errorf("sim: %s: PWM not simulated", p.name)
}

func (p *Pin) set(l gpio.Level) {
	p.mu.Lock()
	p.level = l
	p.mu.Unlock()
}

// Pins are the simulated board's pins by name.
type Pins map[string]*Pin

// registerPins creates a Pin for each name, High (the idle level of the
// active-low inputs), and registers it in gpioreg. If a name is taken,
// nothing stays registered and the error names the pin.
func registerPins(names ...string) (Pins, error) {
	ps := Pins{}
	for i, name := range names {
		if _, dup := ps[name]; dup {
			_ = ps.unregister()
			return nil, fmt.Errorf("sim: pin %s listed twice", name)
		}
		p := &Pin{name: name, num: i, level: gpio.High}
		if err := gpioreg.Register(p); err != nil {
			_ = ps.unregister()
			return nil, fmt.Errorf("sim: register pin %s: %w", name, err)
		}
		ps[name] = p
	}
	return ps, nil
}

// unregister removes every pin of ps from gpioreg.
func (ps Pins) unregister() error {
	var errs []error
	for name := range ps {
		if err := gpioreg.Unregister(name); err != nil {
			errs = append(errs, fmt.Errorf("sim: unregister pin %s: %w", name, err))
		}
	}
	return errors.Join(errs...)
}

// Level returns the named pin's level (High = a lit LED, a released input);
// it panics on a name the board does not have, which is a mistake in the
// caller.
func (ps Pins) Level(name string) gpio.Level { return ps.pin(name).Read() }

// Set sets the named pin's level, as the wired hardware would: a test forces
// an input with it. The next Sim.Advance sets every scripted input again.
func (ps Pins) Set(name string, l gpio.Level) { ps.pin(name).set(l) }

func (ps Pins) pin(name string) *Pin {
	p, ok := ps[name]
	if !ok {
		panic("sim: no pin " + name)
	}
	return p
}
