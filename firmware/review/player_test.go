package review_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"periph.io/x/conn/v3/gpio"

	"fairrec/firmware/dsp"
	"fairrec/firmware/policy"
	"fairrec/firmware/review"
	"fairrec/storage/audit"
	"fairrec/storage/audit/audittest"
	"fairrec/storage/vault"
)

// locate returns where want begins in got, matching its first samples
// exactly, or -1.
func locate(got, want []int16) int {
	k := min(len(want), 200)
	for o := 0; o+k <= len(got); o++ {
		if slices.Equal(got[o:o+k], want[:k]) {
			return o
		}
	}
	return -1
}

// elsewhere gives the button alone the lines 9 (none has recordings), so
// that a press with nothing selected finds nothing to play: the tests of
// the console's selection see what becomes of it alone.
func elsewhere(c *review.Config) { c.Lines = []int{9} }

// heard says whether the output carries the beginning of pcm (8 kHz rig).
func heard(r *rig, pcm []int16) bool {
	want, err := dsp.ResampleAll(stored(pcm), dsp.LineRate, r.rate)
	if err != nil {
		r.t.Fatal(err)
	}
	return locate(r.out, want) >= 0
}

func TestPlaysTheStoredAudio(t *testing.T) {
	for _, rate := range []int{8000, 16000, 44100, 48000} {
		t.Run(fmt.Sprint(rate), func(t *testing.T) {
			r := newRig(t, rate, nil)
			pcm := speech(2.5)
			id := r.record(1, pcm)
			msg, err := r.p.Select(id, selector)
			if err != nil {
				t.Fatal(err)
			}
			if want := "recording 1 (line 1, 2026-08-03 09:00 UTC, 2.5s) selected for review under quality"; !strings.HasPrefix(msg, want) {
				t.Errorf("Select = %q, want it to begin %q", msg, want)
			}
			r.run(200 * time.Millisecond)
			if got := r.p.Status().Phase; got != review.Selected {
				t.Errorf("before the press: %v, want selected", got)
			}
			r.press(200 * time.Millisecond)
			if got := r.p.Status().Phase; got != review.Playing {
				t.Fatalf("after a short press: %v, want playing", got)
			}
			r.run(3 * time.Second)

			// The review output carries the stored audio at the device
			// rate, whole, and silence before and after it.
			want, err := dsp.ResampleAll(stored(pcm), dsp.LineRate, rate)
			if err != nil {
				t.Fatal(err)
			}
			at := locate(r.out, want)
			if at < 0 {
				t.Fatalf("the review output does not carry the recording")
			}
			if d := cmp.Diff(want, r.out[at:at+len(want)]); d != "" {
				t.Errorf("review output differs from the stored audio (-want +got):\n%.2000s", d)
			}
			if i := firstSound(r.out[at+len(want):]); i >= 0 {
				t.Errorf("sound %d samples after the recording's end", i)
			}
			if i := firstSound(r.out[:at]); i >= 0 && i < at-200 {
				t.Errorf("sound at %d, before the recording starts at %d", i, at)
			}
			// The press was confirmed within the release's debounce.
			if press := int(0.4 * float64(rate)); at < press || at > press+4*r.period() {
				t.Errorf("playback began at sample %d, want within 80 ms of the release at %d", at, press)
			}
			st := r.p.Status()
			if st.Phase != review.Idle || !strings.Contains(st.Last, "playback completed after 2.5s under quality") {
				t.Errorf("status after the end = %+v", st)
			}
			wantAudit := []string{"1 button:playback quality start length=2.5s", "1 button:playback quality end=completed heard=2.5s"}
			if d := cmp.Diff(wantAudit, r.playbacks()); d != "" {
				t.Errorf("audit (-want +got):\n%s", d)
			}
		})
	}
}

