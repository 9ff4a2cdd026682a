// Package gpio opens a board's GPIO pins through periph.io: hook and ring
// sense inputs, the objection and supervisor buttons, and the LEDs.
//
// It is deliberately thin. Time inside a call is counted in audio samples
// (file-backed audio in tests runs far faster than real time), so the
// firmware polls the inputs once per 20 ms audio frame and does its own
// debouncing and long-press measurement in frames; this package only resolves
// the board's pin names with gpioreg.ByName, configures them, and hands back
// periph's own gpio.PinIn and gpio.PinOut (no parallel GPIO abstraction).
//
// Conventions (see package board): inputs are configured with the pull-up
// enabled and no edge detection, and are active Low (Active reports that);
// outputs start Low (LED off) and are active High. The one exception is a
// ring sense that pulses at the ring frequency (board.Board.RingPulsed):
// read once per frame it would alias, so it is configured for falling
// edges and returned as a Pulsed, whose Read latches every edge since the
// previous Read.
//
// Invariants: Open either returns every pin of the board configured, or an
// error naming the first pin that failed and its role ("unknown pin GPIO99
// for line 2 hook sense"); Close turns every LED off and halts every pin,
// and is safe to call twice. Absent pins ("" in the board) are nil fields.
//
// Tests register periph.io/x/conn/v3/gpio/gpiotest pins in gpioreg under the
// board's names; board/sim does the same for the simulated board.
package gpio
