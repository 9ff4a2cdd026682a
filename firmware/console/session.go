package console

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"fairrec/firmware/auth"
	"fairrec/storage/audit"
)

// DefaultIdle is how long a session may stay without a command before the
// console logs it out.
const DefaultIdle = 10 * time.Minute

// Auth is what the console asks about logins; *auth.Store implements it.
type Auth interface {
	// Err says why every login is refused (a corrupt or tampered
	// secrets file), or nil.
	Err() error
	// NeedsSetup reports a first boot: no installer secret yet.
	NeedsSetup() bool
	// HasSecret reports whether a role has a secret to log in with.
	HasSecret(r auth.Role) bool
	// Locked returns the lock in force (an *auth.LockedError), or nil.
	Locked() error
	Login(r auth.Role, secret []byte) error
	Logout(r auth.Role, reason string)
	SetSecret(r auth.Role, secret []byte, by audit.Actor) error
}

// session is who is logged in at the console. Its mutex is separate from
// the output's: the idle watcher reads it while a command runs.
type session struct {
	mu   sync.Mutex
	in   bool
	role auth.Role
	last time.Time     // the last command, on the injected clock
	wake chan struct{} // a login happened: the idle watcher re-arms
}

// Role returns the role of the session, and whether someone is logged in.
// Without Config.Auth the console is open as the installer's.
func (c *Console) Role() (auth.Role, bool) {
	if c.cfg.Auth == nil {
		return auth.Installer, true
	}
	c.sess.mu.Lock()
	defer c.sess.mu.Unlock()
	return c.sess.role, c.sess.in
}

func (c *Console) now() time.Time {
	if c.cfg.Clock == nil {
		return time.Time{}
	}
	return c.cfg.Clock.Now()
}

func (c *Console) setSession(r auth.Role) {
	c.hist.clear() // nothing from before this session
	c.sess.mu.Lock()
	c.sess.in, c.sess.role, c.sess.last = true, r, c.now()
	c.sess.mu.Unlock()
	select {
	case c.sess.wake <- struct{}{}:
	default:
	}
}

// touch marks activity: a line was entered.
func (c *Console) touch() {
	c.sess.mu.Lock()
	defer c.sess.mu.Unlock()
	if c.sess.in {
		c.sess.last = c.now()
	}
}

// endSession logs out, recording why; false if nobody was logged in.
func (c *Console) endSession(reason string) bool {
	c.sess.mu.Lock()
	in, r := c.sess.in, c.sess.role
	c.sess.in = false
	c.sess.mu.Unlock()
	c.hist.clear() // the session's commands name callers
	if in && c.cfg.OnSessionEnd != nil {
		c.cfg.OnSessionEnd()
	}
	if in && c.cfg.Auth != nil {
		c.cfg.Auth.Logout(r, reason)
	}
	return in
}

// idleLeft returns how long the session may still stay idle; ok is false
// when nobody is logged in or there is no clock to time it.
func (c *Console) idleLeft() (left time.Duration, ok bool) {
	c.sess.mu.Lock()
	defer c.sess.mu.Unlock()
	if !c.sess.in || c.cfg.Clock == nil {
		return 0, false
	}
	idle := c.now().Sub(c.sess.last)
	if idle < 0 {
		// The clock went back: how long the console sat is unknown, so
		// the safe side is to log out.
		return 0, true
	}
	return c.cfg.Idle - idle, true
}

// checkIdle logs out a session idle for too long and says so.
func (c *Console) checkIdle() {
	if left, ok := c.idleLeft(); ok && left <= 0 && c.endSession("idle "+c.cfg.Idle.String()) {
		c.printf("logged out: no command for %s", c.cfg.Idle)
	}
}

// watchIdle logs out an idle session when its time is up, not only at the
// next command: a console left open on a serial cable shows it, and the
// audit log records the logout when it happened.
func (c *Console) watchIdle(stop <-chan struct{}) {
	for {
		left, ok := c.idleLeft()
		if !ok {
			select {
			case <-c.sess.wake:
				continue
			case <-stop:
				return
			}
		}
		if left <= 0 {
			c.checkIdle()
			continue
		}
		select {
		case <-c.cfg.Clock.After(left):
		case <-c.sess.wake:
		case <-stop:
			return
		}
	}
}

// greet says, at the start of a session on the stream, what state the
// login is in.
func (c *Console) greet() {
	a := c.cfg.Auth
	switch {
	case a == nil:
	case a.Err() != nil:
		c.printf("console LOCKED: %s; no login is possible until the secrets file is fixed (remove it for a first boot)", authMessage(a.Err()))
	case a.NeedsSetup():
		c.println("first boot: no installer secret is set. Type setup to set it: whoever has this port now decides it.")
	default:
		if _, in := c.Role(); !in {
			c.println("log in: login installer | login supervisor")
		}
	}
}

// authMessage is an auth error without the package's prefix: the console
// prints "error: login: ..." already.
func authMessage(err error) string {
	return strings.TrimPrefix(err.Error(), "auth: ")
}

