package sdnotify

import (
	"fmt"
	"os"
	"time"

	"github.com/coreos/go-systemd/v22/daemon"
)

// The states the daemon sends.
const (
	Ready    = daemon.SdNotifyReady    // start-up finished: the service is up
	Watchdog = daemon.SdNotifyWatchdog // keep-alive: the service is healthy
	Stopping = daemon.SdNotifyStopping // shutdown begun
)

// Status is the STATUS= assignment for a one-line state.
func Status(line string) string { return "STATUS=" + line }

// Notifier sends states to systemd's notify socket.
type Notifier struct {
	socket   string
	watchdog time.Duration
}

// FromEnv returns the notifier the environment describes. A malformed
// $WATCHDOG_USEC is an error: systemd never writes one, so someone set it
// by hand.
func FromEnv() (*Notifier, error) {
	wd, err := daemon.SdWatchdogEnabled(false)
	if err != nil {
		return nil, fmt.Errorf("sdnotify: %w", err)
	}
	return &Notifier{socket: os.Getenv("NOTIFY_SOCKET"), watchdog: wd}, nil
}

// Enabled reports whether a service manager listens.
func (n *Notifier) Enabled() bool { return n.socket != "" }

// WatchdogInterval is the time after which systemd acts on a service that
// sent no WATCHDOG=1 (WatchdogSec=); 0 when no watchdog is armed.
func (n *Notifier) WatchdogInterval() time.Duration { return n.watchdog }

// Notify sends one state (several may be joined by newlines); without a
// notify socket it does nothing.
func (n *Notifier) Notify(state string) error {
	if n.socket == "" {
		return nil
	}
	if _, err := daemon.SdNotify(false, state); err != nil {
		return fmt.Errorf("sdnotify: send %q to %s: %w", firstLine(state), n.socket, err)
	}
	return nil
}

func firstLine(s string) string {
	for i := range len(s) {
		if s[i] == '\n' {
			return s[:i] + "..."
		}
	}
	return s
}
