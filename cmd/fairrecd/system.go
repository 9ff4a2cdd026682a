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
	"fairrec/firmware/console"
	"fairrec/firmware/notice"
	"fairrec/firmware/review"
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
	if pr := d.rules.Profile(n); pr != nil {
		if set == "" {
			set = pr.Notice
		}
		if pr.Language != "" {
			lang = pr.Language
		}
	}
	return set, lang
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
		cl.Notice, cl.Language = d.lineNotice(ls.Line)
		if cl.Notice == "" {
			cl.Notice = notice.DefaultProfile
		}
		if cl.Language == "" {
			cl.Language = "nl" // callflow's default
		}
		if pr := d.rules.Profile(ls.Line); pr != nil {
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
	recs := make([]console.Recording, 0, len(infos))
	for _, in := range infos {
		r := console.Recording{ID: in.ID.String(), Line: in.Line, Start: in.Start, Duration: in.Duration,
			Sealed: in.State != vault.StateOpen, State: in.State.String(), Approximate: in.Approximate}
		if in.Tampered {
			r.State = "TAMPERED"
		}
		for _, g := range in.Grants {
			r.Purposes = append(r.Purposes, g.Purpose+" until "+g.Deadline.Format(time.DateOnly))
		}
		recs = append(recs, r)
	}
	return recs, nil
}
