package sim

import (
	"strings"
	"testing"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpioreg"
)

func TestPinBehavesAsTheBoardsPin(t *testing.T) {
	ps, err := registerPins("SIMPIN_IN", "SIMPIN_LED")
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := ps.unregister(); err != nil {
			t.Error(err)
		}
	}()
	in := gpioreg.ByName("SIMPIN_IN")
	if in == nil {
		t.Fatal("gpioreg.ByName does not find a registered pin")
	}
	if got := in.Read(); got != gpio.High {
		t.Errorf("a new pin reads %v; inputs idle High (active low)", got)
	}
	ps.Set("SIMPIN_IN", gpio.Low) // forced, as a test or the scenario does
	if got := in.Read(); got != gpio.Low {
		t.Errorf("after Set(Low) the pin reads %v", got)
	}
	if err := in.In(gpio.PullUp, gpio.NoEdge); err != nil {
		t.Fatal(err)
	}
	if got, pull := in.Read(), in.Pull(); got != gpio.High || pull != gpio.PullUp {
		t.Errorf("after In(PullUp) the pin reads %v with pull %v; In resets to the pull level", got, pull)
	}
	if err := in.In(gpio.PullDown, gpio.NoEdge); err != nil || in.Read() != gpio.Low {
		t.Errorf("In(PullDown): err %v, level %v; want Low", err, in.Read())
	}
	if err := in.In(gpio.PullUp, gpio.FallingEdge); err == nil || !strings.Contains(err.Error(), "SIMPIN_IN") {
		t.Errorf("In with edge detection: err = %v, want a refusal naming the pin", err)
	}
	if in.WaitForEdge(-1) {
		t.Error("WaitForEdge reported an edge on a pin without edge detection")
	}

	led := gpioreg.ByName("SIMPIN_LED")
	if err := led.Out(gpio.High); err != nil {
		t.Fatal(err)
	}
	if ps.Level("SIMPIN_LED") != gpio.High {
		t.Error("Level does not show what the driver wrote")
	}
	if err := led.PWM(gpio.DutyHalf, 0); err == nil {
		t.Error("PWM accepted on a board without PWM")
	}
	if got := led.String(); got != "SIMPIN_LED(1)" {
		t.Errorf("String() = %q", got)
	}
}

func TestRegisterPinsLeavesNothingBehind(t *testing.T) {
	ps, err := registerPins("SIMPIN_A")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := registerPins("SIMPIN_B", "SIMPIN_A"); err == nil || !strings.Contains(err.Error(), "SIMPIN_A") {
		t.Fatalf("registering a taken name: err = %v, want one naming SIMPIN_A", err)
	}
	if gpioreg.ByName("SIMPIN_B") != nil {
		t.Error("a failed registerPins left SIMPIN_B registered")
	}
	if _, err := registerPins("SIMPIN_C", "SIMPIN_C"); err == nil || gpioreg.ByName("SIMPIN_C") != nil {
		t.Errorf("a name listed twice: err = %v, registered %v", err, gpioreg.ByName("SIMPIN_C") != nil)
	}
	if err := ps.unregister(); err != nil {
		t.Fatal(err)
	}
	if gpioreg.ByName("SIMPIN_A") != nil {
		t.Error("unregister left the pin registered")
	}
}
