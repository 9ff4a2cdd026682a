// Package sdnotify tells systemd how the daemon is doing, through the
// sd_notify(3) protocol: a datagram of newline-separated assignments
// (READY=1, WATCHDOG=1, STATUS=..., STOPPING=1) on the unix socket named
// by $NOTIFY_SOCKET. The watchdog interval comes from $WATCHDOG_USEC (and
// applies only if $WATCHDOG_PID, when set, is this process).
//
// The sending is github.com/coreos/go-systemd/v22/daemon's. Outside
// systemd (no $NOTIFY_SOCKET) every Notify is a no-op, so the daemon runs
// the same from a shell.
//
// The fake in sdnotifytest is the other end: a unixgram socket that
// records every datagram with its arrival time, for tests that run the
// real daemon with $NOTIFY_SOCKET pointing at it.
package sdnotify
