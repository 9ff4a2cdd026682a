package main

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"fairrec/firmware/callerid"
	"fairrec/firmware/dsp"
	"fairrec/firmware/wav"
)

func init() {
	register("callerid", "decode caller ID (DTMF CLIP, V.23, Bell 202, call waiting) in WAV files", runCallerID)
}

const callerIDUsage = "usage: fairrec callerid [--json] [--formats v23,bell202,dtmf] [--channel N] FILE.wav..."

// runCallerID decodes every caller ID in each file and prints one line per
// message found, including the ones that were rejected (bad checksum,
// truncated), so an installer can tell a silent line from a damaged signal.
// Messages sent during a call (call waiting, after an alerting signal) are
// found too and marked "call-waiting"; the lines of the others keep the
// format installers' scripts read. The numbers are printed: the operator
// asked for them, and this is a terminal, not a log.
func runCallerID(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("callerid", stderr)
	asJSON := fs.Bool("json", false, "print one JSON object per line")
	formats := fs.String("formats", "v23,bell202,dtmf", "formats to decode, comma separated")
	channel := fs.Int("channel", 0, "decode only this channel (1 = first); 0 mixes all channels down")
	files, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return fmt.Errorf("%w: no WAV file given\n%s", errUsage, callerIDUsage)
	}
	f, err := parseCallerIDFormats(*formats)
	if err != nil {
		return err
	}
	if *channel < 0 {
		return fmt.Errorf("%w: --channel %d: want 0 (mix) or a channel number", errUsage, *channel)
	}
	for _, name := range files {
		x, err := readCallerIDAudio(name, *channel)
		if err != nil {
			return err
		}
		res, err := decodeCallerID(x, f)
		if err != nil {
			return err
		}
		prefix := ""
		if len(files) > 1 {
			prefix = name + ": "
		}
		if *asJSON {
			if err := printCallerIDJSON(stdout, name, res); err != nil {
				return err
			}
			continue
		}
		if len(res) == 0 {
			fmt.Fprintf(stdout, "%sno caller ID\n", prefix)
		}
		for _, r := range res {
			fmt.Fprintf(stdout, "%s%s\n", prefix, callerIDLine(r))
		}
	}
	return nil
}

// ackSlot is where, after an alerting signal is reported (at the end of
// the frame it ended in), the phone's acknowledgement may start: up to 100
// ms later, and up to a frame earlier.
const (
	ackSlotBefore = dsp.FrameSamples
	ackSlotAfter  = dsp.LineRate / 5
)

// decodeCallerID runs the on-hook decoder and, when an FSK format is asked
// for, the call-waiting decoder over x, and merges their results in order.
// The on-hook decoder also hears what goes with a call-waiting message: the
// message itself (it needs no alerting signal), whose copy is dropped, and
// the phone's acknowledgement, a lone 'D' or 'A' that it rejects as a
// truncated DTMF CLIP, which is dropped too.
func decodeCallerID(x []int16, f callerid.Format) ([]callerid.Result, error) {
	dec, err := callerid.NewDecoder(callerid.Config{Formats: f})
	if err != nil {
		return nil, err
	}
	var cw *callerid.CallWaiting
	if f&(callerid.V23|callerid.Bell202) != 0 {
		if cw, err = callerid.NewCallWaiting(callerid.Config{Formats: f}); err != nil {
			return nil, err
		}
	}
	var res, cwRes []callerid.Result
	var alerts []int64
	for len(x) > 0 {
		n := min(dsp.FrameSamples, len(x))
		res = dec.Process(res, x[:n])
		if cw != nil {
			before := cw.Alerts()
			cwRes = cw.Process(cwRes, x[:n])
			if cw.Alerts() > before {
				alerts = append(alerts, cw.Samples())
			}
		}
		x = x[n:]
	}
	res = dec.Flush(res)
	if cw == nil {
		return res, nil
	}
	cwRes = cw.Flush(cwRes)
	res = slices.DeleteFunc(res, func(r callerid.Result) bool {
		if r.Format == callerid.DTMF && r.Err != nil {
			return slices.ContainsFunc(alerts, func(a int64) bool {
				return r.Start >= a-ackSlotBefore && r.Start <= a+ackSlotAfter
			})
		}
		return slices.ContainsFunc(cwRes, func(c callerid.Result) bool {
			return r.Start <= c.End && c.Start <= r.End
		})
	})
	res = append(res, cwRes...)
	slices.SortStableFunc(res, func(a, b callerid.Result) int { return cmp.Compare(a.Start, b.Start) })
	return res, nil
}

