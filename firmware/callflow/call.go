package callflow

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"fairrec/firmware/dsp"
	"fairrec/firmware/dtmf"
	"fairrec/firmware/notice"
	"fairrec/firmware/policy"
	"fairrec/storage/audit"
	"fairrec/storage/vault"
	"fairrec/storage/vaultevent"
)

// Phase is where a call is.
type Phase string

// The phases of a call.
const (
	PhaseIdle      Phase = "idle"      // on hook
	PhaseDialling  Phase = "dialling"  // outgoing, before the notice
	PhaseNotice    Phase = "notice"    // the notice is playing; nothing is stored
	PhaseRecording Phase = "recording" // storing (or paused)
	PhaseConfirm   Phase = "confirm"   // an objection's confirmation is playing
	PhaseDone      Phase = "done"      // nothing more is stored in this call
)

// Notes is the sealed metadata the line stores with each recording (as the
// vault's encrypted notes, JSON): what the caller heard, the dialled number
// of an outgoing call (also the recording's caller number), where storing
// was paused and where digits were blanked, in samples from the start of the
// recording's audio.
type Notes struct {
	Direction string         `json:"direction"` // "incoming" or "outgoing"
	Notice    *NoticeReceipt `json:"notice,omitempty"`
	Pauses    []Span         `json:"pauses,omitempty"`   // stored as silence
	Blanked   []Span         `json:"blanked,omitempty"`  // DTMF digits, stored as silence
	Lost      []Span         `json:"lost,omitempty"`     // audio the appliance failed to capture (a stall), stored as silence
	Segment   int            `json:"segment,omitempty"`  // 0 for the first
	Previous  vault.ID       `json:"previous,omitempty"` // the segment before
}

// NoticeReceipt is a notice's receipt and the wall-clock time it began.
// Its samples are where the line heard the notice (PlaybackDelay after it
// was produced). Unheard counts notice samples that never reached the line
// because the appliance's audio stalled; the notice is then not complete.
type NoticeReceipt struct {
	notice.Receipt
	At      time.Time `json:"at"`
	Unheard int64     `json:"unheard,omitempty"`
}

// ParseNotes reads the notes a line stored.
func ParseNotes(s string) (Notes, error) {
	var n Notes
	if err := json.Unmarshal([]byte(s), &n); err != nil {
		return n, fmt.Errorf("callflow: recording notes: %w", err)
	}
	return n, nil
}

// call is one off-hook to on-hook.
type call struct {
	start, end int64 // line samples; end < 0 while off hook
	incoming   bool
	phase      Phase

	player *notice.Player
	lead   bool // player plays the line's notice (not a confirmation)
	// noticeFrom is the line sample the lead notice began to be produced
	// at, -1 before; noticeLost counts its samples reported not heard
	// before its receipt was written.
	noticeFrom, noticeLost int64
	playedAt               time.Time
	receipt                *NoticeReceipt
	pending                *policy.Start // record for these purposes once the confirmation ends

	digits    []byte
	lastDigit int64
	keyEnd    int64    // line sample the last key was released at
	lone      *lone    // an objection digit pressed by itself so far
	callerID  string   // the caller's number from caller ID, "" if none
	others    []string // numbers of callers announced by call waiting
	unsaved   []string // of those, the ones the open recording failed to take

	id       vault.ID
	prev     vault.ID   // the segment sealed before id
	meta     vault.Meta // of the first segment, for the next
	segment  int
	from     int64 // first line sample of the recording
	stored   int64 // samples stored in the recording
	objected bool
	refused  []string // purposes the objection refused
	paused   bool
	silent   int    // frames in a row below silentPeak while recording
	pauses   []Span // line samples
	blanks   []Span // line samples
	lost     []Span // line samples the line got silence for: capture lost
}

func (l *Line) lineActor() audit.Actor {
	return audit.Actor{Kind: audit.ActorDevice, ID: fmt.Sprintf("line%d", l.cfg.Line)}
}

func (l *Line) audit(e audit.Entry) {
	if l.cfg.Audit == nil {
		return
	}
	if e.Actor.Kind == audit.ActorNone {
		e.Actor = l.lineActor()
	}
	if err := l.cfg.Audit.Record(e); err != nil {
		l.log.Error("audit record failed", "action", e.Action.String(), "err", err)
	}
}

