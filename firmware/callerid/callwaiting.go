package callerid

import (
	"context"
	"fmt"
	"log/slog"
)

// The call-waiting timing, from the end of the alerting signal (Telcordia
// SR-TSV-002476 / GR-30 for CIDCW; ETSI EN 300 659-2 and BT SIN227 for the
// loop state): the terminal acknowledges within 100 ms with a DTMF 'D'
// ('A' for ADSI sets) of 55-75 ms; the exchange starts the FSK 0-500 ms
// after the acknowledgement (BT: within 100 ms) with 45-75 ms of mark and
// no channel seizure.
const (
	// cwWait is how long after the alerting signal a message's first byte
	// may start: 100 + 75 + 500 + 75 ms with room to spare.
	cwWait = lineRate
	// cwMaxMessage bounds a message in progress: 258 bytes of 10 bits at
	// 1200 baud is 2.15 s.
	cwMaxMessage = 5 * lineRate / 2
)

// CallWaiting finds caller IDs sent during a call in progress (call
// waiting): the exchange interrupts the call with an alerting signal
// (2130 + 2750 Hz for 80 ms), the employee's phone answers with a DTMF
// 'D' or 'A', and the exchange sends an FSK message (V.23 or Bell 202)
// after a short mark and without channel seizure.
//
// It listens only to the alerting signal until one is heard; then, for
// about a second, it listens for the acknowledgement and the FSK message,
// which is decoded by the same receiver and parser as the on-hook Decoder's
// and reported the same way, with CallWaiting set and Ack the digit heard.
// Requiring the alerting signal is what keeps a call's speech and music
// from opening messages at all; the acknowledgement is not required,
// because the exchange only sends the message after hearing it, and a
// passive tap may hear a phone's acknowledgement weakly or not at all (it
// is sent towards the exchange, and some sets send it quietly).
//
// Feed it the line's audio for the whole call in frames of any size; each
// message gives one Result when it completes. An alerting signal that is
// not followed by a message gives nothing (Alerts counts it). The detector
// costs a few nanoseconds per sample; the FSK receiver runs only in the
// window after an alerting signal. It keeps a few kilobytes of state and
// allocates only for results.
//
// A CallWaiting is not safe for concurrent use; use one per line.
type CallWaiting struct {
	cfg    Config
	cas    *cas
	fsk    *fsk
	digits DigitDetector
	dig    []Digit
	log    *slog.Logger
	n      int64 // samples processed
	alerts int

	// The listening window.
	open      bool
	confirmed bool  // the alerting signal ended within its allowed duration
	deadline  int64 // a message must have started by this sample
	hardEnd   int64 // the window closes here whatever happens
	ack       byte
}

