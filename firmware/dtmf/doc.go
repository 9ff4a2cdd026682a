// Package dtmf is a streaming DTMF receiver for one 8 kHz telephone line,
// built to the receiver requirements of ITU-T Q.24.
//
// A caller objects to a recording by pressing a key, so a missed digit keeps
// a recording against someone's will and a false one ("talk-off": speech or
// music that looks like a digit) loses a lawful recording. The detector is
// therefore strict about frequencies and still robust to noise, twist, level,
// clipping and speech on top of the tones.
//
// # How it works
//
// Samples are cut into blocks of 40 (5 ms). One pass per block converts the
// samples, sums their plain and first-difference energies and runs four
// interleaved Goertzel filters at the row frequencies (697, 770, 852,
// 941 Hz); the column filters (1209, 1336, 1477, 1633 Hz) run from the
// history only for blocks of a window that gets past the low group. The
// end states of the last three blocks combine exactly into the DFT of a
// sliding 15 ms window, so every 5 ms the detector decides on a fresh
// window. A window whose plain energy cannot hold a tone of the minimum
// level (|X|² ≤ WΣx²) is rejected before any tone is formed, and a block
// at or below -80 dBm0 counts as silence, so a quiet line costs little.
//
// A window shows a digit when the strongest tone of each group is at least
// MinLevel-8 dBm0, within the profile's twist (+1 dB), 6 dB above every
// other tone of its group, and the pair holds 55% of the energy of the
// window's first difference (which ignores DC and weighs down dial tone,
// hum and the bulk of voiced speech below the DTMF band) and 55% of its
// plain energy (where recorded music has its bass and a voice its
// fundamental), or, with dial tone (425 Hz or 350+440 Hz) under the digit,
// pair and dial tone together 70% of it. Then, until the digit is
// recognised, a guard check runs on the raw samples for each of the two
// tones (checking only some windows let a vibrato chord through): the
// nominal bin must beat two guard bins placed symmetrically around it,
// with a window as long as puts the guards on the nominal bin's first null,
// so that a tone passes exactly when it is nearer to the nominal frequency
// than the edge, whatever its level. The edge sits 15% of the way from the
// accept to the reject tolerance, because equal-tempered notes lie 2.5%
// from 852 Hz (A flat 5) and 2.8% from 1209 Hz (D6) and recorded music is
// played a little off its notes. The same pass checks that the low-group
// tone's third harmonic and the high-group tone's second (±1%, for
// vibrato) are 16 dB down: instruments have strong harmonics, a phone
// does not, and pure sines F5+F#6 are a valid '3' by any standard. The
// guard window is split into whole blocks, whose filter states are kept,
// and a head, so a pair checked window after window costs one block, the
// head and an update of the blocks' sum per window.
//
// Measured acceptance edges (ETSI, -10 dBm0, both directions, see
// TestFrequencyEdges): 1.97-1.99% for 697 and 770 Hz, 1.89-1.93% for 852
// and 941 Hz, 1.84-1.93% for 1209 and 1336 Hz, 1.86-1.89% for 1477 Hz and
// 1.84-1.86% for 1633 Hz; the profile's accept tolerance is 1.5% + 2 Hz
// (1.62-1.79%), the reject tolerance 3.5%.
//
// A digit begins after a run of equal windows long enough for the profile's
// minimum duration (40 ms recognised, 20 ms not), provided both tones are
// then within 3 dB of their peak in the run: a phone's tones are steady,
// while speech whose harmonics line up with a pair for a few tens of
// milliseconds (a voice at 232 Hz has its 3rd and 7th harmonics on 697 and
// 1633 Hz) fades. One window lost to noise does not break the run, but a
// window whose pair fails only the guard check restarts it: a phone's
// tones do not leave their frequencies, a note's vibrato or a voice's
// glide does. A digit ends after enough windows without it to be a pause
// (40 ms) rather than a dropout (10 ms). A different digit following
// without a gap ends the first one.
//
// # Events
//
// Each digit is reported once as Begin, at most 60 ms (in samples; 34 ms
// measured) after its tone started, which is when a caller's objection takes
// effect, and once as End with its duration. Start and Duration are
// estimated to within 3.5 ms. Level is the level of the weaker tone in dBm0
// (0 dBm0 is a sine of peak 22,700, as in G.711); Low and High are those of
// each group, taken from the windows the tone filled.
//
// Config.Confirm names digits that are reported only once their tone has
// lasted Config.ConfirmDuration (none by default): their Begin comes that
// much later, and one that stops sooner gives no events. It is meant for
// a digit whose effect cannot be undone, such as the objection '9' that
// erases a recording: a person's key press lasts 100 ms or more, while of
// the 71 false digits the recorded corpus gave before its rules were
// added, 43 lasted under 60 ms and 60 under 100 ms. It makes a false
// objection rarer still without making a real one harder; the rule that
// the objection digit be pressed alone belongs to the call flow.
//
// # Talk-off and talk-down
//
// The tests generate their corpora; nothing is committed. The generated
// one: espeak-ng speech in ten languages and twelve voice variants, and
// chords with instrument timbres; sixty minutes of speech at normal level
// and +6 dB and ten of music give no digit (make talkoff). The recorded
// one (scripts/talkoff/corpus.sh, cached): Asterisk's music on hold and
// game soundtracks from Debian packages, as published and through an
// on-hold compressor band-limited to 300-3400 Hz, and speech of espeak-ng,
// flite and festival, each at three levels and mixed as both sides of a
// call; the short form (65 minutes, every test run) and the full one
// (1054 minutes, make talkoff) give no digit, and so no false '9'. DTMF
// 7 dB above the active speech level is detected 94.7% of the time
// (TestTalkDown logs 0-20 dB).
//
// # Profiles (Q.24)
//
//	        accept          reject  normal/reverse twist  tone/reject  pause/dropout
//	ETSI    ±(1.5% + 2 Hz)  ±3.5%   6 / 6 dB              40 / 20 ms   40 / 10 ms
//	AT&T    ±1.5%           ±3.5%   8 / 4 dB              40 / 20 ms   40 / 10 ms
//	NTT     ±1.5%           ±3.5%   5 / 5 dB              40 / 20 ms   30 / 10 ms
//
// All three recognise tones from +3 down to -30 dBm0 and none below -38.
// Normal twist means the high-group tone is weaker than the low-group tone
// (what a long loop does); reverse twist the opposite.
//
// # Invariants
//
//   - Any chunking of the input gives identical events: the detector works in
//     whole blocks and carries the remainder.
//   - Process allocates nothing when the destination slice has room.
//   - Arbitrary samples never panic.
//   - Times are sample counts, never wall-clock time.
package dtmf
