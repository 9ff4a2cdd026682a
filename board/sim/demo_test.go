package sim

import (
	"testing"

	"fairrec/firmware/dsp"
)

// TestDemoScenario keeps scripts/demo/demo.toml loadable and its first two
// calls audible: each one's capture carries speech at a telephone level.
// (Later calls, such as the one that only objects, need not speak.)
func TestDemoScenario(t *testing.T) {
	sc, err := LoadScenario("../../scripts/demo/demo.toml")
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Config{Scenario: sc, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	calls := s.Calls()
	if len(calls) < 2 || calls[0].Line == calls[1].Line {
		t.Fatalf("demo has %d calls, want at least 2, the first two on two lines", len(calls))
	}
	if calls[1].OffHook >= calls[0].OnHook {
		t.Errorf("demo calls do not overlap in time")
	}
	for _, c := range calls[:2] {
		lvl := dsp.LevelDBm0(c.Audio)
		t.Logf("line %d: %.1f s, %.1f dBm0", c.Line, float64(len(c.Audio))/float64(sc.Rate), lvl)
		if lvl < -35 || lvl > -5 {
			t.Errorf("line %d call level %.1f dBm0, want speech between -35 and -5", c.Line, lvl)
		}
	}
}
