package dsp_test

import (
	"fmt"

	"fairrec/firmware/dsp"
)

// A line's capture at 48 kHz becomes 20 ms A-law frames at 8 kHz.
func Example() {
	r, err := dsp.NewResampler(48000, dsp.LineRate)
	if err != nil {
		fmt.Println(err)
		return
	}
	capture := make([]int16, 480) // 10 ms periods from the sound interface
	var line []int16              // reused: no allocation once grown
	frame := make([]byte, dsp.FrameSamples)
	phase := 0.0
	frames := 0
	for range 50 { // half a second
		phase = dsp.Sine(capture, 48000, 1004, -10, phase)
		line = r.Process(line, capture)
		for len(line) >= dsp.FrameSamples {
			dsp.EncodeALaw(frame, line[:dsp.FrameSamples])
			frames++
			line = line[:copy(line, line[dsp.FrameSamples:])]
		}
	}
	fmt.Println(frames, "frames, delay", r.Delay(), "samples")
	// Output:
	// 25 frames, delay 16 samples
}

func ExampleLevelDBm0() {
	x := make([]int16, dsp.LineRate)
	dsp.Sine(x, dsp.LineRate, 1004, -13, 0)
	fmt.Printf("%.1f dBm0\n", dsp.LevelDBm0(x))
	fmt.Printf("%.1f dBm0\n", dsp.LevelDBm0(make([]int16, 160)))
	// Output:
	// -13.0 dBm0
	// -120.0 dBm0
}

func ExampleALawEncode() {
	for _, x := range []int16{0, -1, 1000, -32768} {
		c := dsp.ALawEncode(x)
		fmt.Printf("%6d -> %#02x -> %6d\n", x, c, dsp.ALawDecode(c))
	}
	// Output:
	//      0 -> 0xd5 ->      8
	//     -1 -> 0x55 ->     -8
	//   1000 -> 0xfa ->   1008
	// -32768 -> 0x2a -> -32256
}
