package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"fairrec/drivers/disk"
	"fairrec/firmware/auth"
	"fairrec/firmware/console"
	"fairrec/firmware/notice"
	"fairrec/firmware/review"
	"fairrec/storage/audit"
	"fairrec/storage/vault"
)

// system shows the daemon to the console.
type system struct {
	d    *daemon
	last *lastFault // nil: no fault row
}

// lastFault remembers the last fault status saw, so a fault that cleared
// (a line that records again) is still shown with when it was seen.
type lastFault struct {
	mu   sync.Mutex
	text string
	at   time.Time
}

// see takes the faults present now and returns the status row.
func (f *lastFault) see(now time.Time, faults []string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(faults) > 0 {
		f.text, f.at = strings.Join(faults, "; "), now
		return f.text
	}
	if f.text == "" {
		return "none"
	}
	return fmt.Sprintf("none now; last at %s: %s", f.at.UTC().Format(time.RFC3339), f.text)
}

// lineNotice is the notice set and language line n plays: its purposes
// profile's, --notice-profile overriding the set for every line; a
// profile's language (a line for foreign customers) wins over the box's.
func (d *daemon) lineNotice(n int) (set, lang string) {
	set, lang = d.cfg.NoticeProfile, d.cfg.Language
	if pr := d.policy.Rules().Profile(n); pr != nil {
		if set == "" {
			set = pr.Notice
		}
		if pr.Language != "" {
			lang = pr.Language
		}
	}
	return set, lang
}

// noticeShown is the notice set and language line n plays, for status:
// those it was made with, and those the rules in force name when an
// import changed them (the line plays them from the next start).
func (d *daemon) noticeShown(n int) (set, lang string) {
	shown := func(set, lang string) (string, string) {
		return cmpOr(set, notice.DefaultProfile), cmpOr(lang, "nl") // callflow's defaults
	}
	set, lang = d.lineNotice(n)
	set, lang = shown(set, lang)
	if n < 1 || n > len(d.playing) {
		return set, lang
	}
	pset, plang := shown(d.playing[n-1][0], d.playing[n-1][1])
	if pset != set {
		pset += " (" + set + " from the next start)"
	}
	if plang != lang {
		plang += " (" + lang + " from the next start)"
	}
	return pset, plang
}

// keyState says where the key-encryption key came from and whether its
// file is still as private as it must be.
func (d *daemon) keyState() string {
	fi, err := os.Stat(d.key)
	if err != nil {
		return fmt.Sprintf("%s loaded at start; the file is gone now (%v): back it up before a restart", d.key, err)
	}
	if m := fi.Mode().Perm(); m&0o077 != 0 {
		return fmt.Sprintf("%s loaded, mode %04o: READABLE BY OTHERS, chmod 600 it", d.key, m)
	}
	return fmt.Sprintf("%s loaded, mode %04o", d.key, fi.Mode().Perm())
}

// dirSize is the bytes the files under dir hold.
func dirSize(dir string) uint64 {
	var n uint64
	filepath.WalkDir(dir, func(_ string, e fs.DirEntry, err error) error {
		if err == nil && e.Type().IsRegular() {
			if fi, err := e.Info(); err == nil {
				n += uint64(fi.Size())
			}
		}
		return nil
	})
	return n
}

func (s system) Status() console.Status {
	d := s.d
	st := console.Status{
		Board:  d.board.Name,
		Audio:  fmt.Sprintf("%s, %d Hz, %d in/%d out", d.audioDev, d.audio.Rate(), d.audio.InputChannels(), d.audio.OutputChannels()),
		Xruns:  d.audio.Overflows() + d.audio.Underflows() + d.app.Health().Late + d.app.Health().Dropped,
		Uptime: d.cfg.Clock.Now().Sub(d.start),
	}
	if recs, err := d.vault.List(vault.Query{}); err != nil {
		st.Storage = fmt.Sprintf("%s: ERROR %v", d.cfg.Data, err)
	} else {
		st.Storage = fmt.Sprintf("%s, key %s, %d recordings", d.cfg.Data, d.key, len(recs))
	}
	if d.tampered != "" {
		st.Storage += "; FAULT: " + d.tampered
	}
	st.Key = d.keyState()
	st.Disk = console.Disk{Used: dirSize(d.cfg.Data), Lines: len(d.app.Lines())}
	if free, err := disk.Free(d.cfg.Data); err == nil {
		st.Disk.Free = free
	}
	if d.keeper != nil {
		st.Clock = console.Clock{Known: true, Trusted: d.keeper.Trusted(), Reason: d.keeper.Reason(), Now: d.keeper.Now()}
	}
	st.Audit = "verified at start, appending"
	if d.tampered != "" {
		st.Audit = "TAMPERED at start (" + d.tampered + "): continued in a new segment"
	}
	if d.review != nil {
		st.Review = "idle"
		if rs := d.review.Status(); rs.Phase != review.Idle {
			st.Review = rs.String()
		}
	}
	for _, l := range d.app.Lines() {
		ls := l.Status()
		cl := console.Line{N: ls.Line, OffHook: ls.OffHook, Ringing: ls.Ringing, Fault: ls.Fault,
			Phase: string(ls.Phase), Paused: ls.Paused, Objected: ls.Objected, Refused: ls.Refused}
		cl.Notice, cl.Language = d.noticeShown(ls.Line)
		if pr := d.policy.Rules().Profile(ls.Line); pr != nil {
			cl.Purposes = pr.Purposes
		}
		if ls.Recording != 0 {
			cl.Recording = ls.Recording.String()
			cl.Recorded = time.Duration(ls.Frames) * 20 * time.Millisecond
		}
		st.Lines = append(st.Lines, cl)
	}
	if s.last != nil {
		faults := d.lineFaults()
		if d.tampered != "" {
			faults = append([]string{d.tampered}, faults...)
		}
		st.LastFault = s.last.see(d.cfg.Clock.Now(), faults)
	}
	return st
}

func (s system) Recordings() ([]console.Recording, error) {
	infos, err := s.d.vault.List(vault.Query{})
	if err != nil {
		return nil, err
	}
	recs := console.FromVault(infos)
	for i := range recs {
		recs[i].Caller = "" // not asked for: not carried
	}
	return recs, nil
}

// RecordingsWithCallers lists the recordings with their callers' numbers
// for role (the console asks only for a supervisor) and audits it: one
// entry for each recording whose number was shown, so that the trail of
// an access request says who saw it. When the audit log cannot take the
// entries, no number is shown.
func (s system) RecordingsWithCallers(role auth.Role) ([]console.Recording, error) {
	infos, err := s.d.vault.List(vault.Query{})
	if err != nil {
		return nil, err
	}
	actor := audit.Actor{Kind: audit.ActorRole, ID: role.String()}
	shown := 0
	for _, in := range infos {
		if in.Caller == "" {
			continue
		}
		shown++
		if err := s.d.sink.Record(audit.Entry{Actor: actor, Action: audit.ActionCallersShown, Recording: uint64(in.ID),
			Detail: "caller number shown at the console"}); err != nil {
			return nil, fmt.Errorf("audit: %w: no caller numbers shown", err)
		}
	}
	if shown == 0 {
		if err := s.d.sink.Record(audit.Entry{Actor: actor, Action: audit.ActionCallersShown,
			Detail: "callers asked for at the console; none to show"}); err != nil {
			return nil, fmt.Errorf("audit: %w", err)
		}
	}
	return console.FromVault(infos), nil
}
