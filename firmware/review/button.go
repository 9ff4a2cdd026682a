package review

import (
	"slices"

	"fairrec/storage/audit"
	"fairrec/storage/vault"
)

// The button alone: with nothing selected at the console, a short press
// plays the most recent recording that may be reviewed, a short press
// during that playback stops it, and a double press steps to the
// reviewable recording before the one last played.

// single is a short press with no second one within the double-press
// window.
func (p *Player) single() {
	switch p.phase {
	case Playing, Paused:
		p.end("stopped", p.button(), "")
	case Idle:
		p.cursor = 0
		p.pick(0, 0)
	}
}

// double is a double press: the reviewable recording before the one being
// played or played last by the button alone; with none played yet, the
// one before the most recent.
func (p *Player) double() {
	from, skip := p.cursor, 0
	switch p.phase {
	case Playing, Paused:
		from = p.sel.id
		p.end("stopped", p.button(), "")
	case Selected:
		return // a console selection arrived meanwhile; it wins
	}
	if from == 0 {
		skip = 1
	}
	p.pick(from, skip)
}

// pick plays the most recent recording that may be reviewed among those
// older than before (0: all), skipping skip of them, on the button's lines.
// Recordings still open, tampered or without a review grant are skipped
// without reading their audio. When none remains, the denial tone plays.
func (p *Player) pick(before vault.ID, skip int) {
	list, err := p.cfg.Store.List(vault.Query{Lines: p.cfg.Lines})
	if err != nil {
		p.log.Error("review: the button cannot list the recordings", "err", err)
		p.deny("the recordings cannot be listed")
		return
	}
	slices.SortFunc(list, func(a, b vault.Info) int { return cmpID(b.ID, a.ID) })
	for _, in := range list {
		if (before != 0 && in.ID >= before) || in.Tampered || in.State == vault.StateOpen {
			continue
		}
		purpose, err := p.cfg.Policy.Review(in.ID)
		if err != nil {
			p.log.Debug("review: the button skips a recording", "recording", in.ID, "why", reason(err, "its review purpose"))
			continue
		}
		if skip > 0 {
			skip--
			continue
		}
		if err := p.record(audit.Entry{Actor: p.button(), Action: audit.ActionReviewSelection, Recording: uint64(in.ID),
			Purpose: purpose, Detail: "selected by the button"}); err != nil {
			p.log.Error("review: the audit log refuses the button's selection", "recording", in.ID, "err", err)
			p.deny("the audit log refuses the selection")
			return
		}
		p.pending = 0
		p.sel = selection{id: in.ID, purpose: purpose, length: in.Duration}
		p.auto, p.cursor = true, in.ID
		p.log.Info("review: the button selected", "recording", in.ID, "line", in.Line, "purpose", purpose)
		p.start()
		return
	}
	why := "no recording may be reviewed"
	if before != 0 || skip > 0 {
		why = "no earlier recording may be reviewed"
	}
	p.deny(why)
}

// deny plays the denial tone: the button found nothing it may play.
func (p *Player) deny(why string) {
	p.tone, p.phi = p.cfg.Rate*int(DenialTime.Milliseconds())/1000, 0
	p.last = "playback button: " + why
	if err := p.record(audit.Entry{Actor: p.button(), Action: audit.ActionReviewSelection,
		Detail: "refused: " + why}); err != nil {
		p.log.Error("review: audit", "err", err)
	}
	p.log.Info("review: " + p.last + " (denial tone)")
}

func cmpID(a, b vault.ID) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
