package audio_test

import (
	"context"
	"fmt"
	"log"
	"log/slog"
	"os"
	"os/signal"

	"fairrec/drivers/audio"
)

// The daemon's loop: capture every line, process one period, play one period.
func ExampleStream_Run() {
	s, err := audio.Open(audio.Config{
		Input: "UMC1820", Output: "UMC1820", // exact name or a unique part of it
		InputChannels: 4, OutputChannels: 5, Rate: 48000,
		Logger: slog.Default(),
	})
	if err != nil {
		log.Fatal(err) // names the missing device and lists those present
	}
	defer s.Close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	err = s.Run(ctx, func(in, out [][]int16) error {
		// in[c] holds one period (960 frames at 48 kHz) of channel c;
		// fill out[c] to play, or leave it silent.
		copy(out[0], in[0])
		return nil
	})
	if err != nil {
		log.Fatal(err) // errors.Is(err, audio.ErrDeviceGone): reopen
	}
}

// A sound card made of files: capture from line.raw, play into out.raw.
// Set ALSA_CONFIG_PATH to the written file before the first Open.
func ExampleFileConfig() {
	fc := audio.FileConfig{Devices: []audio.FileDevice{
		{Name: "line"}, // no In: captures silence (an In file must exist)
		{Name: "out", Out: "/tmp/out.raw"},
	}}
	b, err := fc.Bytes()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(string(b))
	// Output:
	// pcm.line {
	// 	type file
	// 	slave.pcm { type null }
	// 	format "raw"
	// 	file "/dev/null"
	// 	perm 0644
	// 	infile "/dev/zero"
	// }
	// pcm.out {
	// 	type file
	// 	slave.pcm { type null }
	// 	format "raw"
	// 	file "/tmp/out.raw"
	// 	perm 0644
	// 	infile "/dev/zero"
	// }
	// pcm.default {
	// 	type asym
	// 	capture.pcm "line"
	// 	playback.pcm "out"
	// }
}
