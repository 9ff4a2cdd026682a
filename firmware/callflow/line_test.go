package callflow_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"

	"fairrec/firmware/callflow"
	"fairrec/firmware/clock/clocktest"
	"fairrec/firmware/dsp"
	"fairrec/storage/vault"
)

// store is a fake callflow.Store that records what the line does.
type store struct {
	next         vault.ID
	recs         map[vault.ID]*rec
	createErr    error
	appendErr    error
	addCallerErr error
}

type rec struct {
	meta   vault.Meta
	notes  string
	erased bool
	alaw   []byte
	sealed bool
	end    time.Time
}

func newStore() *store { return &store{recs: map[vault.ID]*rec{}} }

func (s *store) Create(m vault.Meta) (vault.ID, error) {
	if s.createErr != nil {
		return 0, s.createErr
	}
	s.next++
	s.recs[s.next] = &rec{meta: m, notes: m.Notes}
	return s.next, nil
}

func (s *store) Append(id vault.ID, b []byte) error {
	if s.appendErr != nil {
		return s.appendErr
	}
	r := s.recs[id]
	if r == nil || r.sealed || r.erased {
		return fmt.Errorf("append to %d: %w", id, vault.ErrSealed)
	}
	r.alaw = append(r.alaw, b...)
	return nil
}

func (s *store) Seal(id vault.ID, end time.Time) error {
	r := s.recs[id]
	if r == nil || r.sealed {
		return fmt.Errorf("seal %d: %w", id, vault.ErrSealed)
	}
	r.sealed, r.end = true, end
	return nil
}

func (s *store) Erase(id vault.ID) error {
	r := s.recs[id]
	if r == nil || r.erased {
		return fmt.Errorf("erase %d: %w", id, vault.ErrNotFound)
	}
	r.erased, r.alaw = true, nil
	return nil
}

func (s *store) AddCaller(id vault.ID, number string) error {
	if s.addCallerErr != nil {
		return s.addCallerErr
	}
	r := s.recs[id]
	if r == nil || r.sealed || r.erased {
		return fmt.Errorf("add caller %d: %w", id, vault.ErrSealed)
	}
	r.meta.Others = append(r.meta.Others, number)
	return nil
}

func (s *store) SetNotes(id vault.ID, notes string) error {
	r := s.recs[id]
	if r == nil || r.erased {
		return fmt.Errorf("set notes %d: %w", id, vault.ErrNotFound)
	}
	r.notes = notes
	return nil
}

// rig is a line at 8 kHz with fake pins; each frame carries its own index
// as a constant level, so a recording shows exactly which frames it kept.
type rig struct {
	t                  *testing.T
	line               *callflow.Line
	store              *store
	clock              *clocktest.Clock
	hook, ring, button *gpiotest.Pin
	led                *gpiotest.Pin
	frame              int
}

var t0 = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)

