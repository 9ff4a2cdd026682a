package vault

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Create starts a recording and returns its id. The recording is durable
// (as open, with no audio) when Create returns.
func (v *Vault) Create(m Meta) (ID, error) { return v.CreateWhy(m, Why{Cause: CauseCreated}) }

// CreateWhy creates like Create and owes the recording-created audit entry,
// with why's detail: the entry is put in the outbox in the transaction that
// creates the recording and written through the Journal before CreateWhy
// returns (or at the next open, after a crash), so every recording has one.
func (v *Vault) CreateWhy(m Meta, why Why) (ID, error) {
	why.Cause = CauseCreated
	id, err := v.createLocked(m, why)
	if err != nil {
		return 0, err
	}
	if err := v.crashPoint("create-committed"); err != nil {
		return id, err
	}
	v.deliverAfter("create")
	return id, nil
}

func (v *Vault) createLocked(m Meta, why Why) (ID, error) {
	v.wmu.Lock()
	defer v.wmu.Unlock()
	if v.isClosed() {
		return 0, fmt.Errorf("vault: create: %w", ErrClosed)
	}
	id := ID(v.nextID)
	r := &openRec{key: randomKey()}
	slot := v.slots.alloc()
	r.rec = record{
		state: StateOpen,
		slot:  slot,
		first: v.seq + 1,
		clear: clearMeta{
			Line:        m.Line,
			Start:       m.Start,
			Approximate: m.Approximate,
			Grants:      m.Grants,
			CallerMAC:   v.callerMAC(m.Caller),
		},
		personal: personalMeta{Caller: m.Caller, Notes: m.Notes},
	}
	for _, o := range m.Others {
		r.rec.addOther(o, v.callerMAC(o))
	}
	val, err := r.rec.encode(id, r.key)
	if err != nil {
		return 0, fmt.Errorf("vault: create: %w", err)
	}
	// The key slot is durable before the record that names it.
	if err := v.slots.put(slot, uint64(id), r.key, v.kek); err != nil {
		return 0, fmt.Errorf("vault: create: %w", err)
	}
	if err := v.slots.sync(); err != nil {
		return 0, fmt.Errorf("vault: create: sync key slots: %w", err)
	}
	err = v.commitLocked(func(tx *bolt.Tx, _ uint64, _ []pendingChunk) error {
		rb := tx.Bucket(bRec)
		if rb.Get(idKey(id)) != nil {
			// Open sets nextID above every record; a record here means
			// the database changed under us. Never overwrite it.
			return fmt.Errorf("id %v already has a record: %w", id, ErrTampered)
		}
		if err := rb.Put(idKey(id), val); err != nil {
			return err
		}
		if err := rb.SetSequence(uint64(id)); err != nil {
			return err
		}
		if err := tx.Bucket(bOpen).Put(idKey(id), nil); err != nil {
			return err
		}
		if err := owe(tx, EventCreated, id, why); err != nil {
			return err
		}
		for _, mac := range r.rec.macs() {
			if err := tx.Bucket(bCaller).Put(append(bytes.Clone(mac), idKey(id)...), nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		// Best effort: the slot is an orphan; Open clears it otherwise.
		if ok, _ := v.slots.zero(slot, uint64(id)); ok {
			v.slots.release(slot)
		}
		return 0, fmt.Errorf("vault: create: %w", err)
	}
	v.nextID++
	v.mu.Lock()
	v.open[id] = r
	v.mu.Unlock()
	return id, nil
}

func (v *Vault) isClosed() bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.closed
}

// Seal ends a recording: pending audio is committed with a last-chunk marker
// and the end time. Durable when Seal returns.
func (v *Vault) Seal(id ID, end time.Time) error {
	v.wmu.Lock()
	defer v.wmu.Unlock()
	v.mu.Lock()
	r, ok := v.open[id]
	if !ok {
		err := v.notOpen(id)
		v.mu.Unlock()
		return fmt.Errorf("vault: seal %v: %w", id, err)
	}
	v.mu.Unlock()
	var rec record
	err := v.commitLocked(func(tx *bolt.Tx, seq uint64, batch []pendingChunk) error {
		// Every chunk assigned so far is committed by this transaction.
		rec = r.rec
		rec.bytes = r.bytes
		for _, c := range batch {
			if c.id == id {
				rec.bytes += int64(len(c.data))
			}
		}
		rec.chunks = r.next
		rec.state = StateSealed
		rec.clear.End = end
		rec.last = seq
		return putSealed(tx, id, &rec, r.key, seq)
	})
	if err != nil {
		return fmt.Errorf("vault: seal %v: %w", id, err)
	}
	v.mu.Lock()
	delete(v.open, id)
	v.mu.Unlock()
	v.seq = max(v.seq, rec.last)
	return nil
}

// putSealed writes the last-chunk marker into commit seq and the final
// record, and drops the open mark.
func putSealed(tx *bolt.Tx, id ID, rec *record, key []byte, seq uint64) error {
	cb, err := commitBucket(tx, seq)
	if err != nil {
		return err
	}
	if err := cb.Put(chunkKey(id, rec.chunks), sealAppend(nil, key, nil, chunkAD(id, rec.chunks, true))); err != nil {
		return err
	}
	val, err := rec.encode(id, key)
	if err != nil {
		return err
	}
	if err := tx.Bucket(bRec).Put(idKey(id), val); err != nil {
		return err
	}
	return tx.Bucket(bOpen).Delete(idKey(id))
}

// UpdateGrants replaces the grants of a recording. Durable when it returns.
func (v *Vault) UpdateGrants(id ID, grants []Grant) error {
	return v.update(id, "update grants", func(_ *bolt.Tx, r *record) error { r.clear.Grants = grants; return nil })
}

// SetNotes replaces the (encrypted) notes of a recording.
func (v *Vault) SetNotes(id ID, notes string) error {
	return v.update(id, "set notes", func(_ *bolt.Tx, r *record) error { r.personal.Notes = notes; return nil })
}

// AddCaller adds a number heard on an open recording (a caller announced by
// call waiting) to its encrypted metadata and its caller index, so that an
// erasure or access request by that number finds the recording. A number
// the recording has already is not added twice. Durable when it returns.
func (v *Vault) AddCaller(id ID, number string) error {
	v.mu.Lock()
	var err error
	if _, open := v.open[id]; !open {
		err = v.notOpen(id)
	}
	v.mu.Unlock()
	if err != nil {
		return fmt.Errorf("vault: add caller %v: %w", id, err)
	}
	mac := v.callerMAC(number)
	if mac == nil {
		return fmt.Errorf("vault: add caller %v: no digits in the number", id)
	}
	return v.update(id, "add caller", func(tx *bolt.Tx, r *record) error {
		if !r.addOther(number, mac) {
			return nil
		}
		return tx.Bucket(bCaller).Put(append(bytes.Clone(mac), idKey(id)...), nil)
	})
}

func (v *Vault) update(id ID, op string, change func(*bolt.Tx, *record) error) error {
	v.wmu.Lock()
	defer v.wmu.Unlock()
	v.mu.Lock()
	or := v.open[id]
	v.mu.Unlock()
	var rec record
	err := v.commitLocked(func(tx *bolt.Tx, _ uint64, _ []pendingChunk) error {
		r, key, err := v.load(tx, id)
		if err != nil {
			return err
		}
		if err := change(tx, &r); err != nil {
			return err
		}
		val, err := r.encode(id, key)
		if err != nil {
			return err
		}
		rec = r
		return tx.Bucket(bRec).Put(idKey(id), val)
	})
	if err != nil {
		return fmt.Errorf("vault: %s %v: %w", op, id, err)
	}
	// Only now that the change is durable: Seal writes the open record's
	// copy, which must not hold what a failed commit rolled back (a number
	// without its index entry).
	if or != nil {
		or.rec.clear.Grants, or.rec.personal.Notes = rec.clear.Grants, rec.personal.Notes
		or.rec.clear.OtherMACs, or.rec.personal.Others = rec.clear.OtherMACs, rec.personal.Others
	}
	return nil
}

// load reads and authenticates a record and unwraps its data key.
func (v *Vault) load(tx *bolt.Tx, id ID) (record, []byte, error) {
	val := tx.Bucket(bRec).Get(idKey(id))
	if val == nil || tx.Bucket(bErasing).Get(idKey(id)) != nil {
		return record{}, nil, ErrNotFound
	}
	r, _, err := peekRecord(val)
	if err != nil {
		return r, nil, err
	}
	key, err := v.dataKey(id, r.slot)
	if err != nil {
		return r, nil, err
	}
	r, err = decodeRecord(id, val, key)
	return r, key, err
}

func (v *Vault) dataKey(id ID, slot uint32) ([]byte, error) {
	if slot == 0 {
		return nil, ErrTampered
	}
	b, err := v.slots.read(slot)
	if err != nil {
		return nil, err
	}
	key, _, err := unwrapSlot(b, slot, uint64(id), v.keks)
	return key, err
}

// Info returns what the vault knows about a recording. A record that fails
// authentication gives ErrTampered (and an EventTampered).
func (v *Vault) Info(id ID) (Info, error) {
	var in Info
	err := v.view("info", func(tx *bolt.Tx) error {
		rec, _, err := v.load(tx, id)
		if err != nil {
			return err
		}
		in = rec.info(id)
		return nil
	})
	if err != nil {
		if errors.Is(err, ErrTampered) {
			v.emit([]Event{{Kind: EventTampered, ID: id, Detail: "metadata or key slot"}})
		}
		return Info{}, fmt.Errorf("vault: info %v: %w", id, err)
	}
	v.liveCounts(&in)
	return in, nil
}

// liveCounts fills in the durable audio length of a recording still open.
func (v *Vault) liveCounts(in *Info) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if r, ok := v.open[in.ID]; ok {
		in.Bytes = r.bytes
		in.Duration = time.Duration(r.bytes) * time.Second / BytesPerSecond
	}
}

// List returns the recordings q selects, in id (creation) order. Records
// that fail authentication are listed with Tampered set.
func (v *Vault) List(q Query) ([]Info, error) {
	var out []Info
	var events []Event
	err := v.view("list", func(tx *bolt.Tx) error {
		visit := func(id ID) {
			rec, _, err := v.load(tx, id)
			if errors.Is(err, ErrNotFound) {
				return
			}
			if err != nil {
				events = append(events, Event{Kind: EventTampered, ID: id, Detail: "metadata or key slot"})
				out = append(out, Info{ID: id, Tampered: true, Grants: []Grant{}})
				return
			}
			in := rec.info(id)
			if q.match(in) {
				out = append(out, in)
			}
		}
		if q.Caller != "" {
			mac, err := v.queryMAC(q.Caller)
			if err != nil {
				return err
			}
			c := tx.Bucket(bCaller).Cursor()
			for k, _ := c.Seek(mac); k != nil && len(k) == len(mac)+8 && hmac.Equal(k[:len(mac)], mac); k, _ = c.Next() {
				id := ID(binary.BigEndian.Uint64(k[len(mac):]))
				rec, _, err := v.load(tx, id)
				if err == nil && !rec.hasMAC(mac) {
					continue // a stale index entry: the record no longer has the number
				}
				visit(id)
			}
			return nil
		}
		c := tx.Bucket(bRec).Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			if len(k) == 8 {
				visit(ID(binary.BigEndian.Uint64(k)))
			}
		}
		return nil
	})
	v.emit(events)
	if err != nil {
		return nil, fmt.Errorf("vault: list: %w", err)
	}
	for i := range out {
		v.liveCounts(&out[i])
	}
	return out, nil
}

