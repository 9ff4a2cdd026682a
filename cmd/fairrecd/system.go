package main

import (
	"fmt"
	"time"

	"fairrec/firmware/console"
	"fairrec/firmware/review"
	"fairrec/storage/vault"
)

// system shows the daemon to the console.
type system struct{ d *daemon }

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
		if ls.Recording != 0 {
			cl.Recording = ls.Recording.String()
			cl.Recorded = time.Duration(ls.Frames) * 20 * time.Millisecond
		}
		st.Lines = append(st.Lines, cl)
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
