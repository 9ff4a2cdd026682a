package audit

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// TestEncodingLayout spells out version 1 of the on-disk format byte by byte:
// the hashes of every stored log depend on it never changing.
func TestEncodingLayout(t *testing.T) {
	e := Entry{
		Seq: 0x0102, Time: time.Unix(0, 0x0a0b0c0d).UTC(), Approximate: true,
		Actor: Actor{Kind: ActorButton, ID: "b1"}, Action: ActionPlayback, Recording: 0x77,
		Purpose: "q", Detail: "ok",
	}
	e.Prev[0], e.Prev[31] = 0xaa, 0xbb
	var want []byte
	want = append(want, 1)                                  // version
	want = append(want, 0, 0, 0, 0, 0, 0, 1, 2)             // seq
	want = append(want, 0, 0, 0, 0, 0x0a, 0x0b, 0x0c, 0x0d) // time
	want = append(want, 1)                                  // flags
	want = append(want, 3)                                  // actor kind button
	want = append(want, 5)                                  // action playback
	want = append(want, 0, 0, 0, 0, 0, 0, 0, 0x77)          // recording
	want = append(want, 0xaa)                               // prev[0]
	want = append(want, make([]byte, 30)...)                // prev[1:31]
	want = append(want, 0xbb)                               // prev[31]
	want = append(want, 2, 'b', '1', 1, 'q', 2, 'o', 'k')   // strings
	if got := e.encode(); !bytes.Equal(got, want) {
		t.Errorf("encode =\n%x\nwant\n%x", got, want)
	}
}

func TestEncodeRoundTrip(t *testing.T) {
	entries := []Entry{
		{Time: time.Unix(0, 0).UTC()},
		{Seq: 1, Time: t0, Actor: Actor{Kind: ActorDevice}, Action: ActionRecordingCreated, Recording: 1},
		{Seq: 1<<64 - 1, Time: time.Unix(-5, 3).UTC(), Approximate: true, Actor: Actor{Kind: ActorRole, ID: "supervisor"},
			Action: ActionPlayback, Recording: 1<<64 - 1, Purpose: "complaints", Detail: "réécoute après plainte", Prev: [32]byte{1, 2, 3}},
		{Seq: 9, Time: t0, Actor: Actor{Kind: 200}, Action: 250, Detail: strings.Repeat("x", 255)}, // from newer firmware
	}
	for _, e := range entries {
		b := e.encode()
		got, err := decode(b)
		if err != nil {
			t.Fatalf("decode(encode(%+v)): %v", e, err)
		}
		if diff := cmp.Diff(e, got); diff != "" {
			t.Errorf("round trip (-want +got):\n%s", diff)
		}
		if !bytes.Equal(got.encode(), b) {
			t.Errorf("re-encoding of %+v differs", e)
		}
	}
}

func TestDecodeRejects(t *testing.T) {
	good := (&Entry{Seq: 3, Time: t0, Actor: Actor{Kind: ActorDevice, ID: "x"}, Action: ActionHold, Purpose: "p", Detail: "d"}).encode()
	mut := func(f func(b []byte) []byte) []byte { return f(append([]byte(nil), good...)) }
	cases := map[string][]byte{
		"empty":           nil,
		"fixed part only": good[:fixedLen],
		"version 2":       mut(func(b []byte) []byte { b[0] = 2; return b }),
		"unknown flag":    mut(func(b []byte) []byte { b[17] = 2; return b }),
		"field too long":  mut(func(b []byte) []byte { b[fixedLen] = 200; return b }),
		"trailing byte":   mut(func(b []byte) []byte { return append(b, 0) }),
		"missing detail":  good[:len(good)-2],
	}
	for name, b := range cases {
		if _, err := decode(b); err == nil {
			t.Errorf("%s: decoded without error", name)
		}
	}
}

