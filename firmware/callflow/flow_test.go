package callflow_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"

	"fairrec/firmware/callflow"
	"fairrec/firmware/clock/clocktest"
	"fairrec/firmware/dsp"
	"fairrec/firmware/notice"
	"fairrec/firmware/policy"
	"fairrec/storage/audit"
	"fairrec/storage/audit/audittest"
	"fairrec/storage/vault"
)

var (
	libOnce sync.Once
	lib     *notice.Library
	libErr  error
)

// builtin loads the built-in notices once per test binary.
func builtin(t *testing.T) *notice.Library {
	t.Helper()
	libOnce.Do(func() { lib, libErr = notice.Load(notice.Config{}) })
	if libErr != nil {
		t.Fatal(libErr)
	}
	return lib
}

func lookup(t *testing.T, kind notice.Kind) *notice.Notice {
	t.Helper()
	n, err := builtin(t).Lookup(notice.Key{Profile: "default", Language: "nl", Kind: kind})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// flow is a line at 8 kHz with its notices, fake pins, a fake store and a
// fake audit log, driven sample by sample from a script.
type flow struct {
	t                  *testing.T
	line               *callflow.Line
	store              *store
	audit              *audittest.Recorder
	hook, ring, button *gpiotest.Pin
	recLED, objLED     *gpiotest.Pin
	pos                int64   // line samples fed
	played             []int16 // everything the line played out
	// signal returns the line audio at a sample: a steady level (DC, which
	// the DTMF detector ignores), plus tones where the script put them.
	tones []tone
	clips []clip // further audio mixed into the line, such as caller ID
	level int16  // the steady level of the line audio
}

// clip is audio mixed into the line from sample from on.
type clip struct {
	from int64
	pcm  []int16
}

type tone struct {
	digit    byte
	from, to int64
}

const level = 1000

func newFlow(t *testing.T, cfg callflow.Config) *flow {
	f := &flow{t: t, store: newStore(), audit: &audittest.Recorder{}, level: level}
	pin := func(name string, l gpio.Level) *gpiotest.Pin { return &gpiotest.Pin{N: name, L: l} }
	f.hook, f.ring, f.button = pin("hook", gpio.High), pin("ring", gpio.High), pin("button", gpio.High)
	f.recLED, f.objLED = pin("rec", gpio.Low), pin("obj", gpio.Low)
	cfg.Line = 1
	cfg.Hook, cfg.Ring, cfg.Button = f.hook, f.ring, f.button
	cfg.LEDRecording, cfg.LEDObjection = f.recLED, f.objLED
	cfg.Store, cfg.Clock, cfg.Audit = f.store, clocktest.New(t0), f.audit
	if cfg.Notices == nil {
		cfg.Notices = builtin(t)
	}
	var err error
	if f.line, err = callflow.New(cfg); err != nil {
		t.Fatal(err)
	}
	return f
}

// sample is the number of line samples in d.
func sample(d time.Duration) int64 { return int64(d / (time.Second / dsp.LineRate)) }

var digitFreqs = map[byte][2]float64{'5': {770, 1336}, '9': {852, 1477}, '0': {941, 1336}, '2': {697, 1336}, '1': {697, 1209},
	'3': {697, 1477}, '4': {770, 1209}, '6': {770, 1477}, '7': {852, 1209}, 'A': {697, 1633}, 'C': {852, 1633}}

// until feeds frames up to line time d.
func (f *flow) until(d time.Duration) {
	frame := make([]int16, dsp.FrameSamples)
	out := make([]int16, dsp.FrameSamples)
	for end := sample(d); f.pos < end; f.pos += dsp.FrameSamples {
		for i := range frame {
			frame[i] = f.level
		}
		for _, tn := range f.tones {
			lo, hi := max(tn.from-f.pos, 0), min(tn.to-f.pos, dsp.FrameSamples)
			if lo >= hi {
				continue
			}
			fr := digitFreqs[tn.digit]
			a, b := make([]int16, hi-lo), make([]int16, hi-lo)
			dsp.Sine(a, dsp.LineRate, fr[0], -7, float64(f.pos+lo-tn.from)*2*3.141592653589793*fr[0]/dsp.LineRate)
			dsp.Sine(b, dsp.LineRate, fr[1], -7, float64(f.pos+lo-tn.from)*2*3.141592653589793*fr[1]/dsp.LineRate)
			for i := range a {
				frame[lo+int64(i)] += a[i] + b[i]
			}
		}
		for _, c := range f.clips {
			for i := max(c.from, f.pos); i < min(c.from+int64(len(c.pcm)), f.pos+dsp.FrameSamples); i++ {
				frame[i-f.pos] += c.pcm[i-c.from]
			}
		}
		f.line.Capture(frame)
		f.line.Playback(out)
		f.played = append(f.played, out...)
	}
}

func (f *flow) dial(digits string, at time.Duration) {
	p := sample(at)
	for i := range len(digits) {
		f.tones = append(f.tones, tone{digit: digits[i], from: p, to: p + 640})
		p += 1280
	}
}

// answer rings the line for 1 s, then lifts the hook at 1 s.
func (f *flow) answer() {
	f.ring.Out(gpio.Low)
	f.until(time.Second)
	f.ring.Out(gpio.High)
	f.hook.Out(gpio.Low)
}

// answeredAt is where the notice starts in TestIncoming's timing: the hook
// lifted at 1 s is confirmed at its third frame.
var answeredAt = sample(time.Second) + 2*dsp.FrameSamples

func (f *flow) only() *rec {
	f.t.Helper()
	if f.store.next != 1 {
		f.t.Fatalf("%d recordings created, want 1", f.store.next)
	}
	return f.store.recs[1]
}

func (f *flow) notes(r *rec) callflow.Notes {
	f.t.Helper()
	n, err := callflow.ParseNotes(r.notes)
	if err != nil {
		f.t.Fatal(err)
	}
	return n
}

func TestIncomingNoticeThenRecording(t *testing.T) {
	f := newFlow(t, callflow.Config{})
	lead := lookup(t, notice.KindNotice)
	f.answer()
	f.until(time.Duration((1 + lead.Seconds() + 5) * float64(time.Second)))
	if st := f.line.Status(); st.Phase != callflow.PhaseRecording || f.recLED.L != gpio.High {
		t.Errorf("after the notice: %+v, recording LED %v", st, f.recLED.L)
	}
	f.hook.Out(gpio.High)
	hangup := f.pos
	f.until(time.Duration((1 + lead.Seconds() + 6) * float64(time.Second)))

	// The notice went out from the frame that confirmed the answer.
	if !slices.Equal(f.played[answeredAt:answeredAt+int64(lead.Duration)], lead.Samples) {
		t.Error("the played-out audio does not hold the notice from the answer on")
	}
	r := f.only()
	end := answeredAt + int64(lead.Duration)
	if want := hangup - end; int64(len(r.alaw)) != want {
		t.Errorf("stored %d samples, want %d: from the notice's end (%d) to the on-hook (%d)", len(r.alaw), want, end, hangup)
	}
	if !r.sealed {
		t.Error("not sealed")
	}
	n := f.notes(r)
	if n.Notice == nil || !n.Notice.Complete || n.Notice.Hash != lead.Hash || n.Notice.EndSample != end || n.Direction != "incoming" {
		t.Errorf("notes %+v", n)
	}
	want := []audit.Action{audit.ActionNoticeReceipt, audit.ActionRecordingCreated, audit.ActionRecordingSealed}
	if got := f.audit.Actions(); !slices.Equal(got, want) {
		t.Errorf("audit %v, want %v", got, want)
	}
	// The receipt in the log names the notice by its whole SHA-256.
	wantReceipt := fmt.Sprintf("line=1 notice=%s sha256=%s complete=true", lead.Name, audit.Digest(lead.Hash[:]))
	if d := f.audit.Entries()[0].Detail; d != wantReceipt {
		t.Errorf("receipt %q, want %q", d, wantReceipt)
	}
}

// confirmedAt finds where the confirmation starts in the played-out audio.
func confirmedAt(played []int16, c *notice.Notice) int {
	for k := 0; k+c.Duration <= len(played); k += dsp.FrameSamples {
		if slices.Equal(played[k:k+c.Duration], c.Samples) {
			return k
		}
	}
	return -1
}

func TestObjectionDuringNotice(t *testing.T) {
	f := newFlow(t, callflow.Config{})
	f.tones = append(f.tones, tone{'9', sample(3 * time.Second), sample(3100 * time.Millisecond)})
	f.answer()
	f.until(40 * time.Second)
	if f.store.next != 0 {
		t.Errorf("%d recordings created after an objection during the notice", f.store.next)
	}
	// A 9 pressed alone is known to be alone AloneAfter after its release.
	conf := lookup(t, notice.KindConfirm)
	k := confirmedAt(f.played, conf)
	due := sample(3100*time.Millisecond + callflow.DefaultAloneAfter)
	if k < 0 || int64(k) < due || int64(k) > due+sample(100*time.Millisecond) {
		t.Errorf("confirmation played at sample %d, want within 100 ms of %d (%v after the digit's end)", k, due, callflow.DefaultAloneAfter)
	}
	want := []audit.Action{audit.ActionNoticeReceipt, audit.ActionObjection}
	if got := f.audit.Actions(); !slices.Equal(got, want) {
		t.Errorf("audit %v, want %v", got, want)
	}
	if d := f.audit.Entries()[0].Detail; !strings.Contains(d, "complete=false") {
		t.Errorf("receipt %q, want complete=false", d)
	}
	if st := f.line.Status(); !st.Objected || f.objLED.L != gpio.High {
		t.Errorf("status %+v, objection LED %v", st, f.objLED.L)
	}
}

func TestObjectionDuringRecording(t *testing.T) {
	lead := lookup(t, notice.KindNotice)
	at := time.Duration((1+lead.Seconds())*float64(time.Second)) + 3*time.Second
	for _, by := range []string{"dtmf", "button"} {
		t.Run(by, func(t *testing.T) {
			f := newFlow(t, callflow.Config{})
			if by == "dtmf" {
				f.tones = append(f.tones, tone{'9', sample(at), sample(at + 100*time.Millisecond)})
			}
			f.answer()
			f.until(at)
			if by == "button" {
				f.button.Out(gpio.Low)
				f.until(at + 200*time.Millisecond)
				f.button.Out(gpio.High)
			}
			f.until(at + 10*time.Second)
			r := f.only()
			if !r.erased {
				t.Error("recording not erased after the objection")
			}
			if st := f.line.Status(); st.Fault != "" || st.Recording != 0 || !st.Objected {
				t.Errorf("status %+v", st)
			}
			if confirmedAt(f.played, lookup(t, notice.KindConfirm)) < 0 {
				t.Error("no confirmation played")
			}
			got := f.audit.Actions()
			if !slices.Contains(got, audit.ActionObjection) || !slices.Contains(got, audit.ActionEraseObjection) {
				t.Errorf("audit %v", got)
			}
		})
	}
}

func TestPauseAndBlankedDigits(t *testing.T) {
	lead := lookup(t, notice.KindNotice)
	rec := time.Duration((1 + lead.Seconds()) * float64(time.Second))
	f := newFlow(t, callflow.Config{})
	f.dial("25", rec+2*time.Second)
	f.answer()
	f.until(rec + 5*time.Second)
	f.button.Out(gpio.Low) // long press: pause
	f.until(rec + 6500*time.Millisecond)
	f.button.Out(gpio.High)
	f.until(rec + 9*time.Second)
	f.button.Out(gpio.Low) // long press: resume
	f.until(rec + 10500*time.Millisecond)
	f.button.Out(gpio.High)
	f.until(rec + 12*time.Second)
	f.hook.Out(gpio.High)
	f.until(rec + 13*time.Second)

	r := f.only()
	pcm := make([]int16, len(r.alaw))
	dsp.DecodeALaw(pcm, r.alaw)
	n := f.notes(r)
	if len(n.Blanked) != 2 || len(n.Pauses) != 1 {
		t.Fatalf("notes %+v, want 2 blanked digits and 1 pause", n)
	}
	start := answeredAt + int64(lead.Duration)
	for i, tn := range f.tones {
		b := n.Blanked[i]
		if b.From > tn.from-start || b.To < tn.to-start || b.To-b.From > 640+160 {
			t.Errorf("digit %c at %d-%d blanked at %d-%d", tn.digit, tn.from-start, tn.to-start, b.From, b.To)
		}
	}
	for _, s := range append(n.Blanked, n.Pauses...) {
		// A-law has no zero: silence decodes to ±8.
		if slices.ContainsFunc(pcm[s.From:s.To], func(x int16) bool { return x > 8 || x < -8 }) {
			t.Errorf("audio stored in the gap %d-%d", s.From, s.To)
		}
	}
	p := n.Pauses[0]
	if d := time.Duration(p.To-p.From) * time.Second / dsp.LineRate; d < 3500*time.Millisecond || d > 4500*time.Millisecond {
		t.Errorf("pause of %v, want about 4 s (from one long press to the next)", d)
	}
	// Everything else is the line's audio.
	if pcm[0] < 900 || pcm[len(pcm)-1] < 900 || pcm[p.To+10] < 900 {
		t.Error("audio outside the gaps is blank")
	}
}

func TestOutgoingCall(t *testing.T) {
	f := newFlow(t, callflow.Config{DialDelay: 2 * time.Second})
	f.hook.Out(gpio.Low) // no ring: outgoing
	f.dial("0201", time.Second)
	// The last digit ends at 1.56 s.
	f.until(3400 * time.Millisecond)
	if st := f.line.Status(); st.Phase != callflow.PhaseDialling {
		t.Fatalf("1.84 s after the last digit: phase %v, want dialling", st.Phase)
	}
	f.until(3700 * time.Millisecond)
	if st := f.line.Status(); st.Phase != callflow.PhaseNotice {
		t.Fatalf("after the dial delay: phase %v, want notice", st.Phase)
	}
	f.until(30 * time.Second)
	f.hook.Out(gpio.High)
	f.until(31 * time.Second)
	r := f.only()
	if r.meta.Caller != "0201" || f.notes(r).Direction != "outgoing" {
		t.Errorf("caller %q, notes %q", r.meta.Caller, r.notes)
	}
}

func TestRefusesWithoutNotice(t *testing.T) {
	bad, err := notice.Load(notice.Config{Dir: fstest.MapFS{"default.nl.notice.mp3": {Data: []byte("not an mp3")}}})
	if err == nil || !errors.Is(err, notice.ErrCorrupt) {
		t.Fatalf("load: %v", err)
	}
	f := newFlow(t, callflow.Config{Notices: bad})
	if st := f.line.Status(); !strings.Contains(st.Fault, "refuses to record") || !strings.Contains(st.Fault, "default.nl.notice.mp3") {
		t.Errorf("fault %q", st.Fault)
	}
	f.answer()
	f.until(30 * time.Second)
	if f.store.next != 0 {
		t.Error("a line without its notice recorded")
	}
}

func TestMinimumCall(t *testing.T) {
	f := newFlow(t, callflow.Config{MinCall: 10 * time.Second})
	lead := lookup(t, notice.KindNotice)
	f.answer()
	f.until(time.Duration((1 + lead.Seconds() + 5) * float64(time.Second)))
	f.hook.Out(gpio.High)
	f.until(time.Duration((1 + lead.Seconds() + 6) * float64(time.Second)))
	if r := f.only(); !r.erased {
		t.Error("a 5 s recording was kept with a 10 s minimum")
	}
}

var _ callflow.Store = (*store)(nil)

// fakePolicy grants "quality" (ends on objection) and, on continuing lines,
// "legal" (an objection does not end it).
type fakePolicy struct {
	legal   bool
	objects []vault.ID
	erase   func(vault.ID) error
}

func (p *fakePolicy) grants(objected bool) []vault.Grant {
	var gs []vault.Grant
	if !objected {
		gs = append(gs, vault.Grant{Purpose: "quality", Objectable: true})
	}
	if p.legal {
		gs = append(gs, vault.Grant{Purpose: "legal"})
	}
	return gs
}

func (p *fakePolicy) Start(line int, objected bool, actor audit.Actor) (policy.Start, error) {
	gs := p.grants(objected)
	return policy.Start{Record: len(gs) > 0, Meta: vault.Meta{Line: line, Start: t0, Grants: gs}}, nil
}

func (p *fakePolicy) Object(id vault.ID, actor audit.Actor) (policy.Result, error) {
	p.objects = append(p.objects, id)
	if !p.legal {
		return policy.Result{Erased: []vault.ID{id}, Ended: []string{"quality"}}, p.erase(id)
	}
	return policy.Result{Ended: []string{"contract"}, Kept: []string{"legal"}, Refused: []string{"contract"}}, nil
}

func TestObjectionWithPolicy(t *testing.T) {
	lead := lookup(t, notice.KindNotice)
	rec := time.Duration((1 + lead.Seconds()) * float64(time.Second))
	for _, legal := range []bool{false, true} {
		p := &fakePolicy{legal: legal}
		f := newFlow(t, callflow.Config{Policy: p})
		p.erase = f.store.Erase
		f.tones = append(f.tones, tone{'9', sample(rec + 2*time.Second), sample(rec + 2100*time.Millisecond)})
		f.answer()
		f.until(rec + 20*time.Second)
		r := f.only()
		if legal {
			if got := time.Duration(len(r.alaw)) * time.Second / dsp.LineRate; got < 18*time.Second {
				t.Errorf("legal: stored %v so far, want the whole call", got)
			}
			// A refused contract: the objection LED flashes during the call.
			if st := f.line.Status(); !slices.Equal(st.Refused, []string{"contract"}) {
				t.Errorf("status %+v, want contract refused", st)
			}
			var changes int
			last := f.objLED.L
			for range 20 {
				f.until(time.Duration(f.pos+dsp.FrameSamples) * time.Second / dsp.LineRate)
				if f.objLED.L != last {
					changes, last = changes+1, f.objLED.L
				}
			}
			if changes < 3 {
				t.Errorf("objection LED changed %d times in 0.4 s, want it flashing", changes)
			}
		}
		f.hook.Out(gpio.High)
		f.until(rec + 21*time.Second)
		if len(p.objects) != 1 || r.erased == legal {
			t.Errorf("legal=%v: objections %v, erased %v", legal, p.objects, r.erased)
		}
		kind := notice.KindConfirm
		if legal {
			kind = notice.KindConfirmContinues
			// The legal purpose keeps the whole call.
			if got := time.Duration(len(r.alaw)) * time.Second / dsp.LineRate; got < 19*time.Second {
				t.Errorf("legal: stored %v, want the whole call", got)
			}
			if len(r.meta.Grants) != 2 {
				t.Errorf("grants %+v", r.meta.Grants)
			}
		}
		if confirmedAt(f.played, lookup(t, kind)) < 0 {
			t.Errorf("legal=%v: %v not played", legal, kind)
		}
	}
}

// A call longer than MaxSegment continues in linked recordings that
// together hold the whole call, with nothing lost or doubled at the seams.
func TestSegments(t *testing.T) {
	lead := lookup(t, notice.KindNotice)
	rec := time.Duration((1 + lead.Seconds()) * float64(time.Second))
	f := newFlow(t, callflow.Config{MaxSegment: 3 * time.Second})
	f.answer()
	f.until(rec + 7*time.Second)
	f.hook.Out(gpio.High)
	hangup := f.pos
	f.until(rec + 8*time.Second)
	if f.store.next != 3 {
		t.Fatalf("%d recordings, want 3 segments (3 s, 3 s, 1 s)", f.store.next)
	}
	var total int64
	for id := vault.ID(1); id <= 3; id++ {
		r := f.store.recs[id]
		n := f.notes(r)
		if !r.sealed || n.Segment != int(id-1) || n.Previous != id-1 {
			t.Errorf("segment %d: sealed %v, notes %+v", id, r.sealed, n)
		}
		if id < 3 && len(r.alaw) != 3*dsp.LineRate {
			t.Errorf("segment %d holds %d samples, want 3 s", id, len(r.alaw))
		}
		total += int64(len(r.alaw))
	}
	if want := hangup - answeredAt - int64(lead.Duration); total != want {
		t.Errorf("segments hold %d samples, the call after the notice %d", total, want)
	}
}

// A handset left off the hook: once the line has been silent for
// MaxSilence, the recording is sealed and nothing more is stored.
func TestLeftOffHook(t *testing.T) {
	lead := lookup(t, notice.KindNotice)
	rec := time.Duration((1 + lead.Seconds()) * float64(time.Second))
	f := newFlow(t, callflow.Config{MaxSilence: 5 * time.Second})
	f.answer()
	f.until(rec + 3*time.Second)
	quiet := f.pos
	f.level = 0
	f.until(rec + 60*time.Second)
	r := f.only()
	if !r.sealed {
		t.Fatal("recording still open after a minute of silence")
	}
	if got, want := int64(len(r.alaw)), quiet-answeredAt-int64(lead.Duration)+sample(5*time.Second); got < want-dsp.FrameSamples || got > want+dsp.FrameSamples {
		t.Errorf("stored %d samples, want %d (the call and 5 s of silence)", got, want)
	}
	if st := f.line.Status(); !st.OffHook || st.Phase != callflow.PhaseDone {
		t.Errorf("status %+v", st)
	}
}

// A call the line did not answer does not make the next off-hook, minutes
// later, an incoming call: the employee is dialling out.
func TestUnansweredRingExpires(t *testing.T) {
	f := newFlow(t, callflow.Config{})
	f.ring.Out(gpio.Low)
	f.until(time.Second)
	f.ring.Out(gpio.High)
	f.until(5 * time.Second)
	f.hook.Out(gpio.Low) // 4 s after the ring: answers it
	f.until(6 * time.Second)
	if st := f.line.Status(); st.Phase != callflow.PhaseNotice {
		t.Errorf("off hook 4 s after a ring: phase %v, want notice", st.Phase)
	}
	f.hook.Out(gpio.High)
	f.until(7 * time.Second)
	f.ring.Out(gpio.Low)
	f.until(8 * time.Second)
	f.ring.Out(gpio.High)
	f.until(30 * time.Second)
	f.hook.Out(gpio.Low) // 22 s after the last ring: dialling out
	f.until(31 * time.Second)
	if st := f.line.Status(); st.Phase != callflow.PhaseDialling {
		t.Errorf("off hook 22 s after a ring: phase %v, want dialling", st.Phase)
	}
}

// A board without hook sense: VOX starts the call at the first loud frame
// (the notice plays, then the call is recorded) and ends it VOXHold after
// the last.
func TestVOX(t *testing.T) {
	s := newStore()
	l, err := callflow.New(callflow.Config{Line: 1, Store: s, Clock: clocktest.New(t0), Notices: builtin(t), VOX: -40, VOXHold: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	lead := lookup(t, notice.KindNotice)
	talk := int(lead.Seconds()*50) + 300 // frames: the notice, then 6 s
	frame := make([]int16, dsp.FrameSamples)
	out := make([]int16, dsp.FrameSamples)
	var phase float64
	for i := range talk + 400 {
		clear(frame)
		if i >= 50 && i < 50+talk {
			phase = dsp.Sine(frame, dsp.LineRate, 440, -20, phase)
		}
		l.Capture(frame)
		l.Playback(out)
		if i == 49 && s.next != 0 {
			t.Fatal("recording before any sound")
		}
	}
	if s.next != 1 || !s.recs[1].sealed {
		t.Fatalf("%d recordings, want 1 sealed", s.next)
	}
	// From the notice's end (the notice starts at the frame that confirms
	// the first loud one) to 2 s after the last loud frame.
	want := int64(talk-2)*dsp.FrameSamples - int64(lead.Duration) + sample(2*time.Second)
	if got := int64(len(s.recs[1].alaw)); got < want-dsp.FrameSamples || got > want+dsp.FrameSamples {
		t.Errorf("stored %d samples, want %d", got, want)
	}
}

// TestCallerIDIntoSealedMetadata: a number sent as DTMF CLIP (A…C, as in
// the Netherlands) before the first ring goes into the answered call's
// recording, where the vault seals it; a later call with no caller ID does
// not inherit it.
func TestCallerIDIntoSealedMetadata(t *testing.T) {
	f := newFlow(t, callflow.Config{})
	lead := lookup(t, notice.KindNotice)
	f.dial("A0201234567C", 100*time.Millisecond)
	f.until(2500 * time.Millisecond)
	f.ring.Out(gpio.Low)
	f.until(3500 * time.Millisecond)
	f.ring.Out(gpio.High)
	f.hook.Out(gpio.Low)
	answered := 3500*time.Millisecond + time.Duration(lead.Seconds()*float64(time.Second))
	f.until(answered + 3*time.Second)
	f.hook.Out(gpio.High)
	f.until(answered + 4*time.Second)
	if got := f.only().meta.Caller; got != "0201234567" {
		t.Fatalf("recording's caller %q, want the CLIP number", got)
	}

	// The next call rings without caller ID.
	f.ring.Out(gpio.Low)
	f.until(answered + 5*time.Second)
	f.ring.Out(gpio.High)
	f.hook.Out(gpio.Low)
	f.until(2*answered + 9*time.Second)
	f.hook.Out(gpio.High)
	f.until(2*answered + 10*time.Second)
	if f.store.next != 2 {
		t.Fatalf("%d recordings, want 2", f.store.next)
	}
	if got := f.store.recs[2].meta.Caller; got != "" {
		t.Errorf("a call without caller ID got %q", got)
	}
}

// TestPlaybackDelay: when the line hears its playback later than it is
// produced, recording starts that much after the notice's end: where the
// notice really ends on the line.
func TestPlaybackDelay(t *testing.T) {
	stored := func(delay time.Duration) int {
		f := newFlow(t, callflow.Config{PlaybackDelay: delay})
		f.answer()
		f.until(30 * time.Second)
		f.hook.Out(gpio.High)
		f.until(31 * time.Second)
		return len(f.only().alaw)
	}
	if d := stored(0) - stored(40*time.Millisecond); d != 2*dsp.FrameSamples {
		t.Errorf("a 40 ms playback delay stores %d samples less, want %d", d, 2*dsp.FrameSamples)
	}
}

// TestPlaybackLost: playback the appliance produced but never played (an
// audio stall) makes the notice's receipt incomplete, whether the loss is
// reported while the notice plays or after its receipt was written; a loss
// outside the notice changes nothing.
func TestPlaybackLost(t *testing.T) {
	lead := lookup(t, notice.KindNotice)
	answered := sample(time.Second) + 2*dsp.FrameSamples // the off-hook confirmed; the notice starts
	end := answered + int64(lead.Duration)
	receipts := func(f *flow) []string {
		var out []string
		for _, e := range f.audit.Entries() {
			if e.Action == audit.ActionNoticeReceipt {
				out = append(out, e.Detail[strings.LastIndex(e.Detail, "complete="):])
			}
		}
		return out
	}
	tests := []struct {
		name     string
		at       time.Duration // when the loss is reported
		from     int64         // the lost period, in line samples as produced
		unheard  int64
		receipts []string
	}{
		{"during the notice", 5 * time.Second, answered + 8000, 160, []string{"complete=false unheard-ms=20"}},
		{"after the receipt", 40 * time.Second, end - 160, 160, []string{"complete=true", "complete=false unheard-ms=20"}},
		{"outside the notice", 40 * time.Second, end + 8000, 0, []string{"complete=true"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFlow(t, callflow.Config{PlaybackDelay: 80 * time.Millisecond})
			f.answer()
			f.until(tt.at)
			f.line.PlaybackLost(tt.from, tt.from+160)
			f.until(45 * time.Second)
			f.hook.Out(gpio.High)
			f.until(46 * time.Second)
			n := f.notes(f.only())
			if n.Notice == nil || n.Notice.Unheard != tt.unheard || n.Notice.Complete != (tt.unheard == 0) {
				t.Errorf("receipt %+v, want %d samples unheard", n.Notice, tt.unheard)
			}
			if got := receipts(f); !slices.Equal(got, tt.receipts) {
				t.Errorf("audited receipts %q, want %q", got, tt.receipts)
			}
		})
	}
}

// TestCaptureLost: silence the line was given for audio the appliance
// failed to capture is marked in the recording's notes, adjacent periods
// as one span, relative to the recording's start; a loss outside the
// recording is not.
func TestCaptureLost(t *testing.T) {
	f := newFlow(t, callflow.Config{})
	lead := lookup(t, notice.KindNotice)
	f.answer()
	f.line.CaptureLost(sample(2*time.Second), sample(2*time.Second)+160) // during the notice: not stored anyway
	start := sample(time.Second) + 2*dsp.FrameSamples + int64(lead.Duration)
	f.until(30 * time.Second)
	f.line.CaptureLost(start+8000, start+8160)
	f.line.CaptureLost(start+8160, start+8320)
	f.until(31 * time.Second)
	f.hook.Out(gpio.High)
	f.until(32 * time.Second)
	n := f.notes(f.only())
	if want := []callflow.Span{{From: 8000, To: 8320}}; !slices.Equal(n.Lost, want) {
		t.Errorf("lost spans %v, want %v", n.Lost, want)
	}
}
