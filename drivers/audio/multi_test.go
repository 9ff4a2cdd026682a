package audio

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
)

// TestTwoStreams runs a capture-only and a playback-only stream at once in
// one process (opened concurrently, so the race detector sees the
// PortAudio reference counting), closes them in turn while the other
// keeps working, and opens a stream again after PortAudio terminated.
func TestTwoStreams(t *testing.T) {
	dir := t.TempDir()
	const frames = 8000
	in := noise(11, frames, 2)
	play := noise(12, frames, 3)
	j := job{TwoStreams: true, InputChannels: 2, OutputChannels: 3, Rate: 8000, Frames: frames,
		Capture: filepath.Join(dir, "captured.raw"), Play: filepath.Join(dir, "play.raw")}
	if err := os.WriteFile(j.Play, play, 0o644); err != nil {
		t.Fatal(err)
	}
	if stderr, ok := child(t, dir, j, in); !ok {
		t.Fatalf("child failed:\n%s", stderr)
	}
	for _, f := range []struct {
		path string
		want []byte
		ch   int
	}{{j.Capture, in, 2}, {filepath.Join(dir, "out.raw"), play, 3}} {
		got, err := os.ReadFile(f.path)
		if err != nil {
			t.Fatal(err)
		}
		if err := sameFrames(got, f.want, f.ch); err != nil {
			t.Errorf("%s: %v", filepath.Base(f.path), err)
		}
	}
}

// twoStreams is TestTwoStreams's child.
func twoStreams(j job) error {
	var (
		wg       sync.WaitGroup
		rec, pb  *Stream
		errC     = make(chan error, 2)
		captured [][]int16
	)
	wg.Go(func() {
		var err error
		if rec, err = Open(Config{Input: "line", InputChannels: j.InputChannels, Rate: j.Rate}); err != nil {
			errC <- err
		}
	})
	wg.Go(func() {
		var err error
		if pb, err = Open(Config{Output: "out", OutputChannels: j.OutputChannels, Rate: j.Rate}); err != nil {
			errC <- err
		}
	})
	wg.Wait()
	close(errC)
	if err, failed := <-errC; failed {
		return err
	}
	devs, err := Devices()
	if err != nil {
		return err
	}
	var names []string
	for _, d := range devs {
		names = append(names, d.Name)
	}
	if !slices.Contains(names, "line") || !slices.Contains(names, "out") {
		return fmt.Errorf("Devices() = %q, want line and out among them", names)
	}

	raw, err := os.ReadFile(j.Play)
	if err != nil {
		return err
	}
	play := split(raw, j.OutputChannels)
	half := j.Frames / 2
	// Both streams run at once, each owned by its goroutine.
	var readErr, writeErr error
	wg.Go(func() {
		captured = buffers(j.InputChannels, j.Frames)
		_, readErr = rec.Read(captured)
	})
	wg.Go(func() {
		first := make([][]int16, len(play))
		for c := range play {
			first[c] = play[c][:half]
		}
		writeErr = pb.Write(first)
	})
	wg.Wait()
	if err := errors.Join(readErr, writeErr); err != nil {
		return err
	}
	// Closing one stream leaves PortAudio initialised for the other.
	if err := rec.Close(); err != nil {
		return err
	}
	second := make([][]int16, len(play))
	for c := range play {
		second[c] = play[c][half:]
	}
	if err := pb.Write(second); err != nil {
		return fmt.Errorf("write after the other stream closed: %w", err)
	}
	if err := pb.Close(); err != nil {
		return err
	}
	if err := os.WriteFile(j.Capture, join(captured), 0o644); err != nil {
		return err
	}
	// PortAudio terminated with the last stream; it initialises again.
	again, err := Open(Config{Input: "line", InputChannels: 1, Rate: j.Rate})
	if err != nil {
		return fmt.Errorf("reopen after terminate: %w", err)
	}
	if _, err := again.Read(buffers(1, 160)); err != nil {
		return fmt.Errorf("read after reopen: %w", err)
	}
	return again.Close()
}
