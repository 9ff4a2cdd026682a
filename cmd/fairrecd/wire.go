package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"fairrec/firmware/notice"
	"fairrec/firmware/policy"
	"fairrec/storage/audit"
)

// openNotices loads the notices and records the configuration in force.
func (d *daemon) openNotices() error {
	ncfg := notice.Config{Logger: d.log}
	if d.cfg.Notices != "" {
		if _, err := os.Stat(d.cfg.Notices); err != nil {
			return fmt.Errorf("notices: %w", err)
		}
		ncfg.Dir = os.DirFS(d.cfg.Notices)
	}
	lib, err := notice.Load(ncfg)
	if err != nil {
		// The lines whose notice failed refuse to record and say why;
		// the others record.
		d.log.Error("notices", "err", err)
	}
	d.notices = lib
	d.recordConfig()
	return nil
}

// recordConfig writes the configuration in force at start to the audit
// log: which purposes (with their retention) and which notices. A regulator
// asking which rules applied to a recording finds them in the last entries
// of this kind before it; a change shows between two starts.
func (d *daemon) recordConfig() {
	for _, e := range configEntries(d.policy.Rules(), d.cfg.Notices) {
		if err := d.sink.Record(e); err != nil {
			d.log.Error("audit: configuration", "purpose", e.Purpose, "err", err)
		}
	}
}

// configEntries are the audit entries of the configuration in force: one
// naming the purposes file and the notices, then one per purpose with its
// rule whole. One entry for everything was cut at audit.MaxDetailLen, and
// the filter turned the "+" of "until completed + 30 days" into "?"; so
// each purpose has its own entry, and "+" is written "plus". Only the file
// names, which an installer chose, are redacted.
func configEntries(rules *policy.Rules, notices string) []audit.Entry {
	dev := audit.Actor{Kind: audit.ActorDevice, ID: "fairrecd"}
	from := "built-in"
	if notices != "" {
		from = "built-in and " + filepath.Base(notices)
	}
	es := []audit.Entry{{Actor: dev, Action: audit.ActionConfigChange,
		Detail: audit.Redact(fmt.Sprintf("in force at start: %d purposes from %s; notices %s",
			len(rules.Purposes), filepath.Base(rules.Source), from))}}
	for i := range rules.Purposes {
		p := &rules.Purposes[i]
		e := audit.Entry{Actor: dev, Action: audit.ActionConfigChange, Purpose: p.Name,
			Detail: fmt.Sprintf("in force at start: %s; %s; objection %s",
				strings.ReplaceAll(p.Rule(), " + ", " plus "), p.Basis, p.Objection)}
		if e.Validate() != nil {
			// An event name the filter refuses: the rest still counts.
			e.Detail = audit.Redact(e.Detail)
		}
		es = append(es, e)
	}
	return es
}
