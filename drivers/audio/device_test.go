package audio

import (
	"errors"
	"strings"
	"testing"

	"github.com/gordonklaus/portaudio"
)

// TestChoose covers device selection without PortAudio: the device list is
// what PortAudio would report for a Pi with a USB interface.
func TestChoose(t *testing.T) {
	dev := func(name string, in, out int) *portaudio.DeviceInfo {
		return &portaudio.DeviceInfo{Name: name, MaxInputChannels: in, MaxOutputChannels: out}
	}
	hdmi := dev("vc4-hdmi-0: MAI PCM i2s-hifi-0 (hw:0,0)", 0, 2)
	umc := dev("UMC1820: USB Audio (hw:1,0)", 10, 12)
	umcSys := dev("sysdefault:CARD=UMC1820", 128, 128)
	def := dev("default", 128, 128)
	devs := []*portaudio.DeviceInfo{hdmi, umc, umcSys, def}

	for _, tc := range []struct {
		name     string
		def      *portaudio.DeviceInfo
		dir      direction
		channels int
		want     *portaudio.DeviceInfo
		wantErr  string // substring; the error must also wrap ErrNoDevice
	}{
		{"exact", nil, capture, 4, umc, ""},
		{"", def, capture, 4, def, ""},
		{"", nil, playback, 1, nil, "(default): there is none"},
		{"default", nil, playback, 2, def, ""},  // exact beats the substring in "sysdefault"
		{"usb audio", nil, capture, 4, umc, ""}, // case-insensitive substring
		{"hdmi", nil, playback, 2, hdmi, ""},    // output-only device for output
		{"hdmi", nil, capture, 1, nil, "has 0 input channels, 1 needed"},
		{"UMC1820", nil, capture, 4, nil, `"UMC1820" is ambiguous`}, // both UMC names carry 4
		{"UMC1820", nil, capture, 12, umcSys, ""},                   // only one carries 12
		{"UMC1820: USB Audio (hw:1,0)", nil, playback, 13, nil, "has 12 output channels, 13 needed"},
		{"Scarlett", nil, capture, 2, nil, `"Scarlett" not found`},
	} {
		name := tc.name
		if name == "exact" {
			name = umc.Name
		}
		got, err := choose(devs, tc.def, name, tc.dir, tc.channels)
		if tc.wantErr != "" {
			if !errors.Is(err, ErrNoDevice) || !strings.Contains(err.Error(), tc.wantErr) ||
				!strings.Contains(err.Error(), `available: "vc4-hdmi-0`) {
				t.Errorf("choose(%q, %s, %d) error = %v, want ErrNoDevice with %q and the device list", name, tc.dir, tc.channels, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("choose(%q, %s, %d) = %v, %v; want %q", name, tc.dir, tc.channels, got, err, tc.want.Name)
		}
	}
}
