package audit

import (
	"bytes"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"fairrec/firmware/clock/clocktest"
)

var (
	t0      = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	testKEK = bytes.Repeat([]byte{0x42}, 32)
)

func testKey(t testing.TB) []byte {
	t.Helper()
	k, err := DeriveKey(testKEK)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// testLog opens a fresh log with a fake clock and the test key; edit
// adjusts the config first.
func testLog(t testing.TB, edit func(*Config)) (*Log, *clocktest.Clock) {
	t.Helper()
	clk := clocktest.New(t0)
	cfg := Config{Path: filepath.Join(t.TempDir(), FileName), Clock: clk, Key: testKey(t), NoSync: true}
	if edit != nil {
		edit(&cfg)
	}
	l, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l, clk
}

// sample returns the i-th entry of a typical day, varied across actions.
func sample(i int) Entry {
	entries := []Entry{
		{Actor: Actor{Kind: ActorDevice, ID: "line1"}, Action: ActionNoticeReceipt, Recording: 7, Purpose: "quality"},
		{Actor: Actor{Kind: ActorDevice, ID: "line1"}, Action: ActionRecordingCreated, Recording: 7, Purpose: "quality"},
		{Actor: Actor{Kind: ActorCallerDTMF, ID: "line1"}, Action: ActionObjection, Recording: 7, Purpose: "quality", Detail: "key=9"},
		{Actor: Actor{Kind: ActorDevice}, Action: ActionEraseObjection, Recording: 7, Purpose: "quality"},
		{Actor: Actor{Kind: ActorRole, ID: "supervisor"}, Action: ActionPlayback, Recording: 3, Purpose: "complaints"},
		{Actor: Actor{Kind: ActorRole, ID: "installer"}, Action: ActionConfigChange, Detail: "retention quality 30d -> 60d"},
		{Actor: Actor{Kind: ActorButton, ID: "line2-objection"}, Action: ActionObjection, Recording: 8},
		{Actor: Actor{Kind: ActorDevice}, Action: ActionEraseTimer, Recording: 2, Purpose: "training"},
	}
	e := entries[i%len(entries)]
	e.Recording += uint64(i / len(entries) * 100)
	return e
}

// fill records n sample entries, one minute apart.
func fill(t testing.TB, l *Log, clk *clocktest.Clock, n int) {
	t.Helper()
	for i := range n {
		clk.Advance(time.Minute)
		if err := l.Record(sample(i)); err != nil {
			t.Fatal(err)
		}
	}
}

// tamper closes l and runs fn on the raw bbolt file, as an attacker with
// write access to the SD card would.
func tamper(t testing.TB, l *Log, fn func(entries, meta *bolt.Bucket) error) {
	t.Helper()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := bolt.Open(l.cfg.Path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.Update(func(tx *bolt.Tx) error {
		return fn(tx.Bucket(bucketEntries), tx.Bucket(bucketMeta))
	})
	if err != nil {
		t.Fatal(err)
	}
}

// reopen opens the log at l's path read-only, as the operator tool does,
// so that opening does not itself append a tamper entry.
func reopen(t testing.TB, l *Log, key []byte) *Log {
	t.Helper()
	r, err := Open(Config{Path: l.cfg.Path, ReadOnly: true, Key: key})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// editEntry rewrites the stored bytes of entry seq with fn.
func editEntry(seq uint64, fn func(v []byte)) func(entries, meta *bolt.Bucket) error {
	return func(b, _ *bolt.Bucket) error {
		v := append([]byte(nil), b.Get(seqKey(seq))...)
		fn(v)
		return b.Put(seqKey(seq), v)
	}
}

type clockT = clocktest.Clock

// clockCtl is what tests do with the fake clock.
type clockCtl interface {
	Pending() int
	Advance(time.Duration)
}

func clocktestNew() *clocktest.Clock { return clocktest.New(t0) }
