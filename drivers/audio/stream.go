package audio

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"sync"
	"sync/atomic"

	"github.com/gordonklaus/portaudio"
)

// paStream is the part of *portaudio.Stream the driver uses; a seam so the
// error handling can be tested with a scripted stream.
type paStream interface {
	Start() error
	Read() error
	Write() error
	Stop() error
	Abort() error
	Close() error
}

// Stream is an open duplex, capture-only or playback-only PortAudio stream.
// One goroutine owns it (Read, Write, Run); Close and the accessors may be
// called from any goroutine.
type Stream struct {
	log                   *slog.Logger
	rate, period          int
	nin, nout             int
	inName, outName       string
	overflows, underflows atomic.Uint64

	mu     sync.Mutex // serialises I/O with Close
	pa     paStream
	inBuf  []int16 // interleaved; PortAudio reads this slice header on every Read
	outBuf []int16 // interleaved; PortAudio reads this slice header on every Write
	err    error   // sticky: the device is gone
	closed bool
}

// Open opens and starts a stream as cfg describes. Errors name the devices
// and parameters; a device that cannot be found wraps [ErrNoDevice].
func Open(cfg Config) (*Stream, error) {
	nin, nout, err := cfg.channels()
	if err != nil {
		return nil, fmt.Errorf("audio: open: %w", err)
	}
	pa.Lock()
	defer pa.Unlock()
	if err := acquire(); err != nil {
		return nil, err
	}
	s, err := open(cfg, nin, nout)
	if err != nil {
		_ = release() // the open error is the one worth reporting
		return nil, err
	}
	return s, nil
}

// open does the work of Open with PortAudio initialised and pa locked.
func open(cfg Config, nin, nout int) (*Stream, error) {
	devs, err := portaudio.Devices()
	if err != nil {
		return nil, fmt.Errorf("audio: list devices: %w", err)
	}
	s := &Stream{log: cfg.logger(), nin: nin, nout: nout}
	var p portaudio.StreamParameters
	if nin > 0 {
		def, _ := portaudio.DefaultInputDevice() // nil when there is none; choose says so
		d, err := choose(devs, def, cfg.Input, capture, nin)
		if err != nil {
			return nil, err
		}
		p.Input = portaudio.StreamDeviceParameters{Device: d, Channels: nin, Latency: d.DefaultHighInputLatency}
		if cfg.Latency > 0 {
			p.Input.Latency = cfg.Latency
		}
		s.inName = d.Name
	}
	if nout > 0 {
		def, _ := portaudio.DefaultOutputDevice()
		d, err := choose(devs, def, cfg.Output, playback, nout)
		if err != nil {
			return nil, err
		}
		p.Output = portaudio.StreamDeviceParameters{Device: d, Channels: nout, Latency: d.DefaultHighOutputLatency}
		if cfg.Latency > 0 {
			p.Output.Latency = cfg.Latency
		}
		s.outName = d.Name
	}
	s.rate = cfg.Rate
	if s.rate == 0 {
		d := p.Input.Device
		if d == nil {
			d = p.Output.Device
		}
		s.rate = int(math.Round(d.DefaultSampleRate))
	}
	if s.rate <= 0 {
		return nil, fmt.Errorf("audio: open: invalid rate %d Hz", s.rate)
	}
	if s.period, err = cfg.period(s.rate); err != nil {
		return nil, fmt.Errorf("audio: open: %w", err)
	}
	p.SampleRate = float64(s.rate)
	p.FramesPerBuffer = s.period
	s.inBuf = make([]int16, s.period*nin)
	s.outBuf = make([]int16, s.period*nout)

	st, err := portaudio.OpenStream(p, &s.inBuf, &s.outBuf)
	if err != nil {
		return nil, fmt.Errorf("audio: open %s at %d Hz: %w", s.describe(), s.rate, err)
	}
	if err := st.Start(); err != nil {
		_ = st.Close()
		return nil, fmt.Errorf("audio: start %s at %d Hz: %w", s.describe(), s.rate, err)
	}
	s.pa = st
	s.log.Info("audio stream open", "input", s.inName, "inputChannels", nin,
		"output", s.outName, "outputChannels", nout, "rate", s.rate, "period", s.period)
	return s, nil
}

// describe names the stream's devices for messages.
func (s *Stream) describe() string {
	in, out := "no input", "no output"
	if s.nin > 0 {
		in = fmt.Sprintf("%d ch from %q", s.nin, s.inName)
	}
	if s.nout > 0 {
		out = fmt.Sprintf("%d ch to %q", s.nout, s.outName)
	}
	return in + ", " + out
}

// Rate is the stream's sample rate in Hz.
func (s *Stream) Rate() int { return s.rate }

// Period is the number of frames moved per PortAudio call and per Run step.
func (s *Stream) Period() int { return s.period }

// InputChannels is the number of captured channels (0: playback-only).
func (s *Stream) InputChannels() int { return s.nin }

// OutputChannels is the number of played channels (0: capture-only).
func (s *Stream) OutputChannels() int { return s.nout }

