package policy

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"fairrec/firmware/dsp"
	"fairrec/firmware/wav"
	"fairrec/storage/vault"
)

// recordAudio records a call on line 1 from number holding alaw, committed
// a second at a time as the daemon commits.
func (b *box) recordAudio(number string, alaw []byte) vault.ID {
	b.t.Helper()
	st, err := b.e.Start(1, false, caller)
	if err != nil {
		b.t.Fatal(err)
	}
	st.Meta.Caller = number
	id, err := b.v.Create(st.Meta)
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
	if err := b.v.Seal(id, b.k.Now()); err != nil {
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
			b := newBox(t, testRules(t))
			alaw := testALaw(n)
			id := b.recordAudio("+31 20 555 0101", alaw)
			out := filepath.Join(t.TempDir(), "export")
			if _, err := b.e.Export("+31 20 555 0101", out, nil, supervisor); err != nil {
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

// BenchmarkExport2h exports a two-hour recording (57.6 MB of A-law, a
// 115 MB WAV) as a subject access request and reports the heap: in use
// after the export compared with before (heap-growth-B, no GC between)
// and allocated during it (alloc-B/op). Both stay far below the
// recording's size: the export streams.
func BenchmarkExport2h(b *testing.B) {
	box := newBox(b, testRules(b))
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
		if _, err := box.e.Export(number, out, nil, supervisor); err != nil {
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
