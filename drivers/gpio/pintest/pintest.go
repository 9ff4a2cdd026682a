package pintest

import (
	"errors"
	"fmt"
	"testing"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpioreg"
	"periph.io/x/conn/v3/gpio/gpiotest"
)

// Pins are registered fake pins by name.
type Pins map[string]*gpiotest.Pin

// Register creates a gpiotest.Pin for each name, High, and registers it in
// gpioreg. If a name is already registered, nothing stays registered and the
// error names the pin.
func Register(names ...string) (Pins, error) {
	ps := Pins{}
	for i, name := range names {
		if _, dup := ps[name]; dup {
			_ = ps.Unregister()
			return nil, fmt.Errorf("pintest: pin %s listed twice", name)
		}
		p := &gpiotest.Pin{N: name, Num: i, L: gpio.High}
		if err := gpioreg.Register(p); err != nil {
			_ = ps.Unregister()
			return nil, fmt.Errorf("pintest: register %s: %w", name, err)
		}
		ps[name] = p
	}
	return ps, nil
}

// RegisterT is Register for a test: it fails the test on error and
// unregisters the pins when the test ends.
func RegisterT(t testing.TB, names ...string) Pins {
	t.Helper()
	ps, err := Register(names...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := ps.Unregister(); err != nil {
			t.Error(err)
		}
	})
	return ps
}

// Unregister removes every pin of ps from gpioreg.
func (ps Pins) Unregister() error {
	var errs []error
	for name := range ps {
		if err := gpioreg.Unregister(name); err != nil {
			errs = append(errs, fmt.Errorf("pintest: unregister %s: %w", name, err))
		}
	}
	return errors.Join(errs...)
}

// Level returns the current level of the named pin; it panics on a name that
// is not in ps, which is a mistake in the test.
func (ps Pins) Level(name string) gpio.Level {
	p, ok := ps[name]
	if !ok {
		panic("pintest: no pin " + name)
	}
	return p.Read()
}

// Set sets the level of the named pin, as the hardware would.
func (ps Pins) Set(name string, l gpio.Level) {
	p, ok := ps[name]
	if !ok {
		panic("pintest: no pin " + name)
	}
	p.Lock()
	p.L = l
	p.Unlock()
}
