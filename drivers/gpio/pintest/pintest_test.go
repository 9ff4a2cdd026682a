package pintest

import (
	"strings"
	"testing"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpioreg"
)

func TestRegisterMakesPinsFindable(t *testing.T) {
	ps := RegisterT(t, "PT_HOOK", "PT_LED")
	p := gpioreg.ByName("PT_HOOK")
	if p == nil {
		t.Fatal("gpioreg.ByName does not find a registered pin")
	}
	if got := p.Read(); got != gpio.High {
		t.Errorf("a new pin reads %v; inputs idle High (active low)", got)
	}
	ps.Set("PT_HOOK", gpio.Low)
	if got := p.Read(); got != gpio.Low {
		t.Errorf("after Set(Low) the pin reads %v", got)
	}
	if err := gpioreg.ByName("PT_LED").(gpio.PinOut).Out(gpio.High); err != nil {
		t.Fatal(err)
	}
	if ps.Level("PT_LED") != gpio.High {
		t.Error("Level does not show what the driver wrote")
	}
}

func TestRegisterTwiceLeavesNothingBehind(t *testing.T) {
	ps := RegisterT(t, "PT_A")
	if _, err := Register("PT_B", "PT_A"); err == nil || !strings.Contains(err.Error(), "PT_A") {
		t.Fatalf("registering a taken name: err = %v, want one naming PT_A", err)
	}
	if gpioreg.ByName("PT_B") != nil {
		t.Error("a failed Register left PT_B registered")
	}
	if _, err := Register("PT_C", "PT_C"); err == nil {
		t.Error("a name listed twice was accepted")
	}
	if err := ps.Unregister(); err != nil {
		t.Fatal(err)
	}
	if gpioreg.ByName("PT_A") != nil {
		t.Error("Unregister left the pin registered")
	}
	// RegisterT's cleanup unregisters again; make that harmless for this test.
	again, err := Register("PT_A")
	if err != nil {
		t.Fatal(err)
	}
	_ = again
}
