package debounce

import "math/bits"

// Ring confirms ring sense, which on most interfaces is not a level: an
// optocoupler on the AC ring voltage conducts on every half-wave above its
// threshold, so the input pulses at the ring frequency (half-wave, 15-70
// Hz: 25 Hz in Europe, 20 Hz in North America) or twice it (full-wave
// bridge), in bursts of the national cadence (NL/DE 1 s on, 4 s off; UK
// 0.4/0.2/0.4/2.0 s; US 2 s on, 4 s off).
//
// Each reading must say whether the input was active at any moment of its
// frame (drivers/gpio latches the edges of a pulsed input between reads):
// sampled at the frame rate, a 25 Hz pulse train aliases to a constant. So
// latched, every pulse lights at least one 20 ms frame, and the slowest
// train (15 Hz half-wave at 30% duty, a long loop's low ring voltage) leaves
// at most two idle frames between pulses and lights at least three frames
// in ten. Ringing therefore begins when Need of the last Window readings
// were active, and ends only after Off idle readings in a row: longer than
// the idle frames between pulses, shorter than the shortest silent gap of
// a cadence (the UK's 200 ms). A steady level (boards whose interface
// smooths the ring) is a train that never pauses and confirms in Need
// frames, as Input would.
type Ring struct {
	Need   int  // active readings among the last Window that begin ringing; below 1 means DefaultRingNeed
	Window int  // readings looked at, at most 64; below Need means DefaultRingWindow
	Off    int  // idle readings in a row that end ringing; below 1 means DefaultRingOff
	Active bool // the confirmed state: true while ringing

	hist uint64 // the last Window readings, newest in bit 0
	idle int    // idle readings in a row
}

// Defaults of Ring's zero fields, in 20 ms frames: 3 active frames within
// 200 ms begin a ring, 120 ms without a pulse end it.
const (
	DefaultRingNeed   = 3
	DefaultRingWindow = 10
	DefaultRingOff    = 6
)

// Update takes one reading (active at any moment of the frame) and reports
// whether the confirmed state changed.
func (r *Ring) Update(active bool) bool {
	need, window, off := r.Need, r.Window, r.Off
	if need < 1 {
		need = DefaultRingNeed
	}
	if window < need || window > 64 {
		window = max(DefaultRingWindow, need)
	}
	if off < 1 {
		off = DefaultRingOff
	}
	r.hist <<= 1
	if window < 64 {
		r.hist &= 1<<window - 1
	}
	if active {
		r.hist |= 1
		r.idle = 0
	} else {
		r.idle++
	}
	switch {
	case !r.Active && active && bits.OnesCount64(r.hist) >= need:
		r.Active = true
		return true
	case r.Active && r.idle >= off:
		r.Active, r.hist = false, 0
		return true
	}
	return false
}