// offHook starts a call whose first sample is at; pos is the frame now
// being handled, where a notice starts playing.
func (l *Line) offHook(at, pos int64) {
	c := &call{start: at, end: -1, incoming: l.rang || l.cfg.Ring == nil, phase: PhaseDone, noticeFrom: -1,
		keyEnd: math.MinInt64 / 2}
	if c.incoming && l.caller != "" && at-l.callerAt <= callerIDValid {
		c.callerID = l.caller
	}
	l.caller = ""
	if l.cw != nil {
		l.cw.Reset()
	}
	l.c = c
	switch {
	case l.refused != "":
		l.log.Warn("call not recorded", "why", l.refused)
	case l.cfg.Notices == nil:
		l.startRecording(at, nil)
	case c.incoming:
		l.startNotice(pos)
	default:
		c.phase = PhaseDialling
	}
	l.setPhase()
}

func (l *Line) setPhase() {
	c := l.c
	l.set(func(s *Status) {
		if c == nil {
			s.Phase, s.Paused, s.Objected, s.Refused = PhaseIdle, false, false, nil
			return
		}
		s.Phase, s.Paused, s.Objected, s.Refused = c.phase, c.paused, c.objected, c.refused
	})
}

func (l *Line) startNotice(pos int64) {
	c := l.c
	c.phase, c.lead, c.playedAt = PhaseNotice, true, l.cfg.Clock.Now()
	c.player = l.lead.Play(pos)
	c.noticeFrom, c.noticeLost = pos, 0
	l.log.Info("notice playing", "notice", l.lead.Name, "incoming", c.incoming)
	l.setPhase()
}

// confirm starts a confirmation at pos; a failed lookup is logged and the
// objection stands.
func (l *Line) confirm(kind notice.Kind, pos int64) {
	c := l.c
	c.player, c.lead = nil, false
	if l.cfg.Notices == nil {
		return
	}
	key := notice.Key{Profile: l.cfg.NoticeProfile, Language: l.cfg.Language, Kind: kind}
	n, err := l.cfg.Notices.Lookup(key)
	if err != nil {
		l.log.Error("no confirmation to play", "notice", key.String(), "err", err)
		return
	}
	c.player = n.Play(pos)
}

// tick produces the frame's playback and runs the call's timers.
func (l *Line) tick(pos int64) {
	l.alone(pos, false)
	c := l.c
	if c.phase == PhaseDialling && len(c.digits) > 0 &&
		time.Duration(pos-c.lastDigit)*time.Second/dsp.LineRate >= l.cfg.DialDelay {
		l.startNotice(pos)
	}
	if c.player == nil {
		clear(l.play)
	} else if _, done := c.player.Next(l.play); done {
		l.played()
	}
	switch {
	case len(c.refused) > 0:
		// The objection LED flashes (0.1 s on, 0.1 s off) while the call
		// lasts: the employee must not conclude the agreement by phone.
		if k := pos / dsp.FrameSamples % 10; k == 0 || k == 5 {
			light(l.log, l.cfg.LEDObjection, "objection", k == 0)
		}
	case c.paused:
		// The objection LED blinks while paused: 0.5 s on, 0.5 s off.
		if k := pos / dsp.FrameSamples % 50; k == 0 || k == 25 {
			light(l.log, l.cfg.LEDObjection, "objection", k == 0)
		}
	}
}

// played handles the end of what the player played.
func (l *Line) played() {
	c := l.c
	p := c.player
	c.player = nil
	r := p.Receipt()
	// The line hears the end of what played PlaybackDelay later.
	end := r.EndSample + l.delaySamples()
	if c.lead {
		l.receipt(r)
		l.startRecording(end, nil)
		return
	}
	if c.pending != nil {
		st := c.pending
		c.pending = nil
		l.startRecording(end, st)
		return
	}
	if c.phase == PhaseConfirm {
		c.phase = PhaseDone
		l.setPhase()
	}
}

