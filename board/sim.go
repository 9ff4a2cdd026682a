package board

import "fmt"

// SimName is the simulated board's name.
const SimName = "sim"

// DefaultSimLines is the line count of the "sim" profile that Lookup returns.
const DefaultSimLines = 2

// SimAudioDevice is the sim board's audio device: the "default" PCM of the
// ALSA configuration that board/sim writes (an asym of a capture file and a
// playback file).
const SimAudioDevice = "default"

// Sim returns the simulated board with n lines (n >= 1). Line k (1-based)
// captures on channel k-1 and plays on channel k-1; the review output is the
// last playback channel, n. Its pins are named SIM_L<k>_HOOK, SIM_L<k>_RING,
// SIM_L<k>_BUTTON, SIM_L<k>_LED_REC, SIM_L<k>_LED_OBJ, SIM_SUPERVISOR and
// SIM_LED_FAULT; board/sim registers them as its simulated pins (sim.Pin). The console is
// the daemon's standard input and output. RingPulsed is false: a scenario's
// pulsed ring (ring_hz) reaches the pins already latched by board/sim,
// period by period, as drivers/gpio's latch would report it.
func Sim(n int) Board {
	b := Board{
		Name:             SimName,
		AudioDevice:      SimAudioDevice,
		Rate:             48000,
		InChannels:       n,
		OutChannels:      n + 1,
		SupervisorButton: "SIM_SUPERVISOR",
		ReviewOut:        n,
		LEDFault:         "SIM_LED_FAULT",
	}
	for k := 1; k <= n; k++ {
		b.Lines = append(b.Lines, Line{
			In: k - 1, Out: k - 1,
			Hook:         fmt.Sprintf("SIM_L%d_HOOK", k),
			Ring:         fmt.Sprintf("SIM_L%d_RING", k),
			Button:       fmt.Sprintf("SIM_L%d_BUTTON", k),
			LEDRecording: fmt.Sprintf("SIM_L%d_LED_REC", k),
			LEDObjection: fmt.Sprintf("SIM_L%d_LED_OBJ", k),
		})
	}
	return b
}
