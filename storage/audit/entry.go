package audit

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Action is what happened. The numbers are written to disk and hashed: never
// renumber or reuse one, only add.
type Action uint8

// The actions every other package records through this one.
const (
	ActionNone              Action = 0 // invalid in a new entry
	ActionRecordingCreated  Action = 1 // a recording started (after the notice)
	ActionRecordingSealed   Action = 2 // a recording was closed and committed
	ActionNoticeReceipt     Action = 3 // the purpose notice played to the end on the line
	ActionObjection         Action = 4 // caller (DTMF) or employee (button) objected
	ActionPlayback          Action = 5 // a supervisor listened
	ActionExport            Action = 6 // a recording left the box
	ActionHold              Action = 7 // a legal hold suspended erasure
	ActionRelease           Action = 8 // a legal hold was lifted
	ActionEraseTimer        Action = 9 // erased: the last grant expired
	ActionEraseRequest      Action = 10
	ActionEraseObjection    Action = 11
	ActionConfigChange      Action = 12
	ActionLogin             Action = 13
	ActionLoginFailed       Action = 14
	ActionLockout           Action = 15
	ActionKeyRotation       Action = 16
	ActionClockTrust        Action = 17 // the clock became trusted or untrusted
	ActionTamperDetected    Action = 18
	ActionInterruptedAtBoot Action = 19 // a recording was found unsealed after a crash or power cut
	ActionPruned            Action = 20 // the audit log pruned old entries (written by Prune)
	ActionForwardDropped    Action = 21 // the syslog queue overflowed and lost entries
	ActionGrantExpired      Action = 22 // one purpose's grant ran out; the recording may live on
	ActionLogout            Action = 23 // a console session ended (typed, or idle)
	ActionLockoutEnd        Action = 24 // the console's login lock ran out
	ActionReviewSelection   Action = 25 // a supervisor chose a recording for playback, or the choice ended unplayed
	ActionCallersShown      Action = 26 // a recording's caller number was shown to a supervisor (recordings --callers)
)

var actionNames = [...]string{
	ActionNone:              "none",
	ActionRecordingCreated:  "recording-created",
	ActionRecordingSealed:   "recording-sealed",
	ActionNoticeReceipt:     "notice-receipt",
	ActionObjection:         "objection",
	ActionPlayback:          "playback",
	ActionExport:            "export",
	ActionHold:              "hold",
	ActionRelease:           "release",
	ActionEraseTimer:        "erase-timer",
	ActionEraseRequest:      "erase-request",
	ActionEraseObjection:    "erase-objection",
	ActionConfigChange:      "config-change",
	ActionLogin:             "login",
	ActionLoginFailed:       "login-failed",
	ActionLockout:           "lockout",
	ActionKeyRotation:       "key-rotation",
	ActionClockTrust:        "clock-trust",
	ActionTamperDetected:    "tamper-detected",
	ActionInterruptedAtBoot: "interrupted-at-boot",
	ActionPruned:            "pruned",
	ActionForwardDropped:    "forward-dropped",
	ActionGrantExpired:      "grant-expired",
	ActionLogout:            "logout",
	ActionLockoutEnd:        "lockout-end",
	ActionReviewSelection:   "review-selection",
	ActionCallersShown:      "callers-shown",
}

// String returns the action's stable name ("erase-timer"), as exported and
// forwarded. An unknown code (written by newer firmware) prints as "action(N)".
func (a Action) String() string {
	if int(a) < len(actionNames) && actionNames[a] != "" {
		return actionNames[a]
	}
	return fmt.Sprintf("action(%d)", uint8(a))
}

// Known reports whether a is an action this firmware knows, other than None.
func (a Action) Known() bool { return a != ActionNone && int(a) < len(actionNames) }

// ParseAction returns the action named s (as printed by String).
func ParseAction(s string) (Action, error) {
	for i, n := range actionNames {
		if n == s && i != int(ActionNone) {
			return Action(i), nil
		}
	}
	return ActionNone, fmt.Errorf("audit: unknown action %q: %w", s, ErrInvalid)
}

// ActorKind says what kind of party acted. Like Action, its numbers are on
// disk: only add.
type ActorKind uint8

// The kinds of actor. None of them identifies a person: a role, a device, a
// button or "the caller" is recorded, never a name or a number.
const (
	ActorNone       ActorKind = 0 // invalid in a new entry
	ActorDevice     ActorKind = 1 // the box itself: timers, boot, sweeper
	ActorRole       ActorKind = 2 // a console user, by role ("installer", "supervisor")
	ActorButton     ActorKind = 3 // a physical button ("line1-objection", "playback")
	ActorCallerDTMF ActorKind = 4 // the caller, by key press on a line ("line2")
	ActorTool       ActorKind = 5 // the operator tool cmd/fairrec
)

var actorNames = [...]string{
	ActorNone:       "none",
	ActorDevice:     "device",
	ActorRole:       "role",
	ActorButton:     "button",
	ActorCallerDTMF: "caller-dtmf",
	ActorTool:       "tool",
}

