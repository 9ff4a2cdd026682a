// Package debounce confirms the level of a contact read once per audio
// frame: hook sense, ring sense, a line's objection button, the
// supervisor's playback button. A mechanical contact bounces for a few
// milliseconds and a 25 Hz ring signal drops to zero a hundred times a
// second, so a level counts only once it has read the same for a number of
// frames in a row.
//
// Invariants: the confirmed level starts inactive; a run of Need identical
// readings (Need at least 1) that differ from it changes it, and any
// reading equal to it restarts the count. Time is counted in frames, so the
// firmware behaves the same at any speed of its audio (the file-backed
// devices of the tests run far faster than real time).
package debounce
