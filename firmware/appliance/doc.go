// Package appliance runs the recorder: it owns the phone lines, the
// supervisor's review player, the fault LED and the pump between the sound
// interface and them, and reports the health of that pipeline.
//
// One sample's way: the sound interface's audio loop (drivers/audio) hands
// each period of N capture channels to Appliance.Process through the pump;
// the pump queues it for the worker, which hands line k's capture channel
// to its callflow.Line (resampled to 8 kHz, cut into 20 ms frames, run
// through hook, notice, DTMF objection and recording, stored by the vault)
// and collects each line's playback and the review output for the period
// the pump plays it in, Lead periods later.
//
// The pump decouples the two: the firmware's durable writes (fsyncs of
// tens of milliseconds on an SD card) stall the worker, never the capture.
// On a real board the audio loop never waits; a period whose playback is
// not ready plays silence and the lines are told (PlaybackLost), a period
// that finds the queue full is dropped and the lines get silence for it
// (CaptureLost), so their sample count stays the device's. The inputs are
// read in the audio loop with each period (Input) and handed to the lines
// with it. On the simulated board (Config.Wait) the loop waits for the
// worker instead, so every run is exactly repeatable.
//
// Invariants:
//   - every period captured reaches every line, in order, as captured or
//     (lost to a full queue) as silence;
//   - the fault LED is lit exactly while some line reports a fault, or
//     Config.BoxFault reports one of the box (the audit log found tampered
//     with at start);
//   - Run seals every recording in progress before it returns;
//   - Health is safe to call from any goroutine: it reads counters only.
//
// Time inside the pipeline is counted in samples; the Clock only dates the
// seal of the recordings open at shutdown.
package appliance
