package wav

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"

	"fairrec/firmware/dsp"
)

// WAVE format tags (mmreg.h).
const (
	tagPCM        = 0x0001
	tagFloat      = 0x0003
	tagALaw       = 0x0006
	tagMuLaw      = 0x0007
	tagExtensible = 0xFFFE
)

// guidSuffix is the tail shared by the KSDATAFORMAT_SUBTYPE GUIDs whose first
// two bytes are a format tag (00000001-0000-0010-8000-00aa00389b71 is PCM).
var guidSuffix = [14]byte{0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71}

const (
	maxFmtSize  = 4096       // a real fmt chunk is 16 to 40 bytes
	maxChannels = 256        // more than any sound interface
	maxRate     = 10_000_000 // 10 MHz: anything above is a corrupt header
	unknownSize = 0xFFFFFFFF // data size left by streaming writers
	readBlock   = 64 << 10
)

// format is a parsed fmt chunk.
type format struct {
	f        Format
	channels int
	rate     int
	block    int // bytes per sample frame
}

// Decode reads a RIFF WAVE file from r and converts its samples to 16-bit
// linear PCM. It reads r only up to the end of the data chunk.
func Decode(r io.Reader) (*Audio, error) {
	var hdr [12]byte
	if n, err := io.ReadFull(r, hdr[:]); err != nil {
		if n == 0 && errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("wav: decode: %w: empty input", ErrNotWAV)
		}
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("wav: decode: %w: only %d bytes", ErrNotWAV, n)
		}
		return nil, fmt.Errorf("wav: decode: read RIFF header: %w", err)
	}
	switch id := string(hdr[0:4]); {
	case id == "RF64" || id == "BW64" || id == "RIFX":
		return nil, fmt.Errorf("wav: decode: %w: %s container", ErrUnsupported, id)
	case id != "RIFF":
		return nil, fmt.Errorf("wav: decode: %w: starts with %q, not \"RIFF\"", ErrNotWAV, hdr[0:4])
	case string(hdr[8:12]) != "WAVE":
		return nil, fmt.Errorf("wav: decode: %w: RIFF form %q, not \"WAVE\"", ErrNotWAV, hdr[8:12])
	}
	riffEnd := int64(binary.LittleEndian.Uint32(hdr[4:8])) + 8
	d := decoder{r: r, off: 12}
	var (
		fm      *format
		raw     []byte // a data chunk met before fmt
		haveRaw bool
	)
	for {
		id, size, err := d.chunkHeader()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch id {
		case "fmt ":
			if fm != nil {
				return nil, fmt.Errorf("wav: decode: %w: second fmt chunk at byte %d", ErrMalformed, d.off-8)
			}
			if fm, err = d.fmtChunk(size); err != nil {
				return nil, err
			}
			if haveRaw {
				return decodeRaw(fm, raw)
			}
		case "data":
			if fm == nil {
				if haveRaw {
					return nil, fmt.Errorf("wav: decode: %w: second data chunk before fmt", ErrMalformed)
				}
				// The specification puts fmt first; tolerate files
				// that do not by keeping the bytes until fmt shows up.
				if raw, err = d.rawData(size); err != nil {
					return nil, err
				}
				haveRaw = true
				continue
			}
			return d.data(fm, size, riffEnd)
		default:
			if err := d.skip(id, size); err != nil {
				return nil, err
			}
		}
	}
	if fm == nil {
		return nil, fmt.Errorf("wav: decode: %w: no fmt chunk", ErrMalformed)
	}
	return nil, fmt.Errorf("wav: decode: %w: no data chunk", ErrMalformed)
}

// decoder reads chunks and tracks the offset for error messages.
type decoder struct {
	r   io.Reader
	off int64
	buf [readBlock]byte
}

func (d *decoder) read(p []byte) (int, error) {
	n, err := io.ReadFull(d.r, p)
	d.off += int64(n)
	return n, err
}

// chunkHeader returns the next chunk's id and size, or io.EOF when the input
// ends cleanly (or with a partial header, which some writers leave as
// trailing junk).
func (d *decoder) chunkHeader() (string, uint32, error) {
	var h [8]byte
	n, err := d.read(h[:])
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return "", 0, io.EOF
	}
	if err != nil {
		return "", 0, fmt.Errorf("wav: decode: read chunk header at byte %d: %w", d.off-int64(n), err)
	}
	return string(h[:4]), binary.LittleEndian.Uint32(h[4:]), nil
}

// skip discards a chunk's body and its pad byte.
func (d *decoder) skip(id string, size uint32) error {
	n := int64(size) + int64(size&1)
	got, err := io.CopyN(io.Discard, d.r, n)
	d.off += got
	if err == io.EOF {
		return fmt.Errorf("wav: decode: %w: chunk %q at byte %d claims %d bytes, file ends after %d",
			ErrMalformed, id, d.off-got-8, size, got)
	}
	if err != nil {
		return fmt.Errorf("wav: decode: skip chunk %q: %w", id, err)
	}
	return nil
}

