// Package review is the supervisor's playback: after a complaint, a
// supervisor listens to a recording on the box's review output (a speaker
// or headphones at the desk), and only while a purpose that allows review
// is still granted on it.
//
// # Use
//
// A supervisor selects a recording at the console (Player.Select, the
// `review ID` command). The selection is refused, with the reason, unless
// the recording has a live grant (not expired, not restricted, not ended by
// an objection or a request) of a purpose whose policy allows review
// (firmware/policy: Engine.Review); a recording still being recorded is
// refused too, since listening in on a call is not review. A press of the
// supervisor button then
// starts the playback on the review output; a short press pauses and
// resumes, a long press (Config.LongPress, 1 s) stops. A selection not
// played within Config.Lapse (10 minutes) lapses; a selection is played
// once, and `review ID` again plays it again.
//
// # The button alone
//
// With nothing selected at the console, the button needs no console: a
// short press plays the most recent recording that may be reviewed on the
// lines the board assigns to the button (Config.Lines; all by default), a
// short press during that playback stops it, and a double press (two short
// presses whose releases are within Config.DoublePress, 400 ms of audio)
// steps to the reviewable recording before the one played last. A press in
// this mode acts once the double-press window has passed. Recordings still
// being recorded, failing authentication or without a review grant are
// skipped without their audio being read; when none remains, a short
// denial tone (DenialTime) plays on the review output and nothing is
// decrypted. The button's choice is audited as a review selection by the
// button, then start and end as for a console selection; a denial too.
//
// The two modes: a console selection (`review ID`) takes precedence and
// keeps the console's behaviour (a press starts at once, short presses
// pause and resume, a long press stops); once it has ended, the button is
// on its own again.
//
// The Player is fed by the audio loop (Fill, once per period, the review
// channel at the device rate). It polls the button once per 20 ms frame and
// debounces it in frames (Config.Debounce), as firmware/callflow does the
// line buttons: time in the audio path is counted in samples, so the
// file-backed audio of tests, faster than real time, behaves the same. The
// selection's lapse is wall-clock time (Config.Clock), the time the person
// at the console lives in.
//
// # Streaming
//
// The recording is never loaded whole: a 2-hour recording is 57.6 MB of
// A-law, more than the daemon's resident target. The Player reads it through
// the vault's streaming reader (storage/vault: Audio, one authenticated
// chunk of about a second at a time, no transaction held between reads), 20
// ms (160 bytes) at a time, decodes G.711 A-law and resamples 8 kHz to the
// device rate with firmware/dsp's Resampler, whose group delay is dropped at
// the start and flushed at the end, so the review output carries exactly the
// stored audio. It reads in the audio loop rather than in a goroutine of its
// own: a bbolt read transaction does not wait for writers, a chunk is read
// about once a second of playback, and playback stays deterministic in
// sample time.
//
// # Invariants
//
//   - nothing is played unless policy allows review of the recording at the
//     moment playback starts, and playback stops within Config.Recheck (100
//     ms of audio) once it no longer does: the grant expired, was
//     restricted or ended, or the recording was erased (by the retention
//     sweeper, an objection or an erasure request); the log and Status say
//     why;
//   - each playback start and end is one audit.ActionPlayback entry in the
//     audit log, with the recording id and the purpose it was reviewed
//     under, the actor the playback button (or the console role that typed
//     `review stop`); the end says completed, stopped or interrupted and how
//     many seconds were heard; no entry holds personal data;
//   - audio already decrypted is dropped when playback stops;
//   - an absent button (nil) is never pressed; every method is safe for
//     concurrent use (the console calls Select, Stop and Status while the
//     audio loop calls Fill).
//
// Standards: ITU-T G.711 (A-law, 8 kHz) for the stored audio; GDPR art. 5(1)(b)
// and (e) (purpose limitation, storage limitation): a recording is used only
// for a purpose that allows it, and only while that purpose lasts.
package review
