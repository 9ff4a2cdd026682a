package vault

import "sync/atomic"

// CommitHealth is what Run's periodic commits have done since Open, for a
// watchdog: Ticks grows once per CommitInterval while Run is alive (a tick
// with nothing pending counts: it proves the loop runs, not that the disk
// writes), Failed counts the ticks whose commit failed, and Failing is
// whether the latest one did.
type CommitHealth struct {
	Ticks, Failed uint64
	Failing       bool
}

// CommitHealth returns the periodic commits' counters; safe from any
// goroutine, and it never touches the database.
func (v *Vault) CommitHealth() CommitHealth {
	return CommitHealth{Ticks: v.runs.ticks.Load(), Failed: v.runs.failed.Load(),
		Failing: v.runs.failing.Load()}
}

// commitRuns counts Run's commits.
type commitRuns struct {
	ticks, failed atomic.Uint64
	failing       atomic.Bool
}

// note records the outcome of one periodic commit; Run calls it after
// each Commit.
func (r *commitRuns) note(err error) {
	r.failing.Store(err != nil)
	if err != nil {
		r.failed.Add(1)
	}
	r.ticks.Add(1)
}
