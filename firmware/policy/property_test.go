package policy

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"fairrec/storage/vault"
)

// modelGrant is the test's own account of a grant: when it truly ends.
type modelGrant struct {
	purpose string
	base    time.Time // true start + retention
	max     time.Time // true start + the purpose's max (zero: none)
	holdEnd time.Time // while held: true hold time + hold max (capped by max)
	ended   time.Time // objection or request: when it ended (zero: not)
	objects bool      // an objection ends it
}

func (g *modelGrant) end() time.Time {
	e := g.base
	if !g.holdEnd.IsZero() && g.holdEnd.After(e) {
		e = g.holdEnd
	}
	if !g.ended.IsZero() && g.ended.Before(e) {
		e = g.ended
	}
	return e
}

type modelRec struct {
	id     vault.ID
	number string
	grants []*modelGrant
	gone   bool
}

// latest is when the recording's last grant truly ends: its latest
// legitimate deadline.
func (m *modelRec) latest() time.Time {
	var e time.Time
	for _, g := range m.grants {
		if x := g.end(); x.After(e) {
			e = x
		}
	}
	return e
}

// TestPropertyNeverEarlyNeverLate runs random sequences of calls,
// objections, holds, releases, erasure requests, clock jumps, NTP fixes
// and restarts (with time off) against a model of when each grant truly
// ends. After every step: a recording gone is one whose latest deadline
// has passed (never early); a recording still there is one whose latest
// deadline, plus the time the box was off, has not (never late).
func TestPropertyNeverEarlyNeverLate(t *testing.T) {
	seeds := 12
	if testing.Short() {
		seeds = 3
	}
	// make soak-policy runs many more.
	if n, err := strconv.Atoi(os.Getenv("FAIRREC_POLICY_SEEDS")); err == nil && n > 0 {
		seeds = n
	}
	for seed := range seeds {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) { propertyRun(t, uint64(seed)) })
	}
}

