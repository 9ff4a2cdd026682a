package audittest

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"fairrec/storage/audit"
)

// Recorder is a fake audit.Recorder that keeps entries in memory. It stamps
// Seq (1, 2, ...) and, if Clock is set, Time; it refuses what the real log
// refuses (Entry.Validate). Set Clock and Err before use; Err makes Record
// fail. The zero value is ready to use.
type Recorder struct {
	Clock interface{ Now() time.Time }

	mu      sync.Mutex
	entries []audit.Entry
	Err     error
}

// Record validates and keeps e.
func (r *Recorder) Record(e audit.Entry) error {
	if err := e.Validate(); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.Err != nil {
		return r.Err
	}
	e.Seq = uint64(len(r.entries) + 1)
	if r.Clock != nil {
		e.Time = r.Clock.Now().UTC()
	}
	r.entries = append(r.entries, e)
	return nil
}

// Entries returns a copy of the entries recorded so far.
func (r *Recorder) Entries() []audit.Entry {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]audit.Entry(nil), r.entries...)
}

// Actions returns the actions recorded so far, in order.
func (r *Recorder) Actions() []audit.Action {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]audit.Action, len(r.entries))
	for i, e := range r.entries {
		out[i] = e.Action
	}
	return out
}

// NewLog opens a real audit log in t's temporary directory, without fsync,
// signed with a fixed test key, and closes it when the test ends. Scan its
// Path() after a test has driven recordings through it.
func NewLog(t testing.TB, clk audit.Clock) *audit.Log {
	t.Helper()
	key, err := audit.DeriveKey([]byte("audittest key-encryption key 32b"))
	if err != nil {
		t.Fatal(err)
	}
	l, err := audit.Open(audit.Config{Path: filepath.Join(t.TempDir(), audit.FileName), Clock: clk, Key: key, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// CallerNumbers returns the caller numbers the audit tests use in their
// simulated recordings, in the forms a caller ID decoder may deliver, plus
// those of the vault's and the caller ID decoder's tests (so that a test
// wiring them to the log can scan for them).
func CallerNumbers() []string {
	return []string{
		"+31612345678", "0612345678", "0201234567", "+4930123456789", "5551234567",
		"+31 20 555 0123", "+31 20 123 4567", "+31201234567", "2125551234", "0307654321",
	}
}

// Notes returns the notes (free text a supervisor might attach to a
// recording) the audit tests use; they name people and contain numbers.
func Notes() []string {
	return []string{
		"Mrs Jansen complained about invoice 2024-778812",
		"call back Pieter de Vries tomorrow",
		"customer 88123401 wants a refund",
		"asked for a refund", // storage/vault's scan test
	}
}

// Variants returns the byte strings Scan looks for for one needle: the
// needle itself; every run of six or more digits in it; and, when it holds
// six digits or more, its digits alone and their last nine (the subscriber
// number without country or trunk prefix, so that +31612345678 is also found
// as 0612345678).
func Variants(needle string) [][]byte {
	var out [][]byte
	add := func(v []byte) {
		for _, o := range out {
			if bytes.Equal(o, v) {
				return
			}
		}
		out = append(out, v)
	}
	add([]byte(needle))
	var digits, run []byte
	for i := 0; i <= len(needle); i++ {
		if i < len(needle) && needle[i] >= '0' && needle[i] <= '9' {
			digits = append(digits, needle[i])
			run = append(run, needle[i])
			continue
		}
		if len(run) >= 6 {
			add(run)
		}
		run = nil
	}
	if len(digits) >= 6 {
		add(digits)
	}
	if len(digits) > 9 {
		add(digits[len(digits)-9:])
	}
	return out
}

// Scan reads the file at path and returns the needles found in its raw bytes
// (any of their Variants), in the order given. Raw bytes include what bbolt
// left in freed pages.
func Scan(path string, needles ...string) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("audittest: scan: %w", err)
	}
	var found []string
	for _, n := range needles {
		for _, v := range Variants(n) {
			if bytes.Contains(data, v) {
				found = append(found, n)
				break
			}
		}
	}
	return found, nil
}

// CheckNoPersonalData fails t for each of CallerNumbers, Notes and extra
// found in the file at path.
func CheckNoPersonalData(t testing.TB, path string, extra ...string) {
	t.Helper()
	needles := append(append(CallerNumbers(), Notes()...), extra...)
	found, err := Scan(path, needles...)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range found {
		t.Errorf("%s holds personal data %q", path, f)
	}
}
