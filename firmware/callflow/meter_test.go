package callflow

import (
	"errors"
	"math"
	"strings"
	"testing"

	"fairrec/firmware/callerid"
	"fairrec/firmware/dsp"
	"fairrec/firmware/dtmf"
)

func sineFrames(dbm0 float64, frames int) [][]int16 {
	peak := dsp.PeakForDBm0(dbm0)
	var out [][]int16
	n := 0
	for range frames {
		f := make([]int16, dsp.FrameSamples)
		for i := range f {
			f[i] = int16(math.Round(peak * math.Sin(2*math.Pi*1004*float64(n)/dsp.LineRate)))
			n++
		}
		out = append(out, f)
	}
	return out
}

func TestMeterLevel(t *testing.T) {
	loud := sineFrames(-3, 20)
	tests := []struct {
		name   string
		frames [][]int16
		want   float64
	}{
		{"nothing yet", nil, dsp.SilenceDBm0},
		{"silence", [][]int16{make([]int16, dsp.FrameSamples)}, dsp.SilenceDBm0},
		{"one frame at -20", sineFrames(-20, 1), -20},
		{"window of -20", sineFrames(-20, 30), -20},
		{"-40", sineFrames(-40, 12), -40},
		{"0", sineFrames(0, 12), 0},
		// Loud frames older than the window no longer count.
		{"loud then -30", append(loud, sineFrames(-30, MeterFrames)...), -30},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var m meter
			for _, f := range tt.frames {
				m.frame(f)
			}
			got, n := m.level()
			if math.Abs(got-tt.want) > 0.05 || n != int64(len(tt.frames)) {
				t.Errorf("level = %.2f dBm0 after %d frames, want %.2f after %d", got, n, tt.want, len(tt.frames))
			}
		})
	}
}

func TestMeterEvents(t *testing.T) {
	var m meter
	m.digit(dtmf.Event{Kind: dtmf.Begin, Digit: '5', At: 800})
	m.digit(dtmf.Event{Kind: dtmf.End, Digit: '5', At: 1600}) // the end of the same key: not another event
	m.callerID(callerid.Result{Format: callerid.V23, Number: "0612345678"}, 2000, false)
	m.callerID(callerid.Result{Format: callerid.DTMF, Reason: callerid.ReasonWithheld}, 3000, false)
	m.callerID(callerid.Result{Format: callerid.Bell202, Err: errors.New("bad checksum")}, 4000, true)
	want := []string{"DTMF 5", "caller ID V.23: number received", "caller ID DTMF: number withheld", "call waiting: caller ID Bell 202: rejected"}
	ev := m.events()
	if len(ev) != len(want) {
		t.Fatalf("got %d events %v, want %d", len(ev), ev, len(want))
	}
	for i, e := range ev {
		if e.String() != want[i] || e.Seq != uint64(i+1) {
			t.Errorf("event %d = %d %q, want %d %q", i, e.Seq, e, i+1, want[i])
		}
		if strings.Contains(e.String(), "0612") {
			t.Errorf("event %d shows the caller's number: %q", i, e)
		}
	}
	// The ring keeps the most recent meterEvents, oldest first.
	for range 2 * meterEvents {
		m.digit(dtmf.Event{Kind: dtmf.Begin, Digit: '#'})
	}
	ev = m.events()
	if len(ev) != meterEvents || ev[0].Seq != uint64(4+meterEvents+1) || ev[len(ev)-1].Seq != uint64(4+2*meterEvents) {
		t.Errorf("after wrapping: %d events, seq %d..%d", len(ev), ev[0].Seq, ev[len(ev)-1].Seq)
	}
}
