package notice

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// header is one parsed MPEG audio frame header (ISO/IEC 11172-3 2.4.1.3,
// extended to the lower rates by ISO/IEC 13818-3).
type header struct {
	version  int // 10 = MPEG-1, 20 = MPEG-2, 25 = MPEG 2.5 (not standard)
	layer    int // 1, 2 or 3
	bitrate  int // bits per second; 0 = free format
	rate     int // samples per second
	padding  int // bytes
	crc      bool
	channels int
	size     int // bytes, header included
	samples  int // per channel: 1152 (MPEG-1 Layer III) or 576 (MPEG-2)
}

var (
	l3Rates1 = [16]int{0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, -1}
	l3Rates2 = [16]int{0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160, -1}
	baseRate = [4]int{44100, 48000, 32000, -1}
)

// parseHeader reads the four header bytes at b. It reports whether they
// form a valid header of any layer; callers reject what go-mp3 cannot
// decode with a reason.
func parseHeader(b []byte) (header, bool) {
	if len(b) < 4 || b[0] != 0xFF || b[1]&0xE0 != 0xE0 {
		return header{}, false
	}
	var h header
	switch (b[1] >> 3) & 3 {
	case 0:
		h.version = 25
	case 2:
		h.version = 20
	case 3:
		h.version = 10
	default:
		return header{}, false
	}
	h.layer = 4 - int((b[1]>>1)&3)
	if h.layer == 4 {
		return header{}, false
	}
	h.crc = b[1]&1 == 0
	bi := int(b[2] >> 4)
	ri := int((b[2] >> 2) & 3)
	if bi == 15 || ri == 3 || b[3]&3 == 2 {
		return header{}, false
	}
	h.rate = baseRate[ri]
	switch h.version {
	case 20:
		h.rate /= 2
	case 25:
		h.rate /= 4
	}
	h.padding = int((b[2] >> 1) & 1)
	h.channels = 2
	if b[3]>>6 == 3 {
		h.channels = 1
	}
	if h.layer != 3 {
		// Only the layer matters for the rejection; sizes are not needed.
		return h, true
	}
	if h.version == 10 {
		h.bitrate = l3Rates1[bi] * 1000
		h.samples = 1152
	} else {
		h.bitrate = l3Rates2[bi] * 1000
		h.samples = 576
	}
	if h.bitrate > 0 {
		h.size = h.samples/8*h.bitrate/h.rate + h.padding
	}
	return h, true
}

// stream is what a scan of the whole file found.
type stream struct {
	audio    []byte // the frames go-mp3 decodes (tags and the Info frame cut off)
	rate     int
	channels int
	frames   int
	samples  int // per frame
	// tagged reports a LAME/Xing Info frame; delay and padding are the
	// encoder's delay and end padding it records, in samples.
	tagged         bool
	delay, padding int
}

// lameTag is what scan uses from a LAME Info frame.
type lameTag struct {
	delay, padding int
	// musicLen is the bytes from the Info frame to the end of the last
	// frame, musicCRC the CRC-16 of the frames after the Info frame; zero
	// length means the encoder left them out.
	musicLen uint32
	musicCRC uint16
}

