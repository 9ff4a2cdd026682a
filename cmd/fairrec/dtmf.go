package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"fairrec/firmware/dtmf"
	"fairrec/firmware/wav"
)

func init() { register("dtmf", "scan WAV files for DTMF digits", runDTMF) }

// runDTMF decodes each WAV file (any rate, PCM/A-law/µ-law, mixed down and
// resampled to 8 kHz) and prints its digits: `<start_ms> <digit> <dur_ms>
// <level_dbm0>`, or one JSON object per digit with --json.
func runDTMF(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("dtmf", stderr)
	asJSON := fs.Bool("json", false, "print one JSON object per digit")
	profile := fs.String("profile", "etsi", "receiver limits: etsi, att or ntt")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: fairrec dtmf [--json] [--profile etsi|att|ntt] FILE.wav... (- reads stdin)")
		fs.PrintDefaults()
	}
	files, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return fmt.Errorf("%w: no WAV file given (- reads stdin)", errUsage)
	}
	var p dtmf.Profile
	switch *profile {
	case "etsi", "ETSI":
		p = dtmf.ETSI()
	case "att", "AT&T", "ATT":
		p = dtmf.ATT()
	case "ntt", "NTT":
		p = dtmf.NTT()
	default:
		return fmt.Errorf("%w: unknown profile %q (etsi, att, ntt)", errUsage, *profile)
	}
	enc := json.NewEncoder(stdout)
	for _, name := range files {
		events, err := scanDTMF(name, stdin, &p)
		if err != nil {
			return err
		}
		if len(files) > 1 && !*asJSON {
			fmt.Fprintf(stdout, "# %s\n", name)
		}
		for _, e := range events {
			if *asJSON {
				err = enc.Encode(struct {
					File  string  `json:"file"`
					T     int64   `json:"t_ms"`
					Digit string  `json:"digit"`
					Dur   int64   `json:"dur_ms"`
					Level float64 `json:"level_dbm0"`
				}{name, e.Start / 8, string(e.Digit), e.Duration / 8, round1(e.Level)})
			} else {
				_, err = fmt.Fprintf(stdout, "%d %c %d %.1f\n", e.Start/8, e.Digit, e.Duration/8, e.Level)
			}
			if err != nil {
				return fmt.Errorf("write: %w", err)
			}
		}
	}
	return nil
}

func round1(v float64) float64 {
	if v < 0 {
		return -round1(-v)
	}
	return float64(int64(v*10+0.5)) / 10
}

// scanDTMF returns the End events of one file ("-" is stdin).
func scanDTMF(name string, stdin io.Reader, p *dtmf.Profile) ([]dtmf.Event, error) {
	r := stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	a, err := wav.Decode(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	x, err := wav.Mono8k(a)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	d, err := dtmf.New(dtmf.Config{Profile: p})
	if err != nil {
		return nil, err
	}
	var all []dtmf.Event
	for i := 0; i < len(x); i += 160 {
		all = d.Process(all, x[i:min(i+160, len(x))])
	}
	all = d.Flush(all)
	out := all[:0]
	for _, e := range all {
		if e.Kind == dtmf.End {
			out = append(out, e)
		}
	}
	return out, nil
}