func TestPauseResumeStop(t *testing.T) {
	r := newRig(t, 16000, nil)
	pcm := speech(4)
	id := r.record(1, pcm)
	if _, err := r.p.Select(id, selector); err != nil {
		t.Fatal(err)
	}
	r.press(200 * time.Millisecond) // play
	r.run(time.Second)
	r.press(200 * time.Millisecond) // pause
	st := r.p.Status()
	if st.Phase != review.Paused {
		t.Fatalf("after the second short press: %v, want paused", st.Phase)
	}
	if quiet := r.run(time.Second); firstSound(quiet) >= 0 {
		t.Errorf("sound while paused")
	}
	if got := r.p.Status().Position; got != st.Position {
		t.Errorf("position moved while paused: %v -> %v", st.Position, got)
	}
	r.press(200 * time.Millisecond) // resume
	if got := r.p.Status().Phase; got != review.Playing {
		t.Fatalf("after the third short press: %v, want playing", got)
	}
	r.run(500 * time.Millisecond)
	r.press(1200 * time.Millisecond) // long: stop
	if got := r.p.Status().Phase; got != review.Idle {
		t.Fatalf("after a long press: %v, want idle", got)
	}
	if tail := r.run(2 * time.Second); firstSound(tail) >= 0 {
		t.Errorf("sound after the stop")
	}

	// What was heard, without the pause, is the recording's beginning,
	// continuous across the pause.
	var heard []int16
	for _, run := range splitSilence(r.out, 100) {
		heard = append(heard, run...)
	}
	want, _ := dsp.ResampleAll(stored(pcm), dsp.LineRate, 16000)
	if len(heard) < 16000*2 || len(heard) > len(want) {
		t.Fatalf("heard %d samples, want between 2 s and the whole recording", len(heard))
	}
	at := locate(heard, want)
	if at < 0 {
		t.Fatal("the output does not carry the recording")
	}
	if d := cmp.Diff(want[:len(heard)-at], heard[at:]); d != "" {
		t.Errorf("heard differs from the recording across the pause (-want +got):\n%.2000s", d)
	}
	got := r.playbacks()
	if len(got) != 2 || !strings.HasPrefix(got[1], "1 button:playback quality end=stopped heard=") {
		t.Errorf("audit = %q, want a start and a stop by the button", got)
	}
}

// splitSilence cuts x at runs of at least n zeros.
func splitSilence(x []int16, n int) [][]int16 {
	var out [][]int16
	start, zeros := -1, 0
	for i, v := range x {
		if v != 0 {
			if start < 0 {
				start = i
			}
			zeros = 0
			continue
		}
		if zeros++; zeros == n && start >= 0 {
			out = append(out, x[start:i-n+1])
			start = -1
		}
	}
	if start >= 0 {
		out = append(out, x[start:])
	}
	return out
}

func TestBounceIsNotAPress(t *testing.T) {
	r := newRig(t, 8000, nil)
	id := r.record(1, speech(1))
	if _, err := r.p.Select(id, selector); err != nil {
		t.Fatal(err)
	}
	// Contact bounce: the button reads pressed for two frames only.
	r.btn.Out(gpio.Low)
	r.run(40 * time.Millisecond)
	r.btn.Out(gpio.High)
	r.run(time.Second)
	if got := r.p.Status().Phase; got != review.Selected {
		t.Errorf("after a 40 ms bounce: %v, want still selected", got)
	}
}

func TestSelectionLapses(t *testing.T) {
	for _, wait := range []time.Duration{9 * time.Minute, 10 * time.Minute} {
		t.Run(wait.String(), func(t *testing.T) {
			r := newRig(t, 8000, elsewhere)
			pcm := speech(1)
			id := r.record(1, pcm)
			if _, err := r.p.Select(id, selector); err != nil {
				t.Fatal(err)
			}
			r.clk.Advance(wait)
			r.run(100 * time.Millisecond)
			lapsed := r.p.Status().Last
			r.press(200 * time.Millisecond)
			r.run(1500 * time.Millisecond)
			played := heard(r, pcm)
			if want := wait < review.DefaultLapse; played != want {
				t.Errorf("pressed %v after the selection: played %v, want %v", wait, played, want)
			}
			if !played && !strings.Contains(lapsed, "recording 1: the selection lapsed (not played within 10m0s)") {
				t.Errorf("status does not say the selection lapsed: %q", lapsed)
			}
		})
	}
}

