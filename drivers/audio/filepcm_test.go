package audio

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"fairrec/drivers/testexec"
)

// The tests that open real PortAudio streams run each in a child process
// (this test binary re-executed), because PortAudio reads ALSA_CONFIG_PATH
// only when it initialises and each test has its own ALSA file-PCM
// configuration. The parent writes the configuration, the input file and a
// job; the child opens the stream, captures and plays as the job says, and
// writes what it captured; the parent compares files bit for bit.

const childEnv = "FAIRREC_AUDIO_CHILD_JOB"

func TestMain(m *testing.M) {
	if path := os.Getenv(childEnv); path != "" {
		if err := runChild(path); err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			os.Exit(3)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// childCommand re-executes this test binary with env added. Under `make
// test-arm64` the binary is foreign and runs through the emulator named in
// FAIRREC_EXEC.
func childCommand(env ...string) *exec.Cmd {
	return testexec.Self(append(env, "JACK_NO_START_SERVER=1"), "-test.run=^$")
}

// job is what a child process does.
type job struct {
	Input, Output                 string
	InputChannels, OutputChannels int
	Rate, Period                  int
	Frames                        int    // frames to capture and/or play
	Chunk                         int    // frames per Read/Write call
	Capture                       string // child writes captured frames here (interleaved S16_LE)
	Play                          string // child plays these frames (interleaved S16_LE)
	Loop                          bool   // use Run, copying input channel c to output channel c
	ExpectGone                    bool   // play until the device fails; it must fail as gone
	TwoStreams                    bool   // capture from "line" and play to "out" on two streams at once
}

func runChild(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var j job
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	if j.TwoStreams {
		return twoStreams(j)
	}
	s, err := Open(Config{Input: j.Input, Output: j.Output, InputChannels: j.InputChannels,
		OutputChannels: j.OutputChannels, Rate: j.Rate, Period: j.Period})
	if err != nil {
		return err
	}
	defer s.Close()
	if s.Rate() != j.Rate && j.Rate != 0 {
		return fmt.Errorf("rate %d, want %d", s.Rate(), j.Rate)
	}
	if j.ExpectGone {
		return playUntilGone(s, j.Frames)
	}
	nin, nout := s.InputChannels(), s.OutputChannels()
	captured := make([][]int16, nin)
	if j.Loop {
		left := j.Frames
		err := s.Run(context.Background(), func(in, out [][]int16) error {
			if left <= 0 {
				return errDone
			}
			for c := range in {
				captured[c] = append(captured[c], in[c]...)
				copy(out[c], in[c])
			}
			left -= len(in[0])
			return nil
		})
		if !errors.Is(err, errDone) {
			return fmt.Errorf("run: %v", err)
		}
	} else {
		var play [][]int16
		if nout > 0 {
			raw, err := os.ReadFile(j.Play)
			if err != nil {
				return err
			}
			play = split(raw, nout)
		}
		for done := 0; done < j.Frames; done += j.Chunk {
			k := min(j.Chunk, j.Frames-done)
			if nin > 0 {
				in := make([][]int16, nin)
				for c := range in {
					in[c] = make([]int16, k)
				}
				n, err := s.Read(in)
				if err != nil || n != k {
					return fmt.Errorf("read at frame %d: %d frames, %v", done, n, err)
				}
				for c := range in {
					captured[c] = append(captured[c], in[c]...)
				}
			}
			if nout > 0 {
				out := make([][]int16, nout)
				for c := range out {
					out[c] = play[c][done : done+k]
				}
				if err := s.Write(out); err != nil {
					return fmt.Errorf("write at frame %d: %v", done, err)
				}
			}
		}
	}
	if err := s.Close(); err != nil {
		return err
	}
	if nin > 0 {
		return os.WriteFile(j.Capture, join(captured), 0o644)
	}
	return nil
}

var errDone = errors.New("done")

// playUntilGone plays up to frames frames of silence and checks that the
// device fails as a vanished one: ErrDeviceGone, sticky, and Close works.
func playUntilGone(s *Stream, frames int) error {
	out := buffers(s.OutputChannels(), s.Period())
	for done := 0; done < frames; done += s.Period() {
		err := s.Write(out)
		if err == nil {
			continue
		}
		if !errors.Is(err, ErrDeviceGone) {
			return fmt.Errorf("write at frame %d: %v, want ErrDeviceGone", done, err)
		}
		if err2 := s.Write(out); !errors.Is(err2, ErrDeviceGone) {
			return fmt.Errorf("write after the device went: %v, want ErrDeviceGone", err2)
		}
		if err := s.Close(); err != nil {
			return fmt.Errorf("close after the device went: %v", err)
		}
		fmt.Fprintf(os.Stderr, "gone after %d frames: %v\n", done, err)
		return nil
	}
	return fmt.Errorf("played %d frames into a vanished device without an error", frames)
}

// split de-interleaves raw S16_LE frames the obvious way, independently of
// the driver's code.
func split(raw []byte, channels int) [][]int16 {
	out := make([][]int16, channels)
	for i := 0; i+1 < len(raw); i += 2 {
		c := (i / 2) % channels
		out[c] = append(out[c], int16(binary.LittleEndian.Uint16(raw[i:])))
	}
	return out
}

// join interleaves per-channel frames into raw S16_LE.
func join(ch [][]int16) []byte {
	var raw []byte
	for i := range ch[0] {
		for c := range ch {
			raw = binary.LittleEndian.AppendUint16(raw, uint16(ch[c][i]))
		}
	}
	return raw
}

// noise returns frames*channels random samples with both extremes in it,
// as raw interleaved S16_LE.
func noise(seed uint64, frames, channels int) []byte {
	r := rand.New(rand.NewPCG(seed, 1))
	raw := make([]byte, 2*frames*channels)
	for i := 0; i < len(raw); i += 2 {
		binary.LittleEndian.PutUint16(raw[i:], uint16(r.Uint32()))
	}
	if len(raw) >= 4 {
		binary.LittleEndian.PutUint16(raw[0:], 0x8000) // -32768
		binary.LittleEndian.PutUint16(raw[2:], 0x7fff) // 32767
	}
	return raw
}

// child runs j in a child process with an ALSA config holding file PCMs
// "line" (capturing in) and "out" (playing into outfile). It returns the
// child's stderr and whether it succeeded.
func child(t *testing.T, dir string, j job, in []byte) (stderr string, ok bool) {
	t.Helper()
	inPath := filepath.Join(dir, "in.raw")
	if err := os.WriteFile(inPath, in, 0o644); err != nil {
		t.Fatal(err)
	}
	return childWith(t, dir, j, FileConfig{Devices: []FileDevice{
		{Name: "line", In: inPath},
		{Name: "out", Out: filepath.Join(dir, "out.raw")},
	}})
}

// childWith runs j in a child process with the ALSA configuration fc.
func childWith(t *testing.T, dir string, j job, fc FileConfig) (stderr string, ok bool) {
	t.Helper()
	conf := filepath.Join(dir, "asoundrc")
	if err := fc.Write(conf); err != nil {
		t.Fatal(err)
	}
	jb, err := json.Marshal(j)
	if err != nil {
		t.Fatal(err)
	}
	jobPath := filepath.Join(dir, "job.json")
	if err := os.WriteFile(jobPath, jb, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := childCommand(childEnv+"="+jobPath, ConfigPathEnv+"="+conf)
	var errb strings.Builder
	cmd.Stderr = &errb
	if err := cmd.Run(); err != nil {
		return fmt.Sprintf("%s(%s: %v)", &errb, cmd.Path, err), false
	}
	return errb.String(), true
}

func TestFilePCMBitExact(t *testing.T) {
	tests := []struct {
		name string
		j    job
		long bool // skipped by -short: covered there by TestTwoStreams and the in-process tests
	}{
		{"8kHz mono duplex", job{InputChannels: 1, OutputChannels: 1, Rate: 8000, Frames: 8000, Chunk: 160}, false},
		{"8kHz mono odd chunks", job{InputChannels: 1, OutputChannels: 1, Rate: 8000, Frames: 4321, Chunk: 333}, true},
		{"48kHz stereo", job{InputChannels: 2, OutputChannels: 2, Rate: 48000, Frames: 48000, Chunk: 960}, false},
		{"48kHz stereo odd chunks", job{InputChannels: 2, OutputChannels: 2, Rate: 48000, Frames: 20000, Chunk: 1001}, true},
		{"48kHz 4 channels", job{InputChannels: 4, OutputChannels: 4, Rate: 48000, Frames: 48000, Chunk: 960}, false},
		{"48kHz 4 in 2 out", job{InputChannels: 4, OutputChannels: 2, Rate: 48000, Frames: 9600, Chunk: 480}, true},
		{"capture only", job{InputChannels: 2, Rate: 8000, Frames: 8000, Chunk: 160}, true},
		{"playback only", job{OutputChannels: 4, Rate: 48000, Frames: 9600, Chunk: 960}, true},
		{"substring names", job{Input: "LIN", Output: "ou", InputChannels: 1, OutputChannels: 1, Rate: 8000, Frames: 1600, Chunk: 160}, true},
		{"default devices", job{Input: "", Output: "", InputChannels: 1, OutputChannels: 1, Rate: 8000, Frames: 1600, Chunk: 160}, true},
		{"custom period", job{InputChannels: 2, OutputChannels: 2, Rate: 48000, Period: 256, Frames: 5000, Chunk: 700}, true},
		{"Run loop 8kHz mono", job{InputChannels: 1, OutputChannels: 1, Rate: 8000, Frames: 8000, Loop: true}, true},
		{"Run loop 48kHz 4 channels", job{InputChannels: 4, OutputChannels: 4, Rate: 48000, Frames: 48000, Loop: true}, false},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.long && testing.Short() {
				t.Skip("-short")
			}
			t.Parallel()
			dir := t.TempDir()
			j := tc.j
			if testing.Short() && j.Frames > 8000 {
				j.Frames /= 5 // the race run: fewer periods, same shapes
			}
			if j.Input == "" && tc.name != "default devices" {
				j.Input, j.Output = "line", "out"
			}
			j.Capture = filepath.Join(dir, "captured.raw")
			j.Play = filepath.Join(dir, "play.raw")
			in := noise(uint64(i), j.Frames, max(j.InputChannels, 1))
			play := noise(uint64(100+i), j.Frames, max(j.OutputChannels, 1))
			if j.Loop {
				play = in // Run copies each input channel to the same output channel
			}
			if err := os.WriteFile(j.Play, play, 0o644); err != nil {
				t.Fatal(err)
			}
			if stderr, ok := child(t, dir, j, in); !ok {
				t.Fatalf("child failed:\n%s", stderr)
			}
			if j.InputChannels > 0 {
				got, err := os.ReadFile(j.Capture)
				if err != nil {
					t.Fatal(err)
				}
				if err := sameFrames(got, in, j.InputChannels); err != nil {
					t.Errorf("captured: %v", err)
				}
			}
			if j.OutputChannels > 0 {
				got, err := os.ReadFile(filepath.Join(dir, "out.raw"))
				if err != nil {
					t.Fatal(err)
				}
				if err := sameFrames(got, play, j.OutputChannels); err != nil {
					t.Errorf("played: %v", err)
				}
			}
		})
	}
}

// sameFrames compares raw interleaved files and reports the first
// difference by frame and channel.
func sameFrames(got, want []byte, channels int) error {
	if len(got) != len(want) {
		return fmt.Errorf("%d bytes (%d frames), want %d (%d frames)", len(got), len(got)/2/channels, len(want), len(want)/2/channels)
	}
	for i := 0; i+1 < len(got); i += 2 {
		if got[i] != want[i] || got[i+1] != want[i+1] {
			s := i / 2
			return fmt.Errorf("frame %d channel %d: got %d, want %d", s/channels, s%channels,
				int16(binary.LittleEndian.Uint16(got[i:])), int16(binary.LittleEndian.Uint16(want[i:])))
		}
	}
	return nil
}
