package audit

import (
	"encoding/hex"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// RFC 5424 framing details.
const (
	// facilityLogAudit is facility 13, "log audit" (RFC 5424 table 1).
	facilityLogAudit = 13
	sevCritical      = 2
	sevWarning       = 4
	sevNotice        = 5
	// sdID names the structured data element. 32473 is the private
	// enterprise number reserved for documentation (RFC 5612); a deployment
	// that registers its own number changes it here.
	sdID = "fairrec@32473"
	// rfc5424Time has at most six fractional digits, as TIME-SECFRAC allows.
	rfc5424Time = "2006-01-02T15:04:05.000000Z07:00"
)

func severity(a Action) int {
	switch a {
	case ActionTamperDetected:
		return sevCritical
	case ActionInterruptedAtBoot, ActionLoginFailed, ActionLockout, ActionForwardDropped, ActionClockTrust:
		return sevWarning
	}
	return sevNotice
}

// formatEntry returns e as an RFC 5424 message (without the RFC 6587 length
// prefix):
//
//	<109>1 2026-11-27T10:00:00.000000Z box fairrec - playback [fairrec@32473 seq="7" actor="button" ...] detail
func formatEntry(e Entry, host, app string) []byte {
	var b strings.Builder
	writeHeader(&b, severity(e.Action), e.Time, host, app, e.Action.String())
	b.WriteString(" [" + sdID)
	param(&b, "seq", strconv.FormatUint(e.Seq, 10))
	param(&b, "actor", e.Actor.Kind.String())
	if e.Actor.ID != "" {
		param(&b, "actor_id", e.Actor.ID)
	}
	if e.Recording != 0 {
		param(&b, "recording", strconv.FormatUint(e.Recording, 10))
	}
	if e.Purpose != "" {
		param(&b, "purpose", e.Purpose)
	}
	if e.Approximate {
		param(&b, "approximate", "1")
	}
	h := e.Hash()
	param(&b, "prev", hex.EncodeToString(e.Prev[:]))
	param(&b, "hash", hex.EncodeToString(h[:]))
	b.WriteByte(']')
	writeMsg(&b, e.Detail)
	return []byte(b.String())
}

// formatDrop returns the drop marker message.
func (f *Forwarder) formatDrop(d dropRange) []byte {
	var b strings.Builder
	writeHeader(&b, sevWarning, f.cfg.Clock.Now(), f.cfg.Hostname, f.cfg.AppName, "dropped")
	b.WriteString(" [" + sdID)
	param(&b, "count", strconv.FormatUint(d.n, 10))
	param(&b, "first", strconv.FormatUint(d.first, 10))
	param(&b, "last", strconv.FormatUint(d.last, 10))
	b.WriteByte(']')
	writeMsg(&b, "forwarding queue full: "+strconv.FormatUint(d.n, 10)+" audit entries dropped; export them from the box")
	return []byte(b.String())
}

// writeHeader writes PRI VERSION TIMESTAMP HOSTNAME APP-NAME PROCID MSGID.
func writeHeader(b *strings.Builder, sev int, t time.Time, host, app, msgid string) {
	b.WriteByte('<')
	b.WriteString(strconv.Itoa(facilityLogAudit*8 + sev))
	b.WriteString(">1 ")
	b.WriteString(t.UTC().Format(rfc5424Time))
	b.WriteString(" " + host + " " + app + " - " + msgid)
}

// param writes ` name="value"`, escaping '"', '\' and ']' (RFC 5424 6.3.3).
func param(b *strings.Builder, name, value string) {
	b.WriteString(" " + name + `="`)
	for _, r := range value {
		if r == '"' || r == '\\' || r == ']' {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	b.WriteByte('"')
}

// writeMsg writes the MSG part: ASCII as is, other UTF-8 behind a BOM as RFC
// 5424 6.4 asks.
func writeMsg(b *strings.Builder, s string) {
	if s == "" {
		return
	}
	b.WriteByte(' ')
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			b.WriteString("\uFEFF")
			break
		}
	}
	b.WriteString(s)
}