// receipt keeps the lead notice's receipt for the recording and audits it.
func (l *Line) receipt(r notice.Receipt) {
	c := l.c
	d := l.delaySamples()
	r.StartSample, r.EndSample = r.StartSample+d, r.EndSample+d
	c.receipt = &NoticeReceipt{Receipt: r, At: c.playedAt, Unheard: c.noticeLost}
	if c.noticeLost > 0 {
		c.receipt.Complete = false
	}
	// The whole SHA-256, in the form the audit log accepts uncut; the
	// hash identifies the notice, so a name too long to fit is left out.
	tail := fmt.Sprintf(" sha256=%s complete=%t", audit.Digest(r.Hash[:]), c.receipt.Complete)
	if c.noticeLost > 0 {
		tail += fmt.Sprintf(" unheard-ms=%d", c.noticeLost*1000/dsp.LineRate)
	}
	detail := fmt.Sprintf("line=%d notice=%s", l.cfg.Line, r.Name) + tail
	if len(detail) > audit.MaxDetailLen {
		detail = fmt.Sprintf("line=%d", l.cfg.Line) + tail
	}
	l.audit(audit.Entry{Action: audit.ActionNoticeReceipt, Detail: detail})
}

// delaySamples is PlaybackDelay in line samples.
func (l *Line) delaySamples() int64 { return int64(l.cfg.PlaybackDelay / (time.Second / dsp.LineRate)) }

// PlaybackLost tells the line that what it produced for line samples
// [from, to) never reached the line: the appliance's audio stalled and
// that playback was dropped. Part of the line's notice not heard makes its
// receipt incomplete (corrected and audited again if it was written
// already); the caller was not told everything the law asks.
func (l *Line) PlaybackLost(from, to int64) {
	c := l.c
	if c == nil || c.noticeFrom < 0 {
		return
	}
	end := l.pos // still playing: produced up to here
	if c.receipt != nil {
		end = c.receipt.EndSample - l.delaySamples()
	}
	lost := min(to, end) - max(from, c.noticeFrom)
	if lost <= 0 {
		return
	}
	l.log.Warn("part of the notice was not heard: the audio stalled", "ms", lost*1000/dsp.LineRate)
	if c.receipt == nil {
		c.noticeLost += lost
		return
	}
	c.receipt.Unheard += lost
	c.receipt.Complete = false
	l.audit(audit.Entry{Action: audit.ActionNoticeReceipt, Detail: fmt.Sprintf(
		"line=%d notice=%s corrected: complete=false unheard-ms=%d", l.cfg.Line, c.receipt.Name, c.receipt.Unheard*1000/dsp.LineRate)})
}

// CaptureLost tells the line that line samples [from, to), which it was
// given as silence, stand for audio the appliance failed to capture (its
// firmware fell more than a second behind the sound interface). A
// recording that spans them marks them in its notes, so that nobody takes
// the silence for a quiet caller.
func (l *Line) CaptureLost(from, to int64) {
	c := l.c
	if c == nil || to <= from {
		return
	}
	l.log.Warn("audio lost: the firmware fell behind the sound interface", "ms", (to-from)*1000/dsp.LineRate)
	if n := len(c.lost); n > 0 && c.lost[n-1].To == from {
		c.lost[n-1].To = to
		return
	}
	c.lost = append(c.lost, Span{From: from, To: to})
}

// startRecording creates the recording that stores from line sample from.
// st is the policy's decision if taken already, nil to ask it now.
func (l *Line) startRecording(from int64, st *policy.Start) {
	c := l.c
	c.phase = PhaseDone
	meta := vault.Meta{Line: l.cfg.Line, Start: l.cfg.Clock.Now()}
	if l.cfg.Policy != nil {
		if st == nil {
			s, err := l.cfg.Policy.Start(l.cfg.Line, false, l.lineActor())
			if err != nil {
				l.fail(fmt.Errorf("start recording: %w", err))
				l.setPhase()
				return
			}
			st = &s
		}
		if !st.Record {
			l.log.Info("nothing to record", "why", st.Text)
			l.setPhase()
			return
		}
		meta = st.Meta
		meta.Line = l.cfg.Line
	}
	if c.incoming {
		meta.Caller = c.callerID
	} else {
		meta.Caller = string(c.digits)
	}
	c.meta, c.from, c.stored = meta, from, 0
	l.create(0)
}

