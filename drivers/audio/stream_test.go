package audio

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/gordonklaus/portaudio"
)

// scripted stands in for PortAudio's stream: Read fills the stream's
// interleaved buffer with a running sample counter, and Read/Write return
// the scripted errors in turn (nil when the script is exhausted).
type scripted struct {
	s              *Stream
	next           int16
	reads, writes  []error
	written        []int16
	stop, abort    int
	closed, starts int
}

func (f *scripted) Start() error { f.starts++; return nil }
func (f *scripted) Stop() error  { f.stop++; return nil }
func (f *scripted) Abort() error { f.abort++; return nil }
func (f *scripted) Close() error { f.closed++; return nil }

func (f *scripted) Read() error {
	for i := range f.s.inBuf {
		f.s.inBuf[i] = f.next
		f.next++
	}
	return pop(&f.reads)
}

func (f *scripted) Write() error {
	f.written = append(f.written, f.s.outBuf...)
	return pop(&f.writes)
}

func pop(errs *[]error) error {
	if len(*errs) == 0 {
		return nil
	}
	err := (*errs)[0]
	*errs = (*errs)[1:]
	return err
}

// logCounter counts log records by level.
type logCounter struct {
	mu     sync.Mutex
	levels map[slog.Level]int
}

func (l *logCounter) Enabled(context.Context, slog.Level) bool { return true }
func (l *logCounter) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.levels[r.Level]++
	return nil
}
func (l *logCounter) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *logCounter) WithGroup(string) slog.Handler      { return l }

// newScripted returns a stream over a scripted PortAudio stream.
func newScripted(nin, nout, period int) (*Stream, *scripted, *logCounter) {
	logs := &logCounter{levels: map[slog.Level]int{}}
	s := &Stream{log: slog.New(logs), rate: 8000, period: period, nin: nin, nout: nout,
		inName: "in", outName: "out",
		inBuf: make([]int16, period*nin), outBuf: make([]int16, period*nout)}
	f := &scripted{s: s}
	s.pa = f
	return s, f, logs
}

func TestReadDeinterleaves(t *testing.T) {
	s, _, _ := newScripted(3, 0, 4)
	in := buffers(3, 10) // 2.5 periods: the last PortAudio read is partial
	n, err := s.Read(in)
	if err != nil || n != 10 {
		t.Fatalf("Read = %d, %v; want 10, nil", n, err)
	}
	// The scripted device counts 0, 1, 2, ... across interleaved samples.
	want := [][]int16{{0, 3, 6, 9, 12, 15, 18, 21, 24, 27}, {1, 4, 7, 10, 13, 16, 19, 22, 25, 28}, {2, 5, 8, 11, 14, 17, 20, 23, 26, 29}}
	if diff := cmp.Diff(want, in); diff != "" {
		t.Errorf("channels (-want +got):\n%s", diff)
	}
}

func TestWriteInterleaves(t *testing.T) {
	s, f, _ := newScripted(0, 2, 3)
	if err := s.Write([][]int16{{1, 2, 3, 4, 5}, {-1, -2, -3, -4, -5}}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int16{1, -1, 2, -2, 3, -3, 4, -4, 5, -5}, f.written); diff != "" {
		t.Errorf("device got (-want +got):\n%s", diff)
	}
}

func TestXrunsAreCountedNotReturned(t *testing.T) {
	s, f, logs := newScripted(1, 1, 2)
	for range 10 {
		f.reads = append(f.reads, portaudio.InputOverflowed)
	}
	f.writes = []error{portaudio.OutputUnderflowed, nil, portaudio.OutputUnderflowed}
	in := buffers(1, 20)
	if n, err := s.Read(in); n != 20 || err != nil {
		t.Fatalf("Read over 10 overflows = %d, %v; want 20, nil", n, err)
	}
	if in[0][19] != 19 {
		t.Errorf("frames after an overflow: last = %d, want 19 (data is still delivered)", in[0][19])
	}
	if err := s.Write(buffers(1, 6)); err != nil {
		t.Fatalf("Write over underflows: %v", err)
	}
	if got := [2]uint64{s.Overflows(), s.Underflows()}; got != [2]uint64{10, 2} {
		t.Errorf("Overflows, Underflows = %v, want [10 2]", got)
	}
	// Warnings at the 1st, 2nd, 4th and 8th overflow and 1st, 2nd underflow.
	if got := logs.levels[slog.LevelWarn]; got != 6 {
		t.Errorf("%d xrun warnings, want 6", got)
	}
}

