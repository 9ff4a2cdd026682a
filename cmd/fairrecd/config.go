package main

import (
	"fmt"

	"fairrec/firmware/datadir"
	"fairrec/firmware/notice"
	"fairrec/firmware/operator"
	"fairrec/firmware/policy"
)

// configEnv is config import's part of the console's requests: the purposes
// file the daemon reads, its own checks, and how new rules are put in force.
func (d *daemon) configEnv() operator.ConfigEnv {
	return operator.ConfigEnv{Purposes: datadir.PurposesPath(d.cfg.Data, d.cfg.Purposes), Check: d.checkRules, Apply: d.applyRules}
}

// checkRules is what the daemon checks in imported rules beyond the file:
// each line profile's notice set is in the notice library in the
// profile's language, so that no line will refuse to record for want of
// its notice. With --notice-profile every line plays that set, whatever
// the profiles say.
func (d *daemon) checkRules(r *policy.Rules) []policy.Problem {
	if d.notices == nil || d.cfg.NoticeProfile != "" {
		return nil
	}
	var ps []policy.Problem
	for i, pr := range r.Profiles {
		if pr.Notice == "" {
			continue // the file's own check says so
		}
		lang := cmpOr(pr.Language, cmpOr(d.cfg.Language, "nl"))
		key := notice.Key{Profile: pr.Notice, Language: lang, Kind: notice.KindNotice}
		if _, err := d.notices.Lookup(key); err != nil {
			ps = append(ps, policy.Problem{Table: "line", Index: i, Key: "notice",
				Msg: fmt.Sprintf("line profile %d: notice set %q in language %s: %v", i+1, pr.Notice, lang, err)})
		}
	}
	return ps
}

// applyRules puts imported rules in force: the engine decides the grants
// of every call whose recording starts from now on with them. A recording
// already made, or in progress, keeps the grants it was given (they are
// in the vault, which an import does not touch). Each line goes on
// playing the notice set it was started with until the daemon restarts
// (status says so): the lines load their notice once.
func (d *daemon) applyRules(r *policy.Rules) error {
	if err := d.policy.SetRules(r); err != nil {
		return err
	}
	d.log.Info("config imported: new rules in force for new calls", "purposes", len(r.Purposes), "profiles", len(r.Profiles), "from", r.Source)
	return nil
}
