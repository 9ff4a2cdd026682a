// Package debounce confirms the level of a contact read once per audio
// frame: hook sense, ring sense, a line's objection button, the
// supervisor's playback button. A mechanical contact bounces for a few
// milliseconds, so a level counts only once it has read the same for a
// number of frames in a row (Input). Ring sense is different: an
// optocoupler on the AC ring voltage pulses at 15-70 Hz within each burst
// of the ring cadence, so Ring confirms a pulse train (some active frames
// among the last few, each frame latched as "active at any moment") and
// ends it only after a silent gap longer than the gaps between pulses.
//
// Invariants: the confirmed level starts inactive. Input: a run of Need
// identical readings (Need at least 1) that differ from it changes it, and
// any reading equal to it restarts the count. Ring: Need active readings
// among the last Window begin a ring, Off idle readings in a row end it.
// Time is counted in frames, so the firmware behaves the same at any speed
// of its audio (the file-backed devices of the tests run far faster than
// real time).
//
// Standards: the ringing signal at a 2-wire analogue network termination
// point of ETSI ES 201 970 (25 Hz in Europe; 20 Hz in North America,
// Telcordia GR-506), in the national cadences (NL/DE 1 s on, 4 s off; UK
// 0.4/0.2/0.4/2.0 s; US 2 s on, 4 s off).
package debounce