func TestDeviceGone(t *testing.T) {
	host := portaudio.UnanticipatedHostError{Code: -19, Text: "No such device"}
	for _, tc := range []struct {
		name string
		err  error
	}{
		{"host error", host},
		{"device unavailable", portaudio.DeviceUnavailable},
		{"timed out", portaudio.TimedOut},
		{"not initialised", portaudio.NotInitialized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, f, logs := newScripted(1, 1, 4)
			f.reads = []error{nil, tc.err}
			n, err := s.Read(buffers(1, 12))
			if n != 4 || !errors.Is(err, ErrDeviceGone) || !errors.Is(err, tc.err) {
				t.Fatalf("Read = %d, %v; want 4 frames and ErrDeviceGone wrapping %v", n, err, tc.err)
			}
			// The failure sticks: later I/O reports it without touching the device.
			if err2 := s.Write(buffers(1, 4)); !errors.Is(err2, ErrDeviceGone) || len(f.written) != 0 {
				t.Errorf("Write after gone = %v (device got %d samples); want ErrDeviceGone and nothing written", err2, len(f.written))
			}
			if _, err2 := s.Read(buffers(1, 4)); !errors.Is(err2, ErrDeviceGone) {
				t.Errorf("Read after gone = %v", err2)
			}
			if logs.levels[slog.LevelError] != 1 {
				t.Errorf("%d error log records, want 1", logs.levels[slog.LevelError])
			}
			// Close aborts instead of draining a dead device, and succeeds.
			if err := s.Close(); err != nil || f.abort != 1 || f.stop != 0 || f.closed != 1 {
				t.Errorf("Close = %v (abort %d, stop %d, close %d); want nil, 1, 0, 1", err, f.abort, f.stop, f.closed)
			}
		})
	}
}

func TestHostErrorMessages(t *testing.T) {
	for _, tc := range []struct {
		host portaudio.UnanticipatedHostError
		want string
	}{
		{portaudio.UnanticipatedHostError{HostApiType: portaudio.ALSA, Code: -5, Text: "Input/output error"},
			"audio: write: audio device gone: ALSA host error -5: Input/output error"},
		{portaudio.UnanticipatedHostError{HostApiType: -1},
			"audio: write: audio device gone: unanticipated host error (PortAudio kept no details)"},
		{portaudio.UnanticipatedHostError{HostApiType: 99, Code: 7, Text: "x"},
			"audio: write: audio device gone: host API 99 host error 7: x"},
	} {
		err := ioError("write", tc.host)
		if err.Error() != tc.want {
			t.Errorf("ioError(%#v) = %q, want %q", tc.host, err, tc.want)
		}
		var host portaudio.UnanticipatedHostError
		if !errors.Is(err, ErrDeviceGone) || !errors.As(err, &host) || host != tc.host {
			t.Errorf("ioError(%#v) does not wrap ErrDeviceGone and the host error", tc.host)
		}
	}
}

func TestOtherErrorsDoNotStick(t *testing.T) {
	s, f, _ := newScripted(1, 0, 4)
	f.reads = []error{portaudio.BadBufferPtr}
	if _, err := s.Read(buffers(1, 4)); err == nil || errors.Is(err, ErrDeviceGone) {
		t.Fatalf("Read = %v, want a plain error", err)
	}
	if _, err := s.Read(buffers(1, 4)); err != nil {
		t.Errorf("next Read = %v, want nil", err)
	}
}