// Overflows counts input overflows: periods the device dropped because the
// stream was read too late.
func (s *Stream) Overflows() uint64 { return s.overflows.Load() }

// Underflows counts output underflows: periods the device played silence
// because the stream was written too late.
func (s *Stream) Underflows() uint64 { return s.underflows.Load() }

// Read captures len(in[0]) frames, one buffer per input channel (all the
// same length), and returns the number of frames filled. On an error it
// returns the frames filled before it. Xruns are counted, not returned.
func (s *Stream) Read(in [][]int16) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, err := s.check("read", in, s.nin)
	if err != nil {
		return 0, err
	}
	for done := 0; done < n; {
		k := min(s.period, n-done)
		s.inBuf = s.inBuf[:k*s.nin]
		if err := s.pa.Read(); err != nil {
			if !isOverflow(err) {
				return done, s.fail("read", err)
			}
			s.xrun(&s.overflows, "input overflow")
		}
		deinterleave(in, done, s.inBuf)
		done += k
	}
	return n, nil
}

// Write plays len(out[0]) frames, one buffer per output channel (all the
// same length). Xruns are counted, not returned.
func (s *Stream) Write(out [][]int16) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, err := s.check("write", out, s.nout)
	if err != nil {
		return err
	}
	for done := 0; done < n; {
		k := min(s.period, n-done)
		s.outBuf = s.outBuf[:k*s.nout]
		interleave(s.outBuf, out, done)
		if err := s.pa.Write(); err != nil {
			if !isUnderflow(err) {
				return s.fail("write", err)
			}
			s.xrun(&s.underflows, "output underflow")
		}
		done += k
	}
	return nil
}

// check validates per-channel buffers against the stream's channels and
// returns their common length. Call with s.mu held.
func (s *Stream) check(op string, bufs [][]int16, channels int) (int, error) {
	switch {
	case s.closed:
		return 0, fmt.Errorf("audio: %s: %w", op, ErrClosed)
	case s.err != nil:
		return 0, s.err
	case channels == 0:
		return 0, fmt.Errorf("audio: %s: the stream has no channels in this direction", op)
	case len(bufs) != channels:
		return 0, fmt.Errorf("audio: %s: %d channel buffers for %d channels", op, len(bufs), channels)
	}
	n := len(bufs[0])
	for c, b := range bufs {
		if len(b) != n {
			return 0, fmt.Errorf("audio: %s: channel %d has %d frames, channel 0 has %d", op, c, len(b), n)
		}
	}
	return n, nil
}

// fail wraps an I/O error; an error meaning the device is gone sticks.
func (s *Stream) fail(op string, err error) error {
	err = ioError(op, err)
	if errors.Is(err, ErrDeviceGone) {
		s.err = err
		s.log.Error("audio device gone", "input", s.inName, "output", s.outName, "err", err)
	}
	return err
}

// xrun counts one xrun and warns at the 1st, 2nd, 4th, 8th, ... of a kind.
func (s *Stream) xrun(counter *atomic.Uint64, kind string) {
	n := counter.Add(1)
	if n&(n-1) == 0 {
		s.log.Warn("audio xrun", "kind", kind, "count", n, "input", s.inName, "output", s.outName)
	}
}

// Run is the loop the daemon owns: it reads one period into per-channel
// buffers, calls process with them and with per-channel output buffers of
// one period (silence unless process fills them), and plays the output,
// until ctx is done (it returns nil) or Read, Write or process fails (it
// returns that error; [ErrClosed] when another goroutine closed the
// stream). A capture-only stream passes no output buffers, a playback-only
// stream no input buffers. Run does not close the stream.
// The buffers are reused from period to period: process must copy what it
// keeps.
func (s *Stream) Run(ctx context.Context, process func(in, out [][]int16) error) error {
	in, out := buffers(s.nin, s.period), buffers(s.nout, s.period)
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

// buffers allocates channels buffers of frames samples each.
func buffers(channels, frames int) [][]int16 {
	b := make([][]int16, channels)
	for c := range b {
		b[c] = make([]int16, frames)
	}
	return b
}

// Close stops the stream (letting queued output play out), closes it and
// releases PortAudio. It waits for a Read or Write in flight. Closing twice
// is harmless.
func (s *Stream) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	var errs []error
	stop, verb := s.pa.Stop, "stop"
	if s.err != nil {
		stop, verb = s.pa.Abort, "abort" // draining a dead device is pointless
	}
	pa.Lock()
	defer pa.Unlock()
	if err := stop(); err != nil && s.err == nil {
		errs = append(errs, fmt.Errorf("audio: %s stream: %w", verb, err))
	}
	if err := s.pa.Close(); err != nil && s.err == nil {
		errs = append(errs, fmt.Errorf("audio: close stream: %w", err))
	}
	errs = append(errs, release())
	s.log.Info("audio stream closed", "input", s.inName, "output", s.outName,
		"overflows", s.overflows.Load(), "underflows", s.underflows.Load())
	return errors.Join(errs...)
}
