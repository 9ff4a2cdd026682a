package policy

import (
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"fairrec/firmware/trustclock"
	"fairrec/storage/audit"
	"fairrec/storage/vault"
)

// Store is what the engine needs of the vault; *vault.Vault implements it.
type Store interface {
	List(vault.Query) ([]vault.Info, error)
	Info(vault.ID) (vault.Info, error)
	UpdateGrants(vault.ID, []vault.Grant) error
	EraseMany([]vault.ID) error
}

// Config configures New. Store and Keeper are required.
type Config struct {
	Rules  *Rules // nil means Default()
	Store  Store
	Keeper *trustclock.Keeper
	// Audit receives grant expiries, erasures, holds, objections and
	// clock trust changes; nil records nothing (tests).
	Audit audit.Recorder
	// RefKey keys the hash under which contract and complaint references
	// are kept (derive it with vault.DeriveSecret(cfg, RefKeyLabel)).
	// Nil means a fixed key: references then are merely obscured.
	RefKey []byte
	// Actor is who the engine's own actions are recorded as; zero means
	// the device ("sweeper").
	Actor        audit.Actor
	MaxWait      time.Duration // longest sleep of Run between sweeps; 0 = 1 min
	PersistEvery time.Duration // how often Run saves the clock bound; 0 = 10 min
	Logger       *slog.Logger
}

// RefKeyLabel is the label to derive Config.RefKey with vault.DeriveSecret.
const RefKeyLabel = "fairrec policy ref v1"

// Engine applies the rules to the recordings in the store: it decides the
// grants of new recordings, ends them on objection, request or expiry,
// extends them for holds and events, and erases a recording when its last
// grant is gone. Its methods are safe for concurrent use.
type Engine struct {
	cfg Config
	// rules are the rules in force; SetRules replaces them whole, so a
	// decision that reads them once sees one configuration, never half
	// of an import.
	rules  atomic.Pointer[inForce]
	keeper *trustclock.Keeper
	log    *slog.Logger
	kick   chan struct{}

	onSweep func(SweepResult) // tests: called after each pass of Run

	mu sync.Mutex // serialises read-modify-write of grants
}