func TestGone(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{portaudio.UnanticipatedHostError{Code: -5}, true},
		{portaudio.DeviceUnavailable, true},
		{portaudio.TimedOut, true},
		{portaudio.InternalError, true},
		{portaudio.BadStreamPtr, true},
		{portaudio.StreamIsStopped, true},
		{portaudio.InvalidChannelCount, false},
		{portaudio.BadBufferPtr, false},
		{errors.New("other"), false},
	} {
		if got := gone(tc.err); got != tc.want {
			t.Errorf("gone(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}

func TestBadBuffers(t *testing.T) {
	s, f, _ := newScripted(2, 0, 4)
	for _, tc := range []struct {
		name string
		bufs [][]int16
	}{
		{"nil", nil},
		{"one channel for two", buffers(1, 4)},
		{"three channels for two", buffers(3, 4)},
		{"ragged", [][]int16{make([]int16, 4), make([]int16, 3)}},
	} {
		if _, err := s.Read(tc.bufs); err == nil {
			t.Errorf("Read(%s) succeeded", tc.name)
		}
	}
	if err := s.Write(buffers(2, 4)); err == nil {
		t.Error("Write on a capture-only stream succeeded")
	}
	if n, err := s.Read(buffers(2, 0)); n != 0 || err != nil {
		t.Errorf("Read of 0 frames = %d, %v; want 0, nil", n, err)
	}
	if f.next != 0 {
		t.Errorf("device was read for invalid calls")
	}
}

func TestClose(t *testing.T) {
	s, f, _ := newScripted(1, 1, 4)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
	if f.stop != 1 || f.closed != 1 {
		t.Errorf("stop %d, close %d; want 1, 1 (queued output drains once)", f.stop, f.closed)
	}
	if _, err := s.Read(buffers(1, 4)); !errors.Is(err, ErrClosed) {
		t.Errorf("Read after Close = %v, want ErrClosed", err)
	}
	if err := s.Write(buffers(1, 4)); !errors.Is(err, ErrClosed) {
		t.Errorf("Write after Close = %v, want ErrClosed", err)
	}
}

func TestRun(t *testing.T) {
	s, f, _ := newScripted(2, 1, 3)
	ctx, cancel := context.WithCancel(context.Background())
	var periods int
	err := s.Run(ctx, func(in, out [][]int16) error {
		if len(in) != 2 || len(out) != 1 || len(in[0]) != 3 || len(out[0]) != 3 {
			t.Fatalf("buffers %d×%d in, %d×%d out; want 2×3, 1×3", len(in), len(in[0]), len(out), len(out[0]))
		}
		if out[0][0] != 0 {
			t.Errorf("period %d: output starts with %d, want silence", periods, out[0][0])
		}
		copy(out[0], in[1]) // play the second input channel
		out[0][0] = 99      // dirty the buffer for the next period's check
		periods++
		if periods == 4 {
			cancel()
		}
		return nil
	})
	if err != nil || periods != 4 {
		t.Fatalf("Run = %v after %d periods; want nil after 4", err, periods)
	}
	// in[1] of period p is 6p+1, 6p+3, 6p+5 (interleaved counter).
	want := []int16{99, 3, 5, 99, 9, 11, 99, 15, 17, 99, 21, 23}
	if diff := cmp.Diff(want, f.written); diff != "" {
		t.Errorf("played (-want +got):\n%s", diff)
	}

	stop := errors.New("stop")
	if err := s.Run(context.Background(), func(in, out [][]int16) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("Run with failing process = %v, want %v", err, stop)
	}
	f.reads = []error{portaudio.DeviceUnavailable}
	if err := s.Run(context.Background(), func(in, out [][]int16) error { return nil }); !errors.Is(err, ErrDeviceGone) {
		t.Errorf("Run on a vanished device = %v, want ErrDeviceGone", err)
	}
}

// TestNoAllocations checks the steady state: a period read and written
// allocates nothing.
func TestNoAllocations(t *testing.T) {
	s, _, _ := newScripted(4, 4, 960)
	in, out := buffers(4, 960), buffers(4, 960)
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := s.Read(in); err != nil {
			t.Fatal(err)
		}
		if err := s.Write(out); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per period, want 0", allocs)
	}
}

func TestConfigDefaults(t *testing.T) {
	for _, tc := range []struct {
		cfg             Config
		rate            int
		in, out, period int
		wantErr         bool
	}{
		{Config{}, 48000, 1, 1, 960, false},
		{Config{}, 8000, 1, 1, 160, false},
		{Config{}, 44100, 1, 1, 882, false},
		{Config{InputChannels: 4}, 48000, 4, 0, 960, false},
		{Config{OutputChannels: 3, Period: 256}, 48000, 0, 3, 256, false},
		{Config{InputChannels: -1}, 8000, 0, 0, 0, true},
		{Config{InputChannels: 1, Period: -5}, 8000, 1, 0, 0, true},
	} {
		in, out, err := tc.cfg.channels()
		var period int
		if err == nil {
			period, err = tc.cfg.period(tc.rate)
		}
		if (err != nil) != tc.wantErr {
			t.Errorf("%+v: err = %v, want error %v", tc.cfg, err, tc.wantErr)
			continue
		}
		if !tc.wantErr && (in != tc.in || out != tc.out || period != tc.period) {
			t.Errorf("%+v at %d Hz: %d in, %d out, period %d; want %d, %d, %d", tc.cfg, tc.rate, in, out, period, tc.in, tc.out, tc.period)
		}
	}
}

// TestCloseDuringRun closes the stream from another goroutine while its
// owner runs the loop: Close waits for the period in flight, and Run ends
// with ErrClosed instead of touching a closed PortAudio stream.
func TestCloseDuringRun(t *testing.T) {
	s, f, _ := newScripted(1, 1, 4)
	started := make(chan struct{})
	done := make(chan error)
	go func() {
		var once sync.Once
		done <- s.Run(context.Background(), func(in, out [][]int16) error {
			once.Do(func() { close(started) })
			return nil
		})
	}()
	<-started
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; !errors.Is(err, ErrClosed) {
		t.Errorf("Run after Close = %v, want ErrClosed", err)
	}
	if f.closed != 1 {
		t.Errorf("PortAudio stream closed %d times, want 1", f.closed)
	}
}
