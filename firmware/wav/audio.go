package wav

import (
	"errors"
	"fmt"

	"fairrec/firmware/dsp"
)

// Errors returned, wrapped with detail, by Decode and Encode.
var (
	// ErrNotWAV means the input is not a RIFF WAVE file.
	ErrNotWAV = errors.New("not a RIFF WAVE file")
	// ErrUnsupported means a WAVE file (or an Encode request) in an
	// encoding this package does not handle.
	ErrUnsupported = errors.New("unsupported WAVE encoding")
	// ErrMalformed means a WAVE file whose header is inconsistent or
	// incomplete (no fmt or data chunk, zero channels, a block size that
	// does not match the sample size, ...).
	ErrMalformed = errors.New("malformed WAVE file")
	// ErrTooLarge means the audio holds more than MaxSamples samples.
	ErrTooLarge = errors.New("WAVE file too large")
)

// MaxSamples caps the number of samples (all channels) Decode returns: 2^27
// samples is 256 MiB of int16, about 46 minutes of 48 kHz stereo or 4.6
// hours of 8 kHz mono, well beyond any notice or test call.
const MaxSamples = 1 << 27

// Format is the sample encoding of a WAVE file's data chunk.
type Format int

// Formats. Decode reports any of them; Encode writes PCM16, ALaw and MuLaw.
const (
	PCM8    Format = iota + 1 // unsigned integer PCM in 1-byte containers (1-8 bits)
	PCM16                     // signed integer PCM in 2-byte containers (9-16 bits)
	PCM24                     // signed integer PCM in 3-byte containers (17-24 bits)
	PCM32                     // signed integer PCM in 4-byte containers (25-32 bits)
	Float32                   // IEEE 754 single precision, full scale ±1
	Float64                   // IEEE 754 double precision, full scale ±1
	ALaw                      // G.711 A-law, format tag 6
	MuLaw                     // G.711 µ-law, format tag 7
)

var formatNames = [...]string{
	PCM8: "PCM8", PCM16: "PCM16", PCM24: "PCM24", PCM32: "PCM32",
	Float32: "Float32", Float64: "Float64", ALaw: "A-law", MuLaw: "µ-law",
}

func (f Format) String() string {
	if f > 0 && int(f) < len(formatNames) {
		return formatNames[f]
	}
	return fmt.Sprintf("Format(%d)", int(f))
}

// Audio is decoded WAVE audio.
type Audio struct {
	Rate     int    // sample frames per second
	Channels int    // samples per frame
	Format   Format // encoding of the file the audio came from
	// Samples are 16-bit linear samples, interleaved by channel; its length
	// is a multiple of Channels.
	Samples []int16
	// Truncated reports that the data chunk claimed more bytes than the
	// file held; Samples holds the whole frames that were there.
	Truncated bool
}

// Frames returns the number of sample frames (samples per channel).
func (a *Audio) Frames() int {
	if a.Channels <= 0 {
		return 0
	}
	return len(a.Samples) / a.Channels
}

// Mono returns the audio mixed down to one channel, each sample the rounded
// average of its frame's channels. For mono audio it returns a.Samples itself.
func (a *Audio) Mono() []int16 {
	if a.Channels <= 1 {
		return a.Samples
	}
	c := a.Channels
	out := make([]int16, len(a.Samples)/c)
	for i := range out {
		var sum int
		for _, v := range a.Samples[i*c : i*c+c] {
			sum += int(v)
		}
		// Round half away from zero; the average of int16s fits int16.
		if sum >= 0 {
			out[i] = int16((sum + c/2) / c)
		} else {
			out[i] = int16((sum - c/2) / c)
		}
	}
	return out
}

// Mono8k returns the audio mixed down to mono and resampled to the line rate
// (dsp.LineRate, 8 kHz). The resampler's delay is compensated: output sample
// n is the input at time n/8000 s, and the output has ceil(frames*8000/rate)
// samples. Audio already at 8 kHz is only mixed down (see Mono).
func Mono8k(a *Audio) ([]int16, error) {
	if a == nil || a.Rate <= 0 || a.Channels <= 0 {
		return nil, fmt.Errorf("wav: mono 8k: %w: no rate or channels", ErrMalformed)
	}
	mono := a.Mono()
	if a.Rate == dsp.LineRate {
		return mono, nil
	}
	out, err := dsp.ResampleAll(mono, a.Rate, dsp.LineRate)
	if err != nil {
		return nil, fmt.Errorf("wav: mono 8k: %w", err)
	}
	return out, nil
}
