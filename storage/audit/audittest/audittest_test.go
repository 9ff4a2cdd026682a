package audittest

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"fairrec/firmware/clock/clocktest"
	"fairrec/storage/audit"
)

func TestRecorder(t *testing.T) {
	clk := clocktest.New(time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC))
	r := &Recorder{Clock: clk}
	var rec audit.Recorder = r
	dev := audit.Actor{Kind: audit.ActorDevice}
	if err := rec.Record(audit.Entry{Actor: dev, Action: audit.ActionRecordingCreated, Recording: 1}); err != nil {
		t.Fatal(err)
	}
	if err := rec.Record(audit.Entry{Actor: dev, Action: audit.ActionExport, Detail: "0612345678"}); !errors.Is(err, audit.ErrInvalid) {
		t.Errorf("fake accepted what the log refuses: %v", err)
	}
	clk.Advance(time.Minute)
	if err := rec.Record(audit.Entry{Actor: dev, Action: audit.ActionEraseTimer, Recording: 1}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]audit.Action{audit.ActionRecordingCreated, audit.ActionEraseTimer}, r.Actions()); diff != "" {
		t.Errorf("actions (-want +got):\n%s", diff)
	}
	es := r.Entries()
	if es[1].Seq != 2 || !es[1].Time.Equal(clk.Now()) {
		t.Errorf("second entry stamped %d at %v", es[1].Seq, es[1].Time)
	}
	r.Err = errors.New("disk full")
	if err := rec.Record(audit.Entry{Actor: dev, Action: audit.ActionHold}); err != r.Err {
		t.Errorf("Record = %v, want the injected error", err)
	}
}

func TestNewLog(t *testing.T) {
	clk := clocktest.New(time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC))
	l := NewLog(t, clk)
	if err := l.Record(audit.Entry{Actor: audit.Actor{Kind: audit.ActorDevice, ID: "line1"}, Action: audit.ActionRecordingCreated, Recording: 5}); err != nil {
		t.Fatal(err)
	}
	if rep, err := l.Verify(); err != nil || rep.Entries != 1 || !rep.Signed {
		t.Fatalf("Verify = %+v, %v", rep, err)
	}
	CheckNoPersonalData(t, l.Path())
	if found, err := Scan(l.Path(), "line1"); err != nil || len(found) != 1 {
		t.Errorf("Scan for the actor id it wrote = %v, %v", found, err)
	}
}
