// Package callflow is the per-line call state machine: it turns a phone
// line's audio and its hook, ring and button inputs into recordings that
// the law allows, and plays the line's notices.
//
// A Line is fed the line's capture channel at the device rate (Capture); it
// resamples to the 8 kHz line rate (firmware/dsp), cuts 20 ms frames of 160
// samples, and handles each frame in order: it polls the hook, ring and
// button inputs once and debounces each in frames (Config.Debounce frames
// in a row), runs the DTMF detector (firmware/dtmf) on the frame, advances
// the call, and produces the frame the line must hear, which Playback hands
// out at the device rate.
//
// # A call
//
//   - Incoming (the line rang before the hook went off, or the board has no
//     ring sense; ring sense may pulse at the ring frequency, debounce.Ring): the notice (firmware/notice, Config.NoticeProfile and
//     Language) plays from the frame that confirms the answer. Recording
//     starts at the notice's last sample; nothing from before is stored.
//   - Boards without hook sense use VOX (Config.VOX): a call starts at the
//     first frame at or above the level and ends Config.VOXHold after the
//     last; it counts as incoming.
//   - Outgoing (off hook without a ring): the digits dialled are collected;
//     the notice plays when the employee presses the line button, or
//     Config.DialDelay after the last digit. The dialled number becomes the
//     recording's caller number (stored encrypted by the vault).
//   - The recording is created with the grants the Policy decides
//     (Policy.Start). Its notes (Notes, JSON, encrypted by the vault) hold
//     the notice's receipt (which notice, its SHA-256, when, complete or
//     not), the direction, and at seal the paused and blanked stretches.
//   - Objection: the objection digit (Config.ObjectionDigit, '9') pressed
//     on its own during the notice or the recording, or a short press of
//     the button. Callers type digits on purpose (a card number, a PIN, a
//     menu choice), so the digit objects only when no other key ended
//     within Config.AloneBefore (3 s) before it, none begins within
//     Config.AloneAfter (2 s) after its release, and storing is not paused;
//     the objection then takes effect AloneAfter after the release, or at
//     the on-hook if the call ends first. During the notice the Policy is
//     asked which purposes remain (Start with objected); during the
//     recording it ends the objectable grants or erases the recording
//     (Policy.Object), which takes what was stored while the digit was
//     being judged with it. Nothing more is stored for the ended purposes,
//     the confirmation (KindConfirm, or KindConfirmContinues when a purpose
//     continues) plays, and the objection LED lights. The objection is
//     kept as an audit entry (by the Policy; by the line when there is
//     none), without audio.
//   - Pause (card payments): a long press (Config.LongPress) pauses storing
//     and the next long press resumes it; no key is an objection meanwhile
//     (the button's short press still is). The paused stretch is stored as
//     silence, so the recording's timeline stays true, and marked in the
//     notes; the recording LED goes out and the objection LED blinks.
//   - DTMF digits are never stored: each is blanked (stored as silence)
//     from its true start, 5 ms before the detector's estimate, to 5 ms
//     after its end. This is possible because what is stored passes a delay
//     line of 100 ms (5 frames), longer than the detector's 60 ms latency.
//   - Calls with less stored audio than Config.MinCall are erased at the
//     on-hook; a recording reaching Config.MaxSegment is sealed and the call
//     continues in a new one whose notes link to it (Previous). A line
//     silent (below -50 dBm0) for Config.MaxSilence (10 min) while recording
//     has its recording sealed and records nothing more in that call: a
//     handset left off the hook for hours fills no disk.
//
// Time inside a call is counted in samples, never read from a clock:
// file-backed audio in tests runs far faster than real time and the line
// must behave the same. The Clock is only asked for wall-clock timestamps.
//
// # Invariants
//
//   - not one sample from before the notice's end is stored; a line whose
//     notice failed to load never records (Status.Fault says why;
//     firmware/appliance lights the board's fault LED);
//   - a recording holds exactly the samples from its start to the last
//     frame before the hook read on (debouncing shifts no boundary: the
//     confirmed change is dated back to its first frame);
//   - after an objection nothing more is stored for the ended purposes, and
//     what was stored for them is gone (erased, or its grants dropped);
//   - no DTMF digit reaches the store;
//   - an open recording is always sealed: on hook, on Close, and after a
//     store error (the line then reports a fault and records nothing more in
//     that call);
//   - inputs follow the board convention: active Low; an absent input (nil)
//     is never active;
//   - Status may be called from any goroutine; everything else belongs to
//     the goroutine that owns the audio loop.
//
// Without Config.Notices (tests of the audio path only) a line records from
// the off-hook.
//
// Standards: ITU-T G.711 (A-law, 8 kHz) for the stored audio; ITU-T Q.24
// (through firmware/dtmf) for the digits; GDPR art. 13 and 21 for the
// notice before recording and the right to object.
package callflow
