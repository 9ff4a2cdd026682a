//go:build spandsp

package dtmf

import (
	"fmt"
	"os"
	"testing"

	"fairrec/firmware/dtmf/testdata/spandsp"
)

// spandspRx returns spandsp's dtmf_rx (libspandsp-dev) run over x in
// chunks; it is built only with -tags spandsp.
func spandspRx() (func(x []int16, chunk int) int, bool) { return spandsp.Run, true }

// The recorded corpus through spandsp's dtmf_rx, for comparison
// (FAIRREC_TALKOFF=1, -tags spandsp): it reports, it does not fail.
func TestTalkOffRecordedSpandsp(t *testing.T) {
	if os.Getenv("FAIRREC_TALKOFF") == "" {
		t.Skip("set FAIRREC_TALKOFF=1 (and -tags spandsp) to run spandsp over the recorded corpus")
	}
	dir := buildCorpus(t, "full")
	rx := func(t testing.TB, name string, x []int16) ([]byte, []string) {
		digits := spandsp.Digits(x, 160)
		return digits, []string{fmt.Sprintf("%q in %s", digits, name)}[:min(1, len(digits))]
	}
	digits, nines := recordedTalkOff(t, rx, dir, true, 0)
	t.Logf("spandsp: %d false digits, %d of them 9", digits, nines)
}
