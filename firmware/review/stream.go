package review

import (
	"errors"
	"fmt"
	"io"
	"math"

	"fairrec/firmware/dsp"
)

// stream turns a recording's A-law stream into device-rate samples, 20 ms
// of stored audio at a time: what it holds is one frame of A-law, the
// resampler's history and less than two frames of output, however long the
// recording is.
type stream struct {
	r    io.ReadCloser
	up   *dsp.Resampler // nil at 8 kHz
	alaw []byte         // one frame of A-law
	pcm  []int16        // the frame decoded
	out  []int16        // device-rate samples not yet handed out
	skip int            // resampler output still to drop: its group delay
	tail int            // 8 kHz zeros still to feed at the end, to flush the filter
	rate int            // device rate
	in   int64          // 8 kHz samples read
	outN int64          // device-rate samples produced (after the delay)
	eof  bool           // the reader is exhausted
	err  error          // the reader failed
}

func newStream(r io.ReadCloser, rate int) (*stream, error) {
	s := &stream{r: r, rate: rate, alaw: make([]byte, dsp.FrameSamples), pcm: make([]int16, dsp.FrameSamples)}
	if rate != dsp.LineRate {
		up, err := dsp.NewResampler(dsp.LineRate, rate)
		if err != nil {
			return nil, err
		}
		s.up = up
		// Dropping the delay at the start and flushing as much at the end
		// makes output sample n the stored sample at time n/rate.
		s.skip = int(up.Delay())
		s.tail = int(math.Ceil(up.Delay()*dsp.LineRate/float64(rate))) + 1
	}
	return s, nil
}

// read fills dst with the next samples; fewer than len(dst) only at the end
// of the recording or on an error (done is then true; s.err says which).
func (s *stream) read(dst []int16) (n int, done bool) {
	for len(s.out) < len(dst) {
		if !s.more() {
			break
		}
	}
	n = copy(dst, s.out)
	s.out = s.out[:copy(s.out, s.out[n:])]
	return n, n < len(dst)
}

// more converts one more frame; false when there is nothing left.
func (s *stream) more() bool {
	if s.err != nil {
		return false
	}
	if s.eof {
		if s.up == nil || s.tail == 0 {
			return false
		}
		k := min(s.tail, len(s.pcm))
		s.tail -= k
		clear(s.pcm[:k])
		s.convert(s.pcm[:k])
		if s.tail == 0 {
			// The flush overshoots by a few samples of silence: end where
			// the recording ends, ceil(in*rate/8000) samples in all.
			want := (s.in*int64(s.rate) + dsp.LineRate - 1) / dsp.LineRate
			if extra := s.outN - want; extra > 0 {
				s.out = s.out[:max(0, int64(len(s.out))-extra)]
				s.outN = want
			}
		}
		return true
	}
	m, err := io.ReadFull(s.r, s.alaw)
	if m > 0 {
		s.in += int64(m)
		dsp.DecodeALaw(s.pcm, s.alaw[:m])
		s.convert(s.pcm[:m])
	}
	switch {
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		s.eof = true
	case err != nil:
		s.err = fmt.Errorf("read the recording: %w", err)
		return false
	}
	return true
}

func (s *stream) convert(pcm []int16) {
	k := len(s.out)
	if s.up == nil {
		s.out = append(s.out, pcm...)
	} else {
		s.out = s.up.Process(s.out, pcm)
	}
	if s.skip > 0 {
		d := min(s.skip, len(s.out)-k)
		s.out = append(s.out[:k], s.out[k+d:]...)
		s.skip -= d
	}
	s.outN += int64(len(s.out) - k)
}

// close releases the reader and drops the audio already decoded.
func (s *stream) close() {
	_ = s.r.Close()
	clear(s.out)
	clear(s.pcm)
	clear(s.alaw)
	s.out = s.out[:0]
}
