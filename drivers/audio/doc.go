// Package audio is the appliance's sound interface: one PortAudio stream that
// captures N line channels and plays M channels as 16-bit linear PCM, read and
// written per channel in periods of frames. It is the only cgo in fairrec.
//
// # Streams
//
// [Open] takes a [Config] whose zero value is a mono duplex stream on the
// host's default devices at the input device's default rate, in 20 ms
// periods. Devices are chosen by name: an exact PortAudio device name, or a
// substring (case-insensitive) that matches exactly one device able to carry
// the requested channels; the input and output device may differ. A name
// that matches nothing fails with [ErrNoDevice], and the message lists the
// devices PortAudio sees, so an installer can fix the configuration from the
// log line alone.
//
// [Stream.Read] fills one buffer per input channel (de-interleaving the
// device's frames) and [Stream.Write] plays one buffer per output channel;
// both accept any number of frames and move them in periods through buffers
// allocated at Open, so the steady state allocates nothing. [Stream.Run] is
// the loop the daemon owns: read one period, let the caller process it, write
// one period, until the context ends. A Stream is owned by one goroutine:
// Read, Write and Run are serialised with Close, so Close from another
// goroutine waits for the period in flight (at most one period on real
// hardware) rather than freeing PortAudio's stream under it.
//
// PortAudio is process-global: [Open] initialises it on the first stream and
// [Stream.Close] terminates it after the last, reference-counted under one
// mutex, because the Go binding's own counters and device cache are not safe
// for concurrent use. Devices are enumerated when PortAudio initialises, so a
// device plugged in while a stream is open is seen after all streams closed.
//
// # Xruns
//
// An xrun is a period the hardware had to drop: an input overflow (the
// caller read too late and the device overwrote captured frames) or an output
// underflow (the caller wrote too late and the device played silence).
// PortAudio's blocking API reports them as paInputOverflowed from
// Pa_ReadStream and paOutputUnderflowed from Pa_WriteStream, after it has
// still transferred the frames asked for. The driver therefore treats an xrun
// as a counted event, not an error: the data returned is valid, but there is
// a gap before it. [Stream.Overflows] and [Stream.Underflows] count them
// (safe from any goroutine), and the logger gets a warning at the 1st, 2nd,
// 4th, 8th, ... xrun of each kind, so a broken real-time setup is visible
// without flooding the log.
//
// Any other PortAudio error during I/O means the stream cannot continue: a
// USB interface that was unplugged, a host error from ALSA, a device that
// stopped answering (PortAudio times out). Those are wrapped as
// [ErrDeviceGone], stick to the stream (every later Read or Write returns the
// same error), and the caller should Close it and open again.
//
// # Testing without hardware: ALSA file PCMs
//
// ALSA's "file" plugin turns a file into a sound card: capture reads raw
// frames from an infile, playback writes raw frames to a file, and a "null"
// slave makes the device run as fast as the program reads and writes, far
// faster than real time. [FileConfig] writes such a configuration:
//
//	pcm.line { type file slave.pcm { type null } file "/dev/null" infile "in.raw" format "raw" }
//	pcm.out  { type file slave.pcm { type null } file "out.raw" format "raw" }
//	pcm.default { type asym capture.pcm "line" playback.pcm "out" }
//
// and a process that points ALSA_CONFIG_PATH at it before its first [Open]
// captures the infile and plays into the outfile bit-exactly (S16_LE,
// channels interleaved). The tests of this package and the simulated board
// (board/sim) run the real driver this way. The pitfalls, each found the hard
// way:
//
//   - ALSA_CONFIG_PATH replaces alsa.conf, and without a pcm.default PortAudio
//     aborts the whole process (SIGABRT, no error); [FileConfig] always
//     writes one.
//   - PortAudio reads the configuration once, when it initialises: set the
//     variable before the first Open. Tests that need several configurations
//     run each in a child process (this package's tests re-execute the test
//     binary).
//   - A missing infile makes ALSA drop the device and PortAudio silently
//     pick another one; [FileConfig.Write] refuses a missing infile, and
//     [Open] checks the ALSA_CONFIG_PATH files exist, because when ALSA
//     has no configuration PortAudio aborts the process.
//   - When the infile ends, capture repeats its last period forever: stop by
//     counting frames, never by waiting for the end. Without an infile,
//     capture is not silence but whatever the null slave's buffer held;
//     [FileConfig] reads /dev/zero then.
//   - Each stream open truncates the outfile.
//   - File PCMs accept any rate and channel count and report 44.1 kHz as
//     their default rate: set [Config.Rate] explicitly.
//   - ALSA splits ALSA_CONFIG_PATH at ':' and ' ', so the configuration's
//     path may hold neither; the paths inside it may.
//   - The race detector needs
//     -gcflags='github.com/gordonklaus/portaudio=-d=checkptr=0': the binding
//     passes its stream id to PortAudio as a pointer, which checkptr rejects
//     from the second stream a process opens (the first has id 0).
//   - PortAudio probes JACK when it initialises: set JACK_NO_START_SERVER=1
//     so the probe never starts a server (which would grab the sound card);
//     it still prints a few harmless "Cannot connect to server" lines.
//
// A device that vanishes mid-stream is made real with a playback file that
// is a pipe: ALSA feeds an Out of "|head -c 3200 >sink.raw" to the command,
// and once head exits every write fails with EPIPE, which PortAudio reports
// as an ALSA host I/O error, exactly as for an unplugged USB interface.
// Xruns cannot happen on file PCMs (nothing runs in real time); their
// counting is tested through a scripted PortAudio stream.
//
// The fake for code that must run without cgo is package
// fairrec/drivers/audio/audiotest.
package audio
