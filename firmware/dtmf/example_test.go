package dtmf_test

import (
	"fmt"
	"math"

	"fairrec/firmware/dtmf"
)

func Example() {
	// 100 ms of silence, the digit 9 (852 + 1477 Hz) for 80 ms at -7 dBm0
	// per tone, then silence, as 8 kHz linear samples.
	x := make([]int16, 2400)
	a := 22700 * math.Pow(10, -7.0/20)
	for n := 800; n < 1440; n++ {
		t := float64(n) / 8000
		x[n] = int16(a*math.Sin(2*math.Pi*852*t) + a*math.Sin(2*math.Pi*1477*t))
	}
	d, err := dtmf.New(dtmf.Config{}) // ETSI profile
	if err != nil {
		panic(err)
	}
	var events []dtmf.Event
	for i := 0; i < len(x); i += 160 { // 20 ms frames, as on a line
		events = d.Process(events, x[i:i+160])
	}
	events = d.Flush(events)
	for _, e := range events {
		if e.Kind == dtmf.End {
			fmt.Printf("%c at %d ms for %d ms, %.0f dBm0\n", e.Digit, e.Start/8, e.Duration/8, e.Level)
		}
	}
	// Output: 9 at 99 ms for 81 ms, -7 dBm0
}