// scan walks the frame chain of an MP3 file: an optional ID3v2 tag, then
// Layer III frames back to back, then an optional ID3v1 tag. Every frame must
// have the first frame's version, layer and rate and end inside the file, so
// a truncated file, a file with junk spliced in, or a file that is not MP3 at
// all is rejected here, before go-mp3 sees it (go-mp3 itself skips over
// garbage and treats a cut-off frame as the end).
func scan(data []byte) (stream, error) {
	var s stream
	pos := 0
	if len(data) >= 10 && string(data[:3]) == "ID3" {
		sz := data[6:10]
		if (sz[0]|sz[1]|sz[2]|sz[3])&0x80 != 0 {
			return s, fmt.Errorf("ID3v2 tag has a malformed size: %w", ErrCorrupt)
		}
		n := 10 + (int(sz[0])<<21 | int(sz[1])<<14 | int(sz[2])<<7 | int(sz[3]))
		if data[5]&0x10 != 0 { // footer present
			n += 10
		}
		if n > len(data) {
			return s, fmt.Errorf("ID3v2 tag of %d bytes is longer than the file (%d bytes): %w", n, len(data), ErrCorrupt)
		}
		pos = n
	}
	end := len(data)
	if end-pos >= 128 && string(data[end-128:end-125]) == "TAG" {
		end -= 128
	}
	if pos >= end {
		return s, fmt.Errorf("no MPEG audio frames: %w", ErrCorrupt)
	}
	first, ok := parseHeader(data[pos:end])
	if !ok {
		return s, fmt.Errorf("no MPEG audio frame header at byte %d: %w", pos, ErrCorrupt)
	}
	switch {
	case first.version == 25:
		return s, fmt.Errorf("MPEG 2.5 at %d Hz (ship notices at 16 kHz or more): %w", first.rate, ErrUnsupportedRate)
	case first.layer != 3:
		return s, fmt.Errorf("MPEG Layer %s audio (only Layer III is decoded): %w", roman(first.layer), ErrUnsupported)
	case first.bitrate == 0:
		return s, fmt.Errorf("free-format bit rate: %w", ErrUnsupported)
	case first.rate < MinRate:
		return s, fmt.Errorf("%d Hz (ship notices at %d Hz or more): %w", first.rate, MinRate, ErrUnsupportedRate)
	}
	s.rate, s.channels, s.samples = first.rate, first.channels, first.samples
	start := pos
	var lame lameTag
	infoPos := 0
	for pos < end {
		h, ok := parseHeader(data[pos:end])
		if !ok {
			return s, fmt.Errorf("frame %d at byte %d: no frame header: %w", s.frames, pos, ErrCorrupt)
		}
		if h.version != first.version || h.layer != 3 || h.rate != first.rate || h.bitrate == 0 {
			return s, fmt.Errorf("frame %d at byte %d: format changes mid-stream (%d Hz, layer %d): %w",
				s.frames, pos, h.rate, h.layer, ErrCorrupt)
		}
		if pos+h.size > end {
			return s, fmt.Errorf("frame %d at byte %d needs %d bytes, %d left (truncated file): %w",
				s.frames, pos, h.size, end-pos, ErrCorrupt)
		}
		if s.frames == 0 && !s.tagged {
			if tag, ok := infoTag(data[pos:pos+h.size], h); ok {
				// The Info frame carries no audio; decoding it would put a
				// frame of silence in front of the notice.
				s.tagged, s.delay, s.padding = true, tag.delay, tag.padding
				lame, infoPos = tag, pos
				start = pos + h.size
				pos += h.size
				continue
			}
		}
		s.frames++
		pos += h.size
	}
	if s.frames == 0 {
		return s, fmt.Errorf("no audio frames: %w", ErrCorrupt)
	}
	// LAME records the stream's length and a CRC of its audio frames: a
	// file cut at a frame boundary, or damaged inside a frame where no
	// header check can see it, is caught here.
	if lame.musicLen != 0 {
		if n := end - infoPos; uint32(n) != lame.musicLen {
			return s, fmt.Errorf("LAME tag says %d bytes of audio, the file has %d (truncated or spliced): %w",
				lame.musicLen, n, ErrCorrupt)
		}
		if c := crc16(data[start:end]); c != lame.musicCRC {
			return s, fmt.Errorf("audio CRC %04x, LAME tag says %04x (damaged file): %w", c, lame.musicCRC, ErrCorrupt)
		}
	}
	s.audio = data[start:end]
	return s, nil
}

// infoTag recognises the Xing/Info frame that LAME (and others) write first
// and reads the encoder delay and padding, and LAME's length and CRC of the
// audio, from the LAME extension that follows it, when present.
func infoTag(f []byte, h header) (tag lameTag, ok bool) {
	side := 32 // side information bytes, MPEG-1 stereo
	switch {
	case h.version == 10 && h.channels == 1:
		side = 17
	case h.version != 10 && h.channels == 2:
		side = 17
	case h.version != 10:
		side = 9
	}
	off := 4 + side
	if h.crc {
		off += 2
	}
	if len(f) < off+8 {
		return tag, false
	}
	id := string(f[off : off+4])
	if id != "Xing" && id != "Info" {
		return tag, false
	}
	flags := binary.BigEndian.Uint32(f[off+4:])
	p := off + 8
	for bit, n := range []int{4, 4, 100, 4} { // frames, bytes, TOC, quality
		if flags&(1<<bit) != 0 {
			p += n
		}
	}
	// LAME extension: 9-byte encoder string, 12 bytes, 3 bytes of delay
	// (12 bits) and padding (12 bits), 4 bytes, the music length (4) and
	// music CRC (2). Lavc (FFmpeg) writes the same layout; only LAME's
	// own CRC is trusted.
	lame := bytes.HasPrefix(f[p:], []byte("LAME"))
	if len(f) >= p+24 && (lame || bytes.HasPrefix(f[p:], []byte("Lavc"))) {
		d := f[p+21:]
		tag.delay = int(d[0])<<4 | int(d[1])>>4
		tag.padding = int(d[1]&0x0F)<<8 | int(d[2])
	}
	if lame && len(f) >= p+34 {
		tag.musicLen = binary.BigEndian.Uint32(f[p+28:])
		tag.musicCRC = binary.BigEndian.Uint16(f[p+32:])
	}
	return tag, true
}

// crc16 is the CRC-16 LAME uses for its music CRC (polynomial 0x8005,
// reflected, initial value 0: CRC-16/ARC).
func crc16(b []byte) uint16 {
	var c uint16
	for _, x := range b {
		c ^= uint16(x)
		for range 8 {
			if c&1 != 0 {
				c = c>>1 ^ 0xA001
			} else {
				c >>= 1
			}
		}
	}
	return c
}

func roman(n int) string {
	return [...]string{"?", "I", "II", "III"}[n&3]
}
