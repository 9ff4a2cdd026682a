// Package disk asks the operating system how much space a directory's file
// system has left (statfs(2)): the self-test and status compare it with an
// hour of recording per line. It is the only place outside the standard
// library that calls Statfs, so firmware/ stays free of system calls and
// takes the answer as a function.
package disk
