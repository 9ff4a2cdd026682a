package wav_test

import (
	"bytes"
	"fmt"

	"fairrec/firmware/dsp"
	"fairrec/firmware/wav"
)

// A recording leaves the appliance as an A-law WAV file; anything that comes
// in is brought to the line format with Mono8k.
func Example() {
	tone := make([]int16, 48000/10) // 100 ms at 48 kHz
	dsp.Sine(tone, 48000, 1000, -10, 0)

	var file bytes.Buffer
	if err := wav.Encode(&file, 48000, 1, wav.PCM16, tone); err != nil {
		fmt.Println(err)
		return
	}
	a, err := wav.Decode(&file)
	if err != nil {
		fmt.Println(err)
		return
	}
	line, err := wav.Mono8k(a)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d Hz %s, %d frames -> %d samples at 8 kHz, %.1f dBm0\n",
		a.Rate, a.Format, a.Frames(), len(line), dsp.LevelDBm0(line[100:]))

	var out bytes.Buffer
	if err := wav.Encode(&out, dsp.LineRate, 1, wav.ALaw, line); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(out.Len(), "bytes of A-law WAV")
	// Output:
	// 48000 Hz PCM16, 4800 frames -> 800 samples at 8 kHz, -10.0 dBm0
	// 858 bytes of A-law WAV
}

func ExampleDecode_notWAV() {
	_, err := wav.Decode(bytes.NewReader([]byte("ID3\x04 an MP3 file")))
	fmt.Println(err)
	// Output:
	// wav: decode: not a RIFF WAVE file: starts with "ID3\x04", not "RIFF"
}
