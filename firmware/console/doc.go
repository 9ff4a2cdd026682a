// Package console is the installer's and supervisor's shell: a line-oriented
// command interpreter over a byte stream (a serial port, a pty, or the
// daemon's standard input and output).
//
// On an interactive stream (a person at a terminal) it edits lines with
// golang.org/x/term's Terminal: echo, cursor keys, history, and asynchronous
// messages (the daemon's log) printed above the prompt without garbling what
// is being typed. On a non-interactive stream (a pipe, a script) it reads
// plain lines, LF or CRLF terminated, and prints no prompt.
//
// Invariants:
//   - garbled input never panics and never wedges the reader: invalid UTF-8
//     becomes '?', an escape sequence that does not end within a few bytes is
//     dropped, a line longer than the limit is discarded with one error line,
//     an unknown command or stray control characters give one error line;
//   - every command answers with at least one line, errors start "error: ";
//   - the console only reads the System it is given; it changes nothing yet
//     (configuration and erasure requests come with the full console).
//
// Commands: help, status, recordings.
package console
