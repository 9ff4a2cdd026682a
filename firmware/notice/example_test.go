package notice_test

import (
	"fmt"

	"fairrec/firmware/dsp"
	"fairrec/firmware/notice"
)

// A line loads its notices at startup, plays the notice frame by frame
// when a call is answered, and stores the receipt with the recording.
func Example() {
	lib, err := notice.Load(notice.Config{}) // built-in defaults only
	if err != nil {
		fmt.Println(err) // names every rejected file and why
	}
	n, err := lib.Lookup(notice.Key{Profile: "default", Language: "nl", Kind: notice.KindNotice})
	if err != nil {
		fmt.Println("this line must not record:", err)
		return
	}
	var lineSample int64 = 48_000 // the line's sample counter when the call was answered
	p := n.Play(lineSample)
	frame := make([]int16, dsp.FrameSamples)
	for {
		_, done := p.Next(frame)
		// ... frame goes to the line's output channel ...
		lineSample += dsp.FrameSamples
		if done {
			break
		}
	}
	r := p.Receipt()
	fmt.Println(r.Name, r.Complete, r.EndSample-r.StartSample == int64(n.Duration))
	// Recording starts at r.EndSample: not one sample from before is kept.

	// After an objection: the sales profile has no confirmation of its
	// own, so the default profile's plays.
	c, _ := lib.Lookup(notice.Key{Profile: "sales", Language: "nl", Kind: notice.KindConfirm})
	fmt.Println(c.Name)
	// Output:
	// default.nl.notice.mp3 true true
	// default.nl.confirm.mp3
}

// An objection during the notice cuts it off; the receipt says so.
func ExamplePlayer_Stop() {
	n, err := notice.LoadFile(notice.Defaults(), "sales.en.notice.mp3")
	if err != nil {
		fmt.Println(err)
		return
	}
	p := n.Play(0)
	frame := make([]int16, dsp.FrameSamples)
	for range 50 { // one second
		p.Next(frame)
	}
	p.Stop() // the caller pressed 9
	r := p.Receipt()
	fmt.Println(r.Complete, r.Played)
	// Output: false 8000
}
