// Package audit is the appliance's tamper-evident audit log: an append-only,
// SHA-256 hash-chained record of everything that happens to recordings
// (created, sealed, notice receipt, objection, playback, export, hold and
// release, erasure by timer, request or objection) and to the box (config
// changes, logins, logouts and lockouts, key rotation, clock trust, tampering,
// recordings interrupted at boot). Every other package records through the
// Recorder interface; audittest has a fake.
//
// # Storage
//
// The log is its own bbolt file (FileName, audit.db in the data directory),
// separate from the vault so that erasing recordings never touches it. Each
// Record is one bbolt transaction, committed and fsynced before Record
// returns (bbolt's durability contract; Config.NoSync is for tests only), so
// an entry that was reported recorded survives a power cut. Options.Timeout is
// always set: a second process (the operator tool while the daemon runs)
// fails instead of hanging on the file lock.
//
// # Hash chain
//
// Entry n is stored under its sequence number (8 bytes, big endian) as its
// canonical encoding: a version byte (1), then fixed-width big-endian fields
// (seq, time in Unix nanoseconds UTC, flags, actor kind, action, recording
// id), Prev = SHA-256 of entry n-1's encoding (32 zero bytes for entry 1),
// then the actor id, purpose and detail, each a length byte and UTF-8. The
// hash is computed over exactly the stored bytes, never over a re-encoding or
// JSON, so there is no field-order ambiguity. Sequence numbers run 1, 2, 3...
// without gaps. A head (seq and hash of the last entry, HMAC-signed when a key
// is configured) is rewritten with each append, so truncating the end is
// detectable too.
//
// Verify walks the chain and reports the first broken link as a *BreakError:
// the entry that was changed, the entries that were removed (a gap, or a
// tail missing against the head), an entry found in another's place
// (reordered), entries appended after the head, or a forged checkpoint or
// head. An unknown action or actor code (from newer firmware) does not break
// verification: the hash covers the bytes, not their meaning.
//
// # The anchor
//
// A signed head only proves the file agrees with itself: a deleted log
// starts afresh, an older copy of the file verifies, and bbolt's previous
// transaction (it keeps two meta pages) holds an older signed head. So the
// log is anchored outside its file: after each append commits (Record,
// Prune), the seq and hash of the new head are stored in Config.Anchor. On
// the appliance that is storage/vault's Anchor, two HMAC-signed copies in
// the tail of the key-slot file's root slot: a file overwritten in place,
// which keeps no older version of itself, under a key derived from the
// vault's root secret. Open and Verify check that the entry the anchor
// names is in the log with that hash (or pruned behind a checkpoint at or
// past it). A log that is missing, empty, an older copy, rolled back or
// trimmed is then BEHIND its anchor, and one that is another log does not
// have the anchored entry: ErrTampered. Writable, Open records an
// ActionTamperDetected entry (Detail starting SegmentDetail) that starts a
// new segment, continuing from the log's head (entry 1 in a new file),
// anchors it, and returns the log with the *TamperError; the daemon lights
// its fault LED and shows it in the status. Read-only, Verify reports it.
//
// Order of writes: the log commits (fsync) before the anchor is stored
// (fsync), so a power cut between them leaves the log AHEAD of its anchor
// by the entries of one write, which is accepted; the anchor is never ahead
// of the log. A failed anchor write is logged and retried by the next
// entry. Heads written by an anchored log carry version 2, so an anchor
// gone from the key-slot file (all zero) is told from a vault made before
// anchoring, whose log is anchored at its first anchored open.
//
// The guarantee: without the key file, no one can make a log that is
// behind the last anchor, or is another log, pass Open or Verify. Its
// limits: (1) the anchor lags the log by up to one write (and by more
// while anchor writes fail), so the entries of that last write can be
// trimmed unnoticed, as can the entries after the previous anchor copy if
// the newest copy is garbled (a torn write is tolerated that way); (2) an
// attacker who can rewrite both files and kept older copies of both
// (audit.db and keys.slots, taken together) can restore that older pair;
// restoring keys.slots also brings back the keys of recordings erased
// since, which the vault's erase tests do not guard against; (3) zeroing
// the anchor and putting back a log written before anchoring (version 1
// heads) is taken as a first anchored open; (4) with the key file the
// anchor and the head can be forged outright: the key file must stay
// secret. The segment entry stays in the log as evidence, so `audit
// verify` passes again after the daemon continued the log: look for
// tamper-detected entries.
//
// # Pruning and the checkpoint
//
// Entries older than Config.Retention (default two years) are pruned by
// Prune, which Run calls daily. Pruning removes a prefix of the chain and
// writes a checkpoint: the seq and hash of the last pruned entry, HMAC-SHA256
// signed. The first kept entry's Prev must equal the checkpoint's hash, so
// the remaining chain stays verifiable, and a checkpoint forged without the
// key is detected.
//
// The signing key (Config.Key) comes from the key-encryption key through
// HKDF-SHA256 with the label KeyLabel ("fairrec audit checkpoint v1"). On the
// appliance it is vault.DeriveSecret(cfg, KeyLabel): derived from the vault's
// root secret, which the KEK wraps, so it survives `fairrec keys rotate`;
// fairrecd and `fairrec audit verify` must both use it. DeriveKey derives the
// key from a bare KEK instead, for setups without a vault; such a key changes
// when the KEK does, and Rekey must then re-sign.
// Pruning refuses to run without the key, while the clock is untrusted, or
// when the chain does not verify (it must not destroy evidence). It never
// deletes early: an entry written while the clock was untrusted is only pruned
// once a later, trusted entry is itself past the retention period.
//
// # No personal data
//
// The log must prove what happened without becoming a store of personal
// data. Entries therefore have no field for a caller number, a name, a note
// or audio: actors are typed (a role, the device, a button, the caller's DTMF
// on a line) and recordings are referred to by their uint64 id. The three
// text fields (actor id, purpose, detail) are short and validated by
// Entry.Validate: an actor id is lower-case letters, digits, '-', '_' and
// '.' only (so a name cannot pass as one); none of them may hold control
// characters, '@' or '+', or a run of more
// than five digits, where spaces, dots, slashes and parentheses do not end a
// run ("06 1234 5678" is refused; "2027-01-31 12:00" and "retention=30d" are
// fine). This catches phone, customer and account numbers by mistake; it
// cannot catch a name in free text, so callers put only codes and settings in
// Detail, never notes. audittest.Scan checks a log file's raw bytes for the
// caller numbers and notes a test suite used.
//
// Times come from the injected [Clock], in UTC. When the clock is not
// trusted (Config.Trusted, or a time before 2025), the entry is flagged
// Approximate.
//
// # Forwarding
//
// A Forwarder (a Sink of the Log) sends each committed entry to a central
// syslog server as an RFC 5424 message (facility 13, log audit; structured
// data fairrec@32473 with seq, actor, recording, purpose, prev and hash) over
// TLS (RFC 5425) or plain TCP, with RFC 6587 octet-counting framing. Its queue is bounded; when full,
// the oldest entry is dropped, counted, and announced to the server by a
// drop marker (MSGID "dropped") and in the local log (ActionForwardDropped).
// It reconnects with exponential backoff timed by the injected clock.
package audit
