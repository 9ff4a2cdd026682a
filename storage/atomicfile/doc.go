// Package atomicfile is the one way fairrec replaces a small file durably
// outside bbolt: write a temporary file in the same directory, fsync it,
// rename it over the target, fsync the directory.
//
// Invariant: after a crash at any point the target holds either its old
// contents or the new ones, never a mix, and once Write returns the new
// contents survive a power cut (POSIX rename(2) atomicity plus the fsync of
// the directory entry, which ext4 and f2fs need for the rename itself to be
// durable).
package atomicfile
