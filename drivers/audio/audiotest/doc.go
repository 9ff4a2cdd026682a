// Package audiotest is a fake of fairrec/drivers/audio's Stream for tests
// that must run without PortAudio or cgo (firmware, daemon and board tests).
//
// A [Stream] has the same method set as *audio.Stream. What a test queues
// with [Stream.Queue] is what Read captures, channel by channel; when the
// queue is empty Read yields silence (like an idle line), so a daemon loop
// never starves. Everything written is recorded per output channel and
// returned by [Stream.Played]. [Stream.Fail] makes the next I/O fail with a
// given error (for example one wrapping audio.ErrDeviceGone), and
// [Stream.Xrun] counts xruns the way the real driver does. The fake moves
// frames instantly: time in a test is counted in frames, as in the firmware.
package audiotest
