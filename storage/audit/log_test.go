package audit

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	bolt "go.etcd.io/bbolt"
)

func entries(t *testing.T, l *Log) []Entry {
	t.Helper()
	var out []Entry
	if err := l.Each(time.Time{}, func(e Entry) error { out = append(out, e); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestRecordStampsAndContinuesAfterReopen(t *testing.T) {
	l, clk := testLog(t, nil)
	fill(t, l, clk, 3)
	cfg := l.cfg
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	l2, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer l2.Close()
	clk.Advance(time.Hour)
	if err := l2.Record(sample(3)); err != nil {
		t.Fatal(err)
	}
	got := entries(t, l2)
	if len(got) != 4 {
		t.Fatalf("%d entries, want 4", len(got))
	}
	var prev [32]byte
	for i, e := range got {
		if e.Seq != uint64(i+1) || e.Prev != prev || e.Time.Location() != time.UTC || e.Approximate {
			t.Errorf("entry %d: seq %d, prev ok %v, time %v, approximate %v", i, e.Seq, e.Prev == prev, e.Time, e.Approximate)
		}
		prev = e.Hash()
	}
	if want := t0.Add(3*time.Minute + time.Hour); !got[3].Time.Equal(want) {
		t.Errorf("time %v, want %v (from the clock)", got[3].Time, want)
	}
	if _, err := l2.Verify(); err != nil {
		t.Error(err)
	}
}

func TestRecordApproximate(t *testing.T) {
	trusted := true
	l, clk := testLog(t, func(c *Config) { c.Trusted = func() bool { return trusted } })
	clk.Set(time.Date(1970, 1, 1, 0, 0, 42, 0, time.UTC)) // booted without RTC
	if err := l.Record(sample(0)); err != nil {
		t.Fatal(err)
	}
	clk.Set(t0)
	trusted = false
	if err := l.Record(sample(1)); err != nil {
		t.Fatal(err)
	}
	trusted = true
	if err := l.Record(sample(2)); err != nil {
		t.Fatal(err)
	}
	var got []bool
	for _, e := range entries(t, l) {
		got = append(got, e.Approximate)
	}
	if diff := cmp.Diff([]bool{true, true, false}, got); diff != "" {
		t.Errorf("approximate flags (-want +got):\n%s", diff)
	}
}

func TestRecordRefuses(t *testing.T) {
	l, clk := testLog(t, nil)
	fill(t, l, clk, 2)
	bad := sample(0)
	bad.Detail = "caller 0612345678"
	if err := l.Record(bad); !errors.Is(err, ErrInvalid) {
		t.Fatalf("Record = %v, want ErrInvalid", err)
	}
	if err := l.Record(sample(1)); err != nil {
		t.Fatal(err)
	}
	if got := entries(t, l); len(got) != 3 || got[2].Seq != 3 {
		t.Errorf("a refused entry used a sequence number: %+v", got)
	}

	ro := func() *Log {
		l.Close()
		return reopen(t, l, nil)
	}()
	if err := ro.Record(sample(0)); !errors.Is(err, ErrReadOnly) {
		t.Errorf("read-only Record = %v", err)
	}
	ro.Close()
	if err := ro.Record(sample(0)); !errors.Is(err, ErrClosed) {
		t.Errorf("closed Record = %v", err)
	}
	if _, err := ro.Verify(); !errors.Is(err, ErrClosed) {
		t.Errorf("closed Verify = %v", err)
	}
}

func TestOpenLockTimeout(t *testing.T) {
	l, _ := testLog(t, nil)
	cfg := l.cfg
	cfg.Timeout = 50 * time.Millisecond
	l2, err := Open(cfg)
	if err == nil {
		l2.Close()
	}
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second writer: %v, want ErrLocked", err)
	}
}

// TestOpenAfterTruncation: someone removed the last entries. Opening records
// the tamper and continues from the head, so the gap stays visible.
func TestOpenAfterTruncation(t *testing.T) {
	l, clk := testLog(t, nil)
	fill(t, l, clk, 6)
	cfg := l.cfg
	tamper(t, l, func(b, _ *bolt.Bucket) error { return b.Delete(seqKey(6)) })
	l2, err := Open(cfg)
	if !errors.Is(err, ErrTampered) || l2 == nil {
		t.Fatalf("Open = %v, want ErrTampered and the log", err)
	}
	defer l2.Close()
	got := entries(t, l2)
	last := got[len(got)-1]
	if last.Action != ActionTamperDetected || last.Seq != 7 {
		t.Errorf("last entry %d %v, want 7 tamper-detected", last.Seq, last.Action)
	}
	_, err = l2.Verify()
	var be *BreakError
	if !errors.As(err, &be) || be.Kind != Removed || be.Seq != 6 {
		t.Errorf("Verify = %v, want entry 6 removed", err)
	}
}

// TestOpenMismatchPastFiveDigits: a log past entry 99999 whose head and last
// entry disagree still opens. The tamper entry's detail once carried both
// sequence numbers, and six digits in a row are refused as a phone number.
func TestOpenMismatchPastFiveDigits(t *testing.T) {
	l, clk := testLog(t, nil)
	fill(t, l, clk, 3)
	cfg := l.cfg
	key := l.key
	tamper(t, l, func(_, meta *bolt.Bucket) error {
		h, err := decodeHead(meta.Get(keyHead))
		if err != nil {
			return err
		}
		// As if the entries after a backup were lost: a signed head far
		// beyond the last entry.
		h.seq = 123456
		h.sign(key)
		return meta.Put(keyHead, h.encode())
	})
	l2, err := Open(cfg)
	if !errors.Is(err, ErrTampered) || l2 == nil {
		t.Fatalf("Open with head 123456 and last entry 3: %v, want ErrTampered and the log", err)
	}
	defer l2.Close()
	got := entries(t, l2)
	last := got[len(got)-1]
	if last.Action != ActionTamperDetected || last.Seq != 123457 {
		t.Errorf("last entry %d %v, want 123457 tamper-detected", last.Seq, last.Action)
	}
	_, err = l2.Verify()
	var be *BreakError
	if !errors.As(err, &be) || be.Kind != Removed || be.Seq != 4 || be.Count != 123453 {
		t.Errorf("Verify = %v, want entries 4 to 123456 removed", err)
	}
}

func TestExport(t *testing.T) {
	l, clk := testLog(t, nil)
	fill(t, l, clk, 5)
	var buf bytes.Buffer
	since := t0.Add(3 * time.Minute) // entries are at t0+1m .. t0+5m
	n, err := l.Export(&buf, since)
	if err != nil || n != 3 {
		t.Fatalf("Export = %d, %v; want 3", n, err)
	}
	all := entries(t, l)
	sc := bufio.NewScanner(&buf)
	var got []JSONEntry
	for sc.Scan() {
		var j JSONEntry
		dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&j); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		got = append(got, j)
	}
	if len(got) != 3 || got[0].Seq != 3 {
		t.Fatalf("exported %+v, want entries 3..5", got)
	}
	for i, j := range got {
		e := all[i+2]
		h := e.Hash()
		want := JSONEntry{Seq: e.Seq, Time: e.Time, Actor: e.Actor.Kind.String(), ActorID: e.Actor.ID,
			Action: e.Action.String(), Recording: e.Recording, Purpose: e.Purpose, Detail: e.Detail,
			Prev: hex.EncodeToString(e.Prev[:]), Hash: hex.EncodeToString(h[:])}
		if diff := cmp.Diff(want, j); diff != "" {
			t.Errorf("line %d (-want +got):\n%s", i, diff)
		}
		if i > 0 && j.Prev != got[i-1].Hash {
			t.Errorf("line %d does not chain to the line before", i)
		}
	}
}

type sinkFunc func(Entry)

func (f sinkFunc) Enqueue(e Entry) { f(e) }

func TestSinkGetsCommittedEntriesInOrder(t *testing.T) {
	var got []uint64
	l, clk := testLog(t, func(c *Config) { c.Sink = sinkFunc(func(e Entry) { got = append(got, e.Seq) }) })
	fill(t, l, clk, 4)
	bad := sample(0)
	bad.Action = 0
	if err := l.Record(bad); !errors.Is(err, ErrInvalid) {
		t.Fatalf("Record of an entry without action = %v, want ErrInvalid", err)
	}
	if diff := cmp.Diff([]uint64{1, 2, 3, 4}, got); diff != "" {
		t.Errorf("sink saw (-want +got):\n%s", diff)
	}
}

func TestRunPrunesDaily(t *testing.T) {
	l, _ := ageLog(t, nil, 40, 5)
	clk := l.cfg.Clock.(interface {
		Pending() int
		Advance(time.Duration)
	})
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var runErr error
	wg.Go(func() { runErr = l.Run(ctx) })
	waitFor(t, "Run to arm its timer", func() bool { return clk.Pending() > 0 })
	if rep, err := l.Verify(); err != nil || rep.Checkpoint == nil || rep.Checkpoint.Seq != 5 {
		t.Errorf("after start: checkpoint %+v (%v), want 5", rep.Checkpoint, err)
	}
	clk.Advance(DefaultPruneEvery)
	waitFor(t, "the daily prune", func() bool {
		rep, err := l.Verify()
		if err != nil {
			t.Fatalf("Verify while Run prunes: %v", err)
		}
		return rep.Checkpoint != nil && rep.Checkpoint.Seq == 6
	})
	cancel()
	wg.Wait()
	if !errors.Is(runErr, context.Canceled) {
		t.Errorf("Run = %v", runErr)
	}
}

// waitFor polls cond for up to five seconds.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	for range 2500 {
		if cond() {
			return
		}
		<-time.After(2 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}