func TestLongPressCancelsSelection(t *testing.T) {
	r := newRig(t, 8000, elsewhere)
	pcm := speech(1)
	id := r.record(1, pcm)
	if _, err := r.p.Select(id, selector); err != nil {
		t.Fatal(err)
	}
	r.press(1500 * time.Millisecond)
	r.press(200 * time.Millisecond)
	r.run(time.Second)
	if heard(r, pcm) {
		t.Error("played after the selection was cancelled by a long press")
	}
}

func TestRefusals(t *testing.T) {
	r := newRig(t, 8000, nil)
	training := r.record(2, speech(0.5)) // 1
	r.record(3, speech(0.5))             // 2: quick (1 h) + legal
	quick2 := r.record(3, speech(0.5))   // 3
	objected := r.record(1, speech(0.5)) // 4
	if _, err := r.e.Object(objected, audit.Actor{Kind: audit.ActorCallerDTMF, ID: "line1"}); err != nil {
		t.Fatal(err)
	}
	r.clk.Advance(90 * time.Minute)
	// The sweep ends the quick grants: the recordings stay for legal.
	if _, err := r.e.Sweep(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		id    vault.ID
		want  string
		cause error
	}{
		{99, "recording 99: no such recording", vault.ErrNotFound},
		{training, "recording 1: no purpose that allows review is still granted (granted only for training, none of which allows review)", policy.ErrNoGrant},
		{quick2, "recording 3: no purpose that allows review is still granted (quick expired 2026-08-03 10:30 UTC)", policy.ErrNoGrant},
		{objected, "recording 4: erased 2026-08-03 09:00 UTC (objection)", vault.ErrNotFound},
	}
	for _, tt := range tests {
		_, err := r.p.Select(tt.id, selector)
		if err == nil {
			t.Errorf("Select(%v) accepted", tt.id)
			continue
		}
		if err.Error() != tt.want {
			t.Errorf("Select(%v) = %q, want %q", tt.id, err, tt.want)
		}
		if !errors.Is(err, review.ErrNotReviewable) || !errors.Is(err, tt.cause) {
			t.Errorf("Select(%v) = %v, want it to wrap ErrNotReviewable and %v", tt.id, err, tt.cause)
		}
	}
	if got := r.p.Status().Phase; got != review.Idle {
		t.Errorf("after refusals: %v, want idle", got)
	}
}

// A grant past its deadline that the sweeper has not ended yet is refused
// all the same, with its deadline.
func TestRefusesExpiredBeforeTheSweep(t *testing.T) {
	r := newRig(t, 8000, nil)
	id := r.record(3, speech(0.5))
	r.clk.Advance(61 * time.Minute)
	_, err := r.p.Select(id, selector)
	want := "recording 1: no purpose that allows review is still granted (quick expired 2026-08-03 10:00 UTC)"
	if err == nil || err.Error() != want || !errors.Is(err, policy.ErrExpired) {
		t.Errorf("Select = %v, want %q wrapping policy.ErrExpired", err, want)
	}
}

