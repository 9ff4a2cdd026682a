package console

import (
	"errors"
	"fmt"
	"io"
	"strconv"
)

// Sizer is implemented by a stream that knows the size of the terminal on
// its other end (drivers/serial's Port on the daemon's own terminal). The
// console asks before every prompt and every message, so a resized window
// is followed; an error (a serial line cannot tell) means DefaultCols.
type Sizer interface {
	Size() (cols, rows int, err error)
}

// DefaultCols is the width assumed for a terminal that cannot tell its
// own: a serial terminal's classic 80 columns. `term cols N` sets another.
const DefaultCols = 80

// The widths term cols accepts: narrower than a prompt and a word is no
// terminal, and the line editor draws every column it is told of.
const (
	minCols = 20
	maxCols = 1000
)

// width returns the columns the line editor draws in, and where that
// number comes from.
func (c *Console) width() (cols int, from string) {
	c.mu.Lock()
	set := c.cols
	c.mu.Unlock()
	if set > 0 {
		return set, "set with term cols"
	}
	if c.size != nil {
		if w, _, err := c.size.Size(); err == nil && w > 0 {
			return w, "the terminal's"
		}
	}
	return DefaultCols, "the default; the terminal does not tell its width"
}

// fitWidth tells the line editor the width it draws in: a line longer
// than the screen wraps, and the editor moves the cursor over the wraps
// by counting columns, so a wrong width garbles a recalled long line.
func (c *Console) fitWidth() {
	t := c.terminal()
	if t == nil {
		return
	}
	cols, _ := c.width()
	if err := t.SetSize(cols, 0); err != nil {
		c.log.Debug("console write failed", "err", err)
	}
}

func (c *Console) term(w io.Writer, args []string) error {
	switch {
	case len(args) == 0:
	case len(args) == 2 && args[0] == "cols":
		n := 0
		if args[1] != "auto" {
			var err error
			if n, err = strconv.Atoi(args[1]); err != nil || n < minCols || n > maxCols {
				return fmt.Errorf("cols %q: a number from %d to %d, or auto", clip(args[1], 16), minCols, maxCols)
			}
		}
		c.mu.Lock()
		c.cols = n
		c.mu.Unlock()
	default:
		return errors.New("usage: term [cols N|auto]")
	}
	cols, from := c.width()
	fmt.Fprintf(w, "cols %d (%s)\n", cols, from)
	return nil
}