func TestValidate(t *testing.T) {
	base := Entry{Actor: Actor{Kind: ActorRole, ID: "supervisor"}, Action: ActionPlayback, Recording: 4, Purpose: "quality"}
	ok := map[string]func(*Entry){
		"plain":             func(*Entry) {},
		"setting":           func(e *Entry) { e.Detail = "retention quality 30d -> 60d" },
		"iso date and time": func(e *Entry) { e.Detail = "hold until 2027-01-31 12:00" },
		"five digits":       func(e *Entry) { e.Detail = "count=12345" },
		"line button":       func(e *Entry) { e.Actor = Actor{Kind: ActorButton, ID: "line2-objection"} },
		"caller dtmf":       func(e *Entry) { e.Actor = Actor{Kind: ActorCallerDTMF, ID: "line1"}; e.Detail = "key=9" },
		"unicode detail":    func(e *Entry) { e.Detail = "réglage modifié" },
		"no purpose":        func(e *Entry) { e.Purpose = "" },
		"spaced purpose":    func(e *Entry) { e.Purpose = "Legal obligation" },
	}
	bad := map[string]func(*Entry){
		"no action":          func(e *Entry) { e.Action = ActionNone },
		"unknown action":     func(e *Entry) { e.Action = 200 },
		"no actor":           func(e *Entry) { e.Actor.Kind = ActorNone },
		"mobile number":      func(e *Entry) { e.Detail = "caller 0612345678" },
		"spaced number":      func(e *Entry) { e.Detail = "caller 06 1234 5678" },
		"paired number":      func(e *Entry) { e.Detail = "06 12 34 56 78" },
		"bracketed number":   func(e *Entry) { e.Detail = "(020) 123.4567" },
		"international":      func(e *Entry) { e.Detail = "+31 6" },
		"e-mail":             func(e *Entry) { e.Detail = "jan@example.nl" },
		"number as actor id": func(e *Entry) { e.Actor.ID = "0201234567" },
		"number in purpose":  func(e *Entry) { e.Purpose = "order 7781234" },
		"name with comma":    func(e *Entry) { e.Actor.ID = "Jansen, J." },
		"newline":            func(e *Entry) { e.Detail = "a\nb" },
		"C1 control":         func(e *Entry) { e.Detail = "a\u0085b" },
		"bad UTF-8":          func(e *Entry) { e.Detail = "\xff" },
		"long detail":        func(e *Entry) { e.Detail = strings.Repeat("a", MaxDetailLen+1) },
		"long actor id":      func(e *Entry) { e.Actor.ID = strings.Repeat("a", MaxIDLen+1) },
		"long purpose":       func(e *Entry) { e.Purpose = strings.Repeat("a", MaxPurposeLen+1) },
	}
	for name, f := range ok {
		e := base
		f(&e)
		if err := e.Validate(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	for name, f := range bad {
		e := base
		f(&e)
		if err := e.Validate(); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: Validate = %v, want ErrInvalid", name, err)
		}
	}
}

func TestActionNames(t *testing.T) {
	seen := map[string]Action{}
	for a := Action(1); a.Known(); a++ {
		name := a.String()
		if prev, dup := seen[name]; dup {
			t.Errorf("%d and %d are both %q", prev, a, name)
		}
		seen[name] = a
		if got, err := ParseAction(name); err != nil || got != a {
			t.Errorf("ParseAction(%q) = %v, %v; want %d", name, got, err, a)
		}
		if len(name) > 32 {
			t.Errorf("%q is longer than an RFC 5424 MSGID may be", name)
		}
	}
	if len(seen) < 20 {
		t.Errorf("only %d actions known", len(seen))
	}
	if _, err := ParseAction("none"); err == nil {
		t.Error("ParseAction accepted none")
	}
	if s := Action(250).String(); s != "action(250)" {
		t.Errorf("unknown action prints %q", s)
	}
}

func TestRedact(t *testing.T) {
	cases := map[string]string{
		"sealed as interrupted":        "sealed as interrupted",
		"caller 06 1234 5678 objected": "caller ## #### #### objected",
		"slot 12345 cleared":           "slot 12345 cleared",
		"slot 123456 cleared":          "slot ###### cleared",
		"hold until 2027-01-31 12:00":  "hold until 2027-01-31 12:00",
		"jan@example.nl +31":           "jan?example.nl ?31",
		"line\nbreak\xff":              "line break?",
	}
	for in, want := range cases {
		if got := Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
	if got := Redact(strings.Repeat("é", MaxDetailLen)); len(got) > MaxDetailLen || !utf8.ValidString(got) {
		t.Errorf("long input: %d bytes, valid UTF-8 %v", len(got), utf8.ValidString(got))
	}
}

// TestDigest: a SHA-256 as Digest writes it passes Validate and Redact
// unchanged, whatever its bytes, and reads back to the same hash.
func TestDigest(t *testing.T) {
	for _, sum := range []string{"", "\x00\x00\x00", strings.Repeat("\x11", 32), strings.Repeat("\x99", 32), "\xde\xad\xbe\xef\x01\x23\x45\x67\x89"} {
		d := Digest([]byte(sum))
		e := Entry{Actor: Actor{Kind: ActorDevice}, Action: ActionNoticeReceipt, Detail: "sha256=" + d}
		if err := e.Validate(); err != nil {
			t.Errorf("Digest(%x) = %q: %v", sum, d, err)
		}
		if r := Redact(e.Detail); r != e.Detail {
			t.Errorf("Redact changes %q to %q", e.Detail, r)
		}
		if back := strings.ReplaceAll(d, "-", ""); back != hex.EncodeToString([]byte(sum)) {
			t.Errorf("Digest(%x) = %q, does not read back", sum, d)
		}
	}
	if d := Digest(make([]byte, 32)); len(d) != 79 {
		t.Errorf("a SHA-256 is %d characters, want 79", len(d))
	}
}
