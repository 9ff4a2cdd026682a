// Package serial opens the installer's console port: a UART (or USB serial
// adapter) at 115200 baud, 8 data bits, no parity, 1 stop bit, or the
// process's own standard input and output ("stdio").
//
// Invariants:
//   - the modem control lines are never touched: DTR and RTS ioctls fail on a
//     pty and on many USB adapters, and the console needs neither;
//   - Close unblocks a Read in progress, so the console's reader goroutine can
//     always be waited for;
//   - on stdio, a terminal is put into raw mode for line editing and restored
//     by Close; a pipe or /dev/null is used as it is.
//
// The port is a byte stream; line editing belongs to firmware/console.
package serial