func (d *decoder) fmtChunk(size uint32) (*format, error) {
	at := d.off - 8
	if size < 16 || size > maxFmtSize {
		return nil, fmt.Errorf("wav: decode: %w: fmt chunk at byte %d has size %d", ErrMalformed, at, size)
	}
	b := d.buf[:size+size&1]
	if n, err := d.read(b); err != nil && !(n >= int(size) && err == io.ErrUnexpectedEOF) {
		return nil, fmt.Errorf("wav: decode: %w: fmt chunk at byte %d cut short", ErrMalformed, at)
	}
	le := binary.LittleEndian
	tag := le.Uint16(b[0:])
	fm := &format{
		channels: int(le.Uint16(b[2:])),
		rate:     int(le.Uint32(b[4:])),
		block:    int(le.Uint16(b[12:])),
	}
	bits := int(le.Uint16(b[14:]))
	if tag == tagExtensible {
		if size < 40 || le.Uint16(b[16:]) < 22 {
			return nil, fmt.Errorf("wav: decode: %w: EXTENSIBLE fmt chunk of %d bytes", ErrMalformed, size)
		}
		if [14]byte(b[26:40]) != guidSuffix {
			return nil, fmt.Errorf("wav: decode: %w: EXTENSIBLE sub-format GUID % x", ErrUnsupported, b[24:40])
		}
		tag = le.Uint16(b[24:])
	}
	if fm.channels < 1 || fm.channels > maxChannels {
		return nil, fmt.Errorf("wav: decode: %w: %d channels", ErrMalformed, fm.channels)
	}
	if fm.rate < 1 || fm.rate > maxRate {
		return nil, fmt.Errorf("wav: decode: %w: sample rate %d Hz", ErrMalformed, fm.rate)
	}
	var width int // bytes per sample
	switch {
	case tag == tagPCM && bits < 1:
		return nil, fmt.Errorf("wav: decode: %w: PCM with %d bits per sample", ErrMalformed, bits)
	case tag == tagPCM && bits <= 8:
		fm.f, width = PCM8, 1
	case tag == tagPCM && bits <= 16:
		fm.f, width = PCM16, 2
	case tag == tagPCM && bits <= 24:
		fm.f, width = PCM24, 3
	case tag == tagPCM && bits <= 32:
		fm.f, width = PCM32, 4
	case tag == tagFloat && bits == 32:
		fm.f, width = Float32, 4
	case tag == tagFloat && bits == 64:
		fm.f, width = Float64, 8
	case tag == tagALaw && bits == 8:
		fm.f, width = ALaw, 1
	case tag == tagMuLaw && bits == 8:
		fm.f, width = MuLaw, 1
	default:
		return nil, fmt.Errorf("wav: decode: %w: format tag %#04x with %d bits per sample", ErrUnsupported, tag, bits)
	}
	if fm.block != fm.channels*width {
		return nil, fmt.Errorf("wav: decode: %w: block align %d for %d channels of %s",
			ErrMalformed, fm.block, fm.channels, fm.f)
	}
	return fm, nil
}

// data decodes a data chunk of the given size, reading in blocks so that a
// lying size costs nothing. riffEnd is where the RIFF header says the file
// ends, used to tell an unfinalised size 0 from a really empty chunk.
func (d *decoder) data(fm *format, size uint32, riffEnd int64) (*Audio, error) {
	a := &Audio{Rate: fm.rate, Channels: fm.channels, Format: fm.f}
	toEOF := size == unknownSize || (size == 0 && riffEnd <= d.off)
	remaining := int64(size)
	if toEOF {
		remaining = math.MaxInt64
	}
	width := fm.block / fm.channels
	// Size the slice by what the input really holds when it can tell
	// (bytes.Reader, os.File); otherwise grow as data arrives.
	hint := min(remaining, readBlock*int64(width))
	if left := inputLeft(d.r); left >= 0 {
		hint = min(remaining, left)
	}
	a.Samples = make([]int16, 0, min(hint/int64(width), MaxSamples))
	block := len(d.buf) / fm.block * fm.block
	carry := 0 // bytes of a partial frame kept at the start of d.buf
	for remaining > 0 {
		want := int(min(int64(block-carry), remaining))
		n, err := d.read(d.buf[carry : carry+want])
		remaining -= int64(n)
		have := carry + n
		whole := have / fm.block * fm.block
		if len(a.Samples)+whole/width > MaxSamples {
			return nil, fmt.Errorf("wav: decode: %w: more than %d samples", ErrTooLarge, MaxSamples)
		}
		a.Samples = convert(a.Samples, fm.f, d.buf[:whole])
		carry = copy(d.buf[:], d.buf[whole:have])
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			a.Truncated = !toEOF // the file ended before the size it claimed
			break
		}
		if err != nil {
			return nil, fmt.Errorf("wav: decode: read data at byte %d: %w", d.off, err)
		}
	}
	// A partial last frame, or audio behind a size never finalised, is a
	// cut-short recording too.
	a.Truncated = a.Truncated || carry > 0 || (size == 0 && len(a.Samples) > 0)
	return a, nil
}

