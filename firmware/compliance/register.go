package compliance

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"fairrec/firmware/policy"
)

func orFill(s, what string) string {
	if strings.TrimSpace(s) == "" {
		return "(fill in: " + what + " in the purposes file)"
	}
	return s
}

// WriteRegister writes the record of processing activities (GDPR art.
// 30(1)) for call recording, generated from the rules: one entry per
// purpose with its lawful basis, the categories of data subjects and
// personal data, recipients, transfers, retention and the security
// measures of the appliance. It is plain text, for the controller's own
// register.
func WriteRegister(w io.Writer, r *policy.Rules) error {
	var b strings.Builder
	c := r.Controller
	b.WriteString("RECORD OF PROCESSING ACTIVITIES (GDPR art. 30(1)): recording of telephone calls\n\n")
	fmt.Fprintf(&b, "Controller:           %s\n", orFill(c.Name, "[controller] name"))
	fmt.Fprintf(&b, "Contact:              %s\n", orFill(c.Contact, "[controller] contact"))
	if c.DPO != "" {
		fmt.Fprintf(&b, "Data protection officer: %s\n", c.DPO)
	}
	fmt.Fprintf(&b, "Source of this record: %s\n", r.Source)
	b.WriteString(`
Data subjects:        callers and the employees who take their calls
Personal data:        voice (call audio), caller's telephone number (if
                      presented), date, time and duration of the call,
                      line, notes added by supervisors
Recipients:           none outside the controller; supervisors may play back
                      recordings under purposes that allow review
Transfers (art. 44):  none; recordings stay on the appliance (on premises)
Security (art. 32):   each recording encrypted at rest (XChaCha20-Poly1305)
                      under its own key, erased by destroying that key;
                      tamper-evident hash-chained audit log without personal
                      data; retention enforced by the appliance, never early
Information (art. 13): a spoken notice per line before anything is recorded
Objection (art. 21):  by a key press (caller) or button (employee) at any
                      time during the call; see each purpose
`)
	for i := range r.Purposes {
		p := &r.Purposes[i]
		fmt.Fprintf(&b, "\nPurpose %d: %s\n", i+1, p.Name)
		fmt.Fprintf(&b, "  Description:        %s\n", p.Description)
		fmt.Fprintf(&b, "  Lawful basis:       %s (GDPR %s)\n", p.Basis, p.Basis.Article())
		fmt.Fprintf(&b, "  Retention (art. 5(1)(e)): %s\n", p.Rule())
		fmt.Fprintf(&b, "  On objection:       %s\n", effectWords(p.Objection))
		fmt.Fprintf(&b, "  Review by supervisors: %s", yesNo(p.Review))
		if p.Restricted {
			b.WriteString("; access restricted")
		}
		b.WriteString("\n")
		if p.Hold {
			fmt.Fprintf(&b, "  Holds:              may be extended for a complaint until released, at most %s\n", r.HoldLimit().Words())
		}
		var lines []string
		for _, pr := range r.Profiles {
			if !slices.Contains(pr.Purposes, p.Name) {
				continue
			}
			if len(pr.Lines) == 0 {
				lines = append(lines, "all other lines")
				continue
			}
			for _, l := range pr.Lines {
				lines = append(lines, strconv.Itoa(l))
			}
		}
		if len(lines) == 0 {
			lines = []string{"none (not in use)"}
		}
		fmt.Fprintf(&b, "  Lines:              %s\n", strings.Join(lines, ", "))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func effectWords(e policy.Effect) string {
	switch e {
	case policy.Ends:
		return "the recording is no longer kept for this purpose (erased if no other purpose remains)"
	case policy.Continues:
		return "not ended (the law requires the recording); an erasure request restricts it instead"
	case policy.Refuses:
		return "the call is not recorded for this purpose; the employee's LED shows the agreement cannot be concluded by phone"
	}
	return string(e)
}
