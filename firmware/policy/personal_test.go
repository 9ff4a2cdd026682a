package policy

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fairrec/firmware/access"
	"fairrec/storage/audit/audittest"
)

// TestNoPersonalDataInAudit drives calls, references, holds, objections
// and both requests through a real audit log and scans its raw bytes for
// the caller numbers and references used; the export, which is personal
// data by design, must hold the trail of exactly the caller's recordings.
func TestNoPersonalDataInAudit(t *testing.T) {
	b := newBox(t, testRules(t))
	log := audittest.NewLog(t, b.k)
	b.e.cfg.Audit = log
	numbers := audittest.CallerNumbers()
	refs := []string{"ORDER-4711-0612345678", "complaint 123456"}
	for i, n := range numbers[:4] {
		b.call(1+i%4, n, false)
	}
	if _, err := b.e.SetReference(2, refs[0], supervisor); err != nil {
		t.Fatal(err)
	}
	if _, err := b.e.Hold(1, refs[1], supervisor); err != nil {
		t.Fatal(err)
	}
	b.advance(day)
	if _, err := b.e.Event("completed", refs[0], supervisor); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "export")
	r, err := access.Export(b.v, b.e, numbers[0], out, log, supervisor)
	if err != nil || len(r.Recordings) != 1 {
		t.Fatalf("export %+v: %v", r, err)
	}
	trail, err := os.ReadFile(filepath.Join(out, "audit.jsonl"))
	if err != nil || !strings.Contains(string(trail), `"action":"hold"`) || strings.Contains(string(trail), `"recording":2,`) {
		t.Errorf("export trail:\n%s", trail)
	}
	if _, err := b.e.Object(3, caller); err != nil {
		t.Fatal(err)
	}
	if _, err := b.e.EraseCaller(numbers[3], supervisor); err != nil {
		t.Fatal(err)
	}
	b.advance(400 * day)
	b.sweep()
	audittest.CheckNoPersonalData(t, log.Path(), refs...)
}
