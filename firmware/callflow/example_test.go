package callflow_test

import (
	"fmt"
	"time"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"

	"fairrec/firmware/callflow"
	"fairrec/firmware/clock/clocktest"
	"fairrec/firmware/dsp"
	"fairrec/firmware/notice"
	"fairrec/storage/vault"
)

// printStore stands in for the vault and says what the line asks of it.
type printStore struct{ bytes int }

func (s *printStore) Create(m vault.Meta) (vault.ID, error) {
	fmt.Println("create a recording for line", m.Line)
	return 1, nil
}

func (s *printStore) Append(id vault.ID, alaw []byte) error {
	s.bytes += len(alaw)
	return nil
}

func (s *printStore) Seal(id vault.ID, end time.Time) error {
	fmt.Printf("seal recording %s: %d A-law bytes, %v of audio\n", id, s.bytes, time.Duration(s.bytes)*time.Second/dsp.LineRate)
	return nil
}

func (s *printStore) Erase(id vault.ID) error { fmt.Println("erase recording", id); return nil }

func (s *printStore) SetNotes(id vault.ID, notes string) error { return nil }

func (s *printStore) AddCaller(id vault.ID, number string) error { return nil }

// A line records from the first frame its hook reads off to the last frame
// before it reads on again; it is fed 20 ms frames here, at 8 kHz.
func Example() {
	hook := &gpiotest.Pin{N: "hook", L: gpio.High} // on hook (inputs are active low)
	line, err := callflow.New(callflow.Config{
		Line:  1,
		Hook:  hook,
		Store: &printStore{},
		Clock: clocktest.New(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	frame := make([]int16, dsp.FrameSamples)
	for i := range 100 {
		switch i {
		case 10:
			hook.Out(gpio.Low) // the handset is lifted
		case 60:
			hook.Out(gpio.High) // and put down 50 frames (1 s) later
		}
		line.Capture(frame)
	}
	// Output:
	// create a recording for line 1
	// seal recording 1: 8000 A-law bytes, 1s of audio
}

// An answered call: the notice plays first, and recording starts when it
// has ended; a caller pressing 9 would stop it.
func Example_notice() {
	notices, err := notice.Load(notice.Config{}) // the built-in notices
	if err != nil {
		fmt.Println(err)
		return
	}
	hook := &gpiotest.Pin{N: "hook", L: gpio.High}
	ring := &gpiotest.Pin{N: "ring", L: gpio.High}
	line, err := callflow.New(callflow.Config{
		Line: 1, Hook: hook, Ring: ring,
		Store:   &printStore{},
		Clock:   clocktest.New(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)),
		Notices: notices, Language: "en",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	frame := make([]int16, dsp.FrameSamples)
	out := make([]int16, dsp.FrameSamples)
	last := callflow.PhaseIdle
	for i := range 60 * 50 { // one minute
		switch i {
		case 10:
			ring.Out(gpio.Low) // it rings
		case 60:
			ring.Out(gpio.High)
			hook.Out(gpio.Low) // and is answered
		case 50 * 50:
			hook.Out(gpio.High) // hung up at 50 s
		}
		line.Capture(frame)
		line.Playback(out) // the notice, then silence
		if st := line.Status(); st.Phase != last {
			fmt.Printf("%.1f s: %s\n", float64(i)/50, st.Phase)
			last = st.Phase
		}
	}
	// Output:
	// 1.2 s: notice
	// create a recording for line 1
	// 15.2 s: recording
	// seal recording 1: 278600 A-law bytes, 34.825s of audio
	// 50.0 s: idle
}