// New checks cfg and returns an engine. Start the sweeper with Run.
func New(cfg Config) (*Engine, error) {
	if cfg.Store == nil || cfg.Keeper == nil {
		return nil, errors.New("policy: new engine: Store and Keeper are required")
	}
	if cfg.Rules == nil {
		cfg.Rules = Default()
	}
	if err := cfg.Rules.Validate(); err != nil {
		return nil, fmt.Errorf("policy: new engine: %w: %w", ErrInvalid, err)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Actor.Kind == audit.ActorNone {
		cfg.Actor = audit.Actor{Kind: audit.ActorDevice, ID: "sweeper"}
	}
	if cfg.RefKey == nil {
		cfg.RefKey = []byte(RefKeyLabel)
	}
	if cfg.MaxWait <= 0 {
		cfg.MaxWait = time.Minute
	}
	if cfg.PersistEvery <= 0 {
		cfg.PersistEvery = 10 * time.Minute
	}
	e := &Engine{cfg: cfg, keeper: cfg.Keeper, log: cfg.Logger, kick: make(chan struct{}, 1)}
	e.rules.Store(newInForce(cfg.Rules))
	return e, nil
}

// inForce is a configuration as the engine uses it.
type inForce struct {
	*Rules
	shortest time.Duration // the shortest initial retention of any purpose
}

func newInForce(r *Rules) *inForce {
	f := &inForce{Rules: r, shortest: 100 * 366 * 24 * time.Hour}
	for i := range r.Purposes {
		p := &r.Purposes[i]
		first := p.Retention
		if p.Until != "" {
			first = p.Max
		}
		// Measured from the earliest start, so that a leap year or a
		// short month never makes it look longer than it is.
		ref := time.Date(2001, 2, 1, 0, 0, 0, 0, time.UTC)
		f.shortest = min(f.shortest, first.Add(ref).Sub(ref))
	}
	return f
}

// SetRules puts r in force for what is decided from now on: the grants
// of recordings that start after it returns. Grants already given are
// not touched: a recording keeps the purposes, deadlines and rule it was
// granted (see tags), whatever r says of its purposes. r must be valid.
func (e *Engine) SetRules(r *Rules) error {
	if err := r.Validate(); err != nil {
		return fmt.Errorf("policy: set rules: %w: %w", ErrInvalid, err)
	}
	e.rules.Store(newInForce(r))
	e.wake() // a shorter retention may bring the next sweep forward
	return nil
}

// Rules returns the rules in force.
func (e *Engine) Rules() *Rules { return e.rules.Load().Rules }

// Keeper returns the engine's time keeper.
func (e *Engine) Keeper() *trustclock.Keeper { return e.keeper }

// Wake makes Run sweep again now: call it after creating a recording
// whose grants may end before Run's next planned wake (MaxWait).
func (e *Engine) Wake() { e.wake() }

func (e *Engine) wake() {
	select {
	case e.kick <- struct{}{}:
	default:
	}
}

// Record records en in the engine's audit log as the engine records its
// own actions: a zero Actor is the engine's (Config.Actor), the detail is
// redacted (audit.Redact), and a failure is logged, not returned. Code
// that acts on the engine's recordings outside it (a subject access
// export) records through it, so that its entries go where the engine's
// go.
func (e *Engine) Record(en audit.Entry) { e.record(en) }

func (e *Engine) record(en audit.Entry) {
	if e.cfg.Audit == nil {
		return
	}
	if en.Actor.Kind == audit.ActorNone {
		en.Actor = e.cfg.Actor
	}
	en.Detail = audit.Redact(en.Detail)
	if err := e.cfg.Audit.Record(en); err != nil {
		e.log.Error("audit record failed", "action", en.Action.String(), "recording", en.Recording, "err", err)
	}
}

// List settles the clock first, as every request does (records the
// keeper's changes of trust and moves the times of grants stamped while
// it was not trusted), then returns the recordings in the store that
// match q, with their grants as the engine now holds them: a compliance
// report reads them this way.
func (e *Engine) List(q vault.Query) ([]vault.Info, error) {
	e.handleClock()
	return e.cfg.Store.List(q)
}

// Now returns the lower bound of the time and whether the clock is
// trusted; a timestamp taken while it is not is approximate.
func (e *Engine) Now() (time.Time, bool) {
	t, ok := e.keeper.Bound()
	return t, ok && e.keeper.Trusted()
}

// Start is what a new call on a line may be recorded for.
type Start struct {
	// Record is false when nothing may be recorded (no purpose left).
	Record bool
	// Meta is ready for vault.Create (line, start, grants, approximate).
	Meta vault.Meta
	// Refused names purposes the caller's objection refused: when not
	// empty, the employee's LED must show that the agreement cannot be
	// concluded by phone.
	Refused []string
	Notice  string // the line profile's notice
	Text    string
}

// Start decides the grants of a new recording on line. objected says the
// caller (or the employee) objected before the notice ended: only purposes
// an objection does not end are then granted. The caller plays Notice
// before recording and creates the recording with Meta.
func (e *Engine) Start(line int, objected bool, actor audit.Actor) (Start, error) {
	e.handleClock()
	rs := e.Rules() // one configuration for the whole decision
	pr := rs.Profile(line)
	if pr == nil {
		return Start{}, fmt.Errorf("policy: start line %d: %w", line, ErrNoProfile)
	}
	now, trusted := e.Now()
	s := Start{Notice: pr.Notice, Meta: vault.Meta{Line: line, Start: now, Approximate: !trusted}}
	var ended []string
	for _, name := range pr.Purposes {
		p := rs.Purpose(name)
		if objected && p.Objection != Continues {
			ended = append(ended, p.Name)
			if p.Objection == Refuses {
				s.Refused = append(s.Refused, p.Name)
			}
			continue
		}
		s.Meta.Grants = append(s.Meta.Grants, e.grant(p, now, trusted))
	}
	s.Record = len(s.Meta.Grants) > 0
	if objected {
		e.record(audit.Entry{Actor: actor, Action: audit.ActionObjection,
			Detail: fmt.Sprintf("before recording line=%d ended=%s", line, strings.Join(ended, ","))})
	}
	switch {
	case !s.Record:
		s.Text = "objection: nothing is recorded"
	case objected:
		s.Text = "objection: recorded only for " + strings.Join(purposeNames(s.Meta.Grants), ", ") + " (an objection does not end it)"
	default:
		s.Text = "recording for " + strings.Join(purposeNames(s.Meta.Grants), ", ")
	}
	if len(s.Refused) > 0 {
		s.Text += "; refused: " + strings.Join(s.Refused, ", ") + " (the agreement cannot be concluded by phone)"
	}
	return s, nil
}

// Grants returns the grants of a recording that began at start for the
// named purposes, as Start would have given it then: `fairrec import`
// brings in an earlier recorder's archive this way, so imported recordings
// follow the same retention rules as the box's own. A purpose the rules do
// not know is an error, since nothing would say how long to keep it.
func (e *Engine) Grants(purposes []string, start time.Time) ([]vault.Grant, error) {
	var gs []vault.Grant
	seen := map[string]bool{}
	rs := e.Rules()
	for _, name := range purposes {
		p := rs.Purpose(name)
		if p == nil {
			return nil, fmt.Errorf("policy: grants: %w: unknown purpose %q", ErrInvalid, name)
		}
		if seen[name] {
			continue
		}
		seen[name] = true
		gs = append(gs, e.grant(p, start, true))
	}
	return gs, nil
}

// grant returns a new grant of p beginning at at.
func (e *Engine) grant(p *Purpose, at time.Time, trusted bool) vault.Grant {
	g := vault.Grant{Purpose: p.Name, Basis: string(p.Basis), Granted: at,
		Objectable: p.Objection != Continues, Review: p.Review, Restricted: p.Restricted}
	// The grant carries its rule, so that later holds and events apply
	// the rule it was granted under, not whatever is in force by then.
	t := tags{until: p.Until, approx: !trusted, ret: p.Retention, after: p.After, max: p.Max,
		holdable: p.Hold, refuses: p.Objection == Refuses}
	if !trusted {
		t.stamped, t.steps = true, e.keeper.Steps()
	}
	g.Deadline = e.deadline(p, g, t)
	g.Event = t.String()
	return g
}

// deadline computes a grant's deadline from its purpose, start and tags.
func (e *Engine) deadline(p *Purpose, g vault.Grant, t tags) time.Time {
	var d time.Time
	if p.Until == "" {
		d = p.Retention.Add(g.Granted)
	} else {
		d = p.Max.Add(g.Granted)
		if !t.done.IsZero() {
			if after := p.After.Add(t.done); after.Before(d) {
				d = after
			}
		}
	}
	if t.hold != "" {
		h := e.Rules().HoldLimit().Add(t.held)
		if !p.Max.IsZero() {
			if m := p.Max.Add(g.Granted); m.Before(h) {
				h = m
			}
		}
		if h.After(d) {
			d = h
		}
	}
	return d
}

func purposeNames(gs []vault.Grant) []string {
	var n []string
	for _, g := range gs {
		n = append(n, g.Purpose)
	}
	return n
}

// Access checks that recording id may be used for purpose now: the grant
// exists, is not restricted and has not expired. Expiry is judged by the
// latest the time may be, so an expired grant is never used.
func (e *Engine) Access(id vault.ID, purpose string) error {
	in, err := e.cfg.Store.Info(id)
	if err != nil {
		return fmt.Errorf("policy: access %v for %s: %w", id, purpose, err)
	}
	return e.access(in, purpose)
}

func (e *Engine) access(in vault.Info, purpose string) error {
	for _, g := range in.Grants {
		if g.Purpose != purpose {
			continue
		}
		if g.Restricted {
			return fmt.Errorf("policy: access %v for %s: %w", in.ID, purpose, ErrRestricted)
		}
		if !e.keeper.Latest().Before(g.Deadline) {
			return fmt.Errorf("policy: access %v for %s: %w (deadline %s)", in.ID, purpose, ErrExpired, g.Deadline.UTC().Format(time.RFC3339))
		}
		return nil
	}
	return fmt.Errorf("policy: access %v for %s: %w", in.ID, purpose, ErrNoGrant)
}

// Review returns the purpose under which a supervisor may play recording
// id back now, or an error (ErrNoGrant when none allows review).
func (e *Engine) Review(id vault.ID) (string, error) {
	in, err := e.cfg.Store.Info(id)
	if err != nil {
		return "", fmt.Errorf("policy: review %v: %w", id, err)
	}
	var last error
	for _, g := range in.Grants {
		if !g.Review {
			continue
		}
		if last = e.access(in, g.Purpose); last == nil {
			return g.Purpose, nil
		}
	}
	if last == nil {
		last = fmt.Errorf("policy: review %v: %w (no purpose allows review)", id, ErrNoGrant)
	}
	return "", last
}

// Result is the outcome of an objection, a request, a hold or an event.
type Result struct {
	Recordings []vault.ID // the recordings concerned
	Erased     []vault.ID // erased (key destroyed)
	Restricted []vault.ID // kept under a legal obligation; processing restricted
	Ended      []string   // purposes whose grants ended
	Kept       []string   // purposes still granted
	// Refused: purposes the objection refused; the employee's LED must
	// show that the agreement cannot be concluded by phone.
	Refused []string
	Until   time.Time // Hold: until when the recording is now kept at most
	Text    string    // one or more sentences for the console or the tool
}

// Object applies an objection (by the caller or the employee) to a
// recording after the notice: grants an objection ends are removed and the
// recording is erased if none is left. The caller stops appending audio
// when the result has no Kept purposes.
func (e *Engine) Object(id vault.ID, actor audit.Actor) (Result, error) {
	e.handleClock()
	e.mu.Lock()
	defer e.mu.Unlock()
	in, err := e.cfg.Store.Info(id)
	if err != nil {
		return Result{}, fmt.Errorf("policy: objection to %v: %w", id, err)
	}
	r := Result{Recordings: []vault.ID{id}}
	var kept []vault.Grant
	for _, g := range in.Grants {
		p := e.asGranted(g)
		if !e.objectable(g) {
			kept = append(kept, g)
			r.Kept = append(r.Kept, g.Purpose)
			continue
		}
		r.Ended = append(r.Ended, g.Purpose)
		if p != nil && p.Objection == Refuses {
			r.Refused = append(r.Refused, g.Purpose)
		}
	}
	e.record(audit.Entry{Actor: actor, Action: audit.ActionObjection, Recording: uint64(id),
		Detail: "ended=" + strings.Join(r.Ended, ",")})
	if err := e.apply(in, kept, audit.ActionEraseObjection, actor, &r); err != nil {
		return r, fmt.Errorf("policy: objection to %v: %w", id, err)
	}
	switch {
	case len(r.Erased) > 0:
		r.Text = fmt.Sprintf("objection: recording %v erased", id)
	case len(r.Ended) == 0:
		r.Text = fmt.Sprintf("objection: recording %v kept for %s (an objection does not end it)", id, strings.Join(r.Kept, ", "))
	default:
		r.Text = fmt.Sprintf("objection: recording %v no longer kept for %s; kept for %s (an objection does not end it)",
			id, strings.Join(r.Ended, ", "), strings.Join(r.Kept, ", "))
	}
	if len(r.Refused) > 0 {
		r.Text += "; the agreement cannot be concluded by phone"
	}
	return r, nil
}

// apply stores the kept grants of in, or erases it when none is left,
// recording the erasure as action.
func (e *Engine) apply(in vault.Info, kept []vault.Grant, action audit.Action, actor audit.Actor, r *Result) error {
	if len(kept) == len(in.Grants) && slices.EqualFunc(kept, in.Grants, grantEqual) {
		return nil
	}
	if len(kept) == 0 {
		if err := e.erase([]vault.ID{in.ID}, action, actor); err != nil {
			return err
		}
		r.Erased = append(r.Erased, in.ID)
		return nil
	}
	if err := e.cfg.Store.UpdateGrants(in.ID, kept); err != nil {
		return err
	}
	e.wake()
	return nil
}

func grantEqual(a, b vault.Grant) bool {
	return a.Purpose == b.Purpose && a.Basis == b.Basis && a.Granted.Equal(b.Granted) &&
		a.Deadline.Equal(b.Deadline) && a.Event == b.Event && a.Restricted == b.Restricted &&
		a.Objectable == b.Objectable && a.Review == b.Review
}

// objectable reports whether an objection (or an erasure request) ends g:
// as the grant says when it carries its rule (it keeps the rule it got),
// else as its purpose in force says, else as the grant says (a grant made
// by another tool).
func (e *Engine) objectable(g vault.Grant) bool {
	if parseTags(g.Event).ruled() {
		return g.Objectable
	}
	if p := e.Rules().Purpose(g.Purpose); p != nil {
		return p.Objection != Continues
	}
	return g.Objectable
}

// asGranted returns the purpose g was granted under, as it was when
// granted: the rule its tags carry (every grant made since the rules can
// change while the daemon runs), else the purpose of that name in force
// (a grant from before), else nil. Holds, releases and events recompute
// deadlines from it, so a config import never shortens or lengthens a
// recording made before it.
func (e *Engine) asGranted(g vault.Grant) *Purpose {
	t := parseTags(g.Event)
	cur := e.Rules().Purpose(g.Purpose)
	if !t.ruled() {
		return cur
	}
	p := &Purpose{Name: g.Purpose, Basis: Basis(g.Basis), Retention: t.ret, Until: t.until, After: t.after, Max: t.max,
		Objection: Ends, Review: g.Review, Hold: t.holdable, Restricted: g.Restricted}
	switch {
	case !g.Objectable:
		p.Objection = Continues
	case t.refuses:
		p.Objection = Refuses
	}
	if cur != nil {
		p.Description = cur.Description
	}
	return p
}
