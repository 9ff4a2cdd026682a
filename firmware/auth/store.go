package auth

import (
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"fairrec/firmware/clock"
	"fairrec/storage/audit"
)

// KeyLabel is the label under which the daemon and the fairrec tool derive
// Config.Key from the vault (vault.DeriveSecret): a key that survives
// `fairrec keys rotate`.
const KeyLabel = "fairrec console secrets v1"

// Defaults of the lockout policy.
const (
	DefaultMaxFailures = 5
	DefaultLockFor     = 5 * time.Minute
	DefaultMaxLock     = time.Hour
)

// Limits of a new secret, in characters.
const (
	MinSecret = 6
	MaxSecret = 128
)

// Config configures Open. Dir and Clock are required; the other zero values
// mean: unsigned file and unkeyed hashes (tests; the appliance always sets
// Key), no audit, no log, DefaultParams, and the default lockout policy.
type Config struct {
	Dir string // the data directory; the file is Dir/FileName
	// Clock stamps the lock's start and end. The lock is timed on
	// monotonic time: Clock's Elapsed method when it has one (the daemon
	// gives its trustclock.Keeper), else the time since Open as Clock.Now
	// measures it (the real clock's monotonic reading).
	Clock clock.Clock
	// Key signs the file (HMAC-SHA256) and keys each secret before
	// hashing. Derive it with vault.DeriveSecret(cfg, KeyLabel).
	Key    []byte
	Audit  audit.Recorder
	Logger *slog.Logger
	Params Params // for new hashes; zero means DefaultParams

	MaxFailures int           // failed logins that lock; 0 means 5
	LockFor     time.Duration // the first lock; 0 means 5 minutes
	MaxLock     time.Duration // the doubling stops here; 0 means an hour
}

// Store holds the console's secrets and its lockout state. Its methods are
// safe for concurrent use; logins are serialised, so guesses cannot run in
// parallel.
type Store struct {
	cfg    Config
	path   string
	macKey []byte
	pepper []byte
	log    *slog.Logger

	mono func() time.Duration // monotonic time; see Config.Clock

	mu sync.Mutex
	st *state
	// The lock in force has left lockLeft at monotonic time lockMono;
	// st.LockLeftMS is what the file says (saved at most once a minute).
	lockLeft time.Duration
	lockMono time.Duration
	err      error // the file could not be loaded: refuse everything
	refused  int   // attempts refused while locked, for the lockout-end entry
}

// Open loads Dir/FileName; a missing file is a first boot (no secrets). If
// the file is corrupt or tampered with, Open returns the error AND a Store
// that refuses every login and change with it, so that a caller that goes on
// (the daemon keeps recording) keeps its console locked.
func Open(cfg Config) (*Store, error) {
	if cfg.Params == (Params{}) {
		cfg.Params = DefaultParams
	}
	if cfg.MaxFailures <= 0 {
		cfg.MaxFailures = DefaultMaxFailures
	}
	if cfg.LockFor <= 0 {
		cfg.LockFor = DefaultLockFor
	}
	if cfg.MaxLock <= 0 {
		cfg.MaxLock = DefaultMaxLock
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Store{cfg: cfg, path: filepath.Join(cfg.Dir, FileName), macKey: subkey(cfg.Key, macLabel),
		pepper: subkey(cfg.Key, pepperLabel), log: log}
	if err := cfg.Params.check(); err != nil {
		s.err = fmt.Errorf("auth: %w", err)
		return s, s.err
	}
	if cfg.Clock == nil {
		s.err = fmt.Errorf("auth: no clock")
		return s, s.err
	}
	s.mono = monotonicOf(cfg.Clock)
	s.st, s.err = load(s.path, s.macKey, cfg.MaxFailures, cfg.MaxLock)
	if s.err == nil && !s.st.LockedAt.IsZero() {
		s.lockLeft, s.lockMono = s.st.lockLeft(), s.mono()
	}
	return s, s.err
}

// monotonic is a clock that also tells monotonic time (trustclock.Keeper).
type monotonic interface{ Elapsed() time.Duration }

// monotonicOf returns c's monotonic time: its Elapsed, or the time since
// now as its Now measures it (monotonic with the real clock's reading).
func monotonicOf(c clock.Clock) func() time.Duration {
	if m, ok := c.(monotonic); ok {
		return m.Elapsed
	}
	start := c.Now()
	return func() time.Duration { return c.Now().Sub(start) }
}

// Path returns the file's path.
func (s *Store) Path() string { return s.path }

// Err returns why the store refuses everything, or nil.
func (s *Store) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// NeedsSetup reports a first boot: no installer secret, and the file is
// sound. Only then may the installer secret be set without logging in.
func (s *Store) NeedsSetup() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err == nil && s.st.Secrets[Installer.String()] == nil
}

