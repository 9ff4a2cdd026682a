// Package access answers a caller's subject access request (GDPR art. 15,
// the right of access): everything the appliance keeps about the
// recordings of a telephone number, written into a directory the
// controller hands over.
//
// Export writes one WAV file per recording (16-bit PCM, 8 kHz, mono;
// RIFF/WAVE as firmware/wav writes it), metadata.json (per recording its
// times, line, purposes, lawful bases and deadlines, and why audio was
// withheld if it could not be read), and audit.jsonl, the audit entries
// about exactly those recordings. Recordings are found through the vault's
// keyed hash of the normalised number, so a number a caller writes
// differently finds them too. The audio is streamed from the vault chunk
// by chunk into the file: memory does not grow with the recording (a
// two-hour call is 58 MB of A-law, a 115 MB WAV; BenchmarkExport2h).
//
// An export is personal data by design, so it goes only where the
// operator names: a new directory (created with mode 0700, in a parent
// that must exist: no parents are made) or an existing empty one, never a
// symbolic link (ErrBadDir). Every file is created new in it, with
// O_EXCL|O_NOFOLLOW through an os.Root, readable by the owner alone, so a
// link planted in the directory is never followed and nothing is written
// outside it. Export reads the vault directly and does
// not consult the grants (policy.Engine.Access). Each recording exported is audited (audit.ActionExport) through the
// policy engine, so that its entries go where the engine's go and hold no
// personal data.
//
// Invariants: only recordings of the number are exported, and a
// recording that failed authentication is left out; a WAV that could not
// be completed is removed; every recording in metadata.json was audited.
package access
