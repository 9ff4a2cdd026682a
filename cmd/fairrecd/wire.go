package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"fairrec/firmware/notice"
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
// asking which rules applied to a recording finds them in the last entry of
// this kind before it; a change shows between two starts.
func (d *daemon) recordConfig() {
	var ps []string
	for _, p := range d.rules.Purposes {
		ps = append(ps, p.Name+" "+p.Rule())
	}
	notices := "built-in"
	if d.cfg.Notices != "" {
		notices = "built-in and " + filepath.Base(d.cfg.Notices)
	}
	err := d.sink.Record(audit.Entry{Actor: audit.Actor{Kind: audit.ActorDevice, ID: "fairrecd"}, Action: audit.ActionConfigChange,
		Detail: audit.Redact(fmt.Sprintf("in force at start: purposes from %s: %s; notices %s",
			filepath.Base(d.rules.Source), strings.Join(ps, ", "), notices))})
	if err != nil {
		d.log.Error("audit: configuration", "err", err)
	}
}
