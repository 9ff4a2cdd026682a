package access

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"fairrec/firmware/clock/clocktest"
	"fairrec/firmware/dsp"
	"fairrec/firmware/wav"
	"fairrec/storage/audit"
	"fairrec/storage/audit/audittest"
	"fairrec/storage/vault"
)

var t0 = time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)

var supervisor = audit.Actor{Kind: audit.ActorRole, ID: "supervisor"}

// auditor records into an audit.Recorder (a fake or a real log) and fails
// the test when that fails.
type auditor struct {
	t testing.TB
	r audit.Recorder
}

func (a auditor) Record(e audit.Entry) {
	if err := a.r.Record(e); err != nil {
		a.t.Error(err)
	}
}

// box is a vault with a clock and an audit recorder, for exports.
type box struct {
	t   testing.TB
	clk *clocktest.Clock
	v   *vault.Vault
	rec *audittest.Recorder
}

func newBox(t testing.TB) *box {
	t.Helper()
	dir := t.TempDir()
	if err := vault.InitKey(filepath.Join(dir, vault.KeyFile), nil); err != nil {
		t.Fatal(err)
	}
	clk := clocktest.New(t0)
	v, err := vault.Open(vault.Config{Dir: dir, Clock: clk, NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := v.Close(); err != nil {
			t.Error(err)
		}
	})
	return &box{t: t, clk: clk, v: v, rec: &audittest.Recorder{Clock: clk}}
}

func (b *box) auditor() Auditor { return auditor{b.t, b.rec} }

// recordAudio records a call on line 1 from number holding alaw, committed
// a second at a time as the daemon commits.
func (b *box) recordAudio(number string, alaw []byte) vault.ID {
	b.t.Helper()
	id, err := b.v.Create(vault.Meta{Line: 1, Start: b.clk.Now(), Caller: number, Grants: []vault.Grant{{
		Purpose: "quality", Basis: "legitimate-interests", Granted: b.clk.Now(), Deadline: b.clk.Now().Add(90 * 24 * time.Hour),
		Objectable: true, Review: true}}})
	if err != nil {
		b.t.Fatal(err)
	}
	for len(alaw) > 0 {
		n := min(len(alaw), vault.BytesPerSecond)
		if err := b.v.Append(id, alaw[:n]); err != nil {
			b.t.Fatal(err)
		}
		if err := b.v.Commit(); err != nil {
			b.t.Fatal(err)
		}
		alaw = alaw[n:]
	}
	if err := b.v.Seal(id, b.clk.Now()); err != nil {
		b.t.Fatal(err)
	}
	return id
}

func testALaw(n int) []byte {
	a := make([]byte, n)
	for i := range a {
		a[i] = byte(i*7 + i/8000)
	}
	return a
}

// TestExportWAVUnchanged: the streamed export is byte for byte the file
// the whole-recording encoder wrote (wav.Encode of the decoded audio).
func TestExportWAVUnchanged(t *testing.T) {
	for _, n := range []int{0, 1, 8000, 3*8000 + 4097} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			b := newBox(t)
			alaw := testALaw(n)
			id := b.recordAudio("+31 20 555 0101", alaw)
			out := filepath.Join(t.TempDir(), "export")
			if _, err := Export(b.v, b.auditor(), "+31 20 555 0101", out, nil, supervisor); err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(filepath.Join(out, fmt.Sprintf("recording-%v.wav", id)))
			if err != nil {
				t.Fatal(err)
			}
			pcm := make([]int16, len(alaw))
			dsp.DecodeALaw(pcm, alaw)
			var want bytes.Buffer
			if err := wav.Encode(&want, vault.BytesPerSecond, 1, wav.PCM16, pcm); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want.Bytes()) {
				t.Fatalf("export of %d bytes: %d-byte file differs from the encoder's %d bytes", n, len(got), want.Len())
			}
		})
	}
}

