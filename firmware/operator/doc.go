// Package operator is the one table of the operator's requests: the
// requests of the people recorded (erasure, GDPR art. 17; access, art.
// 15), supervisors' holds and agreements, the compliance report and the
// record of processing (art. 30), the trusted clock and the audit check.
// The console (firmware/console, inside fairrecd) and the fairrec tool both
// run these commands: same names, same arguments, same output, same audit
// entries, whichever program the installer or supervisor uses.
//
// A Command parses its own arguments (flags may stand anywhere, as
// installers write them) and runs on an Env: the open data directory's
// policy engine, vault, clock keeper and audit log, and the actor the
// audit log names. Each command says how much of the data directory it needs (Mode),
// so the tool opens no more than that (register needs only the purposes;
// audit verify only the log) and never writes the audit log for a read.
//
// purposes, config export and config import (config.go) show and change the
// purposes file: an import checks the whole file (and the program's own
// checks, ConfigEnv.Check) before anything is written, applies nothing
// without --apply, writes the file atomically, then puts the rules in
// force (ConfigEnv.Apply), and audits each change as the actor's.
//
// Invariants: a usage mistake is an error wrapping ErrUsage and changes
// nothing; Private commands carry a caller's number or a reference and
// must never be kept in a console history; an erasure's result is printed
// even when part of it failed, so the operator sees what was done.
package operator
