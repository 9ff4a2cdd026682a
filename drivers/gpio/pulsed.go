package gpio

import (
	"fmt"
	"sync/atomic"
	"time"

	"periph.io/x/conn/v3/gpio"
)

// Pulsed is a ring-sense input that pulses at the ring frequency (see
// board.Board.RingPulsed), with its edges latched: Read reports Active when
// the pin is Active now or went Active at any moment since the previous
// Read. The firmware reads inputs once per 20 ms frame, and a pulse train
// sampled at that rate aliases (a 25 Hz half-wave train in step with the
// frames reads as always on or never on); latched, every frame a pulse
// touched reads as ringing, and firmware/debounce.Ring turns the train into
// one ring per burst.
//
// A goroutine waits for falling edges (idle High to active Low) through
// periph's WaitForEdge, which the kernel's GPIO character device or sysfs
// report by interrupt, so nothing polls; Close stops it and waits for it.
type Pulsed struct {
	gpio.PinIn
	seen       atomic.Bool
	stop, done chan struct{}
}

// edgeWait bounds one WaitForEdge, so that Close is never kept waiting for
// a pin that never changes.
const edgeWait = 100 * time.Millisecond

// newPulsed configures pin for falling edges and starts watching it.
func newPulsed(pin gpio.PinIO, role string) (*Pulsed, error) {
	if err := pin.In(gpio.PullUp, gpio.FallingEdge); err != nil {
		return nil, fmt.Errorf("gpio: configure %s for %s as a pulsed input with edge detection: %w", pin, role, err)
	}
	p := &Pulsed{PinIn: pin, stop: make(chan struct{}), done: make(chan struct{})}
	go p.watch()
	return p, nil
}

func (p *Pulsed) watch() {
	defer close(p.done)
	for {
		select {
		case <-p.stop:
			return
		default:
		}
		if p.PinIn.WaitForEdge(edgeWait) {
			p.seen.Store(true)
		}
	}
}

// Read reports Active if the pin is Active or was at any moment since the
// previous Read.
func (p *Pulsed) Read() gpio.Level {
	l := p.PinIn.Read()
	if p.seen.Swap(false) || l == Active {
		return Active
	}
	return gpio.High
}

// close stops the watcher and waits for it; safe to call twice.
func (p *Pulsed) close() {
	select {
	case <-p.stop:
	default:
		close(p.stop)
	}
	<-p.done
}
