package dsp

import "math/bits"

// Line constants: what every line carries once it leaves the sound interface.
const (
	// LineRate is the sample rate of line audio in Hz (G.711).
	LineRate = 8000
	// FrameSamples is one 20 ms frame at LineRate.
	FrameSamples = 160
)

// A-law: sign bit, 3-bit segment, 4-bit mantissa, even bits inverted on the
// wire. In 16-bit terms segment 0 has steps of 16 from 0, segment s >= 1 has
// steps of 16<<(s-1) from 256<<(s-1).
const aLawInvert = 0x55

// ALawEncode returns the G.711 A-law code of a 16-bit linear sample.
func ALawEncode(x int16) byte {
	var sign byte = 0x80 // A-law: sign bit set means positive
	mag := int(x)
	if mag < 0 {
		// One's complement mirror (G.191): -1 maps to the same magnitude
		// as 0, and -32768 to the top code.
		mag = -mag - 1
		sign = 0
	}
	mag >>= 3 // 13-bit magnitude, 0..4095
	var code byte
	if mag < 32 {
		code = byte(mag >> 1)
	} else {
		// The segment is the position of the top bit: 32..63 is
		// segment 1, 2048..4095 segment 7.
		seg := bits.Len(uint(mag)) - 5
		code = byte(seg<<4) | byte((mag>>seg)&0x0F)
	}
	return (sign | code) ^ aLawInvert
}

// ALawDecode returns the 16-bit linear reconstruction value of an A-law code.
func ALawDecode(c byte) int16 {
	c ^= aLawInvert
	seg := int(c>>4) & 7
	mant := int(c & 0x0F)
	var mag int
	if seg == 0 {
		mag = mant<<4 + 8
	} else {
		mag = (mant<<4 + 0x108) << (seg - 1)
	}
	if c&0x80 == 0 {
		return int16(-mag)
	}
	return int16(mag)
}

// µ-law: sign bit, 3-bit segment, 4-bit mantissa, all bits inverted on the
// wire. The magnitude is biased by 33 (132 in 16-bit terms) so that every
// segment is a power-of-two wide.
const (
	muLawBias = 0x84
	muLawClip = 32635 // largest magnitude whose biased value still fits segment 7
)

// MuLawEncode returns the G.711 µ-law code of a 16-bit linear sample.
func MuLawEncode(x int16) byte {
	var sign byte
	mag := int(x)
	if mag < 0 {
		mag = -mag - 1
		sign = 0x80
	}
	if mag > muLawClip {
		mag = muLawClip
	}
	mag += muLawBias // 132..32767
	seg := 0
	for mag >= 256<<seg {
		seg++
	}
	mant := (mag >> (seg + 3)) & 0x0F
	return ^(sign | byte(seg<<4) | byte(mant))
}

// MuLawDecode returns the 16-bit linear reconstruction value of a µ-law code.
// Both zero codes (0xFF and 0x7F) decode to 0.
func MuLawDecode(c byte) int16 {
	c = ^c
	seg := int(c>>4) & 7
	mant := int(c & 0x0F)
	mag := (mant<<3+muLawBias)<<seg - muLawBias
	if c&0x80 != 0 {
		return int16(-mag)
	}
	return int16(mag)
}

// EncodeALaw encodes min(len(dst), len(src)) samples and returns that count.
func EncodeALaw(dst []byte, src []int16) int {
	n := min(len(dst), len(src))
	for i, x := range src[:n] {
		dst[i] = ALawEncode(x)
	}
	return n
}

// DecodeALaw decodes min(len(dst), len(src)) codes and returns that count.
func DecodeALaw(dst []int16, src []byte) int {
	n := min(len(dst), len(src))
	for i, c := range src[:n] {
		dst[i] = ALawDecode(c)
	}
	return n
}

// EncodeMuLaw encodes min(len(dst), len(src)) samples and returns that count.
func EncodeMuLaw(dst []byte, src []int16) int {
	n := min(len(dst), len(src))
	for i, x := range src[:n] {
		dst[i] = MuLawEncode(x)
	}
	return n
}

// DecodeMuLaw decodes min(len(dst), len(src)) codes and returns that count.
func DecodeMuLaw(dst []int16, src []byte) int {
	n := min(len(dst), len(src))
	for i, c := range src[:n] {
		dst[i] = MuLawDecode(c)
	}
	return n
}
