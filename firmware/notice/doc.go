// Package notice turns the MP3 announcements a line plays before it records
// (and after an objection) into 8 kHz line audio, once, at startup.
//
// A notice is an MPEG-1 or MPEG-2 Audio Layer III file (ISO/IEC 11172-3,
// ISO/IEC 13818-3) at 16 kHz or more. Decode checks the frame chain itself
// (every frame header valid, same version, layer and rate, the last frame
// complete, and, when LAME wrote them, the stream length and CRC-16 of the
// audio its Info frame records), decodes it with github.com/hajimehoshi/go-mp3 (which always
// yields 16-bit stereo at the file's rate), mixes down to mono, removes the
// coding delay (exactly when the file carries a LAME tag, else the
// decoder's 529 samples), and resamples to 8 kHz with firmware/dsp, whose
// whole-sample group delay is dropped so the line audio is aligned with the
// source. The SHA-256 of the file's bytes identifies the notice in receipts.
//
// Invariants:
//   - bad input never panics and never loads: an empty, truncated, corrupt
//     or missing file, MPEG 2.5 (8-12 kHz, which go-mp3 does not decode),
//     Layer I/II, a notice shorter than 0.5 s or longer than 2 minutes, or
//     one quieter than -50 dBm0 is rejected at load with an error naming the
//     file and the reason (sentinels ErrMissing, ErrCorrupt,
//     ErrUnsupportedRate, ErrUnsupported, ErrTooShort, ErrTooLong,
//     ErrSilent); a panic inside go-mp3 becomes ErrCorrupt;
//   - a Library never substitutes one notice for another that names
//     different purposes: only the confirmations, whose texts name no
//     particular purpose, fall back to the default profile's; an
//     installer's file that fails to load is not replaced by the built-in
//     default, so its line refuses to record;
//   - a loaded Notice is immutable and shared; a Player is driven by the
//     line's audio loop frame by frame and counts time in samples, never by
//     the clock; its Receipt says which notice played (name, hash), from
//     which line sample to which, and whether it played completely.
//
// Known decoder defect: go-mp3 v0.3.4 matches LAME's own decoder sample for
// sample on 16 kHz MPEG-2 (8 to 96 kbit/s) and on MPEG-1, but silently
// garbles LAME's 32 kbit/s streams at 22.05 and 24 kHz (correlation 0.4
// with the correct output; 40 kbit/s and up are fine). No error is raised,
// so nothing here can catch it: ship notices at 16 kHz (as the built-in
// ones are) or at 32, 44.1 or 48 kHz.
//
// Built-in notices (defaults/, compiled in with go:embed) exist per line
// profile, language and kind (PROFILE.LANGUAGE.KIND.mp3). Their texts
// (defaults/texts.toml, exposed by Texts) name each purpose, how long it
// keeps the recording, and the objection digit, as GDPR (Regulation (EU)
// 2016/679) art. 13 (information at collection) and art. 21(4) (the right
// to object, brought to attention explicitly, at the latest at the first
// communication) ask. scripts/notices/make-notices.sh regenerates them.
package notice