// TestExport checks what an export writes and records: the caller's
// recordings only, their metadata, their audit trail, one export entry
// each; and the requests it refuses.
func TestExport(t *testing.T) {
	const a, other = "+31 20 555 0101", "+31 20 555 0202"
	b := newBox(t)
	log := audittest.NewLog(t, b.clk)
	b.rec = nil
	aud := auditor{t, log}
	id1 := b.recordAudio(a, testALaw(8000))
	id2 := b.recordAudio(other, testALaw(8000))
	id3 := b.recordAudio(a, testALaw(100))
	for _, id := range []vault.ID{id1, id2} {
		aud.Record(audit.Entry{Actor: supervisor, Action: audit.ActionHold, Recording: uint64(id), Purpose: "quality"})
	}
	out := filepath.Join(t.TempDir(), "export")
	r, err := Export(b.v, aud, a, out, log, supervisor)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]vault.ID{id1, id3}, r.Recordings); d != "" {
		t.Errorf("recordings (-want +got):\n%s", d)
	}
	wantText := "access request: 2 recording(s) exported to " + out + " with metadata.json and 3 audit entries in audit.jsonl"
	if r.Text != wantText {
		t.Errorf("text %q, want %q", r.Text, wantText)
	}
	var recs []Recording
	if b, err := os.ReadFile(filepath.Join(out, "metadata.json")); err != nil || json.Unmarshal(b, &recs) != nil {
		t.Fatalf("metadata.json: %v\n%s", err, b)
	}
	if len(recs) != 2 || recs[0].File != fmt.Sprintf("recording-%v.wav", id1) || recs[1].ID != id3 || recs[0].Grants[0].Purpose != "quality" {
		t.Errorf("metadata: %+v", recs)
	}
	trail, err := os.ReadFile(filepath.Join(out, "audit.jsonl"))
	// The hold on id1, then the export of each: the trail is written
	// after the exports were recorded.
	if err != nil || strings.Count(string(trail), "\n") != 3 || !strings.Contains(string(trail), `"action":"hold"`) ||
		strings.Contains(string(trail), fmt.Sprintf(`"recording":%d,`, id2)) {
		t.Errorf("audit.jsonl: %v\n%s", err, trail)
	}
	var exported []uint64
	var requests []string
	if err := log.Each(time.Time{}, func(e audit.Entry) error {
		if e.Action == audit.ActionExport && e.Recording == 0 {
			requests = append(requests, e.Detail)
		} else if e.Action == audit.ActionExport {
			exported = append(exported, e.Recording)
			if e.Actor != supervisor || e.Detail != "subject access request" {
				t.Errorf("export entry %+v", e)
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]uint64{uint64(id1), uint64(id3)}, exported); d != "" {
		t.Errorf("export entries (-want +got):\n%s", d)
	}
	// A request that finds nothing is audited too, without the number.
	if _, err := Export(b.v, aud, "+44 20 7946 0000", filepath.Join(t.TempDir(), "none"), log, supervisor); err != nil {
		t.Fatal(err)
	}
	if err := log.Each(time.Time{}, func(e audit.Entry) error {
		if e.Action == audit.ActionExport && e.Recording == 0 && e.Seq > 5 {
			requests = append(requests, e.Detail)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"subject access request found=2", "subject access request found=0"}, requests); d != "" {
		t.Errorf("request entries (-want +got):\n%s", d)
	}

	for _, c := range []struct {
		name, number, dir, want string
	}{
		{"no number", " ", filepath.Join(t.TempDir(), "x"), "no caller number"},
		{"not empty", a, out, "is not empty"},
	} {
		if _, err := Export(b.v, aud, c.number, c.dir, nil, supervisor); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
}

// BenchmarkExport2h exports a two-hour recording (57.6 MB of A-law, a
// 115 MB WAV) as a subject access request and reports the heap: in use
// after the export compared with before (heap-growth-B, no GC between)
// and allocated during it (alloc-B/op). Both stay far below the
// recording's size: the export streams.
func BenchmarkExport2h(b *testing.B) {
	box := newBox(b)
	const number = "+31 20 555 0101"
	box.recordAudio(number, testALaw(2*3600*vault.BytesPerSecond))
	dir := b.TempDir()
	var growth, alloc, peak float64
	i := 0
	for b.Loop() {
		out := filepath.Join(dir, fmt.Sprint(i))
		i++
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		if _, err := Export(box.v, box.auditor(), number, out, nil, supervisor); err != nil {
			b.Fatal(err)
		}
		runtime.ReadMemStats(&after)
		growth += float64(int64(after.HeapInuse) - int64(before.HeapInuse))
		alloc += float64(after.TotalAlloc - before.TotalAlloc)
		peak = max(peak, float64(after.HeapInuse))
		b.StopTimer()
		if err := os.RemoveAll(out); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(growth/float64(i), "heap-growth-B")
	b.ReportMetric(alloc/float64(i), "alloc-B/op")
	b.ReportMetric(peak, "heap-inuse-B")
}
