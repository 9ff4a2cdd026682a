package callflow_test

import (
	"errors"
	"log/slog"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"periph.io/x/conn/v3/gpio"

	"fairrec/firmware/callflow"
	"fairrec/firmware/dsp"
	"fairrec/firmware/notice"
)

// callWaiting renders what a line carries when the exchange announces a
// waiting caller during a call (ETSI EN 300 659-2 off-hook transmission):
// the 2130 + 2750 Hz alerting tone for 80 ms, the phone's DTMF D
// acknowledgement, then the V.23 call set-up message after 80 bits of mark.
func callWaiting(number string) []int16 {
	var sig []float64
	add := func(ms float64, dbm0 float64, freqs ...float64) {
		n := int(ms * dsp.LineRate / 1000)
		for i := range n {
			v := 0.0
			for _, f := range freqs {
				v += dsp.PeakForDBm0(dbm0) * math.Sin(2*math.Pi*f*float64(i)/dsp.LineRate)
			}
			sig = append(sig, v)
		}
	}
	add(80, -15, 2130, 2750)
	add(40, 0)
	add(65, -10, 941, 1633) // D
	add(60, 0)
	msg := []byte{0x80, byte(2 + len(number)), 0x02, byte(len(number))}
	msg = append(msg, number...)
	var sum byte
	for _, b := range msg {
		sum += b
	}
	msg = append(msg, -sum)
	var bits []bool
	for range 80 {
		bits = append(bits, true)
	}
	for _, b := range msg {
		bits = append(bits, false)
		for k := range 8 {
			bits = append(bits, b>>k&1 == 1)
		}
		bits = append(bits, true)
	}
	bits = append(bits, true, true, true, true)
	// 1200 baud, mark 1300 Hz, space 2100 Hz, phase continuous.
	var phase float64
	amp := dsp.PeakForDBm0(-15)
	for k, mark := range bits {
		f := 2100.0
		if mark {
			f = 1300
		}
		for range int64(k+1)*dsp.LineRate/1200 - int64(k)*dsp.LineRate/1200 {
			sig = append(sig, amp*math.Sin(phase))
			phase += 2 * math.Pi * f / dsp.LineRate
		}
	}
	out := make([]int16, len(sig))
	for i, v := range sig {
		out[i] = int16(math.Round(v))
	}
	return out
}

// TestCallWaitingIntoSealedMetadata: a caller announced by call waiting
// during a recorded call joins the recording's sealed metadata beside the
// caller; the call goes on being recorded.
func TestCallWaitingIntoSealedMetadata(t *testing.T) {
	f := newFlow(t, callflow.Config{})
	lead := lookup(t, notice.KindNotice)
	f.dial("A0201234567C", 100*time.Millisecond)
	f.until(2500 * time.Millisecond)
	f.ring.Out(gpio.Low)
	f.until(3500 * time.Millisecond)
	f.ring.Out(gpio.High)
	f.hook.Out(gpio.Low)
	answered := 3500*time.Millisecond + time.Duration(lead.Seconds()*float64(time.Second))
	f.clips = append(f.clips, clip{from: sample(answered + 2*time.Second), pcm: callWaiting("0612345678")})
	// The same caller announced again later is not added twice.
	f.clips = append(f.clips, clip{from: sample(answered + 5*time.Second), pcm: callWaiting("0612345678")})
	f.until(answered + 8*time.Second)
	f.hook.Out(gpio.High)
	f.until(answered + 9*time.Second)
	r := f.only()
	if r.meta.Caller != "0201234567" {
		t.Errorf("caller %q, want the CLIP number", r.meta.Caller)
	}
	if !slices.Equal(r.meta.Others, []string{"0612345678"}) {
		t.Errorf("other numbers %q, want the waiting caller once", r.meta.Others)
	}
	if !r.sealed || r.erased {
		t.Errorf("recording sealed %v, erased %v: the call must go on being recorded", r.sealed, r.erased)
	}
	if got := time.Duration(len(r.alaw)) * time.Second / dsp.LineRate; got < 7500*time.Millisecond {
		t.Errorf("%v recorded, want the whole call after the notice", got)
	}
}

// TestCallWaitingStoreFailure: a number the open recording failed to take
// is tried again before the recording is sealed.
func TestCallWaitingStoreFailure(t *testing.T) {
	f := newFlow(t, callflow.Config{})
	lead := lookup(t, notice.KindNotice)
	f.ring.Out(gpio.Low)
	f.until(time.Second)
	f.ring.Out(gpio.High)
	f.hook.Out(gpio.Low)
	answered := time.Second + time.Duration(lead.Seconds()*float64(time.Second))
	f.clips = append(f.clips, clip{from: sample(answered + time.Second), pcm: callWaiting("0612345678")})
	f.store.addCallerErr = errors.New("disk busy")
	f.until(answered + 3*time.Second)
	if got := f.only().meta.Others; len(got) != 0 {
		t.Fatalf("others %q while the store fails", got)
	}
	f.store.addCallerErr = nil
	f.hook.Out(gpio.High)
	f.until(answered + 4*time.Second)
	if got := f.only().meta.Others; !slices.Equal(got, []string{"0612345678"}) {
		t.Errorf("others %q after the seal, want the waiting caller", got)
	}
}

// TestCallWaitingCutByOnHook: a call-waiting message still arriving when
// the call ends is reported as cut off, without its number, not lost
// unsaid; the number is in no log line.
func TestCallWaitingCutByOnHook(t *testing.T) {
	var logs strings.Builder
	f := newFlow(t, callflow.Config{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	lead := lookup(t, notice.KindNotice)
	f.ring.Out(gpio.Low)
	f.until(time.Second)
	f.ring.Out(gpio.High)
	f.hook.Out(gpio.Low)
	answered := time.Second + time.Duration(lead.Seconds()*float64(time.Second))
	at := answered + time.Second
	f.clips = append(f.clips, clip{from: sample(at), pcm: callWaiting("0612345678")})
	f.until(at + 280*time.Millisecond) // the alerting tone and ack are over; the FSK is under way
	f.hook.Out(gpio.High)
	f.until(at + time.Second)
	if got := f.only().meta.Others; len(got) != 0 {
		t.Errorf("others %q from a message cut by the on-hook", got)
	}
	if !strings.Contains(logs.String(), "call-waiting caller ID rejected") {
		t.Errorf("no word of the cut message in the log:\n%s", logs.String())
	}
	if strings.Contains(logs.String(), "0612345678") {
		t.Error("the log holds the number")
	}
}
