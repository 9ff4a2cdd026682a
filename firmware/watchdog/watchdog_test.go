package watchdog_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"fairrec/drivers/sdnotify/sdnotifytest"
	"fairrec/firmware/appliance"
	"fairrec/firmware/callflow"
	"fairrec/firmware/clock/clocktest"
	"fairrec/firmware/watchdog"
	"fairrec/storage/vault"
)

var t0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

// counters is a fake pipeline and vault whose counters the test sets.
type counters struct {
	mu sync.Mutex
	h  appliance.Health
	v  vault.CommitHealth
}

func (c *counters) Health() appliance.Health {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.h
}

func (c *counters) CommitHealth() vault.CommitHealth {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.v
}

// step is one check: time passes, the counters move, and the check sends
// want (nothing: nil).
type step struct {
	after            time.Duration
	periods, dropped int64 // added to Processed, Dropped
	ticks            uint64
	failing, fault   bool
	sweeperDead      bool
	want             []string
}

const interval = 4 * time.Second // checks every 1 s

func TestCheck(t *testing.T) {
	ready := "READY=1"
	feed := "WATCHDOG=1"
	rec := "STATUS=recording: 2 lines"
	steady := step{after: time.Second, periods: 50, ticks: 1, want: []string{feed}}
	for _, tc := range []struct {
		name  string
		steps []step
	}{
		{"ready once audio and a commit went through", []step{
			{after: readyPoll},
			{after: readyPoll, periods: 5},
			{after: readyPoll, periods: 5, ticks: 1, want: []string{ready, rec, feed}},
			steady, steady,
		}},
		{"capture stops: feeding stops within half an interval", []step{
			{after: time.Second, periods: 50, ticks: 1, want: []string{ready, rec, feed}},
			{after: time.Second, ticks: 1, want: []string{feed}}, // 1 s without audio: within grace
			{after: time.Second, ticks: 1, want: []string{"STATUS=unhealthy: no audio from the sound interface for 2s"}},
			{after: time.Second, ticks: 1, want: []string{"STATUS=unhealthy: no audio from the sound interface for 3s"}},
			{after: time.Second, periods: 50, ticks: 1, want: []string{rec, feed}}, // back
		}},
		{"the vault cannot commit: feeding stops at once", []step{
			steadyReady(),
			{after: time.Second, periods: 50, ticks: 1, failing: true, want: []string{"STATUS=unhealthy: the vault cannot commit (see the journal)"}},
			{after: time.Second, periods: 50, ticks: 1, want: []string{rec, feed}},
		}},
		{"the commit loop hangs", []step{
			steadyReady(),
			{after: time.Second, periods: 50, want: []string{feed}},
			{after: time.Second, periods: 50, want: []string{feed}},
			{after: time.Second, periods: 50, want: []string{"STATUS=unhealthy: the vault has not committed for 3s"}},
		}},
		{"the worker falls behind", []step{
			steadyReady(),
			{after: time.Second, periods: 50, dropped: 20, ticks: 1, want: []string{"STATUS=recording: 2 lines; 20 periods lost since start", feed}},
			{after: time.Second, periods: 50, dropped: 30, ticks: 1, want: []string{"STATUS=unhealthy: the firmware is behind the sound interface: 30 of 50 periods lost"}},
		}},
		{"the sweeper stopped", []step{
			steadyReady(),
			{after: time.Second, periods: 50, ticks: 1, sweeperDead: true, want: []string{"STATUS=unhealthy: the retention sweeper stopped"}},
		}},
		{"no ready before the sweeper runs", []step{
			{after: readyPoll, periods: 5, ticks: 1, sweeperDead: true, want: []string{"STATUS=starting: the retention sweeper stopped"}},
		}},
		{"a line fault shows, the feeding goes on", []step{
			steadyReady(),
			{after: time.Second, periods: 50, ticks: 1, fault: true, want: []string{"STATUS=recording: 2 lines; line 2: no notice", feed}},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &counters{}
			clk := clocktest.New(t0)
			n := &sdnotifytest.Recorder{}
			var dead bool
			w, err := watchdog.New(watchdog.Config{Pipeline: c, Vault: c, Notifier: n, Interval: interval, Lines: 2, Clock: clk,
				Sweeper: func() bool { return !dead },
				Faults:  func() []string { return []string{"line 2: no notice"} }})
			if err != nil {
				t.Fatal(err)
			}
			w.Start()
			sent := len(n.States())
			for i, s := range tc.steps {
				clk.Advance(s.after)
				c.mu.Lock()
				c.h.Processed += s.periods
				c.h.Dropped += uint64(s.dropped)
				c.h.Fault = s.fault
				c.v.Ticks += s.ticks
				if s.failing {
					c.v.Failed++
				}
				c.v.Failing = s.failing
				c.mu.Unlock()
				dead = s.sweeperDead
				w.Check()
				got := n.States()[sent:]
				sent += len(got)
				if diff := cmp.Diff(s.want, got, cmpopts.EquateEmpty()); diff != "" {
					t.Fatalf("step %d sent (-want +got):\n%s", i, diff)
				}
			}
		})
	}
}

