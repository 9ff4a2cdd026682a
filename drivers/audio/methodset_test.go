package audio_test

import (
	"context"

	"fairrec/drivers/audio"
	"fairrec/drivers/audio/audiotest"
)

// stream is the method set consumers declare; the real stream and the fake
// must both satisfy it, so code tested against the fake runs on the device.
type stream interface {
	Read(in [][]int16) (int, error)
	Write(out [][]int16) error
	Run(ctx context.Context, process func(in, out [][]int16) error) error
	Close() error
	Rate() int
	Period() int
	InputChannels() int
	OutputChannels() int
	Overflows() uint64
	Underflows() uint64
}

var (
	_ stream = (*audio.Stream)(nil)
	_ stream = (*audiotest.Stream)(nil)
)
