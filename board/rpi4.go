package board

// RPi4Name is the Raspberry Pi 4 profile's name.
const RPi4Name = "rpi4-4line"

// WIRING of the rpi4-4line profile (also in README.md, "Hardware"):
//
// A Raspberry Pi 4 with a 4-line high-impedance tap interface on its 40-pin
// header and a USB sound interface. The tap interface is assumed to provide,
// per line, an isolated audio tap (line transformer, >= 10 kOhm bridging,
// so the recorder never loads the line), a summing transformer that injects
// the notice into the line, an optocoupler for hook sense (loop current
// flows = off hook) and one for ring sense (AC ring voltage present). The
// ring-sense optocoupler sits on the AC ring voltage with no smoothing
// capacitor, so its output pulses at the ring frequency (25 Hz in Europe,
// 20 Hz in North America; twice that behind a bridge) during each burst of
// the ring cadence: the profile says RingPulsed and drivers/gpio latches
// the edges. Every
// optocoupler output and every button pulls its GPIO to ground (active low,
// internal pull-up enabled); every LED is driven High = on through a resistor
// (or a transistor for bright LEDs: a GPIO pin gives at most ~16 mA).
//
//	function              line 1        line 2        line 3        line 4
//	hook sense   (in)     GPIO5  (29)   GPIO6  (31)   GPIO13 (33)   GPIO19 (35)
//	ring sense   (in)     GPIO17 (11)   GPIO27 (13)   GPIO16 (36)   GPIO26 (37)
//	objection btn (in)    GPIO22 (15)   GPIO23 (16)   GPIO20 (38)   GPIO21 (40)
//	recording LED (out)   GPIO24 (18)   GPIO25 (22)   GPIO9  (21)   GPIO11 (23)
//	objection LED (out)   GPIO7  (26)   GPIO8  (24)   GPIO10 (19)   GPIO12 (32)
//	audio in / out ch.    1 / 1         2 / 2         3 / 3         4 / 4
//
//	supervisor playback button (in)   GPIO4  (7)
//	fault LED (out)                   GPIO18 (12)
//	review playback                   audio output 5 (a small powered speaker
//	                                  or headphones at the supervisor's desk)
//	console                           /dev/serial0 = UART on GPIO14/15 (8/10),
//	                                  115200 8N1, 3.3 V levels (USB-TTL cable)
//	ground                            any GND pin, e.g. 6, 9, 14, 20
//
// Numbers are BCM GPIO numbers with the physical header pin in brackets.
// GPIO0/1 (HAT EEPROM), GPIO2/3 (I2C, fixed 1.8 kOhm pull-ups) and GPIO14/15
// (console UART) are left free; the remaining 22 GPIOs are all used, so SPI0
// and I2S must stay disabled in config.txt. The console needs enable_uart=1
// and no serial getty on serial0.
//
// Sound interface (assumed, not yet verified on hardware): a Behringer
// UMC1820 at 48 kHz, because 4 lines need 4 inputs and 5 outputs (4 notice
// outputs + the review output), which a 4-out interface such as the UMC404HD
// does not have. drivers/audio selects it by the name "UMC1820" (its ALSA card
// name, part of PortAudio's device name). Any interface with >= 4 inputs and
// >= 5 outputs works after changing AudioDevice; line N uses input and output
// N (channel N-1 0-based).
func RPi4() Board {
	type pins struct{ hook, ring, button, rec, obj string }
	wiring := []pins{
		{"GPIO5", "GPIO17", "GPIO22", "GPIO24", "GPIO7"},
		{"GPIO6", "GPIO27", "GPIO23", "GPIO25", "GPIO8"},
		{"GPIO13", "GPIO16", "GPIO20", "GPIO9", "GPIO10"},
		{"GPIO19", "GPIO26", "GPIO21", "GPIO11", "GPIO12"},
	}
	b := Board{
		Name:             RPi4Name,
		AudioDevice:      "UMC1820",
		Rate:             48000,
		InChannels:       4,
		OutChannels:      5,
		SupervisorButton: "GPIO4",
		ReviewOut:        4,
		LEDFault:         "GPIO18",
		RingPulsed:       true,
		Console:          "/dev/serial0",
		ConsoleBaud:      115200,
	}
	for i, w := range wiring {
		b.Lines = append(b.Lines, Line{
			In: i, Out: i,
			Hook: w.hook, Ring: w.ring, Button: w.button,
			LEDRecording: w.rec, LEDObjection: w.obj,
		})
	}
	return b
}
