package audiotest_test

import (
	"context"
	"fmt"

	"fairrec/drivers/audio/audiotest"
)

// A test queues what the line "hears", runs the code under test on the
// fake, and checks what it played.
func Example() {
	s := audiotest.New(audiotest.Config{Period: 4}) // mono duplex, 8 kHz
	s.Queue([]int16{100, 200, 300, 400, 500, 600})

	ctx, cancel := context.WithCancel(context.Background())
	_ = s.Run(ctx, func(in, out [][]int16) error {
		for i, v := range in[0] {
			out[0][i] = -v // the code under test: invert the line
		}
		if s.Pending() == 0 {
			cancel()
		}
		return nil
	})
	fmt.Println(s.Played()[0], s.FramesRead())
	// Output: [-100 -200 -300 -400 -500 -600 0 0] 8
}
