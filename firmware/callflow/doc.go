// Package callflow is the per-line call state machine: it turns a phone
// line's audio and its hook, ring and button inputs into recordings.
//
// A Line is fed the line's capture channel at the device rate (Capture); it
// resamples to the 8 kHz line rate (firmware/dsp), cuts 20 ms frames of 160
// samples, and handles each frame in order:
//
//  1. it polls the hook, ring and button inputs once and debounces each in
//     frames (an input must read the same for Config.Debounce frames in a row
//     to count), so contact bounce and ring pulses of a few milliseconds never
//     start or end a call;
//  2. when the hook goes off, it creates a recording in the Store; while off
//     hook, every frame is encoded to G.711 A-law and appended; when the hook
//     goes back on, the recording is sealed.
//
// Time inside a call is counted in frames, never read from a clock: file-backed
// audio in tests runs far faster than real time and the line must behave the
// same. The Clock is only asked for the wall-clock timestamps stored with a
// recording (its start and end).
//
// Invariants:
//   - a recording holds exactly the frames from the first frame the hook read
//     off to the last frame before it read on: the frames spent confirming a
//     change are held back and then kept or dropped, so debouncing shifts no
//     boundary and a glitch shorter than Config.Debounce frames loses nothing;
//   - an open recording is always sealed: on hook, on Close, and after a
//     store error (the line then reports a fault and records nothing until
//     the next call);
//   - inputs follow the board convention: active Low (off hook, ringing,
//     pressed read gpio.Low); an absent input (nil) is never active;
//   - Status may be called from any goroutine; everything else belongs to
//     the goroutine that owns the audio loop.
//
// Standards: ITU-T G.711 (A-law, 8 kHz) for the stored audio. The full call
// flow (notice before recording, objection by DTMF or button, pause) builds
// on this skeleton.
package callflow
