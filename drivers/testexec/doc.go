// Package testexec re-executes the running test binary as a child process,
// for tests that must survive what they provoke (a SIGKILL mid-commit, a
// memory fault on a damaged file) or that need a fresh process (PortAudio
// reads its ALSA configuration once per process).
//
// Under `make test-arm64` the test binary is foreign to the machine and
// there is no binfmt handler, so a child must be started through the
// emulator that `go test -exec` used: the Makefile names it in
// FAIRREC_EXEC.
package testexec
