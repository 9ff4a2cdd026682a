package callflow

import (
	"math"
	"sync"
	"sync/atomic"

	"fairrec/firmware/callerid"
	"fairrec/firmware/dsp"
	"fairrec/firmware/dtmf"
)

// MeterFrames is how many of the last frames Meter's level spans: 200 ms,
// long enough to steady the reading of speech, short enough to follow a
// gain knob as it turns.
const MeterFrames = 10

// meterEvents is how many recent events Meter keeps.
const meterEvents = 16

// Meter is what an installer's level meter shows of a line: the level of
// the last MeterFrames frames and the recent DTMF digits and caller-ID
// messages. It never holds a caller's number.
type Meter struct {
	Line    int
	DBm0    float64 // RMS of the last MeterFrames frames; dsp.SilenceDBm0 before the first
	Frames  int64   // frames the line has handled
	OffHook bool
	Ringing bool
	Events  []MeterEvent // the most recent, oldest first
}

// MeterEvent is a DTMF digit or a caller-ID message the line detected.
type MeterEvent struct {
	Seq   uint64 // 1 for the line's first event, then counting up
	At    int64  // line sample it was detected at
	Digit byte   // the DTMF digit; 0 for a caller ID
	// A caller ID: its format, whether it came during a call (call
	// waiting), whether it carried a number (never the number itself),
	// why not, and whether it was rejected (a bad checksum, ...).
	Format  callerid.Format
	Waiting bool
	Number  bool
	Reason  callerid.Reason
	Err     bool
}

// String describes the event without personal data.
func (e MeterEvent) String() string {
	if e.Digit != 0 {
		return "DTMF " + string(rune(e.Digit))
	}
	s := "caller ID " + e.Format.String()
	if e.Waiting {
		s = "call waiting: " + s
	}
	switch {
	case e.Err:
		return s + ": rejected"
	case e.Number:
		return s + ": number received"
	case e.Reason == callerid.ReasonWithheld:
		return s + ": number withheld"
	default:
		return s + ": no number"
	}
}

// meter collects a line's readings. The frame energies are written by
// the audio goroutine and read by any other without a lock; the rare
// events take a mutex.
type meter struct {
	energy [MeterFrames]atomic.Uint64 // sum of squares of each recent frame
	frames atomic.Int64

	mu  sync.Mutex
	ev  [meterEvents]MeterEvent
	seq uint64
}

// frame records one frame's energy: a few ns, no allocation.
func (m *meter) frame(f []int16) {
	var sum uint64
	for _, v := range f {
		x := int64(v)
		sum += uint64(x * x)
	}
	n := m.frames.Load()
	m.energy[n%MeterFrames].Store(sum)
	m.frames.Store(n + 1)
}

// level is the RMS of the recorded frames in dBm0.
func (m *meter) level() (float64, int64) {
	n := m.frames.Load()
	k := min(n, MeterFrames)
	if k == 0 {
		return dsp.SilenceDBm0, 0
	}
	var sum float64
	for i := range k {
		sum += float64(m.energy[i].Load())
	}
	return dsp.RMSDBm0(math.Sqrt(sum / float64(k*dsp.FrameSamples))), n
}

func (m *meter) add(e MeterEvent) {
	m.mu.Lock()
	m.seq++
	e.Seq = m.seq
	m.ev[m.seq%meterEvents] = e
	m.mu.Unlock()
}

// digit records the start of a DTMF digit.
func (m *meter) digit(e dtmf.Event) {
	if e.Kind == dtmf.Begin {
		m.add(MeterEvent{At: e.At, Digit: e.Digit})
	}
}

// callerID records a caller-ID message, without its number.
func (m *meter) callerID(r callerid.Result, at int64, waiting bool) {
	m.add(MeterEvent{At: at, Format: r.Format, Waiting: waiting, Number: r.Err == nil && r.Number != "", Reason: r.Reason, Err: r.Err != nil})
}

func (m *meter) events() []MeterEvent {
	m.mu.Lock()
	defer m.mu.Unlock()
	first := uint64(1)
	if m.seq >= meterEvents {
		first = m.seq - meterEvents + 1
	}
	var out []MeterEvent
	for s := first; s <= m.seq; s++ {
		out = append(out, m.ev[s%meterEvents])
	}
	return out
}

// Meter returns the line's level and recent events; safe from any
// goroutine, and cheap enough to call a few times a second.
func (l *Line) Meter() Meter {
	db, n := l.m.level()
	st := l.Status()
	return Meter{Line: st.Line, DBm0: db, Frames: n, OffHook: st.OffHook, Ringing: st.Ringing, Events: l.m.events()}
}
