package selfcheck

import (
	"errors"
	"fmt"
	"io"
	"strings"
)

// ErrSkip marks a check that did not run here (Skip). Callers branch on it
// with errors.Is.
var ErrSkip = errors.New("skipped")

// Skip returns an error that marks the check as skipped for reason.
func Skip(reason string) error { return skipError(reason) }

type skipError string

func (s skipError) Error() string { return string(s) }
func (s skipError) Is(target error) bool {
	return target == ErrSkip
}

// Check is one self-test check. Run returns what it found when it passes,
// an error wrapping ErrSkip when it does not apply here, or the reason it
// fails.
type Check struct {
	Name string
	Run  func() (string, error)
}

// Status is a check's outcome.
type Status int

// The outcomes, as printed.
const (
	Pass Status = iota
	Fail
	Skipped
)

func (s Status) String() string {
	switch s {
	case Pass:
		return "PASS"
	case Fail:
		return "FAIL"
	case Skipped:
		return "SKIP"
	}
	return fmt.Sprintf("Status(%d)", int(s))
}

// Result is one check's outcome and its reason.
type Result struct {
	Name   string
	Status Status
	Detail string
}

// String is the check's line: "PASS dtmf: ...".
func (r Result) String() string {
	s := r.Status.String() + " " + r.Name
	if r.Detail != "" {
		s += ": " + r.Detail
	}
	return s
}

// RunOne runs c, turning a panic into a failure.
func RunOne(c Check) (r Result) {
	r.Name = c.Name
	defer func() {
		if p := recover(); p != nil {
			r.Status, r.Detail = Fail, fmt.Sprintf("panic: %v", p)
		}
	}()
	if c.Run == nil {
		return Result{Name: c.Name, Status: Skipped, Detail: "nothing to run"}
	}
	detail, err := c.Run()
	switch {
	case err == nil:
		r.Status, r.Detail = Pass, detail
	case errors.Is(err, ErrSkip):
		r.Status, r.Detail = Skipped, err.Error()
	default:
		r.Status, r.Detail = Fail, err.Error()
	}
	// One line per check, whatever the reason holds.
	r.Detail = strings.Join(strings.Fields(r.Detail), " ")
	return r
}

// Run runs every check in order, writes one line per check to w and
// returns the results. Every check runs, whatever the ones before found.
func Run(w io.Writer, checks []Check) []Result {
	out := make([]Result, 0, len(checks))
	for _, c := range checks {
		r := RunOne(c)
		fmt.Fprintln(w, r)
		out = append(out, r)
	}
	return out
}

// Failed counts the failed results.
func Failed(rs []Result) int {
	n := 0
	for _, r := range rs {
		if r.Status == Fail {
			n++
		}
	}
	return n
}
