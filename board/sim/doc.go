// Package sim is the simulated board: it runs fairrec's REAL drivers against
// a scripted world. Audio goes through PortAudio over an ALSA file PCM whose
// capture file sim renders from a scenario (one channel per line, caller
// speech and DTMF mixed in at the right samples), and GPIO goes through
// simulated pins (Pin, a periph gpio.PinIO) registered in gpioreg under the
// sim board's pin names (see board.Sim), whose levels sim sets as the
// scenario's time passes. Sim is part of the daemon: it imports no test
// package, so the production fairrecd links neither testing nor gpiotest.
//
// # Time
//
// Time is counted in samples at the device rate. The daemon calls
// Advance(n) after reading each audio period, before handing it to the
// firmware, with the number of samples captured so far; every GPIO event at
// a sample before n is then visible on the pins, so the firmware, which
// polls the pins once per 20 ms frame, sees hook, ring and buttons change in
// the period that contains the scripted sample. The file-backed
// device runs far faster than real time; Config.Realtime paces Advance to
// the wall clock for `make run`. Done(n) says when the scenario is over.
//
// Inputs follow board's convention: active Low. Off hook, ringing and a
// pressed button read Low; on hook, silent and released read High (the
// pull-up level, which is also what a Pin reads when the driver configures
// it). Ring sense is held Low for the whole burst, or, with ring_hz,
// pulses as an optocoupler on the AC ring voltage does (Low for 40% of each
// cycle; with wave = "full", 80% of each half cycle); a pulsed ring pin
// reads Low after Advance when it was Low at any sample since the previous
// Advance, as drivers/gpio's edge latch reports a pulsed ring sense on a
// real board.
//
// The capture file holds End samples followed by Config.TailPad (default
// 1 s) of silence: when a file PCM's input ends, ALSA repeats the last
// period forever, and that period must be silence.
//
// # Scenario format
//
// A scenario is a TOML file. Times are Go duration strings ("2.5s",
// "1m30s", "500ms") or numbers of seconds (2.5). WAV paths are relative to
// the scenario file.
//
//	rate  = 48000   # device sample rate in Hz (default 48000)
//	lines = 2       # lines on the board (default: the highest line scripted)
//	end   = "30s"   # optional; default: the last activity + 1 s
//
//	# supervisor playback button presses (must come before any [[line]])
//	supervisor = [
//	  { at = "25s", press = "short" },
//	]
//
//	[[line]]        # line 1 (or number = N)
//	events = [
//	  { at = "0s",   ring = "3s" },
//	  { at = "3.5s", offhook = true },
//	  { at = "4s",   audio = "caller-en.wav", gain = -3.0 },
//	  { at = "9s",   dtmf = "9" },
//	  { at = "11s",  press = "long" },
//	  { at = "14s",  onhook = true },
//	]
//
// Events of a line are listed in time order; each has "at" and exactly one
// action:
//
//	ring = "3s"       ring sense active for 3 s (cut short by offhook)
//	ring = "on"|"off" ring sense active until "off" or offhook (also true/false)
//	                  a ring may add: ring_hz = 25 (the ring sense pulses at
//	                  that frequency), wave = "half"|"full" (full: a bridge
//	                  rectifier, two pulses per cycle), cadence = ["0.4s",
//	                  "0.2s", "0.4s", "2s"] (on and off times repeated: UK;
//	                  NL/DE ["1s", "4s"], US ["2s", "4s"]); without a cadence
//	                  the ring is one burst
//	offhook = true    hook sense active: the call starts
//	onhook = true     hook sense idle: the call ends
//	audio = "x.wav"   the WAV (any rate, channels mixed down) is mixed into the
//	                  line's capture channel from "at"; gain = dB (default 0)
//	dtmf = "12#"      DTMF digits (0-9 * # A-D) as dual tones, each tone at
//	                  level = dBm0 (default -7), on = "70ms", off = "70ms"
//	                  (each at most 10 s)
//	press = "short"   the line's objection button held 200 ms; "long" holds it
//	                  3 s; or a duration such as "1.5s"
//
// Supervisor events take only press: the supervisor's playback button, held
// for the press's duration ("short", "long" or e.g. "1.5s"). To the daemon
// (firmware/review) a short press starts, pauses and resumes the playback of
// the recording selected at the console, and a hold of 1 s or more stops
// it; what plays lands on the review output, the last channel of the
// playback file (Sim.Playback()[Board().ReviewOut]). Presses are scripted
// in sample time and the console is typed in wall-clock time, so a test
// that selects a recording before a scripted press runs with
// Config.Realtime.
// Audio and DTMF mix (sum with saturation) where they overlap. A line's
// calls are its offhook/onhook pairs; Sim.Calls (or Scenario.Calls, which
// needs no running board) returns each with the audio its channel carries
// between them: what a recording of the call must equal after the line path.
//
// LoadScenario refuses, with "file:line: bad scenario: ..." where the line
// is known: TOML syntax errors, unknown keys or events, bad times, events out
// of order, offhook twice, onhook without a call, ring while off hook, a
// missing or unreadable WAV, a line number beyond lines, events after end,
// DTMF on or off times beyond 10 s, and scenarios longer than an hour.
package sim
