package gpio_test

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"fairrec/board"
	fgpio "fairrec/drivers/gpio"
	"fairrec/drivers/gpio/pintest"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpioreg"
	"periph.io/x/conn/v3/gpio/gpiotest"
)

// edgePin is a fake pin whose edges the test hands over one at a time;
// waits counts the watcher's calls to WaitForEdge, so the test knows when
// the watcher has handled an edge (it calls again only after).
type edgePin struct {
	*gpiotest.Pin
	edges chan struct{}
	waits atomic.Int32
}

func (p *edgePin) WaitForEdge(timeout time.Duration) bool {
	p.waits.Add(1)
	select {
	case <-p.edges:
		return true
	case <-time.After(timeout):
		return false
	}
}

// pulse hands the watcher one falling edge and waits until it has handled it.
func (p *edgePin) pulse(t *testing.T) {
	t.Helper()
	n := p.waits.Load()
	p.edges <- struct{}{}
	deadline := time.Now().Add(5 * time.Second)
	for p.waits.Load() < n+1 || len(p.edges) > 0 {
		if time.Now().After(deadline) {
			t.Fatal("the edge watcher did not take the edge")
		}
		time.Sleep(time.Millisecond)
	}
	// Taken; handled once the watcher waits again.
	for m := p.waits.Load(); p.waits.Load() == m; {
		if time.Now().After(deadline) {
			t.Fatal("the edge watcher did not come back")
		}
		time.Sleep(time.Millisecond)
	}
}

// TestPulsedRingLatchesEdges: on a board whose ring sense pulses, a pulse
// that came and went between two reads still reads as ringing once, and
// the next read without a pulse reads idle.
func TestPulsedRingLatchesEdges(t *testing.T) {
	b := board.Sim(1)
	b.RingPulsed = true
	pintest.RegisterT(t, pinNames(b)...)
	name := b.Lines[0].Ring
	if err := gpioreg.Unregister(name); err != nil {
		t.Fatal(err)
	}
	ring := &edgePin{Pin: &gpiotest.Pin{N: name, L: gpio.High, EdgesChan: make(chan gpio.Level)}, edges: make(chan struct{})}
	if err := gpioreg.Register(ring); err != nil {
		t.Fatal(err)
	}
	p, err := fgpio.Open(b)
	if err != nil {
		t.Fatal(err)
	}
	r := p.Lines[0].Ring
	if _, ok := r.(*fgpio.Pulsed); !ok {
		t.Fatalf("ring sense is a %T, want a *gpio.Pulsed", r)
	}
	if r.Read() != gpio.High {
		t.Fatal("ring sense active before any pulse")
	}
	ring.pulse(t) // the pin itself stays High: the pulse is over
	if r.Read() != gpio.Low {
		t.Error("a pulse between two reads was not read as ringing")
	}
	if r.Read() != gpio.High {
		t.Error("a pulse read twice: the latch was not cleared by the first read")
	}
	ring.Out(gpio.Low) // a steady level reads as it is
	if first, second := r.Read(), r.Read(); first != gpio.Low || second != gpio.Low {
		t.Errorf("a steady ring level reads %v then %v, want active (Low) both times", first, second)
	}
	done := make(chan error)
	go func() { done <- p.Close() }()
	select {
	case err := <-done:
		if err != nil {
			t.Error(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not stop the edge watcher")
	}
}

// TestPulsedRingNeedsEdges: a pin that cannot detect edges is refused with
// the pin and its role, not read without the latch (which would miss rings).
func TestPulsedRingNeedsEdges(t *testing.T) {
	b := board.Sim(1)
	b.RingPulsed = true
	pintest.RegisterT(t, pinNames(b)...) // gpiotest pins without EdgesChan cannot detect edges
	_, err := fgpio.Open(b)
	if err == nil || !strings.Contains(err.Error(), "line 1 ring sense as a pulsed input with edge detection") {
		t.Fatalf("Open: %v, want an error naming the ring sense", err)
	}
}