// String returns the kind's stable name.
func (k ActorKind) String() string {
	if int(k) < len(actorNames) && actorNames[k] != "" {
		return actorNames[k]
	}
	return fmt.Sprintf("actor(%d)", uint8(k))
}

// Known reports whether k is a kind this firmware knows, other than None.
func (k ActorKind) Known() bool { return k != ActorNone && int(k) < len(actorNames) }

// Actor is who acted, typed. ID names the role, button or line
// ("supervisor", "line1-objection", "line2"); it is never a person's name or
// a phone number (see Entry.Validate).
type Actor struct {
	Kind ActorKind
	ID   string
}

// String prints "kind" or "kind:id".
func (a Actor) String() string {
	if a.ID == "" {
		return a.Kind.String()
	}
	return a.Kind.String() + ":" + a.ID
}

// Limits of the text fields; they keep entries small and leave no room for a
// transcript or a note.
const (
	MaxIDLen      = 32
	MaxPurposeLen = 64
	MaxDetailLen  = 160
	// MaxDigitRun is the longest run of consecutive digits a text field may
	// hold. Six or more digits in a row look like (part of) a phone number,
	// an account or a customer number, so they are refused.
	MaxDigitRun = 5
)

// Entry is one event in the log. Callers fill Actor, Action, Recording,
// Purpose and Detail; Record assigns Seq, Time, Approximate and Prev.
type Entry struct {
	Seq         uint64    // 1, 2, 3, ... without gaps
	Time        time.Time // UTC
	Approximate bool      // the clock was not trusted when this was written
	Actor       Actor
	Action      Action
	Recording   uint64 // the recording concerned; 0 for none
	Purpose     string // the purpose's name ("quality"), or "" for none
	Detail      string // a short non-personal remark ("rule=quality retention=30d")
	Prev        [32]byte
}

// encodingVersion is the first byte of every encoded entry; the hash covers it,
// so a future layout cannot be confused with this one.
const encodingVersion = 1

// fixedLen is the size of the fixed part of version 1:
// version, seq, time, flags, actor kind, action, recording, prev.
const fixedLen = 1 + 8 + 8 + 1 + 1 + 1 + 8 + 32

const flagApproximate = 1

// encode returns the canonical version-1 encoding of e. The hash chain is
// computed over exactly these bytes, and they are what is stored, so no
// re-encoding (and no JSON map order) ever enters the hash:
//
//	0      version (1)
//	1..8   seq, big endian
//	9..16  time, Unix nanoseconds, big endian two's complement
//	17     flags (bit 0: approximate)
//	18     actor kind
//	19     action
//	20..27 recording id, big endian
//	28..59 SHA-256 of the previous entry's encoding (zero for the first)
//	60..   actor id, purpose, detail: each one length byte + UTF-8
func (e *Entry) encode() []byte {
	b := make([]byte, fixedLen, fixedLen+3+len(e.Actor.ID)+len(e.Purpose)+len(e.Detail))
	b[0] = encodingVersion
	binary.BigEndian.PutUint64(b[1:], e.Seq)
	binary.BigEndian.PutUint64(b[9:], uint64(e.Time.UnixNano()))
	if e.Approximate {
		b[17] = flagApproximate
	}
	b[18] = byte(e.Actor.Kind)
	b[19] = byte(e.Action)
	binary.BigEndian.PutUint64(b[20:], e.Recording)
	copy(b[28:60], e.Prev[:])
	for _, s := range []string{e.Actor.ID, e.Purpose, e.Detail} {
		b = append(b, byte(len(s)))
		b = append(b, s...)
	}
	return b
}

// decode parses a version-1 encoding strictly: any byte that encode would
// not have produced is an error, so that decode(b).encode() == b.
func decode(b []byte) (Entry, error) {
	var e Entry
	if len(b) < fixedLen+3 {
		return e, fmt.Errorf("entry of %d bytes is too short", len(b))
	}
	if b[0] != encodingVersion {
		return e, fmt.Errorf("entry encoding version %d is unknown", b[0])
	}
	if b[17]&^flagApproximate != 0 {
		return e, fmt.Errorf("entry has unknown flags %#x", b[17])
	}
	e.Seq = binary.BigEndian.Uint64(b[1:])
	e.Time = time.Unix(0, int64(binary.BigEndian.Uint64(b[9:]))).UTC()
	e.Approximate = b[17]&flagApproximate != 0
	e.Actor.Kind = ActorKind(b[18])
	e.Action = Action(b[19])
	e.Recording = binary.BigEndian.Uint64(b[20:])
	copy(e.Prev[:], b[28:60])
	rest := b[fixedLen:]
	var fields [3]string
	for i := range fields {
		if len(rest) == 0 {
			return e, fmt.Errorf("entry is truncated in field %d", i)
		}
		n := int(rest[0])
		if len(rest) < 1+n {
			return e, fmt.Errorf("entry is truncated in field %d", i)
		}
		fields[i] = string(rest[1 : 1+n])
		rest = rest[1+n:]
	}
	if len(rest) != 0 {
		return e, fmt.Errorf("entry has %d trailing bytes", len(rest))
	}
	e.Actor.ID, e.Purpose, e.Detail = fields[0], fields[1], fields[2]
	return e, nil
}

