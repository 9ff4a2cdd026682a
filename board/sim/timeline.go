package sim

import (
	"math"
	"slices"
	"sort"
)

// span is a half-open interval of samples [from, to) during which an input
// is active: held, or (period > 0) pulsing from from on, active for the
// first duty of every period samples, as a ring-sense optocoupler on the AC
// ring voltage does.
type span struct {
	from, to     int64
	period, duty float64
}

// transition is the moment an input becomes active or idle; an active one
// may pulse (period > 0) until the next.
type transition struct {
	at           int64
	active       bool
	period, duty float64
}

// Ring sense duty cycles: an optocoupler conducts while the ring voltage
// is above its threshold, about 40% of each cycle behind a half-wave
// rectifier and 80% of each half cycle behind a bridge.
const halfWaveDuty, fullWaveDuty = 0.4, 0.8

// timeline is an input's transitions in sample order; before the first one
// the input is idle.
type timeline []transition

// activeAt reports whether the input is active at sample s: events due at or
// before s have happened.
func (tl timeline) activeAt(s int64) bool {
	i := sort.Search(len(tl), func(i int) bool { return tl[i].at > s }) - 1
	return i >= 0 && tl[i].active
}

// anyActive reports whether the input is active at any sample in [a, b):
// what a latch of its edges between two reads reports (drivers/gpio's for
// a pulsed ring-sense input).
func (tl timeline) anyActive(a, b int64) bool {
	i := max(sort.Search(len(tl), func(i int) bool { return tl[i].at > a })-1, 0)
	for ; i < len(tl) && tl[i].at < b; i++ {
		t := tl[i]
		if !t.active {
			continue
		}
		lo, hi := max(a, t.at), b
		if i+1 < len(tl) {
			hi = min(hi, tl[i+1].at)
		}
		if lo >= hi {
			continue
		}
		if t.period <= 0 {
			return true
		}
		u := math.Mod(float64(lo-t.at), t.period)
		if u < t.duty*t.period || float64(lo)+t.period-u < float64(hi) {
			return true
		}
	}
	return false
}

// pulsed reports whether any of the input's activity pulses.
func (tl timeline) pulsed() bool {
	return slices.ContainsFunc(tl, func(t transition) bool { return t.period > 0 })
}

// newTimeline merges overlapping spans (two presses that overlap hold the
// button down throughout) into transitions.
func newTimeline(spans []span) timeline {
	spans = slices.Clone(spans)
	slices.SortFunc(spans, func(a, b span) int {
		switch {
		case a.from < b.from:
			return -1
		case a.from > b.from:
			return 1
		}
		return 0
	})
	var tl timeline
	for i := 0; i < len(spans); {
		cur := spans[i]
		i++
		for i < len(spans) && spans[i].from <= cur.to {
			cur.to = max(cur.to, spans[i].to)
			i++
		}
		if cur.to <= cur.from {
			continue
		}
		tl = append(tl, transition{at: cur.from, active: true, period: cur.period, duty: cur.duty})
		if cur.to != math.MaxInt64 {
			tl = append(tl, transition{at: cur.to, active: false})
		}
	}
	return tl
}

// lineSpans returns the hook, ring and button spans of one line's events.
func (sc *Scenario) lineSpans(evs []Event) (hook, ring, button []span) {
	const forever = math.MaxInt64
	offAt, ringAt, ringEnd := int64(-1), int64(-1), int64(forever)
	var ringing Event
	// endRing closes the ring at at, or earlier if it was given a
	// duration: answering or a new ring cuts a timed ring short.
	endRing := func(at int64) {
		if ringAt >= 0 {
			ring = append(ring, sc.ringSpans(ringing, ringAt, min(at, ringEnd))...)
			ringAt = -1
		}
	}
	for _, e := range evs {
		at := sc.Sample(e.At)
		switch e.Kind {
		case OffHook:
			endRing(at)
			offAt = at
		case OnHook:
			hook = append(hook, span{from: offAt, to: at})
			offAt = -1
		case Ring:
			endRing(at)
			ringAt, ringEnd, ringing = at, forever, e
			if e.Duration > 0 {
				ringEnd = sc.Sample(e.At + e.Duration)
			}
		case RingOff:
			endRing(at)
		case Press:
			button = append(button, span{from: at, to: sc.Sample(e.At + e.Duration)})
		}
	}
	endRing(forever)
	if offAt >= 0 {
		hook = append(hook, span{from: offAt, to: forever})
	}
	return hook, ring, button
}

// ringSpans returns ring e's bursts from from to to: one, or one per on
// time of its cadence; each pulses if e gives a ring frequency.
func (sc *Scenario) ringSpans(e Event, from, to int64) []span {
	var period, duty float64
	if e.RingHz > 0 {
		period, duty = float64(sc.Rate)/e.RingHz, halfWaveDuty
		if e.FullWave {
			period, duty = period/2, fullWaveDuty
		}
	}
	if len(e.Cadence) == 0 {
		return []span{{from: from, to: to, period: period, duty: duty}}
	}
	// A ring "on" until answered runs to forever: its bursts end with
	// the scenario.
	to = min(to, sc.Sample(sc.End)+1)
	var spans []span
	for at, k := from, 0; at < to; k = (k + 2) % len(e.Cadence) {
		on, off := sc.Sample(e.Cadence[k]), sc.Sample(e.Cadence[k+1])
		spans = append(spans, span{from: at, to: min(at+on, to), period: period, duty: duty})
		at += on + off
	}
	return spans
}
