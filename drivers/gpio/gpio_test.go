package gpio_test

import (
	"errors"
	"strings"
	"testing"

	"fairrec/board"
	fgpio "fairrec/drivers/gpio"
	"fairrec/drivers/gpio/pintest"

	"github.com/google/go-cmp/cmp"
	"periph.io/x/conn/v3/gpio"
)

func pinNames(b board.Board) []string {
	var names []string
	for _, p := range b.Pins() {
		names = append(names, p.Name)
	}
	return names
}

func TestOpenConfiguresPins(t *testing.T) {
	b := board.Sim(2)
	pins := pintest.RegisterT(t, pinNames(b)...)
	// Leave inputs Low and LEDs High before Open, as a previous run or the
	// boot state might: Open must configure both.
	for _, p := range b.Pins() {
		l := gpio.Low
		if p.Output {
			l = gpio.High
		}
		pins.Set(p.Name, l)
	}
	p, err := fgpio.Open(b)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()

	got := map[string]string{}
	for _, r := range b.Pins() {
		fp := pins[r.Name]
		got[r.Name] = fp.Pull().String() + " " + fp.Read().String()
	}
	want := map[string]string{}
	for _, r := range b.Pins() {
		if r.Output {
			want[r.Name] = gpio.PullNoChange.String() + " Low"
		} else {
			want[r.Name] = "PullUp High"
		}
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("pin state after Open (-want +got):\n%s", d)
	}
	if len(p.Lines) != 2 {
		t.Fatalf("got %d lines, want 2", len(p.Lines))
	}
	if p.Supervisor == nil || p.Fault == nil {
		t.Errorf("supervisor button or fault LED missing")
	}
}

func TestInputsFollowHardware(t *testing.T) {
	b := board.Sim(1)
	pins := pintest.RegisterT(t, pinNames(b)...)
	p, err := fgpio.Open(b)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if fgpio.IsActive(p.Lines[0].Hook) {
		t.Errorf("hook reads off hook before anything happened")
	}
	pins.Set("SIM_L1_HOOK", gpio.Low)
	if !fgpio.IsActive(p.Lines[0].Hook) {
		t.Errorf("hook pulled low does not read off hook")
	}
	if fgpio.IsActive(p.Lines[0].Ring) {
		t.Errorf("ring reads active while its pin is high")
	}
	if err := p.Lines[0].LEDRecording.Out(gpio.High); err != nil {
		t.Fatal(err)
	}
	if got := pins.Level("SIM_L1_LED_REC"); got != gpio.High {
		t.Errorf("recording LED pin = %s after Out(High)", got)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if got := pins.Level("SIM_L1_LED_REC"); got != gpio.Low {
		t.Errorf("recording LED pin = %s after Close, want Low", got)
	}
	if err := p.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestAbsentPinsAreNil(t *testing.T) {
	b := board.Sim(1)
	b.Lines[0].Ring = ""
	b.LEDFault = ""
	b.SupervisorButton = ""
	pintest.RegisterT(t, pinNames(b)...)
	p, err := fgpio.Open(b)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if p.Lines[0].Ring != nil || p.Fault != nil || p.Supervisor != nil {
		t.Errorf("absent pins are not nil: ring %v fault %v supervisor %v", p.Lines[0].Ring, p.Fault, p.Supervisor)
	}
	if fgpio.IsActive(p.Lines[0].Ring) {
		t.Errorf("absent ring sense reads active")
	}
}

func TestUnknownPin(t *testing.T) {
	b := board.Sim(2)
	names := pinNames(b)
	var registered []string
	for _, n := range names {
		if n != "SIM_L2_HOOK" {
			registered = append(registered, n)
		}
	}
	pins := pintest.RegisterT(t, registered...)
	pins.Set("SIM_L1_LED_REC", gpio.High)
	_, err := fgpio.Open(b)
	if !errors.Is(err, fgpio.ErrUnknownPin) {
		t.Fatalf("Open = %v, want ErrUnknownPin", err)
	}
	if want := "unknown pin SIM_L2_HOOK for line 2 hook sense"; !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not say %q", err, want)
	}
	// The LEDs configured before the failure are off again.
	if got := pins.Level("SIM_L1_LED_REC"); got != gpio.Low {
		t.Errorf("line 1 recording LED = %s after a failed Open, want Low", got)
	}
}

func TestHardwareBoardOnPC(t *testing.T) {
	// On a PC (or in CI) the Pi's pins do not exist: Open must say which one
	// is missing rather than fail obscurely. On a real Pi this test is
	// meaningless, so skip when the pin exists.
	b := board.RPi4()
	if p, err := fgpio.Open(b); err == nil {
		p.Close()
		t.Skip("running on hardware with the rpi4 pins")
	} else if want := "unknown pin GPIO5 for line 1 hook sense"; !strings.Contains(err.Error(), want) {
		t.Errorf("Open(rpi4) on a PC = %v, want it to say %q", err, want)
	}
}
