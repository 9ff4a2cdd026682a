package audio

import (
	"fmt"
	"log/slog"
	"time"
)

// DefaultPeriod is the period used when [Config.Period] is zero: 20 ms, the
// frame length of the firmware's 8 kHz line processing (160 samples), so one
// device period is one line frame after resampling.
const DefaultPeriod = 20 * time.Millisecond

// Config describes a stream. Its zero value is a mono duplex stream (one
// input and one output channel) on the host's default devices, at the input
// device's default rate, in periods of [DefaultPeriod].
type Config struct {
	// Input and Output name the capture and playback devices: an exact
	// PortAudio device name, or a case-insensitive substring matching
	// exactly one device that has enough channels. Empty means the host
	// API's default device. They may name different devices.
	Input, Output string

	// InputChannels and OutputChannels are the channels captured and played.
	// When both are zero the stream is mono duplex; otherwise zero turns
	// that direction off (capture-only or playback-only streams).
	// Negative counts are an error.
	InputChannels, OutputChannels int

	// Rate is the sample rate in Hz for both directions. Zero means the
	// input device's default rate (the output device's for playback-only
	// streams).
	Rate int

	// Period is the number of frames PortAudio moves per call, and the size
	// of the buffers [Stream.Run] hands to its callback. Zero means
	// [DefaultPeriod] at Rate.
	Period int

	// Latency is the suggested device latency. Zero means the devices'
	// default high latency, which suits a blocking reader that processes
	// every period and values no-gap recording over quick response.
	Latency time.Duration

	// Logger receives xrun warnings and open/close events. Nil discards.
	Logger *slog.Logger
}

// channels returns the effective channel counts (zero value: mono duplex).
func (c Config) channels() (in, out int, err error) {
	if c.InputChannels < 0 || c.OutputChannels < 0 {
		return 0, 0, fmt.Errorf("negative channel count (%d in, %d out)", c.InputChannels, c.OutputChannels)
	}
	if c.InputChannels == 0 && c.OutputChannels == 0 {
		return 1, 1, nil
	}
	return c.InputChannels, c.OutputChannels, nil
}

// period returns the frames per period at rate.
func (c Config) period(rate int) (int, error) {
	switch {
	case c.Period < 0:
		return 0, fmt.Errorf("negative period %d", c.Period)
	case c.Period > 0:
		return c.Period, nil
	}
	p := int(int64(rate) * int64(DefaultPeriod) / int64(time.Second))
	if p < 1 {
		p = 1
	}
	return p, nil
}

func (c Config) logger() *slog.Logger {
	if c.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return c.Logger
}
