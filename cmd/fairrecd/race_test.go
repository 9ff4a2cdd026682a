//go:build race

package main

// raceOn: this test binary runs under the race detector, which slows the
// daemon's audio path about tenfold.
const raceOn = true
