package main

import (
	"fmt"

	"fairrec/firmware/callflow"
	"fairrec/firmware/console"
)

// levelCommand is the console's `level N` over the appliance's lines.
func (d *daemon) levelCommand() console.Command {
	return console.LevelCommand(lineMeter{d}, d.cfg.Clock)
}

// lineMeter reads callflow's meters for the console.
type lineMeter struct{ d *daemon }

func (m lineMeter) Level(n int) (console.LevelReading, error) {
	if m.d.app == nil {
		return console.LevelReading{}, fmt.Errorf("no lines")
	}
	lines := m.d.app.Lines()
	if n < 1 || n > len(lines) {
		return console.LevelReading{}, fmt.Errorf("no line %d; the board has %d", n, len(lines))
	}
	l, ok := lines[n-1].(interface{ Meter() callflow.Meter })
	if !ok {
		return console.LevelReading{}, fmt.Errorf("line %d has no meter", n)
	}
	mt := l.Meter()
	r := console.LevelReading{Line: n, DBm0: mt.DBm0, OffHook: mt.OffHook, Ringing: mt.Ringing}
	for _, e := range mt.Events {
		r.Events = append(r.Events, console.LevelEvent{Seq: e.Seq, Text: e.String()})
	}
	return r, nil
}
