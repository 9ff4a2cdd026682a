package compliance

import (
	"fmt"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"fairrec/firmware/policy"
	"fairrec/storage/audit"
	"fairrec/storage/vault"
)

// ageBuckets are the upper bounds of the age classes of the report's
// chart; the last class is everything older.
var ageBuckets = [...]struct {
	Label string
	Max   time.Duration
}{
	{"< 1 week", 7 * day}, {"1-4 weeks", 30 * day}, {"1-3 months", 90 * day}, {"3-12 months", 365 * day}, {"> 1 year", 0},
}

const day = 24 * time.Hour

// Report is the compliance report: per purpose its lawful basis and
// retention rule, the recordings kept for it, and what happened in the
// period according to the audit log.
type Report struct {
	Generated   time.Time         `json:"generated"`
	Approximate bool              `json:"approximate,omitempty"` // the clock was not trusted
	From        time.Time         `json:"from"`                  // the period: From .. Generated
	Rules       string            `json:"rules"`                 // where the rules came from
	Controller  policy.Controller `json:"controller"`
	Device      string            `json:"device,omitempty"` // the appliance (its host name)
	Chain       ChainState        `json:"audit_chain"`
	Recordings  int               `json:"recordings"`
	NoGrant     int               `json:"no_grant,omitempty"` // recordings without any grant (erased at the next sweep)
	Tampered    int               `json:"tampered,omitempty"`
	Purposes    []PurposeReport   `json:"purposes"`
	Period      PeriodCounts      `json:"period"`
	AuditNote   string            `json:"audit_note,omitempty"` // why the period counts are missing
}

// PurposeReport is one purpose in the report.
type PurposeReport struct {
	Name         string        `json:"name"`
	Description  string        `json:"description"`
	Basis        policy.Basis  `json:"basis"`
	Article      string        `json:"article"`
	Rule         string        `json:"retention"`
	Objection    policy.Effect `json:"objection"`
	Review       bool          `json:"review"`
	Restricted   bool          `json:"restricted"`
	Count        int           `json:"recordings"`
	Held         int           `json:"held"`
	Waiting      int           `json:"waiting_for_event"`
	Oldest       time.Time     `json:"oldest,omitzero"`
	NextDeadline time.Time     `json:"next_deadline,omitzero"`
	Ages         []int         `json:"ages"` // counts per age class (AgeClasses)
	Objections   int           `json:"objections"`
	Expired      int           `json:"expired"`
	Configured   bool          `json:"configured"` // false: grants of a purpose no longer in the rules
}

// ChainState is what the audit log's Verify said when the report was
// made.
type ChainState struct {
	Verified bool   `json:"verified"`
	Entries  uint64 `json:"entries,omitempty"`
	Signed   bool   `json:"signed,omitempty"`  // the head's signature was checked
	Problem  string `json:"problem,omitempty"` // why it is not verified
}

// String says the state in a few words.
func (c ChainState) String() string {
	switch {
	case c.Verified && c.Signed:
		return fmt.Sprintf("verified, %d entries, signed head checked", c.Entries)
	case c.Verified:
		return fmt.Sprintf("verified, %d entries (head not signed)", c.Entries)
	case c.Problem != "":
		return "NOT VERIFIED: " + c.Problem
	}
	return "not verified"
}

// PeriodCounts are the audit log's counts for the period.
type PeriodCounts struct {
	Calls             int     `json:"calls"` // calls whose notice played (one receipt each)
	NoticesComplete   int     `json:"notices_complete"`
	NoticesIncomplete int     `json:"notices_incomplete"`
	Reviews           int     `json:"reviews"`
	SecondsHeard      float64 `json:"review_seconds_heard"`
	ErasureRequests   int     `json:"erasure_requests"`
	ErasureNone       int     `json:"erasure_requests_found_nothing"`
	AccessRequests    int     `json:"access_requests"`
	AccessNone        int     `json:"access_requests_found_nothing"`
	Objections        int     `json:"objections"` // once per call, whatever the purposes it ended
	ObjectionsBefore  int     `json:"objections_before_recording"`
	ErasedByTimer     int     `json:"erased_by_timer"`
	ErasedByRequest   int     `json:"erased_by_request"`
	ErasedObjection   int     `json:"erased_by_objection"`
	Restricted        int     `json:"restricted_by_request"`
	Holds             int     `json:"holds"`
	Releases          int     `json:"releases"`
	Exports           int     `json:"exports"`
	ClockChanges      int     `json:"clock_trust_changes"`
}

