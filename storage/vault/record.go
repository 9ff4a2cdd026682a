package vault

import (
	"crypto/hmac"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// ID identifies a recording. IDs are never reused, not even after an erase.
type ID uint64

// String returns the id in decimal, as operators type it.
func (id ID) String() string { return strconv.FormatUint(uint64(id), 10) }

// ParseID parses a decimal recording id.
func ParseID(s string) (ID, error) {
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n == 0 {
		return 0, fmt.Errorf("vault: bad recording id %q", s)
	}
	return ID(n), nil
}

// State is where a recording is in its life.
type State uint8

// States. The zero State means "any" in a Query.
const (
	StateOpen        State = 1 // being recorded
	StateSealed      State = 2 // ended normally
	StateInterrupted State = 3 // left open by a crash or power loss; sealed at the next Open
)

func (s State) String() string {
	switch s {
	case StateOpen:
		return "open"
	case StateSealed:
		return "sealed"
	case StateInterrupted:
		return "interrupted"
	}
	return "state(" + strconv.Itoa(int(s)) + ")"
}

// MarshalText makes State read well in JSON.
func (s State) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads what MarshalText wrote, so that `fairrec list --json`
// and subject-access metadata can be read back.
func (s *State) UnmarshalText(b []byte) error {
	for _, st := range []State{StateOpen, StateSealed, StateInterrupted} {
		if string(b) == st.String() {
			*s = st
			return nil
		}
	}
	return fmt.Errorf("vault: unknown recording state %q", b)
}

// Grant is one purpose a recording may be kept for. The policy layer decides
// grants and their deadlines; the vault stores them, authenticated, and lets
// the policy update them (UpdateGrants).
type Grant struct {
	Purpose    string    `json:"purpose"`
	Basis      string    `json:"basis,omitempty"`      // lawful basis, as the policy names it
	Granted    time.Time `json:"granted,omitzero"`     // when the grant began
	Deadline   time.Time `json:"deadline,omitzero"`    // when it ends at the latest
	Event      string    `json:"event,omitempty"`      // owned by the policy layer (its retention tags); opaque to the vault
	Restricted bool      `json:"restricted,omitempty"` // processing restricted (e.g. held): keep, do not use
	Objectable bool      `json:"objectable,omitempty"` // an objection ends this grant
	Review     bool      `json:"review,omitempty"`     // supervisors may review under it
}

// Meta describes a recording when it is created.
type Meta struct {
	Line   int       // the phone line, as the board numbers it
	Start  time.Time // when recording began
	Caller string    // the caller's number if known; stored encrypted
	// Others are further numbers heard on the recording, e.g. callers the
	// exchange announced by call waiting, whom the employee may have
	// taken on the same line. Stored encrypted; an erasure or access
	// request by any of them finds the recording, as by Caller.
	Others      []string
	Grants      []Grant
	Notes       string // free text; personal data, stored encrypted
	Approximate bool   // Start is approximate (clock not trusted, or imported)
}

// Info is what the vault knows about a recording.
type Info struct {
	ID          ID            `json:"id"`
	Line        int           `json:"line"`
	Start       time.Time     `json:"start"`
	End         time.Time     `json:"end,omitzero"`
	Duration    time.Duration `json:"duration_ns"` // of the stored audio (8,000 A-law bytes a second)
	Bytes       int64         `json:"bytes"`       // stored A-law bytes
	State       State         `json:"state"`
	Approximate bool          `json:"approximate,omitempty"`
	Grants      []Grant       `json:"grants"`
	Caller      string        `json:"caller,omitempty"`
	Others      []string      `json:"others,omitempty"`
	Notes       string        `json:"notes,omitempty"`
	// Tampered is set (and only ID is reliable) when List met a record that
	// failed authentication; Info returns ErrTampered instead.
	Tampered bool `json:"tampered,omitempty"`
}

// Query selects recordings for List. The zero Query selects all.
type Query struct {
	From, To time.Time // Start in [From, To); zero means unbounded
	Lines    []int     // empty means any line
	Caller   string    // normalised and looked up by HMAC; "" means any
	State    State     // 0 means any
}

// BytesPerSecond is the A-law line rate: 8,000 one-byte samples a second.
const BytesPerSecond = 8000

// record is the stored form of a recording's metadata.
//
// Layout of the bbolt value (version 1):
//
//	0      version (1)
//	1      state
//	2:6    key slot index
//	6:14   first commit sequence that may hold a chunk
//	14:22  last commit sequence holding a chunk (0 while open)
//	22:26  number of audio chunks (not counting the last-chunk marker)
//	26:34  audio bytes
//	34:38  length n of the clear JSON
//	38:38+n clear JSON (line, times, grants, caller HMAC)
//	...    nonce(24) + XChaCha20-Poly1305(personal JSON), AD = "fairrec rec v1" || id || all of the above
type record struct {
	state       State
	slot        uint32
	first, last uint64
	chunks      uint32
	bytes       int64
	clear       clearMeta
	personal    personalMeta
}

type clearMeta struct {
	Line        int       `json:"l"`
	Start       time.Time `json:"s"`
	End         time.Time `json:"e,omitzero"`
	Approximate bool      `json:"a,omitempty"`
	Grants      []Grant   `json:"g,omitempty"`
	CallerMAC   []byte    `json:"c,omitempty"`
	OtherMACs   [][]byte  `json:"o,omitempty"` // of personalMeta.Others, in order
}

type personalMeta struct {
	Caller string   `json:"c,omitempty"`
	Others []string `json:"o,omitempty"`
	Notes  string   `json:"n,omitempty"`
}

// addOther adds number, whose lookup key is mac, to the record's other
// numbers unless the record has it already; it reports whether it did.
func (r *record) addOther(number string, mac []byte) bool {
	if mac == nil || r.hasMAC(mac) {
		return false
	}
	r.personal.Others = append(r.personal.Others, number)
	r.clear.OtherMACs = append(r.clear.OtherMACs, mac)
	return true
}

// macs are the lookup keys of every number of the record.
func (r *record) macs() [][]byte {
	var out [][]byte
	if r.clear.CallerMAC != nil {
		out = append(out, r.clear.CallerMAC)
	}
	return append(out, r.clear.OtherMACs...)
}

// hasMAC reports whether mac is the lookup key of one of the record's
// numbers.
func (r *record) hasMAC(mac []byte) bool {
	for _, m := range r.macs() {
		if hmac.Equal(m, mac) {
			return true
		}
	}
	return false
}

const recHeader = 38

func (r *record) encode(id ID, key []byte) ([]byte, error) {
	cj, err := json.Marshal(r.clear)
	if err != nil {
		return nil, err
	}
	pj, err := json.Marshal(r.personal)
	if err != nil {
		return nil, err
	}
	b := make([]byte, recHeader, recHeader+len(cj)+nonceSize+len(pj)+tagSize)
	b[0] = 1
	b[1] = byte(r.state)
	binary.BigEndian.PutUint32(b[2:], r.slot)
	binary.BigEndian.PutUint64(b[6:], r.first)
	binary.BigEndian.PutUint64(b[14:], r.last)
	binary.BigEndian.PutUint32(b[22:], r.chunks)
	binary.BigEndian.PutUint64(b[26:], uint64(r.bytes))
	binary.BigEndian.PutUint32(b[34:], uint32(len(cj)))
	b = append(b, cj...)
	return sealAppend(b, key, pj, recAD(id, b)), nil
}

// peekRecord decodes the unauthenticated header fields. Callers must not
// trust them beyond finding things (e.g. a slot that must also name id).
func peekRecord(v []byte) (r record, clearEnd int, err error) {
	if len(v) < recHeader || v[0] != 1 {
		return r, 0, ErrTampered
	}
	r.state = State(v[1])
	r.slot = binary.BigEndian.Uint32(v[2:])
	r.first = binary.BigEndian.Uint64(v[6:])
	r.last = binary.BigEndian.Uint64(v[14:])
	r.chunks = binary.BigEndian.Uint32(v[22:])
	r.bytes = int64(binary.BigEndian.Uint64(v[26:]))
	n := binary.BigEndian.Uint32(v[34:])
	if uint64(n) > uint64(len(v)-recHeader) {
		return r, 0, ErrTampered
	}
	return r, recHeader + int(n), nil
}

// decodeRecord authenticates and decodes a record value with its data key.
func decodeRecord(id ID, v, key []byte) (record, error) {
	r, end, err := peekRecord(v)
	if err != nil {
		return r, err
	}
	pj, err := openSealed(key, v[end:], recAD(id, v[:end]))
	if err != nil {
		return r, ErrTampered
	}
	if err := json.Unmarshal(v[recHeader:end], &r.clear); err != nil {
		return r, ErrTampered
	}
	if err := json.Unmarshal(pj, &r.personal); err != nil {
		return r, ErrTampered
	}
	if r.state < StateOpen || r.state > StateInterrupted {
		return r, ErrTampered
	}
	return r, nil
}

func recAD(id ID, head []byte) []byte {
	ad := make([]byte, 0, 14+8+len(head))
	ad = append(ad, "fairrec rec v1"...)
	ad = binary.BigEndian.AppendUint64(ad, uint64(id))
	return append(ad, head...)
}

func (r *record) info(id ID) Info {
	in := Info{
		ID:          id,
		Line:        r.clear.Line,
		Start:       r.clear.Start,
		End:         r.clear.End,
		Bytes:       r.bytes,
		Duration:    time.Duration(r.bytes) * time.Second / BytesPerSecond,
		State:       r.state,
		Approximate: r.clear.Approximate,
		Grants:      r.clear.Grants,
		Caller:      r.personal.Caller,
		Others:      r.personal.Others,
		Notes:       r.personal.Notes,
	}
	if in.Grants == nil {
		in.Grants = []Grant{}
	}
	return in
}

func idKey(id ID) []byte { return binary.BigEndian.AppendUint64(nil, uint64(id)) }