// NewCallWaiting returns a call-waiting decoder for cfg: Formats selects V23
// and Bell202 (DTMF CLIP is not sent during calls, and is ignored), MinLevel
// is the weakest FSK carrier, Digits hears the acknowledgement (give it a
// detector of its own), Logger gets rejections. The zero Config decodes both
// FSK modulations.
func NewCallWaiting(cfg Config) (*CallWaiting, error) {
	f := cfg.Formats &^ DTMF
	if cfg.Formats == 0 {
		f = V23 | Bell202
	}
	if cfg.Formats&^AllFormats != 0 {
		return nil, fmt.Errorf("callerid: config: unknown formats %#x", uint8(cfg.Formats&^AllFormats))
	}
	if f == 0 {
		return nil, fmt.Errorf("callerid: config: call waiting needs V23 or Bell202 in Formats")
	}
	cfg.Formats = f
	if cfg.MinLevel == 0 {
		cfg.MinLevel = DefaultMinLevel
	}
	if !(cfg.MinLevel >= -70 && cfg.MinLevel < 0) {
		return nil, fmt.Errorf("callerid: config: MinLevel %g dBm0 outside [-70, 0)", cfg.MinLevel)
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
	c := &CallWaiting{
		cfg:    cfg,
		cas:    newCAS(),
		fsk:    newFSK(f, cfg.MinLevel),
		digits: cfg.Digits,
		log:    log,
	}
	return c, nil
}

// Samples returns how many samples have been processed: the clock that
// Result.Start and End count in.
func (c *CallWaiting) Samples() int64 { return c.n }

// Alerts returns how many alerting signals were heard, with or without a
// message after them.
func (c *CallWaiting) Alerts() int { return c.alerts }

// Listening reports whether the decoder is in the window after an alerting
// signal, waiting for or receiving a message.
func (c *CallWaiting) Listening() bool { return c.open }

// Process decodes samples (8 kHz, linear 16-bit) and appends the results
// they complete to dst: caller IDs, and messages that were detected but
// rejected (Err set).
func (c *CallWaiting) Process(dst []Result, samples []int16) []Result {
	start := len(dst)
	for len(samples) > 0 {
		k := min(len(samples), casBlock-c.cas.i)
		chunk := samples[:k]
		samples = samples[k:]
		c.cas.add(chunk)
		if c.open {
			dst = c.listen(dst, chunk)
		}
		c.n += int64(k)
		if c.cas.i == casBlock {
			dst = c.endBlock(dst)
		}
	}
	return c.logged(dst, start)
}

// listen runs the window's receivers over chunk.
//
// The acknowledgement needs no special care even when the mark follows it
// without a gap: its two tones beat in the FSK receiver's 7-sample
// filters, so it never holds the bit decision at mark for more than about
// ten samples, and the mark period after it starts afresh.
func (c *CallWaiting) listen(dst []Result, chunk []int16) []Result {
	c.dig = c.digits.Detect(c.dig[:0], chunk)
	for _, g := range c.dig {
		if (g.Key == 'D' || g.Key == 'A') && c.ack == 0 {
			c.ack = g.Key
		}
	}
	from := len(dst)
	dst = c.fsk.process(dst, chunk)
	if len(dst) > from {
		for i := from; i < len(dst); i++ {
			dst[i].CallWaiting, dst[i].Ack = true, c.ack
		}
		// One message per alerting signal.
		c.close()
	}
	return dst
}

// endBlock acts on the end of a 5 ms block: the alerting signal
// detector's decision and the window's deadlines.
func (c *CallWaiting) endBlock(dst []Result) []Result {
	switch c.cas.endBlock() {
	case casCandidate:
		if !c.open {
			c.openWindow()
		}
	case casConfirmed:
		c.alerts++
		c.log.Debug("callerid: alerting signal", "sample", c.n)
		if c.open && !c.confirmed {
			c.confirmed = true
			c.deadline = c.n + cwWait
			c.hardEnd = c.deadline + cwMaxMessage
		}
	case casRejected:
		if c.open && !c.confirmed {
			c.close()
		}
	}
	if !c.open || !c.confirmed {
		return dst
	}
	idle := c.fsk.state == hunting && len(c.fsk.msg) == 0
	switch {
	case c.n >= c.deadline && idle:
		c.close()
	case c.n >= c.hardEnd:
		dst = c.flushWindow(dst)
	}
	return dst
}

// openWindow starts listening for the acknowledgement and the message.
func (c *CallWaiting) openWindow() {
	c.open, c.confirmed, c.ack = true, false, 0
	c.fsk.reset()
	c.fsk.n = c.n
	if r, ok := c.digits.(resetter); ok {
		r.Reset()
	}
}

func (c *CallWaiting) close() {
	c.open, c.confirmed = false, false
	c.fsk.endMessage()
}

// flushWindow ends the window, reporting a message in progress truncated.
func (c *CallWaiting) flushWindow(dst []Result) []Result {
	from := len(dst)
	dst = c.fsk.flush(dst)
	for i := from; i < len(dst); i++ {
		dst[i].CallWaiting, dst[i].Ack = true, c.ack
	}
	c.close()
	return dst
}

// Flush ends the input: a message in progress is reported truncated.
func (c *CallWaiting) Flush(dst []Result) []Result {
	start := len(dst)
	if c.open && c.confirmed {
		dst = c.flushWindow(dst)
	}
	c.close()
	return c.logged(dst, start)
}

// Reset forgets everything, including the sample count and Alerts.
func (c *CallWaiting) Reset() {
	c.cas.reset()
	c.fsk.reset()
	if r, ok := c.digits.(resetter); ok {
		r.Reset()
	}
	c.open, c.confirmed, c.ack = false, false, 0
	c.n, c.alerts = 0, 0
}

// logged logs the rejections among dst[start:].
func (c *CallWaiting) logged(dst []Result, start int) []Result {
	if !c.log.Enabled(context.Background(), slog.LevelDebug) {
		return dst
	}
	for _, r := range dst[start:] {
		if r.Err != nil {
			// The error texts carry lengths and checksums, never digits.
			c.log.Debug("callerid: call-waiting message rejected", "result", r)
		}
	}
	return dst
}
