package sim

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"

	"fairrec/drivers/audio"
	fgpio "fairrec/drivers/gpio"
	"fairrec/drivers/testexec"
)

// The test that opens PortAudio runs in a child process (this test binary
// re-executed): PortAudio reads ALSA_CONFIG_PATH when it initialises, once,
// and other tests in this binary point it at their own configurations.

const childEnv = "FAIRREC_SIM_AUDIO_CHILD"

func TestMain(m *testing.M) {
	if path := os.Getenv(childEnv); path != "" {
		if err := runDaemonLike(path); err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			os.Exit(3)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

var errDone = errors.New("scenario done")

// runDaemonLike does what cmd/fairrecd does with the sim board: New, open
// GPIO and audio on the sim board, and per period read the pins after
// Advance and play something. It checks that the capture is the rendered
// scenario bit for bit, that the hook pin changes at the scripted period,
// and that playback lands in the playback file.
func runDaemonLike(scenario string) error {
	sc, err := LoadScenario(scenario)
	if err != nil {
		return err
	}
	s, err := New(Config{Scenario: sc})
	if err != nil {
		return err
	}
	defer s.Close()
	b := s.Board()
	pins, err := fgpio.Open(b)
	if err != nil {
		return err
	}
	defer pins.Close()
	st, err := audio.Open(audio.Config{Input: b.AudioDevice, Output: b.AudioDevice,
		InputChannels: b.InChannels, OutputChannels: b.OutChannels, Rate: b.Rate})
	if err != nil {
		return err
	}
	defer st.Close()

	captured := make([][]int16, b.InChannels)
	var at int64
	firstOffHook := int64(-1)
	err = st.Run(context.Background(), func(in, out [][]int16) error {
		for c := range in {
			captured[c] = append(captured[c], in[c]...)
		}
		at += int64(len(in[0]))
		s.Advance(at)
		if firstOffHook < 0 && fgpio.IsActive(pins.Lines[0].Hook) {
			firstOffHook = at
		}
		// Loop line 1 back to the review output, a stand-in for a notice.
		copy(out[b.ReviewOut], in[0])
		if s.Done(at) {
			return errDone
		}
		return nil
	})
	if !errors.Is(err, errDone) {
		return fmt.Errorf("run: %w", err)
	}
	if err := st.Close(); err != nil {
		return err
	}
	for c := range captured {
		want := s.LineAudio(c + 1)
		got := captured[c][:len(want)]
		for i := range want {
			if got[i] != want[i] {
				return fmt.Errorf("line %d sample %d captured %d, rendered %d", c+1, i, got[i], want[i])
			}
		}
	}
	call := s.Calls()[0]
	period := int64(st.Period())
	if firstOffHook <= call.OffHook || firstOffHook > call.OffHook+period {
		return fmt.Errorf("hook seen off at sample %d, scripted at %d (period %d)", firstOffHook, call.OffHook, period)
	}
	played, err := s.Playback()
	if err != nil {
		return err
	}
	// Run does not play the period whose process returned errDone.
	review := played[b.ReviewOut]
	if len(review) < int(s.End()-period) {
		return fmt.Errorf("playback holds %d frames, want at least %d", len(review), s.End()-period)
	}
	for i, v := range s.LineAudio(1)[:len(review)] {
		if review[i] != v {
			return fmt.Errorf("review output frame %d = %d, want %d", i, review[i], v)
		}
	}
	return nil
}

func TestThroughAudioDriver(t *testing.T) {
	path := scenarioDir(t, `rate = 48000
lines = 2
[[line]]
events = [
  { at = "0.31s", offhook = true },
  { at = "0.4s", audio = "caller.wav" },
  { at = "1.5s", onhook = true },
]
[[line]]
events = [
  { at = "0.2s", offhook = true },
  { at = "0.3s", dtmf = "159" },
  { at = "0.9s", onhook = true },
]`)
	cmd := testexec.Self([]string{childEnv + "=" + path}, "-test.run=^$")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
}
