package review_test

import (
	"io"
	"runtime"
	"testing"
	"time"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"

	"fairrec/firmware/clock/clocktest"
	"fairrec/firmware/policy"
	"fairrec/firmware/review"
	"fairrec/storage/vault"
)

// endless is a two-hour recording made up as it is read, so that the
// benchmark measures what the player holds, not the test's copy.
type endless struct{}

const twoHours = 2 * 3600 * vault.BytesPerSecond

func (endless) Info(vault.ID) (vault.Info, error) {
	return vault.Info{ID: 1, Line: 1, Duration: 2 * time.Hour, Bytes: twoHours}, nil
}

func (e endless) List(vault.Query) ([]vault.Info, error) {
	in, err := e.Info(1)
	return []vault.Info{in}, err
}

func (endless) Audio(vault.ID) (io.ReadCloser, error) {
	return io.NopCloser(io.LimitReader(&tone{}, twoHours)), nil
}

type tone struct{ n int }

func (t *tone) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(t.n*37) ^ 0x55
		t.n++
	}
	return len(p), nil
}

type allow struct{}

func (allow) Review(vault.ID) (string, error) { return "quality", nil }
func (allow) Access(vault.ID, string) error   { return nil }
func (allow) Rules() *policy.Rules            { return policy.Default() }

// BenchmarkPlayback plays a two-hour recording at 48 kHz, one second of
// audio per op (ns/op is the CPU a second of playback costs), and reports
// the heap the player added, which must not grow with the recording's
// length (the daemon's resident target is 40 MB; the recording is 57.6 MB).
func BenchmarkPlayback(b *testing.B) {
	btn := &gpiotest.Pin{N: "supervisor", L: gpio.High}
	p, err := review.New(review.Config{Rate: 48000, Button: btn, Store: endless{}, Policy: allow{},
		Clock: clocktest.New(time.Date(2026, 11, 3, 9, 0, 0, 0, time.UTC))})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := p.Select(1, selector); err != nil {
		b.Fatal(err)
	}
	out := make([]int16, 960)
	btn.Out(gpio.Low)
	for range 10 {
		p.Fill(out)
	}
	btn.Out(gpio.High)
	for range 10 {
		p.Fill(out)
	}
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	var peak uint64
	b.ResetTimer()
	for i := range b.N {
		for range 50 {
			p.Fill(out)
		}
		if i%600 == 0 {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc-min(base, ms.HeapAlloc))
		}
	}
	b.StopTimer()
	if st := p.Status(); st.Phase != review.Playing && b.N < 7200 {
		b.Fatalf("stopped playing after %d s: %+v", b.N, st)
	}
	b.ReportMetric(float64(peak)/(1<<10), "heap-KiB")
}
