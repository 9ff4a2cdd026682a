// Package callerid decodes caller ID (calling line identity) from a line's
// 8 kHz audio: the number, name, date and time, the reason a number is absent,
// and a redirecting number, as the network sends them before the first ring,
// between rings, or during a call (call waiting).
//
// Three families of signalling are decoded:
//
//   - FSK, as ETSI EN 300 659-1 (on-hook data transmission) and EN 300 659-3
//     (data link message and parameter codings) specify it for most of Europe:
//     ITU-T V.23 forward channel (mark 1300 Hz, space 2100 Hz, 1200 baud),
//     channel seizure, a mark period, then a call set-up message (type 0x80)
//     whose parameters are date and time (0x01), calling line identity (0x02),
//     reason for absence of the calling line identity (0x04), calling party
//     name (0x07), reason for absence of the name (0x08) and redirecting
//     number (0x1A).
//   - FSK, as Telcordia GR-30-CORE specifies it for North America: Bell 202
//     (mark 1200 Hz, space 2200 Hz, 1200 baud) carrying a single data message
//     (SDMF, type 0x04: date and time followed by the number, or 'O'/'P') or a
//     multiple data message (MDMF, type 0x80) with the same parameter codes
//     as above.
//   - DTMF CLIP, as used in the Netherlands, Denmark, Sweden, Finland,
//     Belgium, Brazil, India, Taiwan and others. ETSI EN 300 659-1 sets when
//     it is sent (before the first ring, after a polarity reversal or a ring
//     alert); the digit coding is national, and this package accepts the
//     forms those networks use: A<number>C, D<number>C, <number>#, the
//     information codes B00 (number unavailable) and B10 (number withheld),
//     Denmark's D1#/D2#/D3#, and a redirecting number sent as a D field
//     after the A field (A<number>D<redirecting>C). See ParseCLIP for the
//     exact grammar and why D is read the way it is.
//
// Caller ID during a call (call waiting: ETSI EN 300 659-2 off-hook data
// transmission, BT SIN227 loop state, Telcordia GR-30 / SR-TSV-002476
// CIDCW) is FSK as above, announced differently: the exchange sends an
// alerting signal, 2130 + 2750 Hz for 75-85 ms (ETSI's Dual Tone Alerting
// Signal, Telcordia's CPE Alerting Signal; ±0.5% in frequency, at most 6 dB
// of twist); the phone acknowledges with DTMF 'D' ('A' for ADSI sets)
// within 100 ms; the exchange then sends the message 0-500 ms later (BT
// within 100 ms) after 45-75 ms of mark and without channel seizure.
// CallWaiting decodes it. Its alerting signal detector works on 5 ms
// blocks of the first difference of the signal: both tones at -46 dBm0 or
// more, within 7 dB of each other, holding 80% of the block's energy, for
// 13 to 22 blocks in a row (65-110 ms); over the run each tone's frequency,
// measured from its phase advance from block to block, must be steady and
// within 1.3% of nominal. Only then, for one second, does it run the FSK
// receiver and a DTMF detector for the acknowledgement. Thirty minutes of
// espeak-ng speech in ten languages gave no block that passed all checks
// (the best purity of a block was 0.88, and its twist failed); pure sine
// dyads of the nearest equal-tempered notes (C7+F7, C#7+E7) pass the
// purity check but not the frequency check: no equal-tempered interval
// is within 2% of the signal's 1.291 ratio (the nearest, a major third,
// would need A4 tuned to 453 Hz and both notes at the tolerance's edge).
//
// One FSK demodulator serves both V.23 and Bell 202: its mark and space
// matched filters sit midway between the two standards' tones (1250 and
// 2150 Hz), so either modulation, with the ±1% frequency error the standards
// allow, decodes with the same bit decisions; which of the two it was is
// measured separately during the mark period. A UART with start-bit
// detection and mid-bit sampling (three decisions summed around each bit's
// centre) turns bits into bytes; it resynchronises on every start bit and
// decodes with up to ±2% bit-rate error. A message may only start after 30
// bits of continuous mark that were one pure tone (at least 70% of the
// power, measured after a 300 Hz high-pass so that hum does not count, in
// the mark tone); espeak-ng speech reached 18% at most, which is what keeps
// a call's audio from opening messages.
//
// Invariants:
//
//   - A Result carries a number only when a complete message was received and,
//     for FSK, its checksum (two's complement of the byte sum) matched. A
//     truncated message, a bad checksum or noise never yields a number; the
//     Decoder reports such failures as Results whose Err is set (wrapping
//     ErrChecksum, ErrTruncated or ErrMalformed).
//   - The calling number and name are personal data. Result's String,
//     GoString and LogValue redact them, and this package never logs them;
//     MarshalBinary exists so the vault can store a Result sealed.
//   - Bad input never panics: arbitrary samples, bytes or digit sequences give
//     an error or nothing.
//   - During a call, FSK is only listened to in the second after an
//     alerting signal; the acknowledgement is reported (Result.Ack) but not
//     required, since a passive tap may hear it faintly or not at all.
//   - Time is counted in samples at 8 kHz (Result.Start, Result.End); the
//     package reads no clock. The date and time the network sends carries no
//     year; DateTime.Time resolves it against a reference time the caller
//     supplies.
package callerid
