package review_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"fairrec/firmware/policy"
	"fairrec/firmware/review"
	"fairrec/storage/audit"
	"fairrec/storage/vault"
)

// brokenTrail is an audit log that cannot be read back.
type brokenTrail struct{ err error }

func (b brokenTrail) Each(time.Time, func(audit.Entry) error) error { return b.err }

// A refusal whose explanation needs the audit log still refuses when the
// log cannot be read, and says that its answer may be incomplete instead of
// passing a guess off as the whole story (an erased recording would read
// as "no such recording").
func TestRefusalWhenTheAuditLogCannotBeRead(t *testing.T) {
	errRead := errors.New("page 7 unreadable")
	r := newRig(t, 8000, func(c *review.Config) { c.Trail = brokenTrail{errRead} })
	training := r.record(2, speech(0.5)) // 1: training only, no review
	objected := r.record(1, speech(0.5)) // 2: erased by the objection
	if _, err := r.e.Object(objected, audit.Actor{Kind: audit.ActorCallerDTMF, ID: "line1"}); err != nil {
		t.Fatal(err)
	}
	const note = "; the audit log could not be read, so this may not be the whole story: review: read the audit log: page 7 unreadable"
	tests := []struct {
		id    vault.ID
		want  string
		cause error
	}{
		{99, "recording 99: no such recording" + note, vault.ErrNotFound},
		{objected, "recording 2: no such recording" + note, vault.ErrNotFound},
		{training, "recording 1: no purpose that allows review is still granted (granted only for training, none of which allows review)" + note, policy.ErrNoGrant},
	}
	for _, tt := range tests {
		msg, err := r.p.Select(tt.id, selector)
		if err == nil {
			t.Errorf("Select(%v) = %q, accepted", tt.id, msg)
			continue
		}
		if err.Error() != tt.want {
			t.Errorf("Select(%v) = %q, want %q", tt.id, err, tt.want)
		}
		for _, target := range []error{review.ErrNotReviewable, tt.cause, errRead} {
			if !errors.Is(err, target) {
				t.Errorf("Select(%v) = %v, does not wrap %v", tt.id, err, target)
			}
		}
	}
	if got := r.p.Status().Phase; got != review.Idle {
		t.Errorf("after refusals: %v, want idle", got)
	}
}

// A readable audit log adds nothing about itself to a refusal.
func TestRefusalWithAReadableAuditLogSaysNothingOfIt(t *testing.T) {
	r := newRig(t, 8000, nil)
	_, err := r.p.Select(99, selector)
	if err == nil || strings.Contains(err.Error(), "audit log") {
		t.Errorf("Select(99) = %v, want a plain refusal", err)
	}
}