func propertyRun(t *testing.T, seed uint64) {
	rnd := rand.New(rand.NewPCG(seed, 0x5eed))
	rules := testRules(t)
	b := newBox(t, rules)
	if seed%2 == 1 {
		// A Pi without a battery clock: every boot waits for NTP.
		b.noRTC = true
		b.restart(0, time.Time{})
	}
	var recs []*modelRec
	holdMax := rules.HoldLimit()
	live := func() []*modelRec {
		var l []*modelRec
		for _, m := range recs {
			if !m.gone {
				l = append(l, m)
			}
		}
		return l
	}
	var log []string
	for step := range 90 {
		var op string
		switch k := rnd.IntN(100); {
		case k < 25:
			line := []int{1, 3}[rnd.IntN(2)]
			objected := rnd.IntN(10) == 0
			op = fmt.Sprintf("call line %d objected=%v", line, objected)
			number := fmt.Sprintf("+3120555%04d", len(recs))
			id := b.call(line, number, objected)
			if id == 0 {
				break
			}
			m := &modelRec{id: id, number: number}
			for _, name := range rules.Profile(line).Purposes {
				p := rules.Purpose(name)
				if objected && p.Objection != Continues {
					continue
				}
				g := &modelGrant{purpose: name, base: p.Retention.Add(b.now), objects: p.Objection != Continues}
				if !p.Max.IsZero() {
					g.max = p.Max.Add(b.now)
				}
				m.grants = append(m.grants, g)
			}
			recs = append(recs, m)
		case k < 40:
			d := []time.Duration{time.Minute, time.Hour, day, 10 * day, 45 * day, 200 * day}[rnd.IntN(6)]
			d = time.Duration(rnd.Int64N(int64(d))) + time.Second
			op = fmt.Sprintf("advance %v", d)
			b.advance(d)
		case k < 50:
			// Close to the next deadline, where an early erasure shows.
			var next time.Time
			for _, m := range live() {
				if l := m.latest(); l.After(b.now) && (next.IsZero() || l.Before(next)) {
					next = l
				}
			}
			if next.IsZero() {
				continue
			}
			d := next.Sub(b.now) - time.Duration(rnd.Int64N(int64(3*day)))
			if d <= 0 {
				d = next.Sub(b.now)
			}
			op = fmt.Sprintf("advance %v, near a deadline", d)
			b.advance(d)
		case k < 58:
			l := live()
			if len(l) == 0 {
				continue
			}
			m := l[rnd.IntN(len(l))]
			op = fmt.Sprintf("object %v", m.id)
			if _, err := b.e.Object(m.id, caller); err != nil {
				t.Fatalf("%s: %v", op, err)
			}
			for _, g := range m.grants {
				if g.objects && g.ended.IsZero() {
					g.ended = b.now
				}
			}
		case k < 63:
			l := live()
			if len(l) == 0 {
				continue
			}
			m := l[rnd.IntN(len(l))]
			op = fmt.Sprintf("erasure request %v", m.id)
			if _, err := b.e.EraseCaller(m.number, supervisor); err != nil {
				t.Fatalf("%s: %v", op, err)
			}
			for _, g := range m.grants {
				if g.objects && g.ended.IsZero() {
					g.ended = b.now
				}
			}
		case k < 72:
			// Holds only while the bound is the true time, so the model
			// knows which grants the engine still sees as running.
			l := live()
			if len(l) == 0 || !b.k.Trusted() || !b.k.Now().Equal(b.now) {
				continue
			}
			m := l[rnd.IntN(len(l))]
			op = fmt.Sprintf("hold %v", m.id)
			_, err := b.e.Hold(m.id, "complaint", supervisor)
			held := false
			// The engine holds the grants it still has (one may outlive
			// its true end by the time the box was off).
			running := map[string]bool{}
			if in, err := b.v.Info(m.id); err == nil {
				for _, g := range in.Grants {
					running[g.Purpose] = b.k.Now().Before(effective(g, b.k.Steps()))
				}
			}
			for _, g := range m.grants {
				p := rules.Purpose(g.purpose)
				if !p.Hold || !running[g.purpose] {
					continue
				}
				h := holdMax.Add(b.now)
				if !g.max.IsZero() && g.max.Before(h) {
					h = g.max
				}
				g.holdEnd, held = h, true
			}
			if held != (err == nil) {
				t.Fatalf("%s: %v, model expected held=%v", op, err, held)
			}
		case k < 78:
			l := live()
			if len(l) == 0 {
				continue
			}
			m := l[rnd.IntN(len(l))]
			op = fmt.Sprintf("release %v", m.id)
			if _, err := b.e.Release(m.id, supervisor); err == nil {
				for _, g := range m.grants {
					if !g.holdEnd.IsZero() {
						if b.now.Before(g.holdEnd) {
							g.holdEnd = b.now
						}
					}
				}
			}
		case k < 84:
			wall := []time.Time{b.now.AddDate(5, 0, 0), b.now.Add(-3 * day), time.Unix(0, 0)}[rnd.IntN(3)]
			op = fmt.Sprintf("clock jumps to %v", wall)
			b.jump(wall)
		case k < 90:
			op = "NTP fixes the clock"
			b.jump(b.now)
			if err := b.e.Confirm(supervisor); err != nil {
				t.Fatal(err)
			}
		default:
			off := time.Duration(rnd.Int64N(int64(5 * day)))
			// The clock at boot: right, 1970, behind, years ahead, or -
			// on a board without a battery clock - where it stopped (a
			// Pi's fake-hwclock: it agrees with the saved bound but
			// misses the time off). A battery clock is taken on trust
			// when it agrees, so it never stops in this test.
			walls := []time.Time{{}, {}, time.Unix(0, 0), b.k.Now().Add(-3 * day), b.now.Add(off).AddDate(5, 0, 0)}
			if b.noRTC {
				walls = append(walls, b.k.Now(), b.now.Add(-3*day))
			}
			wall := walls[rnd.IntN(len(walls))]
			op = fmt.Sprintf("restart after %v off, clock %v", off, wall)
			b.restart(off, wall)
		}
		b.sweep()
		log = append(log, fmt.Sprintf("%d %v: %s", step, b.now.Format(time.RFC3339), op))
		for _, m := range recs {
			if m.gone {
				continue
			}
			latest := m.latest()
			if !b.exists(m.id) {
				m.gone = true
				if b.now.Before(latest) {
					t.Fatalf("recording %v erased early: at %v, latest deadline %v\n%s", m.id, b.now, latest, tail(log))
				}
				continue
			}
			if late := b.now.Sub(latest); late > b.off+time.Second {
				t.Fatalf("recording %v kept %v past its latest deadline %v (box off %v)\n%s", m.id, late, latest, b.off, tail(log))
			}
		}
	}
}

func tail(log []string) string {
	if len(log) > 15 {
		log = log[len(log)-15:]
	}
	s := ""
	for _, l := range log {
		s += l + "\n"
	}
	return s
}
