package sim

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"fairrec/firmware/wav"
)

// actions are the keys that make an event; each event has exactly one.
var actions = []string{"ring", "offhook", "onhook", "audio", "dtmf", "press"}

// options lists the extra keys each action accepts.
var options = map[string][]string{
	"audio": {"gain"},
	"ring":  {"ring_hz", "wave", "cadence"},
	"dtmf":  {"level", "on", "off"},
}

// parseEvent turns one inline table into an Event. Supervisor events may
// only press.
func parseEvent(raw map[string]any, dir string, supervisor bool) (Event, error) {
	var e Event
	at, ok := raw["at"]
	if !ok {
		return e, errors.New(`event without "at"`)
	}
	var err error
	if e.At, err = parseTime(at); err != nil {
		return e, fmt.Errorf("at: %w", err)
	}
	var action string
	for _, a := range actions {
		if _, ok := raw[a]; ok {
			if action != "" {
				return e, fmt.Errorf("event has both %q and %q; give one action per event", action, a)
			}
			action = a
		}
	}
	if action == "" {
		var keys []string
		for k := range raw {
			if k != "at" {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		if len(keys) > 0 {
			return e, fmt.Errorf("unknown event %q (want one of %s)", keys[0], strings.Join(actions, ", "))
		}
		return e, fmt.Errorf("event has no action (want one of %s)", strings.Join(actions, ", "))
	}
	if supervisor && action != "press" {
		return e, fmt.Errorf("supervisor event %q: the supervisor can only press", action)
	}
	for k := range raw {
		if k != "at" && k != action && !slices.Contains(options[action], k) {
			return e, fmt.Errorf("unknown key %q for a %s event", k, action)
		}
	}
	v := raw[action]
	switch action {
	case "ring":
		e.Kind = Ring
		switch x := v.(type) {
		case bool:
			if !x {
				e.Kind = RingOff
			}
		case string:
			switch strings.ToLower(x) {
			case "on":
			case "off":
				e.Kind = RingOff
			default:
				if e.Duration, err = parseTime(x); err != nil || e.Duration == 0 {
					return e, fmt.Errorf(`ring = %q: want "on", "off" or a duration such as "4s"`, x)
				}
			}
		default:
			if e.Duration, err = parseTime(x); err != nil || e.Duration == 0 {
				return e, fmt.Errorf(`ring = %v: want "on", "off" or a duration such as "4s"`, x)
			}
		}
		if err := parseRing(&e, raw); err != nil {
			return e, err
		}
	case "offhook", "onhook":
		e.Kind = OffHook
		if action == "onhook" {
			e.Kind = OnHook
		}
		if b, ok := v.(bool); !ok || !b {
			return e, fmt.Errorf("%s = %v: write %s = true", action, v, action)
		}
	case "audio":
		e.Kind = Audio
		name, ok := v.(string)
		if !ok || name == "" {
			return e, fmt.Errorf("audio = %v: want a WAV file name", v)
		}
		e.File = name
		if !filepath.IsAbs(name) {
			e.File = filepath.Join(dir, name)
		}
		if g, ok := raw["gain"]; ok {
			if e.Gain, err = number(g); err != nil || e.Gain < -60 || e.Gain > 20 {
				return e, fmt.Errorf("gain = %v: want dB between -60 and 20", g)
			}
		}
		if e.audio, err = readWAV(e.File); err != nil {
			return e, err
		}
	case "dtmf":
		e.Kind = DTMF
		digits, ok := v.(string)
		if !ok || digits == "" {
			return e, fmt.Errorf("dtmf = %v: want a string of digits", v)
		}
		e.Digits = strings.ToUpper(digits)
		for _, d := range e.Digits {
			if _, _, ok := dtmfPair(d); !ok {
				return e, fmt.Errorf("dtmf = %q: %q is not a DTMF digit (0-9, *, #, A-D)", digits, d)
			}
		}
		e.On, e.Off, e.Level = DefaultDTMFOn, DefaultDTMFOff, DefaultDTMFLevel
		for _, o := range []struct {
			key string
			d   *time.Duration
		}{{"on", &e.On}, {"off", &e.Off}} {
			if x, ok := raw[o.key]; ok {
				if *o.d, err = parseTime(x); err != nil || *o.d == 0 {
					return e, fmt.Errorf("%s = %v: want a duration such as \"70ms\"", o.key, x)
				}
				if *o.d > MaxDTMFTone {
					return e, fmt.Errorf("%s = %v: a DTMF tone or pause longer than %v (write e.g. \"70ms\")", o.key, x, MaxDTMFTone)
				}
			}
		}
		if l, ok := raw["level"]; ok {
			if e.Level, err = number(l); err != nil || e.Level < -60 || e.Level > 0 {
				return e, fmt.Errorf("level = %v: want dBm0 between -60 and 0", l)
			}
		}
	case "press":
		e.Kind = Press
		switch v {
		case "short":
			e.Duration = DefaultShort
		case "long":
			e.Duration = DefaultLong
		default:
			if e.Duration, err = parseTime(v); err != nil || e.Duration == 0 {
				return e, fmt.Errorf(`press = %v: want "short", "long" or a duration such as "1.5s"`, v)
			}
		}
	}
	return e, nil
}

// parseRing reads a ring's ring_hz, wave and cadence.
func parseRing(e *Event, raw map[string]any) error {
	_, hz := raw["ring_hz"]
	_, wave := raw["wave"]
	_, cadence := raw["cadence"]
	if e.Kind == RingOff && (hz || wave || cadence) {
		return errors.New("a ring that stops takes no ring_hz, wave or cadence")
	}
	if hz {
		f, err := number(raw["ring_hz"])
		if err != nil || f < MinRingHz || f > MaxRingHz {
			return fmt.Errorf("ring_hz = %v: want the ring frequency in Hz, %g to %g (25 in Europe, 20 in North America)", raw["ring_hz"], MinRingHz, MaxRingHz)
		}
		e.RingHz = f
	}
	if wave {
		switch raw["wave"] {
		case "half":
		case "full":
			e.FullWave = true
		default:
			return fmt.Errorf(`wave = %v: want "half" or "full"`, raw["wave"])
		}
		if !hz {
			return errors.New("wave needs ring_hz: a steady ring has no wave")
		}
	}
	if cadence {
		steps, ok := raw["cadence"].([]any)
		if !ok || len(steps) < 2 || len(steps)%2 != 0 {
			return fmt.Errorf(`cadence = %v: want on and off times in pairs, e.g. ["0.4s", "0.2s", "0.4s", "2s"]`, raw["cadence"])
		}
		var total time.Duration
		for _, v := range steps {
			d, err := parseTime(v)
			if err != nil || d < 20*time.Millisecond {
				return fmt.Errorf("cadence = %v: %v is not a time of at least 20ms", raw["cadence"], v)
			}
			total += d
			e.Cadence = append(e.Cadence, d)
		}
		if total > MaxCadence {
			return fmt.Errorf("cadence = %v: one cycle longer than %v", raw["cadence"], MaxCadence)
		}
	}
	return nil
}

// parseTime accepts a Go duration string ("2.5s", "1m30s", "500ms") or a
// number of seconds.
func parseTime(v any) (time.Duration, error) {
	var d time.Duration
	switch x := v.(type) {
	case string:
		var err error
		if d, err = time.ParseDuration(strings.TrimSpace(x)); err != nil {
			return 0, fmt.Errorf("bad time %q (write e.g. \"2.5s\", \"500ms\" or a number of seconds)", x)
		}
	case int64, float64:
		s, _ := number(x)
		if math.IsNaN(s) || math.IsInf(s, 0) || math.Abs(s) > MaxDuration.Seconds() {
			return 0, fmt.Errorf("bad time %v", x)
		}
		d = time.Duration(math.Round(s * float64(time.Second)))
	default:
		return 0, fmt.Errorf("bad time %v (write e.g. \"2.5s\" or a number of seconds)", v)
	}
	if d < 0 {
		return 0, fmt.Errorf("negative time %v", d)
	}
	if d > MaxDuration {
		return 0, fmt.Errorf("time %v beyond the maximum %v", d, MaxDuration)
	}
	return d, nil
}

func number(v any) (float64, error) {
	switch x := v.(type) {
	case int64:
		return float64(x), nil
	case float64:
		return x, nil
	}
	return 0, fmt.Errorf("not a number: %v", v)
}

func readWAV(path string) (*wav.Audio, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("audio: %w", err)
	}
	defer f.Close()
	a, err := wav.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("audio %s: %w", path, err)
	}
	if a.Channels < 1 || a.Rate < 1 {
		return nil, fmt.Errorf("audio %s: %d channels at %d Hz", path, a.Channels, a.Rate)
	}
	if len(a.Samples)/a.Channels == 0 {
		return nil, fmt.Errorf("audio %s: no samples", path)
	}
	return a, nil
}

// dtmfPair returns the row and column frequencies of a DTMF digit (ITU-T
// Q.23).
func dtmfPair(d rune) (low, high float64, ok bool) {
	const keys = "123A456B789C*0#D"
	i := strings.IndexRune(keys, d)
	if i < 0 {
		return 0, 0, false
	}
	rows := [4]float64{697, 770, 852, 941}
	cols := [4]float64{1209, 1336, 1477, 1633}
	return rows[i/4], cols[i%4], true
}
