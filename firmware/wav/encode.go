package wav

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
)

// Encode writes samples (interleaved by channel) to w as a RIFF WAVE file in
// format f, which must be PCM16, ALaw or MuLaw. A-law and µ-law files carry
// the 18-byte fmt chunk (cbSize = 0) and the fact chunk with the frame count
// that the specification asks of non-PCM formats. Encode writes through a
// small buffer; it does not hold a second copy of the audio.
func Encode(w io.Writer, rate, channels int, f Format, samples []int16) error {
	l, err := newLayout(rate, channels, f)
	if err != nil {
		return fmt.Errorf("wav: encode: %w", err)
	}
	if len(samples)%channels != 0 {
		return fmt.Errorf("wav: encode: %d samples are not whole frames of %d channels", len(samples), channels)
	}
	h, err := l.header(int64(len(samples)))
	if err != nil {
		return fmt.Errorf("wav: encode: %w", err)
	}
	if _, err := w.Write(h); err != nil {
		return fmt.Errorf("wav: encode: write header: %w", err)
	}
	pad := l.dataSize(int64(len(samples))) & 1
	buf := make([]byte, 0, 8192)
	for len(samples) > 0 {
		n := min(len(samples), cap(buf)/2)
		buf = l.appendSamples(buf[:0], samples[:n])
		samples = samples[n:]
		if len(samples) == 0 && pad == 1 {
			buf = append(buf, 0) // RIFF pads odd chunks to an even size
		}
		if _, err := w.Write(buf); err != nil {
			return fmt.Errorf("wav: encode: write data: %w", err)
		}
	}
	return nil
}

// layout is the shape of a file Encode or Writer writes.
type layout struct {
	rate, channels, width int
	f                     Format
	tag                   uint16
}

func newLayout(rate, channels int, f Format) (layout, error) {
	l := layout{rate: rate, channels: channels, f: f}
	switch f {
	case PCM16:
		l.width, l.tag = 2, tagPCM
	case ALaw:
		l.width, l.tag = 1, tagALaw
	case MuLaw:
		l.width, l.tag = 1, tagMuLaw
	default:
		return l, fmt.Errorf("%w: cannot write %s", ErrUnsupported, f)
	}
	if channels < 1 || channels > math.MaxUint16/l.width {
		return l, fmt.Errorf("%d channels", channels)
	}
	if rate < 1 || int64(rate)*int64(channels*l.width) > math.MaxUint32 {
		return l, fmt.Errorf("sample rate %d Hz", rate)
	}
	return l, nil
}

func (l layout) dataSize(samples int64) int64 { return samples * int64(l.width) }

// header returns the file's header for samples samples (whole frames).
func (l layout) header(samples int64) ([]byte, error) {
	dataSize := l.dataSize(samples)
	pad := dataSize & 1
	var fmtSize, factSize int64 = 16, 0
	if l.f != PCM16 {
		fmtSize, factSize = 18, 12
	}
	riffSize := 4 + (8 + fmtSize) + factSize + 8 + dataSize + pad
	if riffSize > math.MaxUint32 {
		return nil, fmt.Errorf("%w: %d bytes of audio exceed RIFF's 4 GiB", ErrTooLarge, dataSize)
	}
	le := binary.LittleEndian
	rate, channels, width := l.rate, l.channels, l.width
	h := make([]byte, 0, 58)
	h = append(h, "RIFF"...)
	h = le.AppendUint32(h, uint32(riffSize))
	h = append(h, "WAVEfmt "...)
	h = le.AppendUint32(h, uint32(fmtSize))
	h = le.AppendUint16(h, l.tag)
	h = le.AppendUint16(h, uint16(channels))
	h = le.AppendUint32(h, uint32(rate))
	h = le.AppendUint32(h, uint32(rate*channels*width)) // bytes per second
	h = le.AppendUint16(h, uint16(channels*width))      // block align
	h = le.AppendUint16(h, uint16(8*width))             // bits per sample
	if l.f != PCM16 {
		h = le.AppendUint16(h, 0) // cbSize: no extension
		h = append(h, "fact"...)
		h = le.AppendUint32(h, 4)
		h = le.AppendUint32(h, uint32(samples/int64(channels)))
	}
	h = append(h, "data"...)
	h = le.AppendUint32(h, uint32(dataSize))
	return h, nil
}
