package wav

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"fairrec/firmware/dsp"
)

// Writer streams a RIFF WAVE file of unknown length: NewWriter writes the
// header with the sizes of an empty file, Write appends samples as they
// come, and Close pads the data chunk and patches the sizes (RIFF, data,
// and the fact chunk's frame count), so memory does not grow with the
// audio. The file is byte for byte what Encode writes for the same samples.
type Writer struct {
	w   io.WriteSeeker
	l   layout
	n   int64 // samples written
	buf []byte
	pcm []int16 // WriteALaw's decoded samples
	err error
}

// NewWriter writes the header of a file in format f (PCM16, ALaw or
// MuLaw) at w's current offset, which must be 0.
func NewWriter(w io.WriteSeeker, rate, channels int, f Format) (*Writer, error) {
	l, err := newLayout(rate, channels, f)
	if err != nil {
		return nil, fmt.Errorf("wav: new writer: %w", err)
	}
	h, err := l.header(0)
	if err != nil {
		return nil, fmt.Errorf("wav: new writer: %w", err)
	}
	if _, err := w.Write(h); err != nil {
		return nil, fmt.Errorf("wav: new writer: write header: %w", err)
	}
	return &Writer{w: w, l: l, buf: make([]byte, 0, 8192)}, nil
}

// Samples returns how many samples (all channels) were written.
func (w *Writer) Samples() int64 { return w.n }

// Write appends samples (interleaved by channel; a frame may span two
// calls). After an error every call returns it.
func (w *Writer) Write(samples []int16) error {
	if w.err != nil {
		return w.err
	}
	for len(samples) > 0 {
		n := min(len(samples), cap(w.buf)/2)
		if _, err := w.l.header(w.n + int64(n)); err != nil {
			w.err = fmt.Errorf("wav: write: %w", err)
			return w.err
		}
		w.buf = w.l.appendSamples(w.buf[:0], samples[:n])
		if _, err := w.w.Write(w.buf); err != nil {
			w.err = fmt.Errorf("wav: write data: %w", err)
			return w.err
		}
		w.n += int64(n)
		samples = samples[n:]
	}
	return nil
}

// WriteALaw appends G.711 A-law bytes (a vault's stored audio), decoded
// to the file's format as Encode would write their linear samples.
func (w *Writer) WriteALaw(alaw []byte) error {
	if w.pcm == nil {
		w.pcm = make([]int16, 4096)
	}
	for len(alaw) > 0 {
		n := min(len(alaw), len(w.pcm))
		dsp.DecodeALaw(w.pcm[:n], alaw[:n])
		if err := w.Write(w.pcm[:n]); err != nil {
			return err
		}
		alaw = alaw[n:]
	}
	return nil
}

// CopyALaw appends the G.711 A-law bytes r yields until EOF (a vault's
// audio reader), a chunk at a time.
func (w *Writer) CopyALaw(r io.Reader) error {
	buf := make([]byte, 4096)
	for {
		n, err := r.Read(buf)
		if werr := w.WriteALaw(buf[:n]); werr != nil {
			return werr
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("wav: read A-law: %w", err)
		}
	}
}

// Close pads the data chunk and patches the header's sizes; it does not
// close the underlying writer.
func (w *Writer) Close() error {
	if w.err != nil {
		return w.err
	}
	if w.n%int64(w.l.channels) != 0 {
		w.err = fmt.Errorf("wav: close: %d samples are not whole frames of %d channels", w.n, w.l.channels)
		return w.err
	}
	h, err := w.l.header(w.n)
	if err == nil && w.l.dataSize(w.n)&1 == 1 {
		_, err = w.w.Write([]byte{0}) // RIFF pads odd chunks to an even size
	}
	if err == nil {
		_, err = w.w.Seek(0, io.SeekStart)
	}
	if err == nil {
		_, err = w.w.Write(h)
	}
	if err == nil {
		_, err = w.w.Seek(0, io.SeekEnd)
	}
	if err != nil {
		w.err = fmt.Errorf("wav: close: %w", err)
		return w.err
	}
	w.err = fmt.Errorf("wav: write: %w", errClosed)
	return nil
}

var errClosed = errors.New("writer closed")

// appendSamples appends samples encoded in l's format to buf.
func (l layout) appendSamples(buf []byte, samples []int16) []byte {
	switch l.f {
	case PCM16:
		for _, v := range samples {
			buf = binary.LittleEndian.AppendUint16(buf, uint16(v))
		}
	case ALaw:
		n := len(buf)
		buf = append(buf, make([]byte, len(samples))...)
		dsp.EncodeALaw(buf[n:], samples)
	case MuLaw:
		n := len(buf)
		buf = append(buf, make([]byte, len(samples))...)
		dsp.EncodeMuLaw(buf[n:], samples)
	}
	return buf
}