// Playback stops within the recheck interval when the recording may no
// longer be reviewed, and the audit log and the status say why.
func TestStopsWhenNoLongerAllowed(t *testing.T) {
	const number = "0201234567"
	tests := []struct {
		name string
		line int
		do   func(r *rig, id vault.ID) error
		why  string
	}{
		{"grant expires", 3, func(r *rig, id vault.ID) error {
			r.clk.Advance(time.Hour)
			return nil
		}, "quick expired"},
		{"objection", 1, func(r *rig, id vault.ID) error {
			_, err := r.e.Object(id, audit.Actor{Kind: audit.ActorButton, ID: "line1-objection"})
			return err
		}, "the recording was erased"},
		{"erasure request", 1, func(r *rig, id vault.ID) error {
			_, err := r.e.EraseCaller(number, audit.Actor{Kind: audit.ActorRole, ID: "installer"})
			return err
		}, "the recording was erased"},
		{"erasure request, legal obligation", 3, func(r *rig, id vault.ID) error {
			_, err := r.e.EraseCaller(number, audit.Actor{Kind: audit.ActorRole, ID: "installer"})
			return err
		}, "no purpose that allows review is granted"},
		{"sweeper", 1, func(r *rig, id vault.ID) error {
			r.clk.Advance(91 * 24 * time.Hour)
			_, err := r.e.Sweep()
			return err
		}, "the recording was erased"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, 48000, nil)
			st, err := r.e.Start(tt.line, false, audit.Actor{Kind: audit.ActorDevice, ID: "test"})
			if err != nil {
				t.Fatal(err)
			}
			st.Meta.Caller = number
			id, err := r.v.Create(st.Meta)
			if err != nil {
				t.Fatal(err)
			}
			a := make([]byte, 8000*5)
			dsp.EncodeALaw(a, speech(5))
			if err := r.v.Append(id, a); err != nil {
				t.Fatal(err)
			}
			if err := r.v.Seal(id, r.clk.Now()); err != nil {
				t.Fatal(err)
			}
			if _, err := r.p.Select(id, selector); err != nil {
				t.Fatal(err)
			}
			r.press(200 * time.Millisecond)
			r.run(time.Second)
			if err := tt.do(r, id); err != nil {
				t.Fatal(err)
			}
			after := r.run(2 * time.Second)
			var last int
			for i, v := range after {
				if v != 0 {
					last = i
				}
			}
			if limit := 48000 * (review.DefaultRecheck + 20*time.Millisecond) / time.Second; last > int(limit) {
				t.Errorf("sound %v after the change, want at most %v", time.Duration(last)*time.Second/48000, review.DefaultRecheck)
			}
			got := r.playbacks()
			if len(got) != 2 || !strings.Contains(got[1], "end=interrupted heard=") || !strings.HasSuffix(got[1], "("+tt.why+")") {
				t.Errorf("audit = %q, want an interrupted end because %s", got, tt.why)
			}
			if st := r.p.Status(); st.Phase != review.Idle || !strings.Contains(st.Last, "playback interrupted after") ||
				!strings.HasSuffix(st.Last, tt.why) {
				t.Errorf("status = %+v, want idle, saying %q", st, tt.why)
			}
			audittest.CheckNoPersonalData(t, r.log.Path(), number)
		})
	}
}

func TestConsoleStopAndBusy(t *testing.T) {
	r := newRig(t, 8000, nil)
	a := r.record(1, speech(3))
	b := r.record(1, speech(1))
	if got := r.p.Stop(audit.Actor{Kind: audit.ActorRole, ID: "supervisor"}); got != "nothing selected or playing" {
		t.Errorf("Stop with nothing = %q", got)
	}
	if _, err := r.p.Select(a, selector); err != nil {
		t.Fatal(err)
	}
	r.press(200 * time.Millisecond)
	if _, err := r.p.Select(b, selector); !errors.Is(err, review.ErrBusy) {
		t.Errorf("Select while playing = %v, want ErrBusy", err)
	}
	if s := r.p.Status().String(); !strings.HasPrefix(s, "recording 1 playing under quality: ") {
		t.Errorf("status while playing = %q", s)
	}
	msg := r.p.Stop(audit.Actor{Kind: audit.ActorRole, ID: "supervisor"})
	if !strings.HasPrefix(msg, "recording 1: playback stopped after ") {
		t.Errorf("Stop = %q", msg)
	}
	if tail := r.run(time.Second); firstSound(tail) >= 0 {
		t.Error("sound after review stop")
	}
	got := r.playbacks()
	if len(got) != 2 || !strings.HasPrefix(got[1], "1 role:supervisor quality end=stopped") {
		t.Errorf("audit = %q, want the stop by the console's role", got)
	}
	if _, err := r.p.Select(b, selector); err != nil {
		t.Errorf("Select after the stop: %v", err)
	}
	if got := r.p.Stop(audit.Actor{Kind: audit.ActorRole, ID: "supervisor"}); got != "recording 2: selection cancelled" {
		t.Errorf("Stop of a selection = %q", got)
	}
}

