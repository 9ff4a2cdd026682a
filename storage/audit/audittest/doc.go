// Package audittest helps other packages test what they write to the audit
// log: Recorder is an in-memory audit.Recorder that keeps the entries it was
// given (validated exactly as the real log validates them), NewLog opens a
// real log in a test's temporary directory, and Scan checks a file's raw
// bytes for personal data (caller numbers, notes) that must never reach the
// log.
//
// CallerNumbers and Notes are the personal data this repository's audit tests
// feed through their simulated recordings; packages that record real events
// (vault, callflow) can feed the same ones and scan with the same helper.
package audittest
