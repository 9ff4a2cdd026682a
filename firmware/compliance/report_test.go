package compliance

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"fairrec/firmware/clock/clocktest"
	"fairrec/firmware/policy"
	"fairrec/firmware/trustclock"
	"fairrec/storage/audit"
	"fairrec/storage/vault"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// fixedTrail is an audit trail of fixed entries.
type fixedTrail []audit.Entry

func (f fixedTrail) Each(since time.Time, fn func(audit.Entry) error) error {
	for _, e := range f {
		if e.Time.Before(since) {
			continue
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return nil
}

var (
	caller     = audit.Actor{Kind: audit.ActorCallerDTMF, ID: "line1"}
	supervisor = audit.Actor{Kind: audit.ActorRole, ID: "supervisor"}
)

// testRules are the defaults with profiles for each test line:
// 1 quality+training, 2 contract, 3 legal+quality, 4 all four.
func testRules(t testing.TB) *policy.Rules {
	r := policy.Default()
	r.Profiles = []policy.Profile{
		{Lines: []int{1}, Purposes: []string{"quality", "training"}, Notice: "n1.mp3"},
		{Lines: []int{2}, Purposes: []string{"contract"}, Notice: "n2.mp3"},
		{Lines: []int{3}, Purposes: []string{"legal", "quality"}, Notice: "n3.mp3"},
		{Lines: []int{4}, Purposes: []string{"training", "quality", "contract", "legal"}, Notice: "n4.mp3"},
	}
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	return r
}

// infoStore holds recordings in memory, as the policy engine's store.
type infoStore map[vault.ID]*vault.Info

func (s infoStore) List(vault.Query) ([]vault.Info, error) { return nil, nil }
func (s infoStore) Info(id vault.ID) (vault.Info, error)   { return *s[id], nil }
func (s infoStore) UpdateGrants(id vault.ID, gs []vault.Grant) error {
	s[id].Grants = gs
	return nil
}
func (s infoStore) EraseMany([]vault.ID) error { return nil }

// reportFixture is a fixed set of recordings and audit entries, as the
// engine would have left them, at a fixed time.
func reportFixture(t *testing.T) (*policy.Rules, []vault.Info, fixedTrail, time.Time) {
	rules := testRules(t)
	rules.Source = "testdata"
	now := time.Date(2027, 6, 30, 12, 0, 0, 0, time.UTC)
	// The engine's clock reads the time of the hold below; the report
	// is made at now.
	k, err := trustclock.New(trustclock.Config{Clock: clocktest.New(now.Add(-5 * day)), RTC: true})
	if err != nil {
		t.Fatal(err)
	}
	store := infoStore{}
	e, err := policy.New(policy.Config{Rules: rules, Store: store, Keeper: k, RefKey: []byte("k")})
	if err != nil {
		t.Fatal(err)
	}
	mk := func(id vault.ID, line int, start time.Time, purposes ...string) vault.Info {
		in := vault.Info{ID: id, Line: line, Start: start, State: vault.StateSealed}
		if in.Grants, err = e.Grants(purposes, start); err != nil {
			t.Fatal(err)
		}
		return in
	}
	infos := []vault.Info{
		mk(1, 1, now.Add(-80*day), "quality"),
		mk(2, 1, now.Add(-20*day), "quality", "training"),
		mk(3, 1, now.Add(-2*day), "quality", "training"),
		mk(4, 2, now.Add(-40*day), "contract"),
		mk(5, 3, now.Add(-400*day), "legal"),
		mk(6, 3, now.Add(-10*day), "legal", "quality"),
		{ID: 7, Tampered: true},
	}
	// A hold on 1, placed 5 days ago, and an old grant of a purpose no
	// longer configured.
	store[1] = &infos[0]
	if _, err := e.Hold(1, "c-1", supervisor); err != nil {
		t.Fatal(err)
	}
	infos[4].Grants = append(infos[4].Grants, vault.Grant{Purpose: "marketing", Granted: infos[4].Start, Deadline: now.Add(day)})
	at := func(d time.Duration) time.Time { return now.Add(-d) }
	dev := audit.Actor{Kind: audit.ActorDevice, ID: "sweeper"}
	line := func(n int) audit.Actor { return audit.Actor{Kind: audit.ActorDevice, ID: fmt.Sprintf("line%d", n)} }
	hash := audit.Digest(make([]byte, 32))
	trail := fixedTrail{
		{Time: at(60 * day), Actor: caller, Action: audit.ActionObjection, Recording: 9, Detail: "ended=quality,training"},
		{Time: at(20 * day), Actor: caller, Action: audit.ActionObjection, Detail: "before recording line=1 ended=quality,training"},
		{Time: at(20 * day), Actor: caller, Action: audit.ActionEraseObjection, Recording: 10},
		{Time: at(10 * day), Actor: dev, Action: audit.ActionGrantExpired, Recording: 2, Purpose: "training"},
		{Time: at(9 * day), Actor: dev, Action: audit.ActionGrantExpired, Recording: 11, Purpose: "quality"},
		{Time: at(9 * day), Actor: dev, Action: audit.ActionEraseTimer, Recording: 11},
		{Time: at(5 * day), Actor: supervisor, Action: audit.ActionHold, Recording: 1, Purpose: "quality"},
		{Time: at(3 * day), Actor: supervisor, Action: audit.ActionEraseRequest, Recording: 12},
		{Time: at(3 * day), Actor: supervisor, Action: audit.ActionEraseRequest, Recording: 6, Purpose: "legal"},
		{Time: at(2 * day), Actor: dev, Action: audit.ActionClockTrust, Detail: "untrusted reason=implausible"},
		// Three calls: line 1's notice complete, line 2's found
		// incomplete after its receipt, line 3's cut short.
		{Time: at(25 * day), Actor: line(1), Action: audit.ActionNoticeReceipt, Detail: "line=1 notice=default.nl.notice.mp3 sha256=" + hash + " complete=true"},
		{Time: at(24 * day), Actor: line(2), Action: audit.ActionNoticeReceipt, Detail: "line=2 notice=sales.nl.notice.mp3 sha256=" + hash + " complete=true"},
		{Time: at(24 * day), Actor: line(2), Action: audit.ActionNoticeReceipt, Detail: "line=2 notice=sales.nl.notice.mp3 corrected: complete=false unheard-ms=20"},
		{Time: at(24 * day), Actor: line(2), Action: audit.ActionNoticeReceipt, Detail: "line=2 notice=sales.nl.notice.mp3 corrected: complete=false unheard-ms=40"},
		{Time: at(23 * day), Actor: line(3), Action: audit.ActionNoticeReceipt, Detail: "line=3 notice=default.nl.notice.mp3 sha256=" + hash + " complete=false"},
		// One objection to recording 13, pressed twice: one objection.
		{Time: at(15 * day), Actor: caller, Action: audit.ActionObjection, Recording: 13, Detail: "ended=quality,training"},
		{Time: at(15 * day), Actor: caller, Action: audit.ActionObjection, Recording: 13, Detail: "ended="},
		// A review of a minute, stopped after 42.5 s.
		{Time: at(4 * day), Actor: audit.Actor{Kind: audit.ActorButton, ID: "playback"}, Action: audit.ActionPlayback, Recording: 1, Purpose: "quality", Detail: "start length=60.0s"},
		{Time: at(4 * day), Actor: supervisor, Action: audit.ActionPlayback, Recording: 1, Purpose: "quality", Detail: "end=stopped heard=42.5s"},
		// Requests: an erasure that found recording 12, one that found
		// nothing; an access request exporting recording 4, one that found
		// nothing.
		{Time: at(3 * day), Actor: supervisor, Action: audit.ActionEraseRequest, Detail: "request found=2 erased=1 restricted=1 failed=0"},
		{Time: at(3 * day), Actor: supervisor, Action: audit.ActionEraseRequest, Detail: "request found=0 erased=0 restricted=0 failed=0"},
		{Time: at(3 * day), Actor: supervisor, Action: audit.ActionExport, Recording: 4, Detail: "subject access request"},
		{Time: at(3 * day), Actor: supervisor, Action: audit.ActionExport, Detail: "subject access request found=1"},
		{Time: at(3 * day), Actor: supervisor, Action: audit.ActionExport, Detail: "subject access request found=0"},
	}
	return rules, infos, trail, now
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if d := cmp.Diff(string(want), string(got)); d != "" {
		t.Errorf("%s differs (-want +got; go test -update rewrites it):\n%s", name, d)
	}
}

func TestReportGolden(t *testing.T) {
	rules, infos, trail, now := reportFixture(t)
	rules.Controller = policy.Controller{Name: "Example Shop B.V.", Contact: "privacy@example.nl", DPO: "dpo@example.nl"}
	rep, err := MakeReport(rules, infos, trail, now, false, now.Add(-30*day))
	if err != nil {
		t.Fatal(err)
	}
	rep.Device = "fairrec-shop1"
	rep.Chain = ChainState{Verified: true, Entries: 1234, Signed: true}
	for _, f := range []struct {
		name  string
		write func(*bytes.Buffer) error
	}{
		{"report.txt", func(b *bytes.Buffer) error { return rep.WriteText(b) }},
		{"report.json", func(b *bytes.Buffer) error { return rep.WriteJSON(b) }},
		{"report.html", func(b *bytes.Buffer) error { return rep.WriteHTML(b) }},
	} {
		var b bytes.Buffer
		if err := f.write(&b); err != nil {
			t.Fatal(err)
		}
		golden(t, f.name, b.Bytes())
	}
}

// TestReportCounts checks the figures a reader relies on, independently
// of the golden files.
func TestReportCounts(t *testing.T) {
	rules, infos, trail, now := reportFixture(t)
	rep, err := MakeReport(rules, infos, trail, now, false, now.Add(-30*day))
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]PurposeReport{}
	for _, p := range rep.Purposes {
		byName[p.Name] = p
	}
	q := byName["quality"]
	if q.Count != 4 || q.Held != 1 || !q.Oldest.Equal(now.Add(-80*day)) || q.Expired != 1 || q.Objections != 2 {
		t.Errorf("quality: %+v", q)
	}
	// The oldest quality grant (80 days, held) is not the next deadline:
	// the 20-day-old one ends first.
	if want := now.Add(70 * day); !q.NextDeadline.Equal(want) {
		t.Errorf("quality next deadline %v, want %v", q.NextDeadline, want)
	}
	if m := byName["marketing"]; m.Configured || m.Count != 1 {
		t.Errorf("unconfigured purpose: %+v", m)
	}
	want := PeriodCounts{Calls: 3, NoticesComplete: 1, NoticesIncomplete: 2, Reviews: 1, SecondsHeard: 42.5,
		ErasureRequests: 2, ErasureNone: 1, AccessRequests: 2, AccessNone: 1,
		Objections: 2, ObjectionsBefore: 1, ErasedByTimer: 1, ErasedByRequest: 1, ErasedObjection: 1,
		Restricted: 1, Holds: 1, Exports: 1, ClockChanges: 1}
	if d := cmp.Diff(want, rep.Period); d != "" {
		t.Errorf("period counts (-want +got):\n%s", d)
	}
	if rep.Recordings != 6 || rep.Tampered != 1 {
		t.Errorf("recordings %d tampered %d", rep.Recordings, rep.Tampered)
	}
	var back Report
	var b bytes.Buffer
	if err := rep.WriteJSON(&b); err != nil || json.Unmarshal(b.Bytes(), &back) != nil || back.Purposes[1].Count != q.Count {
		t.Errorf("JSON does not read back: %v", err)
	}
}

func TestReportHTMLSelfContained(t *testing.T) {
	rules, infos, trail, now := reportFixture(t)
	rep, _ := MakeReport(rules, infos, trail, now, true, now.Add(-30*day))
	rep.Purposes[0].Description = `<script>alert("x")</script>`
	var b bytes.Buffer
	if err := rep.WriteHTML(&b); err != nil {
		t.Fatal(err)
	}
	h := b.String()
	for _, bad := range []string{"<script", "http://", "https://", "<link", "src="} {
		if strings.Contains(strings.ReplaceAll(h, `xmlns="http://www.w3.org/2000/svg"`, ""), bad) {
			t.Errorf("HTML contains %q: not self-contained or not escaped", bad)
		}
	}
	if !strings.Contains(h, "<svg") || !strings.Contains(h, "<rect") || !strings.Contains(h, "approximate") {
		t.Error("HTML lacks the chart or the approximate-clock warning")
	}
}

func TestRegisterGolden(t *testing.T) {
	rules := testRules(t)
	rules.Source = "testdata"
	rules.Controller = policy.Controller{Name: "Example Shop B.V.", Contact: "privacy@example.nl"}
	var b bytes.Buffer
	if err := WriteRegister(&b, rules); err != nil {
		t.Fatal(err)
	}
	golden(t, "register.txt", b.Bytes())
}

// verifiedTrail is a fixed trail whose chain check says err.
type verifiedTrail struct {
	fixedTrail
	err error
}

func (v verifiedTrail) Verify() (audit.Report, error) {
	return audit.Report{Entries: uint64(len(v.fixedTrail)), Signed: true}, v.err
}

func TestChainState(t *testing.T) {
	tests := []struct {
		name  string
		trail Trail
		want  string
	}{
		{"verified", verifiedTrail{fixedTrail: make(fixedTrail, 3)}, "verified, 3 entries, signed head checked"},
		{"broken", verifiedTrail{err: fmt.Errorf("audit: verify: entry 7: %w", audit.ErrBroken)}, "NOT VERIFIED: audit: verify: entry 7: "},
		{"cannot verify", fixedTrail{}, "NOT VERIFIED: no audit log to verify"},
		{"no log", nil, "NOT VERIFIED: no audit log to verify"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := chainState(tc.trail).String(); !strings.HasPrefix(got, tc.want) {
				t.Errorf("chain %q, want %q...", got, tc.want)
			}
		})
	}
}
