package callerid

import (
	"context"
	"fmt"
	"log/slog"
)

// DefaultMinLevel is the weakest FSK signal (dBm0) the Decoder listens to
// when Config.MinLevel is zero: 10 dB under the -40 dBm0 that EN 300 659-1
// and GR-30 ask receivers to handle, so a weak line still decodes, while the
// idle noise of a line (-60 dBm0 and less) does not wake the UART.
const DefaultMinLevel = -50.0

// Config configures a Decoder. The zero value decodes V.23 and Bell 202 FSK
// from DefaultMinLevel up and DTMF CLIP with NewDTMFDetector.
type Config struct {
	// Formats is the set of formats to decode (V23|Bell202|DTMF); zero
	// means all.
	Formats Format
	// MinLevel is the weakest FSK carrier in dBm0; zero means
	// DefaultMinLevel.
	MinLevel float64
	// Digits turns audio into DTMF digits for DTMF CLIP; nil means
	// NewDTMFDetector. A detector may also
	// have Flush(dst []Digit) []Digit and Reset(), which the Decoder calls
	// from its own.
	Digits DigitDetector
	// DigitGap is the longest pause between two digits of one DTMF CLIP
	// message, in samples; zero means DefaultDigitGap.
	DigitGap int64
	// Logger receives debug lines about rejected messages (never a number
	// or a name); nil discards them.
	Logger *slog.Logger
}

// Decoder finds caller IDs in one line's 8 kHz audio. Feed it all of the
// line's audio, on hook and off, and match results to ring and polarity
// events by their sample positions: FSK caller ID arrives before the first
// ring (after a polarity reversal or a short ring burst: most of Europe),
// between the first and second ring (North America) or during a call (call
// waiting); DTMF CLIP before the first ring. A network that repeats the
// message gives one result per copy. The Decoder keeps a few kilobytes of
// state and allocates only for results.
//
// Bare "<number>#" DTMF CLIP looks exactly like a caller pressing keys,
// so while a call is in progress leave DTMF out of the formats (SetFormats)
// unless the network is known to send DTMF CLIP during calls.
//
// A Decoder is not safe for concurrent use; use one per line.
type Decoder struct {
	cfg    Config
	fsk    *fsk
	clip   clip
	digits []Digit
	n      int64 // samples processed
	log    *slog.Logger
}

// NewDecoder returns a Decoder for cfg.
func NewDecoder(cfg Config) (*Decoder, error) {
	if cfg.Formats == 0 {
		cfg.Formats = AllFormats
	}
	if cfg.Formats&^AllFormats != 0 {
		return nil, fmt.Errorf("callerid: config: unknown formats %#x", uint8(cfg.Formats&^AllFormats))
	}
	if cfg.MinLevel == 0 {
		cfg.MinLevel = DefaultMinLevel
	}
	if !(cfg.MinLevel >= -70 && cfg.MinLevel < 0) {
		return nil, fmt.Errorf("callerid: config: MinLevel %g dBm0 outside [-70, 0)", cfg.MinLevel)
	}
	if cfg.DigitGap <= 0 {
		cfg.DigitGap = DefaultDigitGap
	}
	if cfg.Digits == nil {
		det, err := NewDTMFDetector()
		if err != nil {
			return nil, err
		}
		cfg.Digits = det
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Decoder{
		cfg:  cfg,
		fsk:  newFSK(cfg.Formats, cfg.MinLevel),
		clip: clip{maxGap: cfg.DigitGap},
		log:  log,
	}, nil
}

// digitFlusher and resetter are what a DigitDetector may also implement.
type (
	digitFlusher interface{ Flush(dst []Digit) []Digit }
	resetter     interface{ Reset() }
)

// SetFormats changes the formats decoded from now on; zero means all.
func (d *Decoder) SetFormats(f Format) {
	if f == 0 {
		f = AllFormats
	}
	d.cfg.Formats = f
	d.fsk.formats = f
}

// Samples returns how many samples the Decoder has processed, the clock
// that Result.Start and End count in.
func (d *Decoder) Samples() int64 { return d.n }

// Process decodes samples (8 kHz, linear 16-bit) and appends the results
// they complete to dst: caller IDs, and messages that were detected but
// rejected (Err set).
func (d *Decoder) Process(dst []Result, samples []int16) []Result {
	start := len(dst)
	if d.cfg.Formats&(V23|Bell202) != 0 {
		dst = d.fsk.process(dst, samples)
	} else {
		d.fsk.skip(len(samples))
	}
	d.n += int64(len(samples))
	// The digit detector runs even with DTMF off, so that its sample count
	// stays the Decoder's when DTMF is switched back on.
	d.digits = d.cfg.Digits.Detect(d.digits[:0], samples)
	dst = d.takeDigits(dst)
	return d.filter(dst, start)
}

func (d *Decoder) takeDigits(dst []Result) []Result {
	if d.cfg.Formats&DTMF == 0 {
		d.clip.buf = d.clip.buf[:0]
		return dst
	}
	for _, g := range d.digits {
		dst = d.clip.digit(dst, g)
	}
	return d.clip.tick(dst, d.n)
}

// Flush ends the input: messages still in progress are reported truncated.
func (d *Decoder) Flush(dst []Result) []Result {
	start := len(dst)
	dst = d.fsk.flush(dst)
	if f, ok := d.cfg.Digits.(digitFlusher); ok {
		d.digits = f.Flush(d.digits[:0])
		dst = d.takeDigits(dst)
	}
	dst = d.clip.expire(dst)
	return d.filter(dst, start)
}

// Reset forgets everything, including the sample count.
func (d *Decoder) Reset() {
	d.fsk.reset()
	d.clip.buf = d.clip.buf[:0]
	if r, ok := d.cfg.Digits.(resetter); ok {
		r.Reset()
	}
	d.n = 0
}

// filter drops results of formats not asked for and logs rejections.
func (d *Decoder) filter(dst []Result, start int) []Result {
	out := dst[:start]
	for _, r := range dst[start:] {
		if r.Format&d.cfg.Formats == 0 {
			continue
		}
		if r.Err != nil && d.log.Enabled(context.Background(), slog.LevelDebug) {
			// The error texts carry lengths and checksums, never digits.
			d.log.Debug("callerid: message rejected", "result", r)
		}
		out = append(out, r)
	}
	return out
}
