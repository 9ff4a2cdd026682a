package console

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// history is the line editor's history (x/term's History), kept by the
// console so that it can forget: a session's commands name callers
// (erasure 0612345678) and must not be one up-arrow away for whoever sits
// down after a logout. It is cleared whenever a session ends or begins,
// and never holds the lines of commands marked private, nor a line the
// console refused to run as it stood (longer than MaxLine, holding control
// characters, or naming no command): recalling it would only refuse it
// again, and noise from a loose connector recalled by an up-arrow is no
// help. Safe for
// concurrent use: the idle watcher clears it while the editor reads.
type history struct {
	mu      sync.Mutex
	lines   []string // newest last
	max     int      // the longest line kept, in characters (MaxLine)
	known   map[string]bool
	private map[string]bool
}

const historySize = 100

func (h *history) Add(entry string) {
	f := strings.Fields(entry)
	if len(f) == 0 || !h.known[f[0]] || h.private[f[0]] || utf8.RuneCountInString(entry) > h.max ||
		strings.IndexFunc(entry, unicode.IsControl) >= 0 {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.lines) == historySize {
		h.lines = h.lines[1:]
	}
	h.lines = append(h.lines, entry)
}

func (h *history) Len() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.lines)
}

// At returns the idx-th newest entry (0 is the newest).
func (h *history) At(idx int) string {
	h.mu.Lock()
	defer h.mu.Unlock()
	if idx < 0 || idx >= len(h.lines) {
		return "" // cleared while the editor was looking
	}
	return h.lines[len(h.lines)-1-idx]
}

func (h *history) clear() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.lines = nil
}