// create opens segment seg of the call's recording.
func (l *Line) create(prev vault.ID) {
	c := l.c
	meta := c.meta
	n := l.notes(prev)
	meta.Notes = n
	meta.Others = slices.Clone(c.others)
	c.unsaved = nil
	dir := "incoming"
	if !c.incoming {
		dir = "outgoing"
	}
	created := audit.Entry{Action: audit.ActionRecordingCreated,
		Detail: fmt.Sprintf("line=%d %s segment=%d", l.cfg.Line, dir, c.segment)}
	var id vault.ID
	var err error
	ws, owns := l.cfg.Store.(whyStore)
	if owns {
		// The vault writes the entry, owed in the creating transaction.
		id, err = ws.CreateWhy(meta, vault.Why{Detail: created.Detail})
	} else {
		id, err = l.cfg.Store.Create(meta)
	}
	if err != nil {
		l.fail(fmt.Errorf("start recording: %w", err))
		c.phase = PhaseDone
		l.setPhase()
		return
	}
	c.id, c.phase = id, PhaseRecording
	l.log.Info("recording", "id", id, "direction", dir, "segment", c.segment)
	if !owns {
		created.Recording = uint64(id)
		l.audit(created)
	}
	l.set(func(s *Status) { s.Recording, s.Frames, s.Fault = id, 0, l.refused; s.Calls++ })
	light(l.log, l.cfg.LEDRecording, "recording", !c.paused)
	l.setPhase()
}

// notes renders the recording's sealed metadata.
func (l *Line) notes(prev vault.ID) string {
	c := l.c
	n := Notes{Direction: "incoming", Segment: c.segment, Previous: prev}
	if !c.incoming {
		n.Direction = "outgoing"
	}
	if c.segment == 0 {
		n.Notice = c.receipt
	}
	rel := func(spans []Span) []Span {
		var out []Span
		for _, s := range spans {
			to := s.To
			if to < 0 || to > c.from+c.stored {
				to = c.from + c.stored
			}
			from := max(s.From, c.from)
			if from < to {
				out = append(out, Span{From: from - c.from, To: to - c.from})
			}
		}
		return out
	}
	n.Pauses, n.Blanked, n.Lost = rel(c.pauses), rel(c.blanks), rel(c.lost)
	b, _ := json.Marshal(n) // cannot fail: plain fields
	return string(b)
}

// emit stores one frame that left the delay line, the part of it that
// belongs to the recording; a recording that reaches MaxSegment is sealed
// there and the rest goes into the next segment.
func (l *Line) emit(f frame) {
	c := l.c
	if c == nil || c.id == 0 {
		return
	}
	from, to := max(f.pos, c.from), f.pos+dsp.FrameSamples
	if c.end >= 0 {
		to = min(to, c.end)
	}
	limit := int64(l.cfg.MaxSegment / (time.Second / dsp.LineRate))
	for from < to && c.id != 0 {
		hi := min(to, c.from+limit)
		x := l.scratch[:hi-from]
		copy(x, f.pcm[from-f.pos:hi-f.pos])
		cut(x, from, c.blanks)
		cut(x, from, c.pauses)
		a := l.alaw[:len(x)]
		dsp.EncodeALaw(a, x)
		if err := l.cfg.Store.Append(c.id, a); err != nil {
			l.fail(fmt.Errorf("append to recording %s: %w", c.id, err))
			_ = l.finish(l.cfg.Clock.Now(), "store error")
			c.phase = PhaseDone
			l.setPhase()
			return
		}
		c.stored += int64(len(x))
		l.set(func(s *Status) { s.Frames = c.stored / dsp.FrameSamples })
		from = hi
		if hi == c.from+limit {
			prev := c.id
			if l.finish(l.cfg.Clock.Now(), "maximum length") != nil {
				return
			}
			c.segment++
			c.from += c.stored
			c.stored = 0
			l.create(prev)
		}
	}
}