func parseCallerIDFormats(s string) (callerid.Format, error) {
	var f callerid.Format
	for _, w := range strings.Split(s, ",") {
		switch strings.ToLower(strings.TrimSpace(w)) {
		case "v23", "v.23":
			f |= callerid.V23
		case "bell202", "bell", "bell 202":
			f |= callerid.Bell202
		case "dtmf":
			f |= callerid.DTMF
		case "fsk":
			f |= callerid.V23 | callerid.Bell202
		case "all":
			f |= callerid.AllFormats
		default:
			return 0, fmt.Errorf("%w: unknown format %q in --formats (want v23, bell202, dtmf)", errUsage, w)
		}
	}
	return f, nil
}

// readCallerIDAudio reads a WAV file as 8 kHz mono: one channel of it, or
// all mixed down.
func readCallerIDAudio(name string, channel int) ([]int16, error) {
	fh, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	a, err := wav.Decode(fh)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if channel > 0 {
		if channel > a.Channels {
			return nil, fmt.Errorf("%w: %s has %d channels, no channel %d", errUsage, name, a.Channels, channel)
		}
		one := make([]int16, a.Frames())
		for i := range one {
			one[i] = a.Samples[i*a.Channels+channel-1]
		}
		a = &wav.Audio{Rate: a.Rate, Channels: 1, Format: a.Format, Samples: one}
	}
	x, err := wav.Mono8k(a)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return x, nil
}

// callerIDLine is the human-readable line for one result.
func callerIDLine(r callerid.Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%.3fs ", float64(r.Start)/dsp.LineRate)
	if r.CallWaiting {
		b.WriteString("call-waiting ")
	}
	b.WriteString(r.Format.String())
	switch r.Type {
	case callerid.TypeCallSetup:
		b.WriteString(" call set-up")
	case callerid.TypeSDMF:
		b.WriteString(" SDMF")
	}
	if r.Err != nil {
		fmt.Fprintf(&b, " rejected: %v", r.Err)
		return b.String()
	}
	if r.Number != "" {
		b.WriteString(" number " + r.Number)
	} else {
		b.WriteString(" no number")
	}
	if r.Reason != callerid.ReasonNone {
		b.WriteString(" (" + r.Reason.String() + ")")
	}
	if r.Name != "" {
		b.WriteString(" name " + strconv.Quote(r.Name))
	}
	if r.NameReason != callerid.ReasonNone {
		b.WriteString(" name " + r.NameReason.String())
	}
	if r.Redirecting != "" {
		b.WriteString(" redirected by " + r.Redirecting)
	}
	if !r.Time.IsZero() {
		b.WriteString(" sent " + r.Time.String())
	}
	switch {
	case r.CallWaiting && r.Ack != 0:
		b.WriteString(" ack " + string(rune(r.Ack)))
	case r.CallWaiting:
		b.WriteString(" no ack heard")
	}
	return b.String()
}

// callerIDJSON is one --json line.
type callerIDJSON struct {
	File        string  `json:"file"`
	At          float64 `json:"at"` // seconds from the start of the file
	Format      string  `json:"format"`
	Type        int     `json:"type,omitempty"`
	Number      string  `json:"number,omitempty"`
	Reason      string  `json:"reason,omitempty"`
	Name        string  `json:"name,omitempty"`
	NameReason  string  `json:"name_reason,omitempty"`
	Redirecting string  `json:"redirecting,omitempty"`
	Time        string  `json:"time,omitempty"` // MM-DD hh:mm as sent, no year
	Start       int64   `json:"start"`          // samples at 8 kHz
	End         int64   `json:"end"`
	Error       string  `json:"error,omitempty"`
	// CallWaiting marks a message sent during a call; Ack is the
	// acknowledgement digit heard before it ("D" or "A"), if any.
	CallWaiting bool   `json:"call_waiting,omitempty"`
	Ack         string `json:"ack,omitempty"`
}

func printCallerIDJSON(w io.Writer, file string, res []callerid.Result) error {
	enc := json.NewEncoder(w)
	for _, r := range res {
		j := callerIDJSON{
			File: file, At: float64(r.Start) / dsp.LineRate, Format: r.Format.String(), Type: int(r.Type),
			Number: r.Number, Reason: r.Reason.String(), Name: r.Name, NameReason: r.NameReason.String(),
			Redirecting: r.Redirecting, Time: r.Time.String(), Start: r.Start, End: r.End,
			CallWaiting: r.CallWaiting,
		}
		if r.Ack != 0 {
			j.Ack = string(rune(r.Ack))
		}
		if r.Err != nil {
			j.Error = r.Err.Error()
		}
		if err := enc.Encode(j); err != nil {
			return err
		}
	}
	return nil
}
