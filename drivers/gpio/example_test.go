package gpio_test

import (
	"fmt"
	"log"

	"fairrec/board"
	fgpio "fairrec/drivers/gpio"
	"fairrec/drivers/gpio/pintest"

	"periph.io/x/conn/v3/gpio"
)

func ExampleOpen() {
	b := board.Sim(1)
	// On the device the pins come from periph's host drivers; here fakes
	// are registered under the board's names.
	fake, err := pintest.Register("SIM_L1_HOOK", "SIM_L1_RING", "SIM_L1_BUTTON",
		"SIM_L1_LED_REC", "SIM_L1_LED_OBJ", "SIM_SUPERVISOR", "SIM_LED_FAULT")
	if err != nil {
		log.Fatal(err)
	}
	defer fake.Unregister()

	pins, err := fgpio.Open(b)
	if err != nil {
		log.Fatal(err)
	}
	defer pins.Close()

	fake.Set("SIM_L1_HOOK", gpio.Low) // the phone is picked up
	line := pins.Lines[0]
	if fgpio.IsActive(line.Hook) {
		_ = line.LEDRecording.Out(gpio.High)
	}
	fmt.Println("off hook:", fgpio.IsActive(line.Hook), "recording LED:", fake.Level("SIM_L1_LED_REC"))
	// Output: off hook: true recording LED: High
}