// silence ends the recording of a line that has been silent for
// MaxSilence (a handset left off the hook for hours).
func (l *Line) silence(f []int16) {
	c := l.c
	if c.phase != PhaseRecording || c.id == 0 {
		c.silent = 0
		return
	}
	if slices.ContainsFunc(f, func(x int16) bool { return x > silentPeak || x < -silentPeak }) {
		c.silent = 0
		return
	}
	c.silent++
	if time.Duration(c.silent)*frameTime < l.cfg.MaxSilence {
		return
	}
	l.log.Warn("line silent; recording ended", "id", c.id, "silent", l.cfg.MaxSilence)
	l.dl.flush(l.emit)
	_ = l.finish(l.cfg.Clock.Now(), "silence")
	c.phase = PhaseDone
	l.setPhase()
}

// digit handles one DTMF event: blanking, dialling, objection.
//
// The objection digit is an objection only when pressed by itself, at a
// moment when objection applies (during the notice or the recording, not
// while storing is paused for a card payment): no other key ended within
// AloneBefore before it began, and none begins within AloneAfter after it
// ends (tick, then, takes the objection). A 9 inside a card number, a PIN,
// a menu choice or a dialled number is data.
func (l *Line) digit(e dtmf.Event) {
	c := l.c
	if c == nil {
		return
	}
	switch e.Kind {
	case dtmf.Begin:
		c.blanks = append(c.blanks, Span{From: e.Start - blankGuard, To: -1})
		if c.lone != nil {
			l.log.Info("objection digit followed by another key: not an objection", "sample", e.Start)
			c.lone = nil
		}
		if e.Digit != l.cfg.ObjectionDigit {
			break
		}
		switch {
		case !l.objectionApplies():
			if c.paused {
				l.log.Info("objection digit while storing is paused: not an objection", "sample", e.Start)
			}
		case e.Start-c.keyEnd < samples(l.cfg.AloneBefore):
			l.log.Info("objection digit inside a run of keys: not an objection", "sample", e.Start)
		default:
			c.lone = &lone{begin: e.Start, end: -1}
		}
	case dtmf.End:
		c.keyEnd = e.Start + e.Duration
		if n := len(c.blanks); n > 0 && c.blanks[n-1].To < 0 {
			c.blanks[n-1].To = c.keyEnd + blankGuard
		}
		if c.lone != nil && c.lone.end < 0 {
			c.lone.end = c.keyEnd
		}
		if c.phase == PhaseDialling {
			c.digits = append(c.digits, e.Digit)
			c.lastDigit = c.keyEnd
		}
	}
}

// lone is an objection digit that may yet turn out to be part of a run of
// keys.
type lone struct {
	begin, end int64 // line samples; end < 0 while the key is held
}

// objectionApplies reports whether an objection now would be taken.
func (l *Line) objectionApplies() bool {
	c := l.c
	return c != nil && !c.objected && !c.paused && (c.phase == PhaseNotice || c.phase == PhaseRecording)
}

// alone takes the objection of a lone objection digit: at pos once
// AloneAfter has passed since its release with no other key, or at once
// when the call ends (now, no key can follow).
func (l *Line) alone(pos int64, ending bool) {
	c := l.c
	if c == nil || c.lone == nil {
		return
	}
	if !ending && (c.lone.end < 0 || pos < c.lone.end+samples(l.cfg.AloneAfter)) {
		return
	}
	c.lone = nil
	if l.objectionApplies() {
		l.object(audit.Actor{Kind: audit.ActorCallerDTMF, ID: fmt.Sprintf("line%d", l.cfg.Line)}, pos)
	}
}

// samples is d in line samples.
func samples(d time.Duration) int64 { return int64(d / (time.Second / dsp.LineRate)) }

// shortPress: the employee's button, released before a long press.
func (l *Line) shortPress(pos int64) {
	switch l.c.phase {
	case PhaseDialling:
		if l.lead != nil {
			l.startNotice(pos)
		}
	case PhaseNotice, PhaseRecording:
		l.object(audit.Actor{Kind: audit.ActorButton, ID: fmt.Sprintf("line%d-objection", l.cfg.Line)}, pos)
	}
}

