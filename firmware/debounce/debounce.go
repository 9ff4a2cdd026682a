package debounce

// Input confirms a level once it has read the same for Need frames.
type Input struct {
	Need   int  // readings in a row that confirm a change; below 1 means 1
	Active bool // the confirmed level: true = active (pressed, off hook, ringing)
	run    int  // readings in a row that differ from Active
}

// Update takes one reading and reports whether the confirmed level changed.
func (d *Input) Update(active bool) bool {
	if active == d.Active {
		d.run = 0
		return false
	}
	if d.run++; d.run < d.Need {
		return false
	}
	d.Active, d.run = active, 0
	return true
}