const readyPoll = 100 * time.Millisecond

// steadyReady is the first check of a pipeline that has run for a second.
func steadyReady() step {
	return step{after: time.Second, periods: 50, ticks: 1, want: []string{"READY=1", "STATUS=recording: 2 lines", "WATCHDOG=1"}}
}

// line is a line firmware that only counts.
type line struct{}

func (line) Capture([]int16)             {}
func (line) Playback(out []int16)        {}
func (line) Status() callflow.Status     { return callflow.Status{} }
func (line) PlaybackLost(from, to int64) {}
func (line) CaptureLost(from, to int64)  {}
func (line) Close(end time.Time) error   { return nil }

// TestRealPipeline drives a real appliance with an audio loop the test
// controls: the watchdog feeds while periods arrive and stops within one
// interval once they stop.
func TestRealPipeline(t *testing.T) {
	clk := clocktest.New(t0)
	app, err := appliance.New(appliance.Config{Rate: 8000, Period: 160, InChannels: 1, OutChannels: 1,
		Lines: []appliance.Wiring{{}}, Wait: true, Clock: clk,
		NewLine: func(int, appliance.Inputs, time.Duration) (appliance.Line, error) { return line{}, nil }})
	if err != nil {
		t.Fatal(err)
	}
	periods := make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- app.Run(ctx, func(ctx context.Context, process func(in, out [][]int16) error) error {
			in, out := [][]int16{make([]int16, 160)}, [][]int16{make([]int16, 160)}
			for {
				select {
				case <-ctx.Done():
					return nil
				case <-periods:
					if err := process(in, out); err != nil {
						return err
					}
				}
			}
		})
	}()
	defer func() { cancel(); <-done }()
	v := &counters{}
	n := &sdnotifytest.Recorder{}
	w, err := watchdog.New(watchdog.Config{Pipeline: app, Vault: v, Notifier: n, Interval: interval, Lines: 1, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	w.Start()
	// audio plays a second of periods through the pipeline and waits
	// until the worker has had them.
	audio := func(k int) {
		want := app.Health().Processed + int64(k)
		for range k {
			periods <- struct{}{}
		}
		deadline := time.Now().Add(10 * time.Second)
		for app.Health().Processed < want {
			if time.Now().After(deadline) {
				t.Fatal("the worker never processed the periods")
			}
			time.Sleep(time.Millisecond)
		}
	}
	var fed []time.Duration // when WATCHDOG=1 went out, since t0
	check := func() {
		v.mu.Lock()
		v.v.Ticks++
		v.mu.Unlock()
		before := len(n.States())
		w.Check()
		for _, s := range n.States()[before:] {
			if s == "WATCHDOG=1" {
				fed = append(fed, clk.Now().Sub(t0))
			}
		}
	}
	for range 5 {
		audio(50)
		clk.Advance(interval / 4)
		check()
	}
	if len(fed) != 5 || !strings.Contains(strings.Join(n.States(), "\n"), "READY=1") {
		t.Fatalf("while audio flows: fed at %v; sent %q", fed, n.States())
	}
	stopped := clk.Now().Sub(t0)
	for range 8 {
		clk.Advance(interval / 4)
		check()
	}
	last := fed[len(fed)-1]
	if last-stopped >= interval {
		t.Errorf("capture stopped at %v, the last feed was at %v: more than one interval (%v)", stopped, last, interval)
	}
	if len(fed) > 6 {
		t.Errorf("fed %d times after capture stopped at %v: %v", len(fed)-5, stopped, fed)
	}
}
