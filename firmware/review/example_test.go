package review_test

import (
	"fmt"
	"io"
	"strings"
	"time"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"

	"fairrec/firmware/clock/clocktest"
	"fairrec/firmware/policy"
	"fairrec/firmware/review"
	"fairrec/storage/audit"
	"fairrec/storage/vault"
)

// oneRecording stands in for the vault: recording 7, one second of A-law
// silence, granted for quality.
type oneRecording struct{}

func (oneRecording) Info(id vault.ID) (vault.Info, error) {
	if id != 7 {
		return vault.Info{}, vault.ErrNotFound
	}
	return vault.Info{ID: 7, Line: 1, Start: time.Date(2026, 11, 2, 14, 5, 0, 0, time.UTC), Duration: time.Second}, nil
}

func (o oneRecording) List(vault.Query) ([]vault.Info, error) {
	in, err := o.Info(7)
	return []vault.Info{in}, err
}

func (oneRecording) Audio(vault.ID) (io.ReadCloser, error) {
	return io.NopCloser(strings.NewReader(strings.Repeat("\xd5", 8000))), nil
}

// quality stands in for the policy engine: recording 7 may be reviewed
// under quality.
type quality struct{}

func (quality) Review(id vault.ID) (string, error) { return "quality", nil }

func (quality) Access(vault.ID, string) error { return nil }

func (quality) Rules() *policy.Rules { return policy.Default() }

// The console selects a recording, the supervisor presses the button, and
// the audio loop hands the review output to Fill, one 20 ms period at a
// time.
func Example() {
	button := &gpiotest.Pin{N: "supervisor", L: gpio.High} // released (active low)
	p, err := review.New(review.Config{
		Rate:   48000,
		Button: button,
		Store:  oneRecording{},
		Policy: quality{},
		Clock:  clocktest.New(time.Date(2026, 11, 3, 9, 0, 0, 0, time.UTC)),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	answer, err := p.Select(7, audit.Actor{Kind: audit.ActorRole, ID: "supervisor"}) // `review 7` at the console
	fmt.Println(answer, err)

	out := make([]int16, 960) // one period of the review channel
	for i := range 200 {      // 4 s
		switch i {
		case 10:
			button.Out(gpio.Low) // pressed ...
		case 20:
			button.Out(gpio.High) // ... and released 200 ms later
		}
		p.Fill(out)
		if i == 30 {
			fmt.Println(p.Status())
		}
	}
	fmt.Println(p.Status())
	// Output:
	// recording 7 (line 1, 2026-11-02 14:05 UTC, 1.0s) selected for review under quality: press the playback button within 10m0s <nil>
	// recording 7 playing under quality: 0.2s of 1.0s
	// nothing selected for review (type review ID)
	// last: recording 7: playback completed after 1.0s under quality
}
