package policy

import (
	"context"
	"errors"
	"slices"
	"sort"
	"testing"
	"time"

	"fairrec/storage/audit"
	"fairrec/storage/vault"
)

// An acceptance case makes one call on a line and applies events to it.
// The expectations come from the rules: grants left after the events, and
// the true time (from t0) at which the recording must be erased: not a
// second before, and no later than a second after.
type accCase struct {
	name   string
	run    func(t *testing.T, b *box) vault.ID
	grants []string      // after run, sorted
	noRTC  bool          // the board has no battery clock
	erase  time.Duration // from t0; 0 means gone after run (or never recorded)
}

func object(t *testing.T, b *box, id vault.ID) Result {
	t.Helper()
	r, err := b.e.Object(id, caller)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func years(n int) time.Duration { return t0.AddDate(n, 0, 0).Sub(t0) }

func acceptanceCases() []accCase {
	const off = time.Hour
	return []accCase{
		{name: "quality+training/no event", grants: []string{"quality", "training"}, erase: 90 * day,
			run: func(t *testing.T, b *box) vault.ID { return b.call(1, "0201", false) }},
		{name: "quality+training/objection before notice",
			run: func(t *testing.T, b *box) vault.ID { return b.call(1, "0201", true) }},
		{name: "quality+training/objection after notice",
			run: func(t *testing.T, b *box) vault.ID {
				id := b.call(1, "0201", false)
				b.advance(10 * time.Second)
				if r := object(t, b, id); len(r.Erased) != 1 || len(r.Refused) != 0 {
					t.Errorf("objection result %+v", r)
				}
				return id
			}},
		{name: "contract/objection before notice",
			run: func(t *testing.T, b *box) vault.ID {
				st, err := b.e.Start(2, true, caller)
				if err != nil || st.Record || !slices.Equal(st.Refused, []string{"contract"}) {
					t.Errorf("start %+v, %v: want not recorded, contract refused (LED)", st, err)
				}
				return 0
			}},
		{name: "contract/objection after notice",
			run: func(t *testing.T, b *box) vault.ID {
				id := b.call(2, "0202", false)
				if r := object(t, b, id); len(r.Erased) != 1 || !slices.Equal(r.Refused, []string{"contract"}) {
					t.Errorf("objection result %+v", r)
				}
				return id
			}},
		{name: "contract/never completed", grants: []string{"contract"}, erase: years(1),
			run: func(t *testing.T, b *box) vault.ID { return b.call(2, "0202", false) }},
		{name: "contract/completed", grants: []string{"contract"}, erase: 130 * day,
			run: func(t *testing.T, b *box) vault.ID {
				id := b.call(2, "0202", false)
				if _, err := b.e.SetReference(id, "order-17", supervisor); err != nil {
					t.Fatal(err)
				}
				b.advance(100 * day)
				if _, err := b.e.Event("completed", " ORDER-17 ", supervisor); err != nil {
					t.Fatal(err)
				}
				return id
			}},
		{name: "contract/completed near the maximum", grants: []string{"contract"}, erase: years(1),
			run: func(t *testing.T, b *box) vault.ID {
				id := b.call(2, "0202", false)
				if _, err := b.e.SetReference(id, "order-18", supervisor); err != nil {
					t.Fatal(err)
				}
				b.advance(350 * day)
				if _, err := b.e.Event("completed", "order-18", supervisor); err != nil {
					t.Fatal(err)
				}
				return id
			}},
		{name: "legal+quality/objection after notice", grants: []string{"legal"}, erase: years(5),
			run: func(t *testing.T, b *box) vault.ID {
				id := b.call(3, "0203", false)
				if r := object(t, b, id); !slices.Equal(r.Kept, []string{"legal"}) || len(r.Erased) != 0 {
					t.Errorf("objection result %+v", r)
				}
				return id
			}},
		{name: "legal+quality/objection before notice", grants: []string{"legal"}, erase: years(5),
			run: func(t *testing.T, b *box) vault.ID { return b.call(3, "0203", true) }},
		{name: "quality/hold and release",
			run: func(t *testing.T, b *box) vault.ID {
				id := b.call(1, "0201", false)
				b.advance(80 * day)
				if _, err := b.e.Hold(id, "complaint-4", supervisor); err != nil {
					t.Fatal(err)
				}
				b.advance(120 * day)
				b.sweep()
				if !b.exists(id) {
					t.Fatal("held recording erased")
				}
				if _, err := b.e.Release(id, supervisor); err != nil {
					t.Fatal(err)
				}
				return id
			}},
		{name: "quality/hold never released", grants: []string{"quality"}, erase: 80*day + years(1),
			run: func(t *testing.T, b *box) vault.ID {
				id := b.call(1, "0201", false)
				b.advance(80 * day)
				if _, err := b.e.Hold(id, "complaint-5", supervisor); err != nil {
					t.Fatal(err)
				}
				return id
			}},
		{name: "quality+training/erasure request",
			run: func(t *testing.T, b *box) vault.ID {
				id := b.call(1, "+31 20 555 0101", false)
				b.advance(day)
				r, err := b.e.EraseCaller("0031205550101", supervisor)
				if err != nil || !slices.Equal(r.Erased, []vault.ID{id}) {
					t.Errorf("erasure %+v, %v", r, err)
				}
				return id
			}},
		{name: "legal+quality/erasure request restricts", grants: []string{"legal"}, erase: years(5),
			run: func(t *testing.T, b *box) vault.ID {
				id := b.call(3, "0203", false)
				r, err := b.e.EraseCaller("0203", supervisor)
				if err != nil || !slices.Equal(r.Restricted, []vault.ID{id}) || len(r.Erased) != 0 {
					t.Errorf("erasure %+v, %v", r, err)
				}
				if err := b.e.Access(id, "legal"); !errors.Is(err, ErrRestricted) {
					t.Errorf("access after request: %v, want ErrRestricted", err)
				}
				return id
			}},
		{name: "quality+training/clock in 1970", grants: []string{"quality", "training"}, erase: 90*day + off,
			run: func(t *testing.T, b *box) vault.ID {
				id := b.call(1, "0201", false)
				b.restart(off, time.Unix(0, 0))
				return id
			}},
		{name: "quality+training/clock behind", grants: []string{"quality", "training"}, erase: 90*day + off,
			run: func(t *testing.T, b *box) vault.ID {
				id := b.call(1, "0201", false)
				b.restart(off, b.now.Add(off-3*day))
				return id
			}},
		{name: "quality+training/clock 5 years ahead at boot", grants: []string{"quality", "training"}, erase: 90*day + off,
			run: func(t *testing.T, b *box) vault.ID {
				id := b.call(1, "0201", false)
				b.restart(off, b.now.Add(off).AddDate(5, 0, 0))
				return id
			}},
		{name: "quality+training/clock jumps 5 years ahead", grants: []string{"quality", "training"}, erase: 90 * day,
			run: func(t *testing.T, b *box) vault.ID {
				id := b.call(1, "0201", false)
				b.jump(b.now.AddDate(5, 0, 0))
				return id
			}},
		{name: "quality+training/recorded in 1970, then NTP", grants: []string{"quality", "training"}, erase: off + 10*time.Minute + 90*day,
			run: func(t *testing.T, b *box) vault.ID {
				b.restart(off, time.Unix(0, 0))
				b.advance(10 * time.Minute)
				id := b.call(1, "0201", false)
				if in, _ := b.v.Info(id); !in.Approximate {
					t.Error("recording made in 1970 not flagged approximate")
				}
				b.advance(10 * time.Minute)
				b.jump(b.now) // NTP sets the clock; it agrees with the bound within MaxJump
				return id
			}},
		{name: "quality+training/Pi without RTC, clock stopped while off, then NTP", noRTC: true,
			grants: []string{"quality", "training"}, erase: day + 90*day,
			run: func(t *testing.T, b *box) vault.ID {
				b.restart(day, b.k.Now()) // fake-hwclock: where it stopped
				id := b.call(1, "0201", false)
				b.advance(time.Minute)
				b.jump(b.now) // NTP steps the clock a day forward
				if err := b.e.Confirm(audit.Actor{Kind: audit.ActorDevice, ID: "ntp"}); err != nil {
					t.Fatal(err)
				}
				return id
			}},
	}
}

// TestAcceptance runs each case twice: with explicit sweeps, and with the
// sweeper running (Run) while fake time passes.
func TestAcceptance(t *testing.T) {
	for _, running := range []bool{false, true} {
		for _, c := range acceptanceCases() {
			name := c.name
			if running {
				name += "/running"
			}
			t.Run(name, func(t *testing.T) { acceptance(t, c, running) })
		}
	}
}

func acceptance(t *testing.T, c accCase, running bool) {
	b := newBox(t, testRules(t))
	if c.noRTC {
		b.noRTC = true
		b.restart(0, time.Time{})
	}
	id := c.run(t, b)
	settle := b.sweep
	if running {
		settle = b.run(t)
	}
	settle()
	var got []string
	if id != 0 {
		for p := range b.grants(id) {
			got = append(got, p)
		}
	}
	sort.Strings(got)
	if !slices.Equal(got, c.grants) {
		t.Fatalf("grants after events: %v, want %v", got, c.grants)
	}
	if c.erase == 0 {
		if id != 0 && b.exists(id) {
			t.Fatal("recording still exists")
		}
		return
	}
	due := t0.Add(c.erase)
	if b.now.Before(due.Add(-time.Second)) {
		b.advance(due.Add(-time.Second).Sub(b.now))
	}
	settle()
	if !b.exists(id) {
		t.Fatalf("erased early: before %v", due)
	}
	b.advance(due.Add(time.Second).Sub(b.now))
	settle()
	if b.exists(id) {
		t.Fatalf("not erased by deadline + 1 s (%v); grants %v", due, b.grants(id))
	}
}

// run starts the sweeper and returns a function that waits until it has
// handled the current time. The sweeper stops when the test ends.
func (b *box) run(t *testing.T) func() SweepResult {
	swept := make(chan SweepResult, 100)
	b.e.onSweep = func(r SweepResult) { swept <- r }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.e.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	return func() SweepResult {
		t.Helper()
		at := b.k.Now()
		for {
			select {
			case r := <-swept:
				if !r.Bound.Before(at) {
					return r
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("the sweeper did not handle %v", at)
			}
		}
	}
}

// TestRunErasesOnTime runs the sweeper and lets fake time pass: the
// recording is erased when the deadline is reached, not before.
func TestRunErasesOnTime(t *testing.T) {
	b := newBox(t, testRules(t))
	id := b.call(1, "0201", false)
	settle := b.run(t)
	settle()
	// Step through the first deadline in steps the sweeper must follow.
	for _, d := range []time.Duration{29 * day, day - time.Second, time.Second} {
		b.advance(d)
		settle()
	}
	if g := b.grants(id); len(g) != 1 {
		t.Fatalf("at the training deadline: grants %v", g)
	}
	b.advance(60*day - time.Millisecond)
	settle()
	if !b.exists(id) {
		t.Fatal("erased a millisecond early")
	}
	b.advance(time.Millisecond)
	settle()
	if b.exists(id) {
		t.Fatal("not erased at its deadline")
	}
}
