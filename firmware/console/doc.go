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
//   - garbled input never panics and never wedges the reader: invalid UTF-8,
//     control characters of C1 and characters that do not take exactly one
//     column become '?'; escape sequences are parsed as ECMA-48 defines them,
//     and all but the editor's own keys are discarded whole, never typed as
//     text; a line longer than the limit (counted in characters, on either
//     kind of stream) is not run, and one error line says its length and
//     the limit; an unknown command or stray control characters give one
//     error line;
//   - the history holds only lines the console would run as they stand:
//     none over the limit, none with control characters, none that names
//     no command, no secrets;
//   - the line editor knows the terminal's width, so a line longer than the
//     screen wraps where the terminal wraps it and recalling or editing it
//     never garbles the screen: the stream's (Sizer, drivers/serial on the
//     daemon's own terminal), else 80 columns, or what `term cols N` set;
//   - a message written to the console (a log line) ends its line and is
//     printed above the prompt and what is being typed;
//   - every command answers with at least one line, errors start "error: ";
//   - the console only reads the System it is given; what changes things
//     comes as the daemon's Commands;
//   - with Config.Auth set, nothing but help, login and (at first boot)
//     setup runs before a login: every other command answers
//     "error: NAME: log in first". Each command declares the least role
//     that may run it (Command.Role; the zero value is the installer's).
//     A secret is read without echo on an interactive terminal
//     (x/term's ReadPassword: never shown, never in the history) and as the
//     line after "login ROLE" on a plain stream, which is consumed even when
//     the login is refused so that it is never taken for a command;
//   - a session ends with logout, with the stream, or after Config.Idle
//     (10 minutes) without a command, timed on the injected clock by a
//     watcher goroutine that Run owns, so a console left open on a serial
//     cable does not stay privileged. A clock that reads earlier than the
//     last command logs out too: how long the console sat is then unknown.
//
// Commands and the least role each needs (the daemon adds the rest):
//
//	help [CMD], login ROLE, logout, setup  anyone (setup only at first boot)
//	status, recordings, term [cols N|auto] supervisor
//	recordings --callers                   the supervisor only
//	passwd ROLE                            installer
//
// The callers' numbers are personal data: recordings shows them only to a
// logged-in supervisor who asks, through a System that audits it
// (CallerLister); the installer, who may run everything else, is refused
// them. WriteRecordings is the one table of recordings, which fairrec list
// prints too.
//
// A login for a role that has no secret is refused before the secret is
// asked for.
//
// Authentication itself (secrets, lockout, audit) is firmware/auth's.
package console
