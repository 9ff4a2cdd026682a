package wav

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"

	"fairrec/firmware/dsp"
)

// Encode writes samples (interleaved by channel) to w as a RIFF WAVE file in
// format f, which must be PCM16, ALaw or MuLaw. A-law and µ-law files carry
// the 18-byte fmt chunk (cbSize = 0) and the fact chunk with the frame count
// that the specification asks of non-PCM formats. Encode writes through a
// small buffer; it does not hold a second copy of the audio.
func Encode(w io.Writer, rate, channels int, f Format, samples []int16) error {
	var width int
	var tag uint16
	switch f {
	case PCM16:
		width, tag = 2, tagPCM
	case ALaw:
		width, tag = 1, tagALaw
	case MuLaw:
		width, tag = 1, tagMuLaw
	default:
		return fmt.Errorf("wav: encode: %w: cannot write %s", ErrUnsupported, f)
	}
	if channels < 1 || channels > math.MaxUint16/width {
		return fmt.Errorf("wav: encode: %d channels", channels)
	}
	if rate < 1 || int64(rate)*int64(channels*width) > math.MaxUint32 {
		return fmt.Errorf("wav: encode: sample rate %d Hz", rate)
	}
	if len(samples)%channels != 0 {
		return fmt.Errorf("wav: encode: %d samples are not whole frames of %d channels", len(samples), channels)
	}
	dataSize := int64(len(samples)) * int64(width)
	pad := dataSize & 1
	var fmtSize, factSize int64 = 16, 0
	if f != PCM16 {
		fmtSize, factSize = 18, 12
	}
	riffSize := 4 + (8 + fmtSize) + factSize + 8 + dataSize + pad
	if riffSize > math.MaxUint32 {
		return fmt.Errorf("wav: encode: %w: %d bytes of audio exceed RIFF's 4 GiB", ErrTooLarge, dataSize)
	}

	le := binary.LittleEndian
	h := make([]byte, 0, 58)
	h = append(h, "RIFF"...)
	h = le.AppendUint32(h, uint32(riffSize))
	h = append(h, "WAVEfmt "...)
	h = le.AppendUint32(h, uint32(fmtSize))
	h = le.AppendUint16(h, tag)
	h = le.AppendUint16(h, uint16(channels))
	h = le.AppendUint32(h, uint32(rate))
	h = le.AppendUint32(h, uint32(rate*channels*width)) // bytes per second
	h = le.AppendUint16(h, uint16(channels*width))      // block align
	h = le.AppendUint16(h, uint16(8*width))             // bits per sample
	if f != PCM16 {
		h = le.AppendUint16(h, 0) // cbSize: no extension
		h = append(h, "fact"...)
		h = le.AppendUint32(h, 4)
		h = le.AppendUint32(h, uint32(len(samples)/channels))
	}
	h = append(h, "data"...)
	h = le.AppendUint32(h, uint32(dataSize))
	if _, err := w.Write(h); err != nil {
		return fmt.Errorf("wav: encode: write header: %w", err)
	}

	buf := make([]byte, 0, 8192)
	for len(samples) > 0 {
		n := min(len(samples), cap(buf)/2)
		buf = buf[:0]
		switch f {
		case PCM16:
			for _, v := range samples[:n] {
				buf = le.AppendUint16(buf, uint16(v))
			}
		case ALaw:
			buf = buf[:n]
			dsp.EncodeALaw(buf, samples[:n])
		case MuLaw:
			buf = buf[:n]
			dsp.EncodeMuLaw(buf, samples[:n])
		}
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