func (q Query) match(in Info) bool {
	if !q.From.IsZero() && in.Start.Before(q.From) {
		return false
	}
	if !q.To.IsZero() && !in.Start.Before(q.To) {
		return false
	}
	if q.State != 0 && in.State != q.State {
		return false
	}
	if len(q.Lines) > 0 {
		for _, l := range q.Lines {
			if l == in.Line {
				return true
			}
		}
		return false
	}
	return true
}

// callerMAC is the lookup key of a caller number: HMAC-SHA256 of the
// number in its canonical form, truncated to 128 bits; nil for no number.
func (v *Vault) callerMAC(number string) []byte {
	return v.mac(v.canonical(number))
}

func (v *Vault) mac(canonical string) []byte {
	if canonical == "" {
		return nil
	}
	h := hmac.New(sha256.New, v.indexKey)
	h.Write([]byte(canonical))
	return h.Sum(nil)[:16]
}

// normalizeNumber reduces a phone number to "+" and digits: separators
// dropped, an international "00" prefix written as "+". Anything without a
// digit (e.g. "P" for a withheld number) is no number. National and
// international forms of one number are NOT unified: that needs the line's
// country, which the caller-ID layer knows.
func normalizeNumber(s string) string {
	var b strings.Builder
	for i, c := range strings.TrimSpace(s) {
		switch {
		case c >= '0' && c <= '9':
			b.WriteRune(c)
		case c == '+' && i == 0:
			b.WriteRune(c)
		}
	}
	n := b.String()
	if strings.HasPrefix(n, "00") {
		n = "+" + n[2:]
	}
	if strings.Trim(n, "+") == "" {
		return ""
	}
	return n
}