// Hash returns the SHA-256 of the entry's canonical encoding: the value the
// next entry carries in Prev.
func (e *Entry) Hash() [32]byte { return sha256.Sum256(e.encode()) }

// Validate checks the caller's part of an entry. It is where personal data is
// kept out: there is no field for a caller number or audio, and the text
// fields refuse what could carry them (see the package doc).
func (e *Entry) Validate() error {
	if !e.Action.Known() {
		return fmt.Errorf("audit: action %v: %w", e.Action, ErrInvalid)
	}
	if !e.Actor.Kind.Known() {
		return fmt.Errorf("audit: actor kind %v: %w", e.Actor.Kind, ErrInvalid)
	}
	if err := checkName("actor id", e.Actor.ID, MaxIDLen, false); err != nil {
		return err
	}
	if err := checkName("purpose", e.Purpose, MaxPurposeLen, true); err != nil {
		return err
	}
	return checkText("detail", e.Detail, MaxDetailLen)
}

// checkName allows identifiers: lower-case ASCII letters, digits, '-', '_'
// and '.'; with loose (purpose names, which installers type) also capitals
// and spaces. Actor ids are stricter because they sit next to "who": a
// person's name ("Jansen", "jan de vries") cannot pass as one.
func checkName(field, s string, max int, loose bool) error {
	if err := checkText(field, s, max); err != nil {
		return err
	}
	for _, r := range s {
		ok := r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' ||
			loose && (r >= 'A' && r <= 'Z' || r == ' ')
		if !ok {
			return fmt.Errorf("audit: %s %q: character %q is not allowed in a name: %w", field, s, r, ErrInvalid)
		}
	}
	return nil
}

// checkText allows short printable UTF-8 without long digit runs, '@'
// (e-mail addresses) or '+' (international numbers).
func checkText(field, s string, max int) error {
	if len(s) > max {
		return fmt.Errorf("audit: %s is %d bytes, more than %d: %w", field, len(s), max, ErrInvalid)
	}
	if !utf8.ValidString(s) {
		return fmt.Errorf("audit: %s is not UTF-8: %w", field, ErrInvalid)
	}
	run := 0
	for _, r := range s {
		switch {
		case r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0:
			return fmt.Errorf("audit: %s contains control character %U: %w", field, r, ErrInvalid)
		case r == '@' || r == '+':
			return fmt.Errorf("audit: %s contains %q, which marks an address or a number: %w", field, r, ErrInvalid)
		case r >= '0' && r <= '9':
			run++
			if run > MaxDigitRun {
				return fmt.Errorf("audit: %s contains a run of more than %d digits (a phone or customer number?): %w", field, MaxDigitRun, ErrInvalid)
			}
		case run > 0 && strings.ContainsRune(" ./()", r):
			// Separators inside a number do not end the run: "06 1234 5678"
			// is still a phone number. A letter, '-' or ':' does, so that
			// ISO dates and times ("2027-01-31 12:00") stay allowed.
		default:
			run = 0
		}
	}
	return nil
}

// Digest returns a hash (a SHA-256, say) as the text fields accept it
// whole: lower-case hex in groups of four joined by '-'
// ("9f86-d081-884c-..."), 79 characters for a SHA-256. Plain hex would
// hold digit runs longer than MaxDigitRun and be refused, or cut and
// blanked by Redact; the groups keep every bit of it.
func Digest(sum []byte) string {
	const hexdigits = "0123456789abcdef"
	var b strings.Builder
	b.Grow(len(sum)*2 + len(sum)/2)
	for i, c := range sum {
		if i > 0 && i%2 == 0 {
			b.WriteByte('-')
		}
		b.WriteByte(hexdigits[c>>4])
		b.WriteByte(hexdigits[c&0xf])
	}
	return b.String()
}

// Redact returns s made acceptable as a Detail: digits in runs longer than
// MaxDigitRun become '#', '@' and '+' become '?', control characters and
// invalid UTF-8 become ' ' and '?', and the result is cut to MaxDetailLen
// bytes. Use it for text from elsewhere (another package's event detail, an
// error message) that should reach the log without risking a refusal; it
// cannot turn a note into non-personal data, so never pass it notes.
func Redact(s string) string {
	rs := []rune(s)
	for i, r := range rs {
		switch {
		case r == utf8.RuneError || r == '@' || r == '+':
			rs[i] = '?'
		case r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0:
			rs[i] = ' '
		}
	}
	// Runs are found after the mapping above: a control character turned
	// into a space joins two runs just as a space does.
	var run []int // indexes of the digits in the current run
	flush := func() {
		if len(run) > MaxDigitRun {
			for _, i := range run {
				rs[i] = '#'
			}
		}
		run = run[:0]
	}
	for i, r := range rs {
		switch {
		case r >= '0' && r <= '9':
			run = append(run, i)
		case len(run) > 0 && strings.ContainsRune(" ./()", r):
		default:
			flush()
		}
	}
	flush()
	var b strings.Builder
	for _, r := range rs {
		if b.Len()+utf8.RuneLen(r) > MaxDetailLen {
			break
		}
		b.WriteRune(r)
	}
	return b.String()
}
