package policy

import (
	"path/filepath"
	"sync"
	"testing"
	"time"

	"fairrec/firmware/clock/clocktest"
	"fairrec/firmware/trustclock"
	"fairrec/storage/audit"
	"fairrec/storage/audit/audittest"
	"fairrec/storage/vault"
)

// t0 is the true time at which the tests begin.
var t0 = time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)

const day = 24 * time.Hour

// box is a simulated appliance: a wall clock that can be wrong, a
// monotonic clock that a wall-clock jump does not move, the true time, a
// vault and an engine, and restarts with time off in between.
type box struct {
	t    testing.TB
	dir  string
	clk  *clocktest.Clock
	rec  *audittest.Recorder
	mu   sync.Mutex
	mono time.Duration // since this boot
	now  time.Time     // true time
	off  time.Duration // time the box was off, in all
	// noRTC: the board has no battery clock, so an agreeing clock at boot
	// is not trusted until confirmed.
	noRTC bool
	k     *trustclock.Keeper
	v     *vault.Vault
	e     *Engine
	cfg   Config
}

var caller = audit.Actor{Kind: audit.ActorCallerDTMF, ID: "line1"}
var supervisor = audit.Actor{Kind: audit.ActorRole, ID: "supervisor"}

func newBox(t testing.TB, rules *Rules) *box {
	t.Helper()
	dir := t.TempDir()
	if err := vault.InitKey(filepath.Join(dir, vault.KeyFile), nil); err != nil {
		t.Fatal(err)
	}
	b := &box{t: t, dir: dir, clk: clocktest.New(t0), now: t0, rec: &audittest.Recorder{}}
	b.cfg = Config{Rules: rules}
	b.boot(t0)
	t.Cleanup(b.shutdown)
	return b
}

func (b *box) elapsed() time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.mono
}

// boot starts the box with the wall clock reading wall.
func (b *box) boot(wall time.Time) {
	b.t.Helper()
	b.clk.Set(wall)
	b.mu.Lock()
	b.mono = 0
	b.mu.Unlock()
	k, err := trustclock.New(trustclock.Config{Clock: b.clk, Path: filepath.Join(b.dir, trustclock.File), MaxJump: b.cfg.Rules.maxJump(),
		Elapsed: b.elapsed, RTC: !b.noRTC})
	if err != nil {
		b.t.Fatal(err)
	}
	b.k = k
	b.rec.Clock = k
	v, err := vault.Open(vault.Config{Dir: b.dir, Clock: k, NoSync: true})
	if err != nil {
		b.t.Fatal(err)
	}
	b.v = v
	cfg := b.cfg
	cfg.Store, cfg.Keeper, cfg.Audit = v, k, b.rec
	e, err := New(cfg)
	if err != nil {
		b.t.Fatal(err)
	}
	b.e = e
}

func (b *box) shutdown() {
	if b.v == nil {
		return
	}
	if err := b.k.Save(); err != nil {
		b.t.Error(err)
	}
	if err := b.v.Close(); err != nil {
		b.t.Error(err)
	}
	b.v = nil
}

// restart turns the box off for off and boots it with the wall clock at
// the true time plus skew (or at wall if not zero).
func (b *box) restart(off time.Duration, wall time.Time) {
	b.t.Helper()
	b.shutdown()
	b.now = b.now.Add(off)
	b.off += off
	if wall.IsZero() {
		wall = b.now
	}
	b.boot(wall)
}

// advance lets d pass: true time, wall clock and monotonic clock.
func (b *box) advance(d time.Duration) {
	b.mu.Lock()
	b.mono += d
	b.mu.Unlock()
	b.now = b.now.Add(d)
	b.clk.Advance(d)
}

// jump sets the wall clock without time passing.
func (b *box) jump(wall time.Time) { b.clk.Set(wall) }

// call records a call of a second on line; objected says the caller
// objected before the notice ended. It returns 0 when nothing was kept.
func (b *box) call(line int, number string, objected bool) vault.ID {
	b.t.Helper()
	st, err := b.e.Start(line, objected, caller)
	if err != nil {
		b.t.Fatal(err)
	}
	if !st.Record {
		return 0
	}
	st.Meta.Caller = number
	id, err := b.v.Create(st.Meta)
	if err != nil {
		b.t.Fatal(err)
	}
	if err := b.v.Append(id, make([]byte, 8000)); err != nil {
		b.t.Fatal(err)
	}
	if err := b.v.Seal(id, b.k.Now()); err != nil {
		b.t.Fatal(err)
	}
	return id
}

// exists reports whether recording id is still in the vault.
func (b *box) exists(id vault.ID) bool {
	_, err := b.v.Info(id)
	return err == nil
}

func (b *box) grants(id vault.ID) map[string]time.Time {
	in, err := b.v.Info(id)
	if err != nil {
		return nil
	}
	m := map[string]time.Time{}
	for _, g := range in.Grants {
		m[g.Purpose] = g.Deadline
	}
	return m
}

func (b *box) sweep() SweepResult {
	b.t.Helper()
	r, err := b.e.Sweep()
	if err != nil {
		b.t.Fatal(err)
	}
	return r
}

// testRules are the defaults with profiles for each test line:
// 1 quality+training, 2 contract, 3 legal+quality, 4 all four.
func testRules(t testing.TB) *Rules {
	r := Default()
	r.Profiles = []Profile{
		{Lines: []int{1}, Purposes: []string{"quality", "training"}, Notice: "n1.mp3"},
		{Lines: []int{2}, Purposes: []string{"contract"}, Notice: "n2.mp3"},
		{Lines: []int{3}, Purposes: []string{"legal", "quality"}, Notice: "n3.mp3"},
		{Lines: []int{4}, Purposes: []string{"training", "quality", "contract", "legal"}, Notice: "n4.mp3"},
	}
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	return r
}