func TestShutdownInterrupts(t *testing.T) {
	r := newRig(t, 8000, nil)
	id := r.record(1, speech(3))
	if _, err := r.p.Select(id, selector); err != nil {
		t.Fatal(err)
	}
	r.press(200 * time.Millisecond)
	r.run(time.Second)
	r.p.Close()
	got := r.playbacks()
	if len(got) != 2 || !strings.HasSuffix(got[1], "(shutdown)") || !strings.Contains(got[1], "end=interrupted heard=1.") {
		t.Errorf("audit = %q, want an end interrupted by the shutdown after about 1 s", got)
	}
}

func TestRefusesCallInProgress(t *testing.T) {
	r := newRig(t, 8000, nil)
	st, err := r.e.Start(1, false, audit.Actor{Kind: audit.ActorDevice, ID: "test"})
	if err != nil {
		t.Fatal(err)
	}
	id, err := r.v.Create(st.Meta)
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.p.Select(id, selector)
	want := "recording 1: still being recorded on line 1; review it after the call"
	if err == nil || err.Error() != want || !errors.Is(err, review.ErrNotReviewable) || !errors.Is(err, review.ErrInProgress) {
		t.Errorf("Select of an open recording = %v, want %q", err, want)
	}
}

func TestNoButton(t *testing.T) {
	r := newRig(t, 8000, func(c *review.Config) { c.Button = nil })
	id := r.record(1, speech(1))
	if _, err := r.p.Select(id, selector); err == nil || !strings.Contains(err.Error(), "no playback button") {
		t.Errorf("Select on a board without a button = %v", err)
	}
}

// An audit log that refuses the entries means no selection and no
// playback: who listened must always be provable.
func TestNoPlaybackWithoutAudit(t *testing.T) {
	rec := &audittest.Recorder{Err: errors.New("disk full")}
	r := newRig(t, 8000, func(c *review.Config) { c.Audit = rec })
	pcm := speech(1)
	id := r.record(1, pcm)
	if _, err := r.p.Select(id, selector); err == nil || !strings.Contains(err.Error(), "audit log refuses the selection") {
		t.Fatalf("Select with a failing audit log = %v", err)
	}
	r.press(200 * time.Millisecond) // the button alone: refused by the audit log too
	r.run(time.Second)
	if heard(r, pcm) {
		t.Error("played although the audit log refused the selection")
	}
}

// The selection is audited as the console role that made it, and a
// selection not yet played is dropped when that session ends.
func TestSelectionAuditedAndCancelled(t *testing.T) {
	r := newRig(t, 8000, elsewhere)
	pcm := speech(1)
	id := r.record(1, pcm)
	if _, err := r.p.Select(id, selector); err != nil {
		t.Fatal(err)
	}
	if got := r.selections(); len(got) != 1 || got[0] != "1 role:supervisor quality selected" {
		t.Errorf("selections audited %q", got)
	}
	r.p.Cancel()
	st := r.p.Status()
	if got := r.selections(); len(got) != 2 || got[1] != "1 device:review quality ended unplayed: session ended" {
		t.Errorf("selections audited %q, want the selection and its end at logout", got)
	}
	r.press(200 * time.Millisecond)
	r.run(time.Second)
	if heard(r, pcm) || len(r.playbacks()) != 0 {
		t.Error("the button played a selection cancelled at logout")
	}
	if !strings.Contains(st.Last, "cancelled at logout") {
		t.Errorf("status %+v", st)
	}
}

func TestNewChecksConfig(t *testing.T) {
	r := newRig(t, 8000, nil)
	bad := []review.Config{
		{},
		{Store: r.v, Policy: r.e},
		{Store: r.v, Policy: r.e, Clock: r.clk, Rate: -1},
	}
	for _, c := range bad {
		if _, err := review.New(c); err == nil {
			t.Errorf("New(%+v) accepted", c)
		}
	}
}
