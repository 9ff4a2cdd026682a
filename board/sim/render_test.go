package sim

import (
	"runtime"
	"testing"
)

// TestRenderDTMFCutAtEnd: a digit that outlasts the scenario is cut at end,
// and rendering allocates for the capture, not for the whole tone. A 1 s
// scenario at 192 kHz with on = "300s" once allocated 220 MB.
func TestRenderDTMFCutAtEnd(t *testing.T) {
	const rate = 192000
	sc, err := ParseScenario([]byte(`rate = 192000
end = "1s"
[[line]]
events = [ { at = "0.5s", dtmf = "12", on = "10s" } ]
`), "")
	if err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	out, err := sc.render()
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 1 || len(out[0]) != rate {
		t.Fatalf("render: %d lines, want 1 line of %d samples", len(out), rate)
	}
	// Silence before the digit, tone up to the last sample.
	if out[0][rate/2-1] != 0 || !loud(out[0][rate-rate/100:]) || !loud(out[0][rate/2:rate/2+rate/100]) {
		t.Errorf("want silence up to 0.5 s and the tone from there to the end")
	}
	// The output (384 kB) plus the two tone buffers cut to 0.5 s (2 × 192
	// kB); a 10 s tone would take 7.7 MB.
	if got := after.TotalAlloc - before.TotalAlloc; got > 2<<20 {
		t.Errorf("render allocated %d bytes for a 1 s capture", got)
	}
}

// loud reports whether x has a sample beyond ±1000.
func loud(x []int16) bool {
	for _, v := range x {
		if v > 1000 || v < -1000 {
			return true
		}
	}
	return false
}
