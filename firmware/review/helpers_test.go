package review_test

import (
	"fmt"
	"math"
	"path/filepath"
	"testing"
	"time"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"

	"fairrec/firmware/clock/clocktest"
	"fairrec/firmware/dsp"
	"fairrec/firmware/policy"
	"fairrec/firmware/review"
	"fairrec/firmware/trustclock"
	"fairrec/storage/audit"
	"fairrec/storage/audit/audittest"
	"fairrec/storage/vault"
	"fairrec/storage/vaultevent"
)

var t0 = time.Date(2026, 8, 3, 9, 0, 0, 0, time.UTC)

// selector is the console role that selects recordings in the tests.
var selector = audit.Actor{Kind: audit.ActorRole, ID: "supervisor"}

// rig is a box with a real vault and policy engine, a fake clock, a fake
// audit log and a fake button, and a player at rate Hz.
type rig struct {
	t    *testing.T
	rate int
	clk  *clocktest.Clock
	k    *trustclock.Keeper
	v    *vault.Vault
	e    *policy.Engine
	log  *audit.Log
	btn  *gpiotest.Pin
	p    *review.Player
	out  []int16 // everything Fill wrote
}

// testRules: line 1 records for quality (review) and training, line 2 for
// training only, line 3 for quality (1 hour) and legal.
const testRules = `
[[purpose]]
name = "training"
description = "Training."
basis = "legitimate-interests"
retention = "30d"
objection = "ends"

[[purpose]]
name = "quality"
description = "Complaints."
basis = "legitimate-interests"
retention = "90d"
objection = "ends"
review = true
hold = true

[[purpose]]
name = "quick"
description = "Complaints, kept an hour."
basis = "legitimate-interests"
retention = "1h"
objection = "ends"
review = true

[[purpose]]
name = "legal"
description = "Law."
basis = "legal-obligation"
retention = "5y"
objection = "continues"
restricted = true

[[line]]
lines = [1]
purposes = ["quality", "training"]
notice = "default"

[[line]]
lines = [2]
purposes = ["training"]
notice = "default"

[[line]]
lines = [3]
purposes = ["quick", "legal"]
notice = "default"
`

func newRig(t *testing.T, rate int, mod func(*review.Config)) *rig {
	t.Helper()
	dir := t.TempDir()
	if err := vault.InitKey(filepath.Join(dir, vault.KeyFile), nil); err != nil {
		t.Fatal(err)
	}
	r := &rig{t: t, rate: rate, clk: clocktest.New(t0)}
	k, err := trustclock.New(trustclock.Config{Clock: r.clk, RTC: true,
		Elapsed: func() time.Duration { return r.clk.Now().Sub(t0) }})
	if err != nil {
		t.Fatal(err)
	}
	r.k = k
	r.log = audittest.NewLog(t, k)
	if r.v, err = vault.Open(vault.Config{Dir: dir, Clock: k, NoSync: true}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.v.Close() })
	// The vault writes its creations and erasures into the log, as the
	// data directory wires it.
	if err := r.v.SetJournal(vaultevent.Journal(r.log)); err != nil {
		t.Fatal(err)
	}
	rules, err := policy.Parse([]byte(testRules))
	if err != nil {
		t.Fatal(err)
	}
	if r.e, err = policy.New(policy.Config{Rules: rules, Store: r.v, Keeper: k, Audit: r.log}); err != nil {
		t.Fatal(err)
	}
	r.btn = &gpiotest.Pin{N: "SUPERVISOR", L: gpio.High}
	cfg := review.Config{Rate: rate, Button: r.btn, Store: r.v, Policy: r.e, Clock: r.clk, Audit: r.log, Trail: r.log}
	if mod != nil {
		mod(&cfg)
	}
	if r.p, err = review.New(cfg); err != nil {
		t.Fatal(err)
	}
	return r
}

// record stores pcm (8 kHz) as a sealed recording of a call on line, with
// the grants the policy gives a call there now.
func (r *rig) record(line int, pcm []int16) vault.ID {
	r.t.Helper()
	st, err := r.e.Start(line, false, audit.Actor{Kind: audit.ActorDevice, ID: "test"})
	if err != nil {
		r.t.Fatal(err)
	}
	id, err := r.v.Create(st.Meta)
	if err != nil {
		r.t.Fatal(err)
	}
	alaw := make([]byte, dsp.FrameSamples)
	for at := 0; at < len(pcm); at += dsp.FrameSamples {
		n := dsp.EncodeALaw(alaw, pcm[at:min(len(pcm), at+dsp.FrameSamples)])
		if err := r.v.Append(id, alaw[:n]); err != nil {
			r.t.Fatal(err)
		}
		if at%dsp.LineRate == 0 { // a commit a second, as the daemon's vault
			if err := r.v.Commit(); err != nil {
				r.t.Fatal(err)
			}
		}
	}
	if err := r.v.Seal(id, r.clk.Now()); err != nil {
		r.t.Fatal(err)
	}
	return id
}

// period is 20 ms at the device rate, the daemon's audio period.
func (r *rig) period() int { return r.rate / 50 }

// run feeds the player d of audio periods and keeps what it wrote.
func (r *rig) run(d time.Duration) []int16 {
	from := len(r.out)
	buf := make([]int16, r.period())
	for range int(d / (20 * time.Millisecond)) {
		for i := range buf {
			buf[i] = 12345 // the audio loop clears it; a player must overwrite it
		}
		r.p.Fill(buf)
		r.out = append(r.out, buf...)
	}
	return r.out[from:]
}

// press holds the button for d, then releases it and lets 100 ms pass.
func (r *rig) press(d time.Duration) {
	r.btn.Out(gpio.Low)
	r.run(d)
	r.btn.Out(gpio.High)
	r.run(100 * time.Millisecond)
}

// speech is a test signal at 8 kHz: two tones whose pitch moves, so that any
// misalignment shows.
func speech(seconds float64) []int16 {
	n := int(seconds * dsp.LineRate)
	x := make([]int16, n)
	for i := range x {
		t := float64(i) / dsp.LineRate
		v := 6000*math.Sin(2*math.Pi*(300*t+40*t*t)) + 3000*math.Sin(2*math.Pi*(1100*t-30*t*t))
		x[i] = int16(v)
	}
	return x
}

// stored is pcm after A-law, as the vault keeps it.
func stored(pcm []int16) []int16 {
	a := make([]byte, len(pcm))
	dsp.EncodeALaw(a, pcm)
	x := make([]int16, len(pcm))
	dsp.DecodeALaw(x, a)
	return x
}

// playbacks are the playback entries recorded so far, as "purpose detail".
// playbacks returns the playback entries of the audit log, starts and
// ends; selections apart (selections).
func (r *rig) playbacks() []string { return r.playbackEntries(false) }

// selections returns the audit entries of the selections made.
func (r *rig) selections() []string { return r.playbackEntries(true) }

func (r *rig) playbackEntries(selections bool) []string {
	var s []string
	err := r.log.Each(time.Time{}, func(e audit.Entry) error {
		if (selections && e.Action == audit.ActionReviewSelection) || (!selections && e.Action == audit.ActionPlayback) {
			s = append(s, fmt.Sprintf("%d %s %s %s", e.Recording, e.Actor, e.Purpose, e.Detail))
		}
		return nil
	})
	if err != nil {
		r.t.Fatal(err)
	}
	return s
}

// find returns the index of the first non-zero sample in x, or -1.
func firstSound(x []int16) int {
	for i, v := range x {
		if v != 0 {
			return i
		}
	}
	return -1
}
