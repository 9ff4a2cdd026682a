package callerid

import (
	"fmt"

	"fairrec/firmware/dtmf"
)

// clipMinLevel is the weakest DTMF tone (dBm0) the CLIP digit detector must
// recognise. Q.24's -30 dBm0 is for keypads; caller ID must decode down to
// -40 dBm0 per tone like the FSK formats, so the profile is lowered to -42
// (the detector then ignores tones under -50).
const clipMinLevel = -42

// NewDTMFDetector returns the DigitDetector the Decoder uses by default: a
// firmware/dtmf Detector with the ETSI profile, its minimum level lowered
// to -42 dBm0 for caller ID.
func NewDTMFDetector() (DigitDetector, error) {
	p := dtmf.ETSI()
	p.Name = "ETSI caller ID"
	p.MinLevel = clipMinLevel
	det, err := dtmf.New(dtmf.Config{Profile: &p})
	if err != nil {
		return nil, fmt.Errorf("callerid: dtmf detector: %w", err)
	}
	return &dtmfDigits{det: det}, nil
}

// dtmfDigits adapts a dtmf.Detector to DigitDetector: a digit is passed on
// when its tone has ended, with the tone's estimated start and end.
type dtmfDigits struct {
	det *dtmf.Detector
	ev  []dtmf.Event
}

func (d *dtmfDigits) Detect(dst []Digit, samples []int16) []Digit {
	d.ev = d.det.Process(d.ev[:0], samples)
	return d.digits(dst)
}

// Flush ends a tone still sounding at the end of the input.
func (d *dtmfDigits) Flush(dst []Digit) []Digit {
	d.ev = d.det.Flush(d.ev[:0])
	return d.digits(dst)
}

func (d *dtmfDigits) Reset() { d.det.Reset() }

func (d *dtmfDigits) digits(dst []Digit) []Digit {
	for _, e := range d.ev {
		if e.Kind == dtmf.End {
			dst = append(dst, Digit{Key: e.Digit, Start: e.Start, End: e.Start + e.Duration})
		}
	}
	return dst
}