// longPress pauses storing, or resumes it.
func (l *Line) longPress(pos int64) {
	c := l.c
	if c.phase != PhaseRecording {
		return
	}
	c.paused = !c.paused
	if c.paused {
		// The key pressed just before belongs to the card payment.
		c.lone = nil
		c.pauses = append(c.pauses, Span{From: pos, To: -1})
	} else if n := len(c.pauses); n > 0 {
		c.pauses[n-1].To = pos
		light(l.log, l.cfg.LEDObjection, "objection", c.objected)
	}
	l.log.Info("storing", "paused", c.paused, "sample", pos)
	light(l.log, l.cfg.LEDRecording, "recording", !c.paused)
	l.setPhase()
}

// object takes an objection at pos: nothing more is stored for the purposes
// it ends, what was stored for them is erased, and the confirmation plays.
func (l *Line) object(actor audit.Actor, pos int64) {
	c := l.c
	if c.objected {
		return
	}
	c.objected = true
	light(l.log, l.cfg.LEDObjection, "objection", true)
	continues := false
	switch c.phase {
	case PhaseNotice:
		c.player.Stop()
		l.receipt(c.player.Receipt())
		c.phase = PhaseConfirm
		if l.cfg.Policy != nil {
			st, err := l.cfg.Policy.Start(l.cfg.Line, true, actor)
			if err != nil {
				l.fail(fmt.Errorf("objection: %w", err))
			} else if st.Record {
				c.pending, continues = &st, true
			}
			c.refused = st.Refused
			l.log.Info("objection during the notice", "by", actor.String(), "result", st.Text)
		} else {
			l.audit(audit.Entry{Actor: actor, Action: audit.ActionObjection, Detail: fmt.Sprintf("before recording line=%d", l.cfg.Line)})
			l.log.Info("objection during the notice", "by", actor.String())
		}
	case PhaseRecording:
		id := c.id
		if l.cfg.Policy != nil {
			r, err := l.cfg.Policy.Object(id, actor)
			switch {
			case err != nil:
				// The objection must hold even when the policy cannot
				// apply it: erase the recording outright.
				l.log.Error("objection: policy failed; erasing the recording", "id", id, "err", err)
				l.eraseObjected(actor, id, true)
			case len(r.Erased) > 0 || len(r.Kept) == 0:
				c.id = 0
			default:
				continues = true
			}
			c.refused = r.Refused
			l.log.Info("objection", "by", actor.String(), "id", id, "result", r.Text)
		} else {
			l.audit(audit.Entry{Actor: actor, Action: audit.ActionObjection, Recording: uint64(id), Detail: fmt.Sprintf("line=%d", l.cfg.Line)})
			l.eraseObjected(actor, id, true)
			l.log.Info("objection", "by", actor.String(), "id", id, "result", "erased")
		}
		if !continues {
			c.phase, c.id = PhaseConfirm, 0
			light(l.log, l.cfg.LEDRecording, "recording", false)
			l.set(func(s *Status) { s.Recording, s.Frames = 0, 0 })
		}
	default:
		return
	}
	kind := notice.KindConfirm
	if continues {
		kind = notice.KindConfirmContinues
	}
	l.confirm(kind, pos)
	if c.player == nil && c.phase == PhaseConfirm {
		c.phase = PhaseDone
		if c.pending != nil {
			st := c.pending
			c.pending = nil
			l.startRecording(pos, st)
		}
	}
	l.setPhase()
}

// eraseObjected erases a recording because of an objection.
func (l *Line) eraseObjected(actor audit.Actor, id vault.ID, audited bool) {
	audited, err := l.erase(id, vault.Why{Cause: vault.CauseObjection, Actor: vaultevent.ActorString(actor)}, audited)
	if err != nil {
		l.fail(fmt.Errorf("erase recording %s after an objection: %w", id, err))
		return
	}
	if audited {
		l.audit(audit.Entry{Actor: actor, Action: audit.ActionEraseObjection, Recording: uint64(id)})
	}
	l.c.id = 0
}

