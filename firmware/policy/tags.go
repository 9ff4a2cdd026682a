package policy

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"fairrec/storage/vault"
)

// tags is the policy's state of one grant that vault.Grant has no field
// for, kept in Grant.Event as space-separated words (the vault stores and
// authenticates it without reading it):
//
//	until=EVENT   retention runs until EVENT (e.g. completed)
//	ref=TAG       the reference the event is announced with (HMAC, not the text)
//	done=UNIX     when the event happened
//	hold=TAG      held under a complaint reference (HMAC)
//	held=UNIX     when the hold began
//	s=STEPS       stamped while the clock was not trusted, when
//	              trustclock.Keeper.Steps was STEPS (ns): a later
//	              forward step of the bound moves the times by as much
//	approx        stamped while the clock was not trusted
//	r=SPAN        the purpose's retention when granted (Span.String)
//	a=SPAN        its after (until retention)
//	x=SPAN        its max
//	holdable      its hold was allowed
//	refuses       its objection refuses (a contract)
//
// The last five are the rule the grant was given under: holds, releases
// and events recompute deadlines from them (Engine.asGranted), so a
// recording keeps the rule it got when the purposes change (config
// import). Grants made before they existed carry none and follow the
// purpose in force.
//
// References may be personal data (an order or complaint number), and the
// grant is stored in the clear part of the record, so only a keyed hash of
// them is kept; the reference itself is never needed back.
type tags struct {
	until, ref, hold string
	done, held       time.Time
	approx           bool
	stamped          bool          // steps is set
	steps            time.Duration // trustclock.Keeper.Steps when the times were stamped

	ret, after, max   Span // the rule as granted
	holdable, refuses bool
}

// ruled reports whether the tags carry the rule the grant was given
// under: every purpose has a retention or a max.
func (t tags) ruled() bool { return !t.ret.IsZero() || !t.max.IsZero() }

func parseTags(s string) tags {
	var t tags
	for _, w := range strings.Fields(s) {
		k, v, _ := strings.Cut(w, "=")
		switch k {
		case "until":
			t.until = v
		case "ref":
			t.ref = v
		case "hold":
			t.hold = v
		case "done":
			t.done = unixTime(v)
		case "held":
			t.held = unixTime(v)
		case "approx":
			t.approx = true
		case "r", "a", "x":
			sp, err := ParseSpan(v)
			if err != nil {
				continue // written by String, so never; a bad one is no rule
			}
			switch k {
			case "r":
				t.ret = sp
			case "a":
				t.after = sp
			default:
				t.max = sp
			}
		case "holdable":
			t.holdable = true
		case "refuses":
			t.refuses = true
		case "s":
			n, err := strconv.ParseInt(v, 10, 64)
			t.stamped, t.steps = err == nil, time.Duration(n)
		}
	}
	return t
}

func unixTime(s string) time.Time {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

func (t tags) String() string {
	var w []string
	add := func(k, v string) {
		if v != "" {
			w = append(w, k+"="+v)
		}
	}
	at := func(x time.Time) string {
		if x.IsZero() {
			return ""
		}
		return strconv.FormatInt(x.UnixNano(), 10)
	}
	add("until", t.until)
	add("ref", t.ref)
	add("done", at(t.done))
	add("hold", t.hold)
	add("held", at(t.held))
	if t.stamped {
		w = append(w, "s="+strconv.FormatInt(int64(t.steps), 10))
	}
	if t.approx {
		w = append(w, "approx")
	}
	for _, s := range []struct {
		k  string
		sp Span
	}{{"r", t.ret}, {"a", t.after}, {"x", t.max}} {
		if !s.sp.IsZero() {
			w = append(w, s.k+"="+s.sp.String())
		}
	}
	if t.holdable {
		w = append(w, "holdable")
	}
	if t.refuses {
		w = append(w, "refuses")
	}
	return strings.Join(w, " ")
}

// refTag returns the keyed hash of a reference, normalised (case and
// surrounding space do not matter).
func refTag(key []byte, ref string) string {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(strings.ToUpper(strings.TrimSpace(ref))))
	return hex.EncodeToString(h.Sum(nil)[:12])
}

// Held reports whether g is under a supervisor's hold.
func Held(g vault.Grant) bool { return parseTags(g.Event).hold != "" }

// Waiting reports whether g waits for its event (e.g. a contract not yet
// completed), and the event's name.
func Waiting(g vault.Grant) (event string, ok bool) {
	t := parseTags(g.Event)
	return t.until, t.until != "" && t.done.IsZero()
}

// effective returns the deadline of g moved forward by the bound's steps
// since g's times were stamped: a stamp taken while the bound lagged the
// true time lagged by at most the steps that followed it (and the time
// off), so this deadline is never before the true one.
func effective(g vault.Grant, steps time.Duration) time.Time {
	t := parseTags(g.Event)
	if !t.stamped || steps <= t.steps {
		return g.Deadline
	}
	return g.Deadline.Add(steps - t.steps)
}

// normalize moves the times of a stamped (approximate) g forward by the
// steps since its stamp and stamps it with steps. A grant stamped while
// the clock was trusted has no stamp and never moves. It reports whether
// g changed.
func normalize(g *vault.Grant, steps time.Duration) bool {
	t := parseTags(g.Event)
	if !t.stamped || t.steps >= steps {
		return false
	}
	if d := steps - t.steps; d > 0 {
		g.Granted, g.Deadline = g.Granted.Add(d), g.Deadline.Add(d)
		if !t.done.IsZero() {
			t.done = t.done.Add(d)
		}
		if !t.held.IsZero() {
			t.held = t.held.Add(d)
		}
	}
	t.stamped, t.steps = true, steps
	g.Event = t.String()
	return true
}

// untrusted marks t approximate and stamps it, when a time was just taken
// with an untrusted clock (t was normalised to steps first).
func (t *tags) untrusted(trusted bool, steps time.Duration) {
	if trusted {
		return
	}
	t.approx = true
	if !t.stamped {
		t.stamped, t.steps = true, steps
	}
}
