// Package dsp holds the signal processing every line shares: the G.711 codecs,
// levels in dBm0, a streaming sample-rate converter and a tone generator.
//
// G.711 (ITU-T Recommendation G.711, 1988): ALawEncode/ALawDecode and
// MuLawEncode/MuLawDecode implement the standard's segment rules on 16-bit
// linear PCM. A-law works on 13 bits of magnitude (the low 3 bits of an int16
// are discarded), µ-law on 14 bits (the low 2). Codes are on the wire form:
// A-law with its even bits inverted (XOR 0x55), µ-law with all bits inverted.
// Decoding yields the standard's reconstruction value (the middle of the
// decision interval) scaled to 16 bits, so decode(encode(decode(c))) ==
// decode(c) for every code c. Negative inputs are mirrored with the one's
// complement (-x-1), as in the ITU-T G.191 reference software, so the
// decision intervals of negative codes are [-b, -a) where [a, b) is the
// interval of the matching positive code.
//
// Levels: 0 dBm0 is a sine of peak amplitude ZeroDBm0Peak (22,700) in 16-bit
// linear PCM, i.e. an RMS of 22,700/√2; full scale (32,767) is then about
// +3.14 dBm0, the G.711 A-law overload point. LevelDBm0 measures RMS, so a
// sine reads its own level whatever its frequency, and silence reads
// SilenceDBm0 rather than minus infinity.
//
// Resampling: a Resampler converts between any two rates whose ratio reduces
// to L/M (8000 <-> 16000, 22050, 24000, 32000, 44100, 48000) with a polyphase
// Kaiser-windowed-sinc FIR. Its passband ends at 85% of the lower rate's
// Nyquist frequency (3.4 kHz at 8 kHz) and its stopband begins at 115% (4.6
// kHz); it is designed for 80 dB and tested for at least 60 dB of stopband
// attenuation (aliases when decimating, images when interpolating). An
// integer decimation made of small factors (48 -> 8 kHz, what every line
// does) runs instead as a cascade of Nyquist (third- and half-band) stages
// designed for 70 dB (measured: at least 70.4 dB for 16 to 96 kHz), 3.2
// times cheaper. Its delay is a whole number of output samples (Delay), so
// streams can be aligned by dropping samples. It is streaming: feeding a signal in any
// chunking gives bit-identical output, and it allocates nothing per call
// beyond the caller's dst. Results may differ in the last bit between
// architectures (arm64 fuses multiply-adds), never between runs.
//
// Nothing here keeps package state or reads the clock; time is counted in
// samples.
package dsp
