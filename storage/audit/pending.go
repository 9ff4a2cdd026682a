package audit

import (
	"fmt"
	"sync"
)

// Pending is a Recorder that keeps entries until the log is open, and keeps
// the entries of callers that cannot handle an error until they are written.
//
// The vault raises events while it opens (a recording a power cut
// interrupted, an erase a crash cut short), and the audit log can only be
// opened after the vault, because its signing key derives from the vault's
// key slots: Pending bridges that gap. Such an event reaches the log through
// a callback that returns nothing, so an entry that fails to be written
// (disk full, the log closed) is not dropped: it stays waiting, in order,
// and is retried before the next entry is written, by Set and by Flush.
// The zero value is ready to use.
type Pending struct {
	mu      sync.Mutex
	log     *Log
	pending []Entry
}

// Record writes e to the log, or keeps it until Set. e is validated at once,
// so an entry the log would refuse is refused to its caller now rather than
// failing unseen at Set. A failed write is returned and e is not kept: the
// caller has the error (see Keep for callers that cannot act on one).
// Entries still waiting are retried first; their failure is not e's and
// Flush reports it.
func (p *Pending) Record(e Entry) error {
	if err := e.Validate(); err != nil {
		return fmt.Errorf("audit: record %v: %w", e.Action, err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.log == nil {
		p.pending = append(p.pending, e)
		return nil
	}
	_ = p.retry() // what still waits keeps waiting; Flush and Set report it
	return p.log.Record(e)
}

// Keep records e for a caller that cannot act on a write error, such as the
// vault's OnEvent: if e cannot be written now it waits, behind any entries
// already waiting, and is retried before the next entry, by Set and by
// Flush. Keep returns an error only for an entry the log refuses
// (ErrInvalid), which no retry would ever write.
func (p *Pending) Keep(e Entry) error {
	if err := e.Validate(); err != nil {
		return fmt.Errorf("audit: keep %v: %w", e.Action, err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	// Behind what waits, so the log keeps the order things happened in.
	p.pending = append(p.pending, e)
	if p.log != nil {
		_ = p.retry() // a failure keeps e waiting; Flush and Set report it
	}
	return nil
}

// Waiting reports how many entries wait for the log.
func (p *Pending) Waiting() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.pending)
}

// Set opens Pending to log and writes the entries that waited, in order.
// If one fails, it and those after it keep waiting (Flush, or the next
// Record or Keep, retries them) and Set returns the error.
func (p *Pending) Set(log *Log) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.log = log
	return p.retry()
}

// Flush retries the entries still waiting. It returns nil once none wait,
// or the error that keeps them waiting.
func (p *Pending) Flush() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.pending) == 0 {
		return nil
	}
	if p.log == nil {
		return fmt.Errorf("audit: flush: %d entries wait for a log that is not open yet", len(p.pending))
	}
	return p.retry()
}

// retry writes the waiting entries in order and stops at the first that
// fails: it and those after it keep waiting, so order is kept. The caller
// holds p.mu and has set p.log.
func (p *Pending) retry() error {
	for len(p.pending) > 0 {
		if err := p.log.Record(p.pending[0]); err != nil {
			return fmt.Errorf("audit: %d entries still waiting: %w", len(p.pending), err)
		}
		p.pending[0] = Entry{}
		p.pending = p.pending[1:]
	}
	p.pending = nil
	return nil
}

var _ Recorder = (*Pending)(nil)
