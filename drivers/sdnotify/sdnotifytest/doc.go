// Package sdnotifytest fakes systemd's end of sd_notify: Socket is a
// unixgram socket that records each datagram a service sends to it, with
// its arrival time (point $NOTIFY_SOCKET at Socket.Path), and Recorder is
// an in-process notifier that keeps the states it was sent.
package sdnotifytest