func newRig(t *testing.T) *rig {
	r := &rig{t: t, store: newStore(), clock: clocktest.New(t0)}
	pin := func(name string) *gpiotest.Pin { return &gpiotest.Pin{N: name, L: gpio.High} }
	r.hook, r.ring, r.button, r.led = pin("hook"), pin("ring"), pin("button"), pin("led")
	r.led.L = gpio.Low
	var err error
	r.line, err = callflow.New(callflow.Config{
		Line: 2, Hook: r.hook, Ring: r.ring, Button: r.button, LEDRecording: r.led,
		Store: r.store, Clock: r.clock,
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// frameLevel is the sample value of frame i: the decoded value of A-law
// code i, so that the code stored for a frame names the frame.
func frameLevel(i int) int16 { return dsp.ALawDecode(byte(i)) }

func frameAudio(i int) []int16 {
	f := make([]int16, dsp.FrameSamples)
	for k := range f {
		f[k] = frameLevel(i)
	}
	return f
}

// run feeds frames until frame `to` (exclusive), with the hook, ring and
// button pins given by the active functions of the frame index.
func (r *rig) run(to int, offHook func(int) bool) {
	for ; r.frame < to; r.frame++ {
		lvl := gpio.High
		if offHook(r.frame) {
			lvl = gpio.Low
		}
		r.hook.Out(lvl)
		r.clock.Advance(20 * time.Millisecond)
		r.line.Capture(frameAudio(r.frame))
	}
}

// frames decodes which frames a recording kept.
func frames(alaw []byte) []int {
	var got []int
	for i := 0; i+dsp.FrameSamples <= len(alaw); i += dsp.FrameSamples {
		got = append(got, int(alaw[i]))
	}
	return got
}

func span(from, to int) []int {
	var s []int
	for i := from; i < to; i++ {
		s = append(s, i)
	}
	return s
}

func between(from, to int) func(int) bool {
	return func(i int) bool { return i >= from && i < to }
}

func TestCallBoundariesInFrames(t *testing.T) {
	tests := []struct {
		name    string
		offHook func(int) bool
		want    [][]int // frames kept, per recording
	}{
		{"one call", between(10, 60), [][]int{span(10, 60)}},
		{"two calls", func(i int) bool { return between(5, 20)(i) || between(40, 70)(i) }, [][]int{span(5, 20), span(40, 70)}},
		{"bounce at start and end", func(i int) bool {
			// Contacts bounce when the handset is lifted and when it is put
			// down: the call runs from the first of three steady frames to
			// the last frame that read off hook.
			return i == 8 || i == 10 || between(12, 50)(i) || i == 51
		}, [][]int{span(12, 52)}},
		{"short on-hook glitch loses nothing", func(i int) bool {
			return between(10, 30)(i) || between(32, 50)(i)
		}, [][]int{append(append(span(10, 30), 30, 31), span(32, 50)...)}},
		{"glitch shorter than debounce starts nothing", between(20, 22), nil},
		{"minimum call: exactly the debounce", between(20, 23), [][]int{span(20, 23)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t)
			r.run(100, tc.offHook)
			var got [][]int
			for id := vault.ID(1); id <= r.store.next; id++ {
				rc := r.store.recs[id]
				if !rc.sealed {
					t.Errorf("recording %d not sealed", id)
				}
				if rc.meta.Line != 2 {
					t.Errorf("recording %d on line %d, want 2", id, rc.meta.Line)
				}
				got = append(got, frames(rc.alaw))
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("frames kept (-want +got):\n%s", diff)
			}
		})
	}
}

// TestStatusAndLED follows a call through Status: a change counts at the
// third frame that reads it.
func TestStatusAndLED(t *testing.T) {
	r := newRig(t)
	r.run(7, between(5, 100)) // frames 5 and 6 read off hook: not yet
	if got := r.line.Status(); got.OffHook || got.Recording != 0 || r.led.Read() != gpio.Low {
		t.Fatalf("two off-hook frames: status %+v, LED %v; want on hook, idle", got, r.led.Read())
	}
	r.run(8, between(5, 100)) // frame 7 confirms; 5 and 6 are kept
	st := r.line.Status()
	// Stored audio lags the line by the delay line (100 ms, 5 frames):
	// nothing is stored yet.
	if !st.OffHook || st.Recording != 1 || st.Frames != 0 || st.Calls != 1 || st.Phase != callflow.PhaseRecording {
		t.Errorf("in call: status %+v, want off hook, recording 1, 0 frames, 1 call", st)
	}
	if r.led.Read() != gpio.High {
		t.Error("recording LED is off during a recording")
	}
	r.ring.Out(gpio.Low)
	r.button.Out(gpio.Low)
	r.run(10, between(5, 100))
	if st := r.line.Status(); st.Ringing || st.Pressed {
		t.Errorf("ring and button held 2 frames: status %+v", st)
	}
	r.run(11, between(5, 100))
	st = r.line.Status()
	if !st.Ringing || !st.Pressed {
		t.Errorf("ring and button held 3 frames: status %+v", st)
	}
	r.run(20, between(5, 15))
	st = r.line.Status()
	if st.OffHook || st.Recording != 0 || r.led.Read() != gpio.Low {
		t.Errorf("after on hook: status %+v, LED %v", st, r.led.Read())
	}
	if end := r.store.recs[1].end; !end.Equal(t0.Add(18 * 20 * time.Millisecond)) {
		t.Errorf("sealed at %v, want the clock at the confirming frame", end)
	}
}

func TestStoreErrors(t *testing.T) {
	r := newRig(t)
	r.store.createErr = errors.New("disk full")
	r.run(30, between(5, 20))
	if st := r.line.Status(); st.Fault == "" || st.Recording != 0 {
		t.Errorf("failed create: status %+v, want a fault and no recording", st)
	}
	// The next call records again and clears the fault.
	r.store.createErr = nil
	r.run(60, between(40, 50))
	if st := r.line.Status(); st.Fault != "" || st.Calls != 1 {
		t.Errorf("next call: status %+v", st)
	}
	if got := frames(r.store.recs[1].alaw); !cmp.Equal(got, span(40, 50)) {
		t.Errorf("next call kept frames %v", got)
	}
	// An append failure seals what was kept and faults the line.
	r.run(70, between(65, 100))
	r.store.appendErr = errors.New("vault closed")
	r.run(75, between(65, 100))
	st := r.line.Status()
	if st.Fault == "" || st.Recording != 0 || !r.store.recs[2].sealed {
		t.Errorf("append failure: status %+v, sealed %v", st, r.store.recs[2].sealed)
	}
}

func TestCloseSeals(t *testing.T) {
	r := newRig(t)
	r.run(30, between(5, 100))
	end := t0.Add(time.Hour)
	if err := r.line.Close(end); err != nil {
		t.Fatal(err)
	}
	rc := r.store.recs[1]
	if !rc.sealed || !rc.end.Equal(end) {
		t.Errorf("Close: sealed %v at %v", rc.sealed, rc.end)
	}
	if got := frames(rc.alaw); !cmp.Equal(got, span(5, 30)) {
		t.Errorf("kept frames %v", got)
	}
	if err := r.line.Close(end); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestNoHookPinNeverRecords(t *testing.T) {
	s := newStore()
	l, err := callflow.New(callflow.Config{Line: 1, Store: s, Clock: clocktest.New(t0)})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 50; i++ {
		l.Capture(frameAudio(i))
	}
	if s.next != 0 {
		t.Errorf("a line without hook sense created %d recordings", s.next)
	}
}

func TestResampledCapture(t *testing.T) {
	s := newStore()
	hook := &gpiotest.Pin{N: "hook", L: gpio.Low}
	l, err := callflow.New(callflow.Config{Line: 1, Rate: 48000, Hook: hook, Store: s, Clock: clocktest.New(t0)})
	if err != nil {
		t.Fatal(err)
	}
	// 2 s of a 1 kHz tone at -10 dBm0 in uneven chunks.
	tone := make([]int16, 96000)
	dsp.Sine(tone, 48000, 1000, -10, 0)
	for i := 0; i < len(tone); i += 700 {
		l.Capture(tone[i:min(i+700, len(tone))])
	}
	l.Close(t0)
	alaw := s.recs[1].alaw
	if n := len(alaw) / dsp.FrameSamples; n < 98 || n > 100 {
		t.Errorf("2 s at 48 kHz gave %d frames, want about 100", n)
	}
	pcm := make([]int16, len(alaw))
	dsp.DecodeALaw(pcm, alaw)
	if lvl := dsp.LevelDBm0(pcm[800:]); lvl < -10.5 || lvl > -9.5 {
		t.Errorf("tone level after 48k->8k and A-law: %.2f dBm0, want -10", lvl)
	}
}
