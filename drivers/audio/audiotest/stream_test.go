package audiotest_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"fairrec/drivers/audio/audiotest"
)

// stream is the method set the daemon consumes; the fake must satisfy it
// exactly as *audio.Stream does (checked in package audio's tests).
type stream interface {
	Read(in [][]int16) (int, error)
	Write(out [][]int16) error
	Run(ctx context.Context, process func(in, out [][]int16) error) error
	Close() error
	Rate() int
	Period() int
	InputChannels() int
	OutputChannels() int
	Overflows() uint64
	Underflows() uint64
}

var _ stream = (*audiotest.Stream)(nil)

func TestZeroConfig(t *testing.T) {
	s := audiotest.New(audiotest.Config{})
	got := []int{s.Rate(), s.Period(), s.InputChannels(), s.OutputChannels()}
	if diff := cmp.Diff([]int{8000, 160, 1, 1}, got); diff != "" {
		t.Errorf("rate, period, in, out (-want +got):\n%s", diff)
	}
}

func TestQueueThenSilence(t *testing.T) {
	s := audiotest.New(audiotest.Config{InputChannels: 2, OutputChannels: 1})
	s.Queue([]int16{1, 2, 3}, []int16{-1, -2, -3})
	in := [][]int16{{9, 9}, {9, 9}}
	for _, want := range [][][]int16{{{1, 2}, {-1, -2}}, {{3, 0}, {-3, 0}}, {{0, 0}, {0, 0}}} {
		if n, err := s.Read(in); n != 2 || err != nil {
			t.Fatalf("Read = %d, %v", n, err)
		}
		if diff := cmp.Diff(want, in); diff != "" {
			t.Errorf("read (-want +got):\n%s", diff)
		}
	}
	if s.FramesRead() != 6 || s.Pending() != 0 {
		t.Errorf("FramesRead %d, Pending %d; want 6, 0", s.FramesRead(), s.Pending())
	}
}

func TestRunRecordsWhatIsPlayed(t *testing.T) {
	s := audiotest.New(audiotest.Config{InputChannels: 1, OutputChannels: 2, Period: 4})
	s.Queue([]int16{1, 2, 3, 4, 5, 6, 7, 8})
	ctx, cancel := context.WithCancel(context.Background())
	err := s.Run(ctx, func(in, out [][]int16) error {
		copy(out[1], in[0]) // channel 0 stays silent
		if s.FramesRead() == 8 {
			cancel()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]int16{make([]int16, 8), {1, 2, 3, 4, 5, 6, 7, 8}}
	if diff := cmp.Diff(want, s.Played()); diff != "" {
		t.Errorf("played (-want +got):\n%s", diff)
	}
}

func TestFailAndClose(t *testing.T) {
	gone := errors.New("device gone")
	s := audiotest.New(audiotest.Config{})
	s.Fail(gone)
	for range 2 {
		if _, err := s.Read([][]int16{make([]int16, 4)}); !errors.Is(err, gone) {
			t.Errorf("Read after Fail = %v, want %v", err, gone)
		}
		if err := s.Write([][]int16{make([]int16, 4)}); !errors.Is(err, gone) {
			t.Errorf("Write after Fail = %v, want %v", err, gone)
		}
	}
	s = audiotest.New(audiotest.Config{})
	s.Xrun(3, 1)
	if s.Overflows() != 3 || s.Underflows() != 1 {
		t.Errorf("xruns %d, %d; want 3, 1", s.Overflows(), s.Underflows())
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Read([][]int16{make([]int16, 4)}); !errors.Is(err, audiotest.ErrClosed) {
		t.Errorf("Read after Close = %v, want ErrClosed", err)
	}
}

func TestBadBuffersError(t *testing.T) {
	s := audiotest.New(audiotest.Config{InputChannels: 2})
	for _, in := range [][][]int16{nil, {make([]int16, 2)}, {make([]int16, 2), make([]int16, 3)}} {
		if _, err := s.Read(in); err == nil {
			t.Errorf("Read(%d channels) succeeded", len(in))
		}
	}
	if err := s.Write([][]int16{}); err == nil {
		t.Error("Write on a capture-only fake succeeded")
	}
}

// TestConcurrentUse queues input and inspects output from the test's
// goroutine while another one runs the loop, as daemon tests do.
func TestConcurrentUse(t *testing.T) {
	s := audiotest.New(audiotest.Config{Period: 10})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		done <- s.Run(ctx, func(in, out [][]int16) error {
			copy(out[0], in[0])
			return nil
		})
	}()
	want := make([]int16, 1000)
	for i := range want {
		want[i] = int16(i + 1)
	}
	for i := 0; i < len(want); i += 100 {
		s.Queue(want[i : i+100])
		_ = s.Played()
	}
	for s.Pending() > 0 {
		_ = s.FramesRead()
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// Queued frames come out in order; silence fills the gaps between
	// queueing, so compare the non-silent samples.
	var got []int16
	for _, v := range s.Played()[0] {
		if v != 0 {
			got = append(got, v)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("played (-want +got):\n%s", diff)
	}
}
