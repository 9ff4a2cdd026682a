// Package rsyslogtest runs a real rsyslogd for tests: from its own
// configuration in a test's temporary directory, listening with imtcp on a
// free 127.0.0.1 port (over TLS per RFC 5425 with the GnuTLS stream driver,
// or plain TCP), writing each message as received to a file the test reads.
// NewCA makes the throwaway CA and server certificate the TLS case needs.
//
// Invariants: rsyslogd runs in the foreground (-n) with its own pid file
// and work directory, never touching the system's; the test's cleanup stops
// it and waits for it. A machine without rsyslogd (or its TLS driver) skips
// the test with one line; scripts/deps.sh installs both.
package rsyslogtest
