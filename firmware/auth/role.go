package auth

import "fmt"

// Role is who may do what at the console. The zero value is Installer, so
// that a console command that declares no role needs the most trusted one.
type Role uint8

// The roles. They are fixed words, not accounts: the audit log records the
// role, never a person.
const (
	// Installer may do everything, including setting secrets and
	// confirming the clock.
	Installer Role = iota
	// Supervisor reviews recordings, reads the status and the recordings
	// list, and handles the requests of the people recorded.
	Supervisor
)

// Roles lists every role, most trusted first.
var Roles = []Role{Installer, Supervisor}

// String returns the role's name as typed at the console and written to the
// audit log ("installer").
func (r Role) String() string {
	switch r {
	case Installer:
		return "installer"
	case Supervisor:
		return "supervisor"
	}
	return fmt.Sprintf("role(%d)", uint8(r))
}

// ParseRole returns the role named s.
func ParseRole(s string) (Role, error) {
	for _, r := range Roles {
		if r.String() == s {
			return r, nil
		}
	}
	return 0, fmt.Errorf("auth: unknown role %q (installer or supervisor): %w", clip(s), ErrRole)
}

// Can reports whether r may run what needs the role need: the installer may
// run everything, the supervisor only what needs the supervisor.
func (r Role) Can(need Role) bool {
	switch r {
	case Installer:
		return need == Installer || need == Supervisor
	case Supervisor:
		return need == Supervisor
	}
	return false
}

func clip(s string) string {
	if r := []rune(s); len(r) > 20 {
		return string(r[:20]) + "..."
	}
	return s
}