// inputLeft returns how many bytes r has left to read, or -1 if it cannot
// tell without reading or moving (a bytes.Reader or a regular os.File can).
func inputLeft(r io.Reader) int64 {
	switch r := r.(type) {
	case interface{ Len() int }:
		return int64(r.Len())
	case interface {
		io.Seeker
		Stat() (fs.FileInfo, error)
	}:
		fi, err := r.Stat()
		if err != nil || !fi.Mode().IsRegular() {
			return -1
		}
		cur, err := r.Seek(0, io.SeekCurrent) // does not move
		if err != nil || cur > fi.Size() {
			return -1
		}
		return fi.Size() - cur
	}
	return -1
}

// rawData keeps the body of a data chunk that precedes fmt, within the
// sample cap.
func (d *decoder) rawData(size uint32) ([]byte, error) {
	if int64(size) > 2*MaxSamples {
		return nil, fmt.Errorf("wav: decode: %w: data chunk of %d bytes before fmt", ErrTooLarge, size)
	}
	var raw []byte
	for remaining := int64(size); remaining > 0; {
		n, err := d.read(d.buf[:min(remaining, int64(len(d.buf)))])
		raw = append(raw, d.buf[:n]...)
		remaining -= int64(n)
		if err != nil {
			return nil, fmt.Errorf("wav: decode: %w: data chunk of %d bytes cut short at %d",
				ErrMalformed, size, len(raw))
		}
	}
	if size&1 == 1 {
		var pad [1]byte
		d.read(pad[:]) // a missing pad byte at the end is harmless
	}
	return raw, nil
}

// decodeRaw converts a data chunk that came before fmt.
func decodeRaw(fm *format, raw []byte) (*Audio, error) {
	whole := len(raw) / fm.block * fm.block
	if whole/(fm.block/fm.channels) > MaxSamples {
		return nil, fmt.Errorf("wav: decode: %w: more than %d samples", ErrTooLarge, MaxSamples)
	}
	a := &Audio{Rate: fm.rate, Channels: fm.channels, Format: fm.f, Truncated: whole != len(raw)}
	a.Samples = convert(nil, fm.f, raw[:whole])
	return a, nil
}

// convert appends the samples encoded in b (whole samples only) to dst.
func convert(dst []int16, f Format, b []byte) []int16 {
	le := binary.LittleEndian
	switch f {
	case PCM8:
		for _, v := range b {
			dst = append(dst, int16(int(v)-128)<<8)
		}
	case PCM16:
		for i := 0; i+2 <= len(b); i += 2 {
			dst = append(dst, int16(le.Uint16(b[i:])))
		}
	case PCM24:
		for i := 0; i+3 <= len(b); i += 3 {
			v := int32(uint32(b[i])<<8|uint32(b[i+1])<<16|uint32(b[i+2])<<24) >> 8
			dst = append(dst, narrow(int64(v), 8))
		}
	case PCM32:
		for i := 0; i+4 <= len(b); i += 4 {
			dst = append(dst, narrow(int64(int32(le.Uint32(b[i:]))), 16))
		}
	case Float32:
		for i := 0; i+4 <= len(b); i += 4 {
			dst = append(dst, fromFloat(float64(math.Float32frombits(le.Uint32(b[i:])))))
		}
	case Float64:
		for i := 0; i+8 <= len(b); i += 8 {
			dst = append(dst, fromFloat(math.Float64frombits(le.Uint64(b[i:]))))
		}
	case ALaw:
		for _, c := range b {
			dst = append(dst, dsp.ALawDecode(c))
		}
	case MuLaw:
		for _, c := range b {
			dst = append(dst, dsp.MuLawDecode(c))
		}
	}
	return dst
}

// narrow drops shift low bits of v, rounding to nearest (ties up) and
// saturating: a 24-bit 0x7FFFFF rounds to 32768 and clips to 32767.
func narrow(v int64, shift uint) int16 {
	v = (v + 1<<(shift-1)) >> shift
	return int16(min(max(v, math.MinInt16), math.MaxInt16))
}

// fromFloat scales a float sample (full scale ±1) to int16, rounding to
// nearest and saturating; NaN becomes 0.
func fromFloat(v float64) int16 {
	v *= 32768
	switch {
	case v != v:
		return 0
	case v >= math.MaxInt16:
		return math.MaxInt16
	case v <= math.MinInt16:
		return math.MinInt16
	}
	return int16(math.RoundToEven(v))
}