// HasSecret reports whether r has a secret.
func (s *Store) HasSecret(r Role) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err == nil && s.st.Secrets[r.String()] != nil
}

// Locked returns the lock in force, if any (a *LockedError), ending it (and
// recording its end) if it has run out.
func (s *Store) Locked() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return s.err
	}
	if le := s.lockLocked(s.cfg.Clock.Now()); le != nil {
		return le
	}
	return nil
}

// lockLocked checks the lock at now (the clock's reading, for the
// message). The lock is timed on monotonic time served since it began (or
// since Open, for a lock read from the file), so no change of the wall
// clock, forward or back, shortens or lifts it. What is left is saved at
// most once a minute, so a restart continues the lock rather than
// starting it over, and extends it by less than a minute at most.
func (s *Store) lockLocked(now time.Time) *LockedError {
	st := s.st
	if st.LockedAt.IsZero() {
		return nil
	}
	el := s.mono()
	served := el - s.lockMono
	if served < 0 {
		// Only a clock without a monotonic reading goes back: count
		// nothing served.
		served = 0
	}
	s.lockLeft, s.lockMono = s.lockLeft-served, el
	if left := s.lockLeft; left > 0 {
		if st.lockLeft()-left >= time.Minute {
			st.LockLeftMS = left.Milliseconds()
			if err := save(s.path, st, s.macKey); err != nil {
				s.log.Error("auth: saving the lock's time left", "err", err)
			}
		}
		return &LockedError{Until: now.Add(left), Left: left}
	}
	s.record(audit.Entry{Actor: deviceActor, Action: audit.ActionLockoutEnd,
		Detail: fmt.Sprintf("console unlocked after %s; %d attempts refused meanwhile", st.lockFor(), s.refused)})
	st.LockedAt, st.LockSeconds, st.LockLeftMS = time.Time{}, 0, 0
	s.refused = 0
	if err := save(s.path, st, s.macKey); err != nil {
		s.log.Error("auth: saving the lock's end", "err", err)
	}
	return nil
}

// deviceActor is the console itself, which locks and unlocks.
var deviceActor = audit.Actor{Kind: audit.ActorDevice, ID: "console"}

func roleActor(r Role) audit.Actor { return audit.Actor{Kind: audit.ActorRole, ID: r.String()} }

