package sim_test

import (
	"fmt"
	"log"

	"fairrec/board/sim"
	"fairrec/drivers/gpio"
)

// The daemon's use of the simulated board: load the scenario, start the
// board (before PortAudio initialises), open the real GPIO driver on its
// pins, and after each audio period tell it how many samples were captured.
func Example() {
	sc, err := sim.LoadScenario("../../scripts/demo/demo.toml")
	if err != nil {
		log.Fatal(err)
	}
	s, err := sim.New(sim.Config{Scenario: sc}) // Realtime: true for `make run`
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	b := s.Board()
	pins, err := gpio.Open(b)
	if err != nil {
		log.Fatal(err)
	}
	defer pins.Close()

	// Here the daemon opens drivers/audio with b.AudioDevice, b.Rate,
	// b.InChannels and b.OutChannels; this example only advances time in
	// periods of 20 ms, as the audio loop would. An event is seen in the
	// period that contains it, so at the end of that period.
	period := int64(b.Rate / 50)
	offHook := false
	for at := period; !s.Done(at); at += period {
		s.Advance(at)
		if now := gpio.IsActive(pins.Lines[0].Hook); now != offHook {
			offHook = now
			fmt.Printf("line 1 off hook %v at %.2f s\n", offHook, float64(at)/float64(b.Rate))
		}
	}
	for _, c := range s.Calls() {
		fmt.Printf("call on line %d: %.1f s to %.1f s\n", c.Line, float64(c.OffHook)/float64(b.Rate), float64(c.OnHook)/float64(b.Rate))
	}
	// Output:
	// line 1 off hook true at 4.02 s
	// line 1 off hook false at 26.02 s
	// call on line 1: 4.0 s to 26.0 s
	// call on line 2: 6.5 s to 27.5 s
	// call on line 2: 30.0 s to 42.0 s
}
