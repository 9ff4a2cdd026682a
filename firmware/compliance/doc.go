// Package compliance writes the documents with which the controller shows
// that calls are recorded lawfully (GDPR art. 5(2), accountability): the
// compliance report and the record of processing activities (art. 30(1)).
// Both are generated from the rules in force (firmware/policy), never
// typed in, so that what the documents say is what the appliance does.
//
// # The compliance report
//
// Report is, per purpose, its lawful basis (art. 6(1)) and retention rule
// (art. 5(1)(e)), the recordings kept for it (held, waiting for their
// event, the oldest, the next deadline, counts by age), and what happened
// in the period according to the audit log: calls and notices played
// complete or not (art. 13), objections (art. 21, once per call),
// erasures by timer, request (art. 17) and objection, restrictions
// (art. 18), erasure and access (art. 15) requests with their results
// (also those that found nothing), reviews and the time heard, holds,
// exports and changes of clock trust. It names the controller, the DPO,
// the device and the audit chain's state (audit.Log.Verify, when the
// trail can verify itself).
// Generate reads the recordings through the policy engine, after it
// settled the clock, so the figures are the grants the engine enforces.
// Grants of a purpose no longer configured are reported after the
// configured ones. A report made while the clock is not trusted says that
// its times are approximate. It is written as text, JSON, or one
// self-contained printable HTML page (an inline SVG chart, no scripts,
// no external resources; everything from the data escaped).
//
// # The register
//
// WriteRegister writes the record of processing activities of art. 30(1)
// for call recording, as plain text for the controller's own register:
// controller, data subjects, categories of personal data, recipients,
// transfers, security measures (art. 32), and one entry per purpose with
// its lawful basis, retention, effect of an objection, review, holds and
// the lines it applies to. What the purposes file leaves out is marked
// "(fill in: ...)" rather than invented.
//
// Invariants: the same rules, recordings, audit entries and time give the
// same bytes (golden files in testdata); the documents hold no caller
// numbers and no references, only counts and the rules.
package compliance