// whyStore is a Store that audits creations and erasures itself
// (*vault.Vault): it owes each entry in the transaction of the change, so
// no crash between the change and its entry loses the entry.
type whyStore interface {
	CreateWhy(vault.Meta, vault.Why) (vault.ID, error)
	EraseWhy([]vault.ID, vault.Why) error
}

// erase erases id for why. It reports whether the caller still has to
// audit the erase (audit, unless the store audits it).
func (l *Line) erase(id vault.ID, why vault.Why, audit bool) (bool, error) {
	if ws, ok := l.cfg.Store.(whyStore); ok {
		return false, ws.EraseWhy([]vault.ID{id}, why)
	}
	return audit, l.cfg.Store.Erase(id)
}

// endCall ends the call at the on-hook (or shutdown): a notice still
// playing leaves an incomplete receipt, the recording is sealed (or erased
// if shorter than the minimum).
func (l *Line) endCall(end time.Time, why string) error {
	c := l.c
	if l.cw != nil {
		// A call-waiting message cut by the on-hook is reported (as
		// truncated, so without a number) rather than lost unsaid.
		l.cwRes = l.cw.Flush(l.cwRes[:0])
		l.waiting(l.cwRes)
	}
	if c.player != nil && c.lead {
		c.player.Stop()
		l.receipt(c.player.Receipt())
	}
	c.player = nil
	var err error
	if c.id != 0 {
		if n := len(c.pauses); n > 0 && c.pauses[n-1].To < 0 {
			c.pauses[n-1].To = c.from + c.stored
		}
		if min := l.cfg.MinCall; min > 0 && time.Duration(c.stored)*time.Second/dsp.LineRate < min && c.segment == 0 {
			id := c.id
			l.log.Info("recording discarded: shorter than the minimum", "id", id, "minimum", min)
			if _, err = l.erase(id, vault.Why{Cause: vault.CauseDiscard}, false); err != nil {
				l.fail(fmt.Errorf("discard short recording %s: %w", id, err))
			}
			c.id = 0
			l.set(func(s *Status) { s.Recording, s.Frames = 0, 0 })
		} else {
			err = l.finish(end, why)
		}
	}
	light(l.log, l.cfg.LEDRecording, "recording", false)
	light(l.log, l.cfg.LEDObjection, "objection", false)
	l.c = nil
	l.setPhase()
	return err
}

// finish writes the recording's final notes (pauses and blanks) and seals
// it.
func (l *Line) finish(end time.Time, why string) error {
	c := l.c
	for _, n := range c.unsaved {
		if err := l.cfg.Store.AddCaller(c.id, n); err != nil {
			l.log.Error("call-waiting caller ID not stored with the recording", "id", c.id, "err", err)
		}
	}
	c.unsaved = nil
	if e := l.cfg.Store.SetNotes(c.id, l.notes(l.prevID())); e != nil {
		l.log.Warn("recording notes", "id", c.id, "err", e)
	}
	return l.seal(end, why)
}

// prevID is the recording before the current segment; 0 for the first.
// The notes of a later segment are rewritten at seal with the pauses and
// blanks, and must keep the link.
func (l *Line) prevID() vault.ID {
	if l.c.segment == 0 {
		return 0
	}
	return l.c.prev
}

// seal closes the call's open recording.
func (l *Line) seal(end time.Time, why string) error {
	c := l.c
	id := c.id
	c.id = 0
	c.prev = id
	l.set(func(s *Status) { s.Recording, s.Frames = 0, 0 })
	light(l.log, l.cfg.LEDRecording, "recording", false)
	err := l.cfg.Store.Seal(id, end)
	if err != nil && !errors.Is(err, vault.ErrNotFound) {
		l.fail(fmt.Errorf("seal recording %s: %w", id, err))
		return err
	}
	dur := time.Duration(c.stored) * time.Second / dsp.LineRate
	l.log.Info("recording sealed", "id", id, "duration", dur, "reason", why)
	l.audit(audit.Entry{Action: audit.ActionRecordingSealed, Recording: uint64(id),
		Detail: fmt.Sprintf("line=%d seconds=%d reason=%s", l.cfg.Line, int64(dur/time.Second), strings.ReplaceAll(why, " ", "-"))})
	return nil
}
