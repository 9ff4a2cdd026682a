// Package vault keeps call recordings encrypted at rest in a bbolt database,
// each under its own data key, and erases them by destroying that key.
//
// # Files
//
// A vault is a data directory holding
//
//   - vault.db: the bbolt database (metadata, sealed audio chunks, indexes);
//   - keys.slots: the key-slot file, fixed 256-byte slots overwritten in place;
//   - fairrec.key (default; Config.KeyFile may point elsewhere, e.g. to a
//     removable medium): the key-encryption key (KEK), mode 0400.
//
// # Encryption
//
// Every recording has a random 256-bit data key. Audio is stored as
// XChaCha20-Poly1305 chunks (one per recording per commit) whose associated
// data is (recording id, chunk index, last-chunk marker): chunks cannot be
// reordered, moved to another recording or dropped from the end without
// [ErrTampered]. A sealed recording ends with an empty chunk carrying the
// last-chunk marker, so truncation shows even if the metadata were rolled
// back. The metadata (line, times, grants, chunk count) is authenticated with
// the same key; the personal part (caller number, notes) is also encrypted.
// Caller lookups use an HMAC-SHA256 of the normalised number, keyed by a
// secret derived (HKDF-SHA256) from a vault root secret that is wrapped by the
// KEK like the data keys, so `keys rotate` needs no database rewrite.
//
// Data keys are wrapped (XChaCha20-Poly1305, key derived from the KEK with
// HKDF-SHA256) into key slots. A slot has two copies so a rotation can write
// the new wrap next to the old one before the old KEK is retired, as bbolt
// keeps two meta pages. The KEK file is either plain or sealed with a
// passphrase: argon2id with time=3, memory=64 MiB, threads=4 (RFC 9106's
// second recommended setting, affordable on a Raspberry Pi), 16-byte random
// salt, the parameters stored in the file.
//
// # Erasure (crypto-shredding)
//
// bbolt never scrubs freed pages: a deleted value stays readable in the file.
// So data keys never enter the database; an erase
//
//  1. marks the recordings as being erased (one bbolt transaction);
//  2. overwrites their key slots with zeros in place and fsyncs keys.slots;
//  3. deletes metadata, chunks and index entries (one bbolt transaction).
//
// Erase returns only after step 2, so an acknowledged erase is final. A crash
// after step 1 is finished at the next Open. Step 2 finds the keys by the
// owner id each slot names, never by the unauthenticated slot index in the
// record header, and fails unless no slot names a victim any more: no crash,
// reuse or tampered metadata can spare a victim's key or destroy another's. Residue: a caller HMAC
// may survive in freed bbolt pages; without the vault's root secret it tells
// nothing, and with the KEK an attacker could only test a guessed number.
//
// # Audit entries owed (the outbox)
//
// The audit log is another database, so no transaction spans a change here
// and its entry there. Instead CreateWhy and EraseWhy put the entry they owe
// (recording created; recording erased, with its cause and actor) into the
// outbox bucket in the same transaction as the create, or as the mark that
// starts the erase, before any key is destroyed. The Journal (SetJournal,
// once the log is open) writes it and only then is it deleted. A kill at any
// moment leaves the entry written, or owed and written at the next
// SetJournal; a kill between the two writes it twice (at-least-once).
// Create, Erase and EraseMany owe entries too, with no cause given.
//
// # Durability (the bbolt contract)
//
// Append buffers audio in memory; Run commits every pending chunk of every
// line in ONE bbolt transaction each CommitInterval (default 1 s), so a crash
// loses at most one interval. Each commit's chunks go into a fresh
// top-level bucket (named by the commit sequence, fill 100%), so bbolt writes
// each chunk once instead of rewriting leaves full of older audio, plus only
// the top-level path, the meta page and the freelist (write amplification,
// see BenchmarkWriteAmplification: about 1.37 bytes written per audio byte
// at 8 lines, 3.0 at 1 line). Create, Seal, Erase, UpdateGrants and SetNotes are
// durable when they return. A key slot is always fsynced before the bbolt
// transaction that refers to it commits. At Open, recordings left open are
// sealed as interrupted, half-done erases are finished, and key slots written
// for a recording whose creation never committed are zeroed.
//
// # Errors
//
// Callers branch on these sentinels (wrapped with %w and the operation):
// [ErrNotFound], [ErrTampered], [ErrNoKey], [ErrWrongKey], [ErrKeyExposed],
// [ErrInUse], [ErrClosed], [ErrSealed], [ErrCorrupt]. A damaged database page never
// crashes or hangs the process: the database is opened through
// storage/boltfile, which refuses a damaged page graph at Open (Verify walks
// the audio buckets too) and turns bbolt's panics and memory faults in a
// vault transaction into errors wrapping ErrCorrupt (and ErrTampered). A
// wrong or missing key makes Open fail; the daemon must then refuse to
// record rather than record in the clear.
package vault
