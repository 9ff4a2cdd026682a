package console_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"fairrec/firmware/auth"
	"fairrec/firmware/console"
)

// callerSystem is twoLines that shows callers, and counts who asked.
type callerSystem struct {
	fakeSystem
	mu    *sync.Mutex // the console asks from its own goroutine
	asked *[]auth.Role
}

func (c callerSystem) RecordingsWithCallers(r auth.Role) ([]console.Recording, error) {
	c.mu.Lock()
	*c.asked = append(*c.asked, r)
	c.mu.Unlock()
	recs := append([]console.Recording(nil), c.recs...)
	recs[0].Caller = "+31201234567"
	return recs, nil
}

// TestRecordingsCallersOverPty: the plain list never shows a number; the
// installer is refused the callers; the supervisor who asks sees them, and
// the system (which audits) is asked once, for the supervisor.
func TestRecordingsCallersOverPty(t *testing.T) {
	f := newAuth(t, true)
	var asked []auth.Role
	var mu sync.Mutex
	cfg := f.config()
	cfg.System = callerSystem{fakeSystem: twoLines, mu: &mu, asked: &asked}
	p := newPtyTerm(t, cfg)
	p.wait("log in: ")
	p.typ("login installer\r")
	p.wait("secret for installer: ")
	p.typ(installerPIN + "\r")
	p.wait("logged in as installer")
	p.typ("recordings --callers\r")
	p.wait("error: recordings: --callers: only the supervisor is shown callers' numbers (logged in as installer)\r\n")
	p.typ("recordings\r")
	p.wait("2 recordings\r\n")
	p.typ("login supervisor\r")
	p.wait("secret for supervisor: ")
	p.typ(supervisorPIN + "\r")
	p.wait("logged in as supervisor")
	p.typ("recordings --caller\r")
	p.wait("error: recordings: usage: recordings [--callers]")
	p.typ("recordings --callers\r")
	p.wait("CALLER")
	p.wait("2 recordings\r\n")
	scr := p.screen()
	if strings.Count(scr, "+31201234567") != 1 {
		t.Errorf("the number should show once, in the supervisor's list:\n%s", scr)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(asked) != 1 || asked[0] != auth.Supervisor {
		t.Errorf("callers asked for %v, want once for the supervisor", asked)
	}
}

// TestWriteRecordingsColumns: with callers the table has the column
// between state and purposes, as `fairrec list` prints it; a tampered
// record shows its id only.
func TestWriteRecordingsColumns(t *testing.T) {
	recs := []console.Recording{
		{ID: "1", Line: 1, Start: time.Date(2027, 1, 2, 3, 4, 5, 0, time.UTC), Duration: 1500 * time.Millisecond, Sealed: true,
			Caller: "+31201234567", Purposes: []string{"quality until 2027-04-02"}},
		{ID: "2", State: "TAMPERED"},
	}
	var with, without strings.Builder
	console.WriteRecordings(&with, recs, true)
	console.WriteRecordings(&without, recs, false)
	want := "ID  LINE  START                 DURATION  STATE     CALLER        PURPOSES\n" +
		"1   1     2027-01-02T03:04:05Z  1.5s      sealed    +31201234567  quality until 2027-04-02\n" +
		"2                                         TAMPERED  -             \n" +
		"2 recordings\n"
	if with.String() != want {
		t.Errorf("with callers:\n%q\nwant:\n%q", with.String(), want)
	}
	if strings.Contains(without.String(), "+31") || strings.Contains(without.String(), "CALLER") {
		t.Errorf("without callers:\n%s", without.String())
	}
}
