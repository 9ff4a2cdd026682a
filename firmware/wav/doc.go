// Package wav reads and writes RIFF/WAVE audio files, the interchange format
// of the appliance: notices and test audio come in as WAV, exported
// recordings go out as WAV.
//
// Decode reads the Microsoft RIFF WAVE layout (the 1991 "Multimedia
// Programming Interface and Data Specifications" and the WAVE_FORMAT_EXTENSIBLE
// amendment): format tag 1 (integer PCM, 8 to 32 bits; 8-bit is unsigned,
// wider is signed little-endian), 3 (IEEE float, 32 or 64 bits), 6 (G.711
// A-law), 7 (G.711 µ-law) and 0xFFFE (EXTENSIBLE, whose SubFormat GUID names
// one of the former), at any rate and channel count. Every encoding is
// converted to interleaved 16-bit linear samples: wider integers are rounded
// to 16 bits, floats are scaled by 32768 and saturated, G.711 is expanded by
// firmware/dsp.
//
// Invariants of Decode, which also reads files made by other recorders:
//   - it never panics, whatever the bytes;
//   - chunks other than "fmt " and "data" (LIST, fact, cue, bext, ...) are
//     skipped, honouring the RIFF rule that an odd-sized chunk is followed
//     by a pad byte; the RIFF size field is not trusted;
//   - a data chunk that claims more bytes than the file holds (a recording
//     cut short, or a header never finalised, which some recorders leave as
//     0 or 0xFFFFFFFF) is decoded as far as whole sample frames go, and
//     Audio.Truncated says so;
//   - memory grows only with the bytes actually read, never with a size a
//     header claims, and stops at MaxSamples (ErrTooLarge).
//
// The sentinel errors callers branch on are ErrNotWAV (not a RIFF WAVE file
// at all), ErrUnsupported (a WAVE file in an encoding this package does not
// decode, e.g. ADPCM or RF64), ErrMalformed (a WAVE file whose header
// contradicts itself or lacks fmt/data) and ErrTooLarge. They are always
// wrapped with detail.
//
// Encode writes 16-bit PCM, or G.711 A-law/µ-law with the fmt extension size
// (cbSize = 0) and the fact chunk the specification requires for non-PCM
// formats. Writer streams the same bytes into a file of unknown length
// (an export of a two-hour recording) and patches the sizes at Close, so
// memory does not grow with the audio.
package wav