// readSecret reads a secret: without echo on an interactive terminal, the
// next line on a plain stream (a script). It is never added to the history.
func (c *Console) readSecret(prompt string) ([]byte, error) {
	if c.cfg.Interactive {
		c.fitWidth()
		line, err := c.terminal().ReadPassword(prompt)
		if err != nil {
			return nil, errors.New("cancelled")
		}
		return []byte(line), nil
	}
	line, err := c.plain.ReadSlice('\n')
	if errors.Is(err, io.EOF) && len(line) > 0 {
		err = nil
	}
	if err != nil {
		for errors.Is(err, bufio.ErrBufferFull) {
			_, err = c.plain.ReadSlice('\n')
		}
		return nil, errors.New("no secret given")
	}
	return bytes.Clone(bytes.TrimRight(line, "\r\n")), nil
}

// readNewSecret reads a new secret twice.
func (c *Console) readNewSecret(r auth.Role) ([]byte, error) {
	pw, err := c.readSecret(fmt.Sprintf("new secret for %s (%d to %d characters): ", r, auth.MinSecret, auth.MaxSecret))
	if err != nil {
		return nil, err
	}
	if err := auth.CheckSecret(pw); err != nil {
		return nil, errors.New(authMessage(err))
	}
	again, err := c.readSecret("again: ")
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(pw, again) {
		return nil, errors.New("the two entries differ; nothing changed")
	}
	return pw, nil
}

func (c *Console) login(w io.Writer, args []string) error {
	// On a plain stream the secret is the next line, whatever happens, a
	// usage mistake included: a refused login must not leave it to be read
	// as a command (and echoed in "unknown command").
	var pw []byte
	if !c.cfg.Interactive {
		var err error
		if pw, err = c.readSecret(""); err != nil {
			return err
		}
	}
	if len(args) != 1 {
		return errors.New("usage: login installer|supervisor (the secret is asked for next)")
	}
	r, err := auth.ParseRole(args[0])
	if err != nil {
		return errors.New(authMessage(err))
	}
	a := c.cfg.Auth
	if err := a.Err(); err != nil {
		return errors.New(authMessage(err))
	}
	if a.NeedsSetup() {
		return errors.New("no installer secret is set yet; type setup")
	}
	if err := a.Locked(); err != nil {
		return errors.New(authMessage(err))
	}
	if !a.HasSecret(r) {
		// Said before the secret is asked for: typing one would be for
		// nothing.
		return fmt.Errorf("%s has no secret yet; the installer sets it with passwd %s", r, r)
	}
	if c.cfg.Interactive {
		if pw, err = c.readSecret(fmt.Sprintf("secret for %s: ", r)); err != nil {
			return err
		}
	}
	if err := a.Login(r, pw); err != nil {
		return errors.New(authMessage(err))
	}
	// A second login replaces the session: the first one ends on record.
	c.endSession("login as " + r.String())
	c.setSession(r)
	fmt.Fprintf(w, "logged in as %s%s\n", r, c.idleNote())
	return nil
}

func (c *Console) idleNote() string {
	if c.cfg.Clock == nil {
		return ""
	}
	return fmt.Sprintf("; logged out after %s without a command", c.cfg.Idle)
}

func (c *Console) logout(w io.Writer, args []string) error {
	if err := noArgs(args); err != nil {
		return err
	}
	if !c.endSession("") {
		return errors.New("not logged in")
	}
	fmt.Fprintln(w, "logged out")
	return nil
}

func (c *Console) setup(w io.Writer, args []string) error {
	if err := noArgs(args); err != nil {
		return err
	}
	a := c.cfg.Auth
	if err := a.Err(); err != nil {
		return errors.New(authMessage(err))
	}
	if !a.NeedsSetup() {
		return errors.New("the installer secret is already set; log in and use passwd")
	}
	pw, err := c.readNewSecret(auth.Installer)
	if err != nil {
		return err
	}
	if err := a.SetSecret(auth.Installer, pw, roleActor(auth.Installer)); err != nil {
		return errors.New(authMessage(err))
	}
	if err := a.Login(auth.Installer, pw); err != nil {
		return errors.New(authMessage(err))
	}
	c.setSession(auth.Installer)
	fmt.Fprintf(w, "installer secret set; logged in as installer%s\n", c.idleNote())
	fmt.Fprintln(w, "set the supervisor's with: passwd supervisor")
	return nil
}

func (c *Console) passwd(w io.Writer, args []string) error {
	if len(args) != 1 {
		return errors.New("usage: passwd installer|supervisor (the secret is asked for next, twice)")
	}
	r, err := auth.ParseRole(args[0])
	if err != nil {
		return errors.New(authMessage(err))
	}
	pw, err := c.readNewSecret(r)
	if err != nil {
		return err
	}
	by, _ := c.Role()
	if err := c.cfg.Auth.SetSecret(r, pw, roleActor(by)); err != nil {
		return errors.New(authMessage(err))
	}
	fmt.Fprintf(w, "secret of %s changed\n", r)
	return nil
}

func roleActor(r auth.Role) audit.Actor { return audit.Actor{Kind: audit.ActorRole, ID: r.String()} }
