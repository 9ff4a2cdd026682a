package audiotest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
)

// ErrClosed is returned by I/O on a closed fake, like audio.ErrClosed.
var ErrClosed = errors.New("audiotest: stream closed")

// Config shapes a fake stream. The zero value is mono duplex at 8 kHz in
// 20 ms periods (160 frames).
type Config struct {
	InputChannels, OutputChannels int // both zero: 1 and 1
	Rate                          int // zero: 8000
	Period                        int // zero: 20 ms at Rate
}

// Stream is a fake audio stream. It is safe for concurrent use: a test may
// queue input and inspect output while the code under test runs the loop.
type Stream struct {
	rate, period, nin, nout int
	overflows, underflows   atomic.Uint64

	mu       sync.Mutex
	queued   [][]int16 // per input channel, not yet read
	played   [][]int16 // per output channel
	read     int64     // frames read so far
	failNext error
	closed   bool
}

// New returns a fake stream shaped by cfg.
func New(cfg Config) *Stream {
	s := &Stream{nin: cfg.InputChannels, nout: cfg.OutputChannels, rate: cfg.Rate, period: cfg.Period}
	if s.nin == 0 && s.nout == 0 {
		s.nin, s.nout = 1, 1
	}
	if s.rate == 0 {
		s.rate = 8000
	}
	if s.period == 0 {
		s.period = max(1, s.rate/50)
	}
	s.queued = make([][]int16, s.nin)
	s.played = make([][]int16, s.nout)
	return s
}

// Queue appends frames for capture, one slice per input channel (all of
// the same length). It panics on a mismatch: that is a bug in the test.
func (s *Stream) Queue(channels ...[]int16) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(channels) != s.nin {
		panic(fmt.Sprintf("audiotest: Queue got %d channels, stream has %d", len(channels), s.nin))
	}
	for c, ch := range channels {
		if len(ch) != len(channels[0]) {
			panic("audiotest: Queue channels differ in length")
		}
		s.queued[c] = append(s.queued[c], ch...)
	}
}

// Pending is the number of queued frames not yet read.
func (s *Stream) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.nin == 0 {
		return 0
	}
	return len(s.queued[0])
}

// FramesRead is the number of frames Read has returned so far, queued or
// silent: the fake's clock.
func (s *Stream) FramesRead() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.read
}

// Played returns a copy of everything written, per output channel.
func (s *Stream) Played() [][]int16 {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([][]int16, len(s.played))
	for c, ch := range s.played {
		out[c] = append([]int16(nil), ch...)
	}
	return out
}

// Fail makes the next Read or Write return err, and every one after it, as
// the real driver does once a device is gone.
func (s *Stream) Fail(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failNext = err
}

// Xrun counts overflows and underflows as if the device had reported them.
func (s *Stream) Xrun(overflows, underflows uint64) {
	s.overflows.Add(overflows)
	s.underflows.Add(underflows)
}

// Rate is the configured sample rate.
func (s *Stream) Rate() int { return s.rate }

// Period is the configured period in frames.
func (s *Stream) Period() int { return s.period }

// InputChannels is the number of captured channels.
func (s *Stream) InputChannels() int { return s.nin }

// OutputChannels is the number of played channels.
func (s *Stream) OutputChannels() int { return s.nout }

// Overflows counts input overflows set with Xrun.
func (s *Stream) Overflows() uint64 { return s.overflows.Load() }

// Underflows counts output underflows set with Xrun.
func (s *Stream) Underflows() uint64 { return s.underflows.Load() }

// Read fills in with queued frames, then silence, and returns len(in[0]).
func (s *Stream) Read(in [][]int16) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, err := s.check("read", in, s.nin)
	if err != nil {
		return 0, err
	}
	for c, dst := range in {
		k := copy(dst, s.queued[c])
		clear(dst[k:])
		s.queued[c] = s.queued[c][k:]
	}
	s.read += int64(n)
	return n, nil
}

// Write records out.
func (s *Stream) Write(out [][]int16) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.check("write", out, s.nout); err != nil {
		return err
	}
	for c, src := range out {
		s.played[c] = append(s.played[c], src...)
	}
	return nil
}

func (s *Stream) check(op string, bufs [][]int16, channels int) (int, error) {
	switch {
	case s.closed:
		return 0, fmt.Errorf("audiotest: %s: %w", op, ErrClosed)
	case s.failNext != nil:
		return 0, fmt.Errorf("audiotest: %s: %w", op, s.failNext)
	case channels == 0:
		return 0, fmt.Errorf("audiotest: %s: the stream has no channels in this direction", op)
	case len(bufs) != channels:
		return 0, fmt.Errorf("audiotest: %s: %d channel buffers for %d channels", op, len(bufs), channels)
	}
	for c, b := range bufs {
		if len(b) != len(bufs[0]) {
			return 0, fmt.Errorf("audiotest: %s: channel %d has %d frames, channel 0 has %d", op, c, len(b), len(bufs[0]))
		}
	}
	return len(bufs[0]), nil
}

// Run behaves like audio.Stream.Run: read a period, process, write, until
// ctx is done (nil) or an error.
func (s *Stream) Run(ctx context.Context, process func(in, out [][]int16) error) error {
	in, out := make([][]int16, s.nin), make([][]int16, s.nout)
	for c := range in {
		in[c] = make([]int16, s.period)
	}
	for c := range out {
		out[c] = make([]int16, s.period)
	}
	for ctx.Err() == nil {
		if s.nin > 0 {
			if _, err := s.Read(in); err != nil {
				return err
			}
		}
		for _, b := range out {
			clear(b)
		}
		if err := process(in, out); err != nil {
			return err
		}
		if s.nout > 0 {
			if err := s.Write(out); err != nil {
				return err
			}
		}
	}
	return nil
}

// Close marks the stream closed; later I/O fails with ErrClosed.
func (s *Stream) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	return nil
}
