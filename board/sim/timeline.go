package sim

import (
	"math"
	"slices"
	"sort"
)

// span is a half-open interval of samples [from, to) during which an input
// is active.
type span struct{ from, to int64 }

// transition is the moment an input becomes active or idle.
type transition struct {
	at     int64
	active bool
}

// timeline is an input's transitions in sample order; before the first one
// the input is idle.
type timeline []transition

// activeAt reports whether the input is active at sample s: events due at or
// before s have happened.
func (tl timeline) activeAt(s int64) bool {
	i := sort.Search(len(tl), func(i int) bool { return tl[i].at > s }) - 1
	return i >= 0 && tl[i].active
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
		tl = append(tl, transition{cur.from, true})
		if cur.to != math.MaxInt64 {
			tl = append(tl, transition{cur.to, false})
		}
	}
	return tl
}

// lineSpans returns the hook, ring and button spans of one line's events.
func (sc *Scenario) lineSpans(evs []Event) (hook, ring, button []span) {
	const forever = math.MaxInt64
	offAt, ringAt, ringEnd := int64(-1), int64(-1), int64(forever)
	// endRing closes the ring burst at at, or earlier if it was given a
	// duration: answering or a new burst cuts a timed burst short.
	endRing := func(at int64) {
		if ringAt >= 0 {
			ring = append(ring, span{ringAt, min(at, ringEnd)})
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
			hook = append(hook, span{offAt, at})
			offAt = -1
		case Ring:
			endRing(at)
			ringAt, ringEnd = at, forever
			if e.Duration > 0 {
				ringEnd = sc.Sample(e.At + e.Duration)
			}
		case RingOff:
			endRing(at)
		case Press:
			button = append(button, span{at, sc.Sample(e.At + e.Duration)})
		}
	}
	endRing(forever)
	if offAt >= 0 {
		hook = append(hook, span{offAt, forever})
	}
	return hook, ring, button
}