// Login checks secret for role r. While locked it refuses without looking
// at the secret (*LockedError). A wrong secret counts towards the lockout;
// the attempt that reaches MaxFailures locks for LockFor, doubled for every
// further lockout since the last successful login, up to MaxLock. The count
// and the lock are saved before Login returns, so a restart keeps them.
func (s *Store) Login(r Role, secret []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return s.err
	}
	now := s.cfg.Clock.Now()
	if le := s.lockLocked(now); le != nil {
		s.refused++
		return le
	}
	sec := s.st.Secrets[r.String()]
	if sec == nil {
		return fmt.Errorf("auth: %s: %w", r, ErrNoSecret)
	}
	if sec.verify(secret, s.pepper) {
		if s.st.Failures != 0 || s.st.Lockouts != 0 {
			s.st.Failures, s.st.Lockouts = 0, 0
			if err := save(s.path, s.st, s.macKey); err != nil {
				s.log.Error("auth: saving the reset failure count", "err", err)
			}
		}
		s.record(audit.Entry{Actor: roleActor(r), Action: audit.ActionLogin, Detail: "console"})
		return nil
	}
	s.st.Failures++
	s.record(audit.Entry{Actor: roleActor(r), Action: audit.ActionLoginFailed,
		Detail: fmt.Sprintf("console: failure %d of %d", s.st.Failures, s.cfg.MaxFailures)})
	var err error = fmt.Errorf("%w (%d of %d failed logins before the console locks)", ErrWrongSecret, s.st.Failures, s.cfg.MaxFailures)
	if s.st.Failures >= s.cfg.MaxFailures {
		lock := s.cfg.LockFor
		for i := 0; i < s.st.Lockouts && lock < s.cfg.MaxLock; i++ {
			lock *= 2
		}
		lock = min(lock, s.cfg.MaxLock).Truncate(time.Second)
		s.st.Failures = 0
		s.st.Lockouts++
		s.st.LockedAt, s.st.LockSeconds, s.st.LockLeftMS = now, int64(lock/time.Second), lock.Milliseconds()
		s.lockLeft, s.lockMono = lock, s.mono()
		s.refused = 0
		s.record(audit.Entry{Actor: deviceActor, Action: audit.ActionLockout,
			Detail: fmt.Sprintf("console locked for %s after %d failed logins (lockout %d)", lock, s.cfg.MaxFailures, s.st.Lockouts)})
		err = &LockedError{Until: now.Add(lock), Left: lock, Wrong: true}
	}
	if serr := save(s.path, s.st, s.macKey); serr != nil {
		// The count must survive a restart; if it cannot be saved the
		// attempt still failed, and the installer needs to know why the
		// box misbehaves.
		s.log.Error("auth: saving the failure count", "err", serr)
		return fmt.Errorf("%w; and the failure count could not be saved: %v", err, serr)
	}
	return err
}

// Logout records that r's session ended; reason says why ("" when the
// person typed logout, e.g. "idle 10m0s").
func (s *Store) Logout(r Role, reason string) {
	detail := "console"
	if reason != "" {
		detail += ": " + reason
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.record(audit.Entry{Actor: roleActor(r), Action: audit.ActionLogout, Detail: detail})
}

// CheckSecret tells whether pw is acceptable as a new secret: MinSecret to
// MaxSecret characters of valid UTF-8, no control characters.
func CheckSecret(pw []byte) error {
	if !utf8.Valid(pw) {
		return fmt.Errorf("%w: not valid UTF-8", ErrWeak)
	}
	n := utf8.RuneCount(pw)
	if n < MinSecret || n > MaxSecret {
		return fmt.Errorf("%w: %d characters; use %d to %d", ErrWeak, n, MinSecret, MaxSecret)
	}
	for _, r := range string(pw) {
		if unicode.IsControl(r) {
			return fmt.Errorf("%w: it holds a control character", ErrWeak)
		}
	}
	return nil
}

// SetSecret sets or replaces r's secret and records the change as a
// configuration change by actor. Who may do it is the caller's decision
// (the console: the installer, or anyone at first boot for the installer's).
// A locked console may still change secrets: that needs a session, which
// was opened before the lock.
func (s *Store) SetSecret(r Role, pw []byte, by audit.Actor) error {
	if _, err := ParseRole(r.String()); err != nil {
		return err
	}
	if err := CheckSecret(pw); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return s.err
	}
	sec, err := newSecret(pw, s.pepper, s.cfg.Params)
	if err != nil {
		return err
	}
	old := s.st.Secrets[r.String()]
	s.st.Secrets[r.String()] = sec
	if err := save(s.path, s.st, s.macKey); err != nil {
		if old == nil {
			delete(s.st.Secrets, r.String())
		} else {
			s.st.Secrets[r.String()] = old
		}
		return err
	}
	what := "changed"
	if old == nil {
		what = "set"
	}
	s.record(audit.Entry{Actor: by, Action: audit.ActionConfigChange,
		Detail: fmt.Sprintf("console secret of %s %s", r, what)})
	return nil
}

// record writes e to the audit log. A failure is logged, not returned: a
// console that cannot log in because the audit log is full would leave the
// installer no way to look.
func (s *Store) record(e audit.Entry) {
	if s.cfg.Audit == nil {
		return
	}
	if err := s.cfg.Audit.Record(e); err != nil {
		s.log.Error("audit: console authentication", "action", e.Action, "err", err)
	}
}
