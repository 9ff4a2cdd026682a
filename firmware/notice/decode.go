package notice

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/hajimehoshi/go-mp3"

	"fairrec/firmware/dsp"
)

// decoderDelay is the delay of the Layer III synthesis itself (the
// hybrid filter bank's overlap plus the polyphase filter bank), in samples
// at the file's rate: 528 + 1 in every standard decoder. The tests measure
// it against go-mp3 by correlating decoded speech with its source.
const decoderDelay = 529

// pcm is a decoded notice at the file's rate, mono.
type pcm struct {
	rate    int
	samples []int16
}

// decode turns MP3 bytes into mono samples at the file's rate, with the
// coding delay removed as far as the file tells it. It never panics: go-mp3
// can index out of range on crafted frames, and a panic while loading
// notices would take every line down, so it is turned into ErrCorrupt.
func decode(data []byte) (out pcm, err error) {
	s, err := scan(data)
	if err != nil {
		return pcm{}, err
	}
	// A notice far too long is refused before the costly decode; the frame
	// count gives its length to within the coding delay.
	if secs := float64(s.frames*s.samples) / float64(s.rate); secs > float64(MaxDuration)/dsp.LineRate+1 {
		return pcm{}, fmt.Errorf("%.1f s (at most %.0f s): %w", secs, float64(MaxDuration)/dsp.LineRate, ErrTooLong)
	}
	defer func() {
		if r := recover(); r != nil {
			out, err = pcm{}, fmt.Errorf("decoder failed (%v): %w", r, ErrCorrupt)
		}
	}()
	d, err := mp3.NewDecoder(bytes.NewReader(s.audio))
	if err != nil {
		return pcm{}, fmt.Errorf("%v: %w", err, ErrCorrupt)
	}
	if d.SampleRate() != s.rate {
		return pcm{}, fmt.Errorf("decoder reads %d Hz, header says %d Hz: %w", d.SampleRate(), s.rate, ErrCorrupt)
	}
	total := s.frames * s.samples
	mono := make([]int16, 0, total)
	// go-mp3 always yields interleaved 16-bit little-endian stereo (a mono
	// file is duplicated into both channels). Mixing down by averaging
	// keeps a mono file exact and cannot overflow.
	buf := make([]byte, 4*1152)
	for {
		n, err := d.Read(buf)
		for i := 0; i+4 <= n; i += 4 {
			l := int32(int16(uint16(buf[i]) | uint16(buf[i+1])<<8))
			r := int32(int16(uint16(buf[i+2]) | uint16(buf[i+3])<<8))
			mono = append(mono, int16((l+r)>>1))
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return pcm{}, fmt.Errorf("frame near sample %d: %v: %w", len(mono), err, ErrCorrupt)
		}
		if len(mono) > total {
			return pcm{}, fmt.Errorf("decoder yields more than the %d samples of %d frames: %w", total, s.frames, ErrCorrupt)
		}
	}
	if len(mono) < total {
		return pcm{}, fmt.Errorf("decoded %d of %d samples (%d frames): %w", len(mono), total, s.frames, ErrCorrupt)
	}
	// Trim the coding delay. A LAME tag states the encoder's delay and end
	// padding, so the exact source comes back. Without one only the
	// decoder's own delay is known; the encoder's (576 samples for LAME,
	// 36 ms at 16 kHz) stays as leading silence, and its padding (under
	// one frame) as trailing silence.
	skip, n := decoderDelay, total-decoderDelay
	if s.tagged {
		skip += s.delay
		n = total - s.delay - s.padding
	}
	if n <= 0 || skip >= total {
		return pcm{}, fmt.Errorf("LAME tag's delay %d and padding %d exceed the %d decoded samples: %w",
			s.delay, s.padding, total, ErrCorrupt)
	}
	// The last decoderDelay samples of the source are still inside the
	// synthesis filter when the frames run out; they are lost in every
	// Layer III decoder, and the tail of a notice is its fade-out anyway.
	mono = mono[skip:min(skip+n, len(mono))]
	return pcm{rate: s.rate, samples: mono}, nil
}

// toLine resamples mono audio to the 8 kHz line rate, aligned: the
// resampler's whole-sample group delay is dropped at the start and flushed
// out with silence at the end, so sample i of the output is the input at
// time i/8000 s and the length is the input's duration at 8 kHz, rounded up
// (dsp.ResampleAll).
func toLine(p pcm) ([]int16, error) {
	line, err := dsp.ResampleAll(p.samples, p.rate, dsp.LineRate)
	if err != nil {
		return nil, fmt.Errorf("%d Hz: %w: %w", p.rate, ErrUnsupportedRate, err)
	}
	return line, nil
}
