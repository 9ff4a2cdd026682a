// Package datadir opens the appliance's data directory, the one way in for
// both the daemon (cmd/fairrecd) and the operator's tool (cmd/fairrec).
//
// A data directory holds the key file (vault.KeyFile, unless
// Config.KeyFile points elsewhere), the vault (vault.db, keys.slots), the
// audit log (audit.PathIn), the trusted clock's state (trustclock.File)
// and, optionally, the installer's purposes (PurposesFile). Open reads the
// purposes, starts the clock keeper, opens the vault on the keeper's bound,
// opens the audit log with a key derived from the vault's root secret, and
// starts the policy engine, in that order, so that every program applies
// the same rules, the same clock and the same keys to the same files.
//
// Invariants: each file name is defined once (here or in the package that
// owns the file); the boot id is read by one reader (BootID), so a tool run
// in the boot in which the daemon trusted the clock inherits that trust
// (trustclock.Config.BootID); what the vault raises while it opens (a
// recording a power cut interrupted) reaches the audit log whichever
// program opened it first; the key file and the passphrase file are read
// only when their owner alone may read them (vault.ErrKeyExposed,
// ErrPassphraseExposed), as ssh treats a private key.
package datadir