// Trail is the audit log as the report reads it; *audit.Log implements it.
type Trail interface {
	Each(since time.Time, fn func(audit.Entry) error) error
}

// MakeReport builds the report from the rules, the recordings, and the
// audit trail (may be nil) for the period from .. now.
func MakeReport(rules *policy.Rules, infos []vault.Info, trail Trail, now time.Time, approximate bool, from time.Time) (*Report, error) {
	r := &Report{Generated: now.UTC(), Approximate: approximate, From: from.UTC(), Rules: rules.Source, Controller: rules.Controller}
	idx := map[string]*PurposeReport{}
	add := func(name string, p *policy.Purpose) *PurposeReport {
		pr := &PurposeReport{Name: name, Ages: make([]int, len(ageBuckets))}
		if p != nil {
			pr.Description, pr.Basis, pr.Article, pr.Rule = p.Description, p.Basis, p.Basis.Article(), p.Rule()
			pr.Objection, pr.Review, pr.Restricted, pr.Configured = p.Objection, p.Review, p.Restricted, true
		}
		r.Purposes = append(r.Purposes, *pr)
		idx[name] = &r.Purposes[len(r.Purposes)-1]
		return idx[name]
	}
	for i := range rules.Purposes {
		add(rules.Purposes[i].Name, &rules.Purposes[i])
	}
	// Grants of purposes no longer configured are reported after the
	// configured ones; collect their names first so the slice is final.
	var extra []string
	for _, in := range infos {
		for _, g := range in.Grants {
			if rules.Purpose(g.Purpose) == nil && !slices.Contains(extra, g.Purpose) {
				extra = append(extra, g.Purpose)
			}
		}
	}
	sort.Strings(extra)
	for _, n := range extra {
		add(n, nil)
	}
	for i := range r.Purposes {
		idx[r.Purposes[i].Name] = &r.Purposes[i]
	}
	for _, in := range infos {
		if in.Tampered {
			r.Tampered++
			continue
		}
		r.Recordings++
		if len(in.Grants) == 0 {
			r.NoGrant++
		}
		age := now.Sub(in.Start)
		for _, g := range in.Grants {
			pr := idx[g.Purpose]
			pr.Count++
			if policy.Held(g) {
				pr.Held++
			}
			if _, ok := policy.Waiting(g); ok {
				pr.Waiting++
			}
			if pr.Oldest.IsZero() || in.Start.Before(pr.Oldest) {
				pr.Oldest = in.Start.UTC()
			}
			if pr.NextDeadline.IsZero() || g.Deadline.Before(pr.NextDeadline) {
				pr.NextDeadline = g.Deadline.UTC()
			}
			pr.Ages[ageClass(age)]++
		}
	}
	if trail == nil {
		r.AuditNote = "audit log not available: no period counts"
		return r, nil
	}
	objected := map[uint64]bool{} // recordings objected to: one objection per call
	complete := map[string]bool{} // per line: its last receipt was complete
	err := trail.Each(from, func(e audit.Entry) error {
		if e.Time.After(now) {
			return nil
		}
		c := &r.Period
		switch e.Action {
		case audit.ActionNoticeReceipt:
			line := e.Actor.ID
			switch {
			case strings.Contains(e.Detail, "corrected:"):
				// A stall found after the receipt: that notice was not
				// complete after all.
				if complete[line] {
					complete[line] = false
					c.NoticesComplete--
					c.NoticesIncomplete++
				}
			case strings.Contains(e.Detail, "complete=true"):
				c.Calls++
				c.NoticesComplete++
				complete[line] = true
			default:
				c.Calls++
				c.NoticesIncomplete++
				complete[line] = false
			}
		case audit.ActionPlayback:
			if strings.HasPrefix(e.Detail, "start") {
				c.Reviews++
			} else if h := field(e.Detail, "heard"); h != "" {
				if sec, err := strconv.ParseFloat(strings.TrimSuffix(h, "s"), 64); err == nil {
					c.SecondsHeard += sec
				}
			}
		case audit.ActionObjection:
			if e.Recording != 0 && objected[e.Recording] {
				break
			}
			objected[e.Recording] = e.Recording != 0
			c.Objections++
			if e.Recording == 0 {
				c.ObjectionsBefore++
			}
			if _, ended, ok := strings.Cut(e.Detail, "ended="); ok {
				for _, n := range strings.Split(strings.Fields(ended + " ")[0], ",") {
					if pr := idx[n]; pr != nil {
						pr.Objections++
					}
				}
			}
		case audit.ActionEraseTimer:
			c.ErasedByTimer++
		case audit.ActionEraseRequest:
			if e.Recording == 0 && strings.HasPrefix(e.Detail, "request ") {
				c.ErasureRequests++
				if field(e.Detail, "found") == "0" {
					c.ErasureNone++
				}
			} else if e.Purpose != "" {
				c.Restricted++
			} else {
				c.ErasedByRequest++
			}
		case audit.ActionEraseObjection:
			c.ErasedObjection++
		case audit.ActionGrantExpired:
			if pr := idx[e.Purpose]; pr != nil {
				pr.Expired++
			}
		case audit.ActionHold:
			c.Holds++
		case audit.ActionRelease:
			c.Releases++
		case audit.ActionExport:
			if e.Recording == 0 && strings.HasPrefix(e.Detail, "subject access request") {
				c.AccessRequests++
				if field(e.Detail, "found") == "0" {
					c.AccessNone++
				}
			} else {
				c.Exports++
			}
		case audit.ActionClockTrust:
			c.ClockChanges++
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("compliance: report: audit log: %w", err)
	}
	return r, nil
}

// field returns the value of key=value in an entry's detail, "" if none.
func field(detail, key string) string {
	for _, f := range strings.Fields(detail) {
		if v, ok := strings.CutPrefix(f, key+"="); ok {
			return v
		}
	}
	return ""
}

func ageClass(age time.Duration) int {
	for i, b := range ageBuckets {
		if b.Max == 0 || age < b.Max {
			return i
		}
	}
	return len(ageBuckets) - 1
}

// Source is what Generate reads: the rules in force, the recordings with
// their grants, and the time; *policy.Engine implements it.
type Source interface {
	Rules() *policy.Rules
	// List returns the recordings matching the query, after settling
	// the clock (policy.Engine.List).
	List(vault.Query) ([]vault.Info, error)
	// Now returns the lower bound of the time and whether the clock is
	// trusted.
	Now() (time.Time, bool)
}

// Generate builds the compliance report for the period since from, of
// the recordings src holds now.
func Generate(src Source, trail Trail, from time.Time) (*Report, error) {
	infos, err := src.List(vault.Query{})
	if err != nil {
		return nil, fmt.Errorf("compliance: report: %w", err)
	}
	now, trusted := src.Now()
	r, err := MakeReport(src.Rules(), infos, trail, now, !trusted, from)
	if err != nil {
		return nil, err
	}
	r.Device, _ = os.Hostname()
	r.Chain = chainState(trail)
	return r, nil
}

// verifier is the audit log's chain check; *audit.Log implements it.
type verifier interface {
	Verify() (audit.Report, error)
}

// chainState verifies the chain of trail, if it can be verified.
func chainState(trail Trail) ChainState {
	v, ok := trail.(verifier)
	if !ok {
		return ChainState{Problem: "no audit log to verify"}
	}
	rep, err := v.Verify()
	if err != nil {
		return ChainState{Problem: err.Error()}
	}
	return ChainState{Verified: true, Entries: rep.Entries, Signed: rep.Signed}
}

// AgeClasses returns the labels of the age classes of PurposeReport.Ages.
func AgeClasses() []string {
	l := make([]string, len(ageBuckets))
	for i, b := range ageBuckets {
		l[i] = b.Label
	}
	return l
}
