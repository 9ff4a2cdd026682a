package audio

import (
	"errors"
	"fmt"

	"github.com/gordonklaus/portaudio"
)

// The errors callers branch on (with errors.Is):
var (
	// ErrNoDevice means a configured device name matched no device (or
	// several, or one without enough channels). The wrapping message lists
	// the devices PortAudio sees.
	ErrNoDevice = errors.New("no such audio device")

	// ErrDeviceGone means the device failed during I/O: unplugged, a host
	// (ALSA) error, or it stopped delivering frames. The stream is unusable;
	// Close it and Open again.
	ErrDeviceGone = errors.New("audio device gone")

	// ErrClosed means the stream was used after Close.
	ErrClosed = errors.New("audio stream closed")
)

// isOverflow and isUnderflow recognise xruns: PortAudio still transferred
// the frames, so they are counted, not returned.
func isOverflow(err error) bool  { return errors.Is(err, portaudio.InputOverflowed) }
func isUnderflow(err error) bool { return errors.Is(err, portaudio.OutputUnderflowed) }

// ioError wraps a PortAudio error from Pa_ReadStream/Pa_WriteStream. Errors
// that mean the device is no longer usable wrap ErrDeviceGone too, so callers
// can tell "reopen" from a programming error.
func ioError(op string, err error) error {
	var host portaudio.UnanticipatedHostError
	if errors.As(err, &host) {
		return hostError{op: op, host: host}
	}
	if gone(err) {
		return fmt.Errorf("audio: %s: %w: %w", op, ErrDeviceGone, err)
	}
	return fmt.Errorf("audio: %s: %w", op, err)
}

// gone reports whether a PortAudio I/O error means the device is gone.
// ALSA reports an unplugged USB interface as a host error (ENODEV, EIO,
// EBADFD from snd_pcm_*) or PortAudio gives up polling with paTimedOut;
// a stream PortAudio no longer knows (terminated under us) is as dead.
func gone(err error) bool {
	var host portaudio.UnanticipatedHostError
	if errors.As(err, &host) {
		return true
	}
	for _, e := range []error{
		portaudio.DeviceUnavailable,
		portaudio.TimedOut,
		portaudio.InternalError,
		portaudio.NotInitialized,
		portaudio.BadStreamPtr,
		portaudio.StreamIsStopped,
	} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// hostError is a host API (ALSA) failure during I/O. Its message names the
// layer and code, which the host's text alone ("Input/output error") hides.
type hostError struct {
	op   string
	host portaudio.UnanticipatedHostError
}

func (e hostError) Error() string {
	h := e.host
	// PortAudio sometimes reports a host error without recording which one
	// (seen under load: type -1, code 0, no text), and the binding's
	// HostApiType.String panics on an unknown type.
	api := fmt.Sprintf("host API %d", int(h.HostApiType))
	if h.HostApiType >= portaudio.InDevelopment && h.HostApiType <= portaudio.AudioScienceHPI {
		api = h.HostApiType.String()
	}
	if h.Code == 0 && h.Text == "" {
		return fmt.Sprintf("audio: %s: %v: unanticipated host error (PortAudio kept no details)", e.op, ErrDeviceGone)
	}
	return fmt.Sprintf("audio: %s: %v: %s host error %d: %s", e.op, ErrDeviceGone, api, h.Code, h.Text)
}

func (e hostError) Unwrap() []error { return []error{ErrDeviceGone, e.host} }
