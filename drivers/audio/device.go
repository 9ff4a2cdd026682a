package audio

import (
	"fmt"
	"os"
	"strings"
	"sync"

	"github.com/gordonklaus/portaudio"
)

// PortAudio is process-global, and the Go binding keeps an unguarded
// initialisation counter and device cache. pa serialises every call that
// touches them (Initialize, Terminate, device enumeration, OpenStream) and
// keeps PortAudio initialised while any stream is open. This is the one
// piece of package state the house style allows a driver: it mirrors state
// that already exists in the C library.
var pa struct {
	sync.Mutex
	refs int
}

// acquire initialises PortAudio for one more user. Call with pa locked.
func acquire() error {
	if pa.refs == 0 {
		if err := checkConfigPath(os.Getenv(ConfigPathEnv)); err != nil {
			return fmt.Errorf("audio: initialise PortAudio: %w", err)
		}
		noise, err := captureStderr(portaudio.Initialize)
		if err != nil {
			if noise != "" {
				err = fmt.Errorf("%w (%s)", err, strings.ReplaceAll(noise, "\n", "; "))
			}
			return fmt.Errorf("audio: initialise PortAudio: %w", err)
		}
	}
	pa.refs++
	return nil
}

// release drops one user; the last one terminates PortAudio, so the next
// Open enumerates devices afresh. Call with pa locked.
func release() error {
	if pa.refs == 0 {
		return nil
	}
	pa.refs--
	if pa.refs > 0 {
		return nil
	}
	if _, err := captureStderr(portaudio.Terminate); err != nil {
		return fmt.Errorf("audio: terminate PortAudio: %w", err)
	}
	return nil
}

// Device describes a device PortAudio sees.
type Device struct {
	Name           string
	InputChannels  int     // maximum input channels
	OutputChannels int     // maximum output channels
	DefaultRate    float64 // Hz
	HostAPI        string
}

func (d Device) String() string {
	return fmt.Sprintf("%q (%d in, %d out, %g Hz, %s)", d.Name, d.InputChannels, d.OutputChannels, d.DefaultRate, d.HostAPI)
}

// Devices lists the devices PortAudio sees, initialising it for the call if
// no stream is open.
func Devices() ([]Device, error) {
	pa.Lock()
	defer pa.Unlock()
	if err := acquire(); err != nil {
		return nil, err
	}
	defer release()
	infos, err := portaudio.Devices()
	if err != nil {
		return nil, fmt.Errorf("audio: list devices: %w", err)
	}
	out := make([]Device, len(infos))
	for i, d := range infos {
		out[i] = device(d)
	}
	return out, nil
}

func device(d *portaudio.DeviceInfo) Device {
	dev := Device{
		Name:           d.Name,
		InputChannels:  d.MaxInputChannels,
		OutputChannels: d.MaxOutputChannels,
		DefaultRate:    d.DefaultSampleRate,
	}
	if d.HostApi != nil {
		dev.HostAPI = d.HostApi.Name
	}
	return dev
}

// direction selects the channel count that matters for a lookup.
type direction int

const (
	capture direction = iota
	playback
)

func (d direction) String() string {
	if d == capture {
		return "input"
	}
	return "output"
}

func (d direction) max(info *portaudio.DeviceInfo) int {
	if d == capture {
		return info.MaxInputChannels
	}
	return info.MaxOutputChannels
}

// choose picks the device for name (see Config.Input) that can carry
// channels in direction dir. def is the host's default device for dir
// (nil if there is none). Errors wrap ErrNoDevice and list devs.
func choose(devs []*portaudio.DeviceInfo, def *portaudio.DeviceInfo, name string, dir direction, channels int) (*portaudio.DeviceInfo, error) {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("audio: %s device %s: %w; available: %s", dir, fmt.Sprintf(format, args...), ErrNoDevice, list(devs))
	}
	enough := func(d *portaudio.DeviceInfo) error {
		if dir.max(d) < channels {
			return fail("%q has %d %s channels, %d needed", d.Name, dir.max(d), dir, channels)
		}
		return nil
	}
	if name == "" {
		if def == nil {
			return nil, fail("(default): there is none")
		}
		return def, enough(def)
	}
	for _, d := range devs {
		if d.Name == name {
			return d, enough(d)
		}
	}
	var matches, able []*portaudio.DeviceInfo
	for _, d := range devs {
		if strings.Contains(strings.ToLower(d.Name), strings.ToLower(name)) {
			matches = append(matches, d)
			if dir.max(d) >= channels {
				able = append(able, d)
			}
		}
	}
	switch {
	case len(able) == 1:
		return able[0], nil
	case len(able) > 1:
		return nil, fail("%q is ambiguous: matches %s", name, list(able))
	case len(matches) > 0:
		return nil, enough(matches[0])
	}
	return nil, fail("%q not found", name)
}

// list formats device names for an error message, in PortAudio's order.
func list(devs []*portaudio.DeviceInfo) string {
	if len(devs) == 0 {
		return "none"
	}
	names := make([]string, len(devs))
	for i, d := range devs {
		names[i] = fmt.Sprintf("%q (%d in, %d out)", d.Name, d.MaxInputChannels, d.MaxOutputChannels)
	}
	return strings.Join(names, ", ")
}

// checkConfigPath checks the files ALSA_CONFIG_PATH names before PortAudio
// initialises: when ALSA cannot load its configuration, PortAudio aborts
// the process (SIGABRT) instead of returning an error. ALSA splits the
// variable at colons and spaces, so a path with a space is several paths.
func checkConfigPath(v string) error {
	if v == "" {
		return nil // ALSA's own alsa.conf
	}
	for _, p := range strings.FieldsFunc(v, func(r rune) bool { return r == ':' || r == ' ' }) {
		f, err := os.Open(p)
		if err != nil {
			return fmt.Errorf("%s=%q: %w (ALSA splits it at ':' and ' ')", ConfigPathEnv, v, err)
		}
		f.Close()
	}
	return nil
}
