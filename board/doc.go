// Package board describes the hardware fairrec runs on: which audio channel
// carries which phone line, which GPIO pin senses hook and ring, which pin is
// the objection button, which pins drive the LEDs, where the supervisor's
// playback button and the console are.
//
// A Board is plain data. drivers/gpio resolves its pin names with periph's
// gpioreg, drivers/audio opens its audio device, and cmd/fairrecd wires both
// into the firmware. Two profiles are built in: "rpi4-4line" (a Raspberry Pi 4
// with a 4-line high-impedance tap interface, see rpi4.go for the wiring) and
// "sim" (a simulated board whose pins are board/sim's own simulated pins and
// whose audio is an ALSA file PCM, see board/sim).
//
// Electrical conventions, shared by every profile so that the firmware needs
// no per-board polarity:
//
//   - every input (hook sense, ring sense, objection button, supervisor
//     button) is active LOW: the input is configured with the pull-up enabled
//     and an optocoupler or switch pulls it to ground while the line is off
//     hook, while ring voltage is present, or while the button is pressed.
//     A disconnected input therefore reads "idle".
//   - every output (LEDs) is active HIGH and starts Low (off).
//   - ring sense on real hardware follows the ring voltage, so it pulses at
//     the ring frequency (25 Hz in Europe) during a ring burst; the firmware
//     treats any Low within about 100 ms as ringing. The sim holds it Low for
//     the whole burst.
//
// Invariants checked by Validate: pin names are unique across the board
// (a pin wired to two functions is a wiring error), audio channels are within
// the device's channel counts, each line has its own input channel, no line
// plays into another line's output channel, and the review output is not a
// line's output (a recording must never be played into a live call).
package board
