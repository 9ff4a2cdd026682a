package main

import (
	"flag"
	"fmt"
	"io"
	"time"

	"fairrec/drivers/systime"
	"fairrec/firmware/clock"
	"fairrec/firmware/datadir"
	"fairrec/firmware/policy"
	"fairrec/firmware/trustclock"
	"fairrec/storage/audit"
	"fairrec/storage/vault"
)

// PurposesFile is the purposes file the tool (and the daemon) read from the
// data directory when --purposes is not given; without it the shipped
// defaults apply.
const PurposesFile = datadir.PurposesFile

// policyClock is the wall clock of the policy commands; tests replace it.
var policyClock clock.Clock = systime.Clock{}

// policyBootIDFile says which boot this is ("" means Linux's, which the
// daemon reads too: datadir.BootID); tests replace it.
var policyBootIDFile = ""

// toolActor is how the tool appears in the audit log.
var toolActor = audit.Actor{Kind: audit.ActorTool, ID: "fairrec"}

// policyFlags are the flags of the commands that apply the purposes.
type policyFlags struct {
	*vaultFlags
	purposes *string
}

func addPolicyFlags(fs *flag.FlagSet) *policyFlags {
	return &policyFlags{
		vaultFlags: addVaultFlags(fs),
		purposes:   fs.String("purposes", "", "purposes file (default DIR/"+PurposesFile+" if it exists, else the shipped defaults)"),
	}
}

// rules loads the purposes in force.
func (f *policyFlags) rules() (*policy.Rules, error) { return datadir.Rules(*f.data, *f.purposes) }

// policySession is an open data directory.
type policySession struct {
	d   *datadir.Dir
	v   *vault.Vault
	k   *trustclock.Keeper
	e   *policy.Engine
	log *audit.Log // nil when not opened
}

// open opens the data directory (datadir.Open, as the daemon does): the
// vault, the clock keeper and the engine. withAudit opens the audit log
// too: writable (the tool's actions are recorded) unless readOnly.
func (f *policyFlags) open(withAudit, readOnly bool) (*policySession, error) {
	cfg, err := f.dirConfig()
	if err != nil {
		return nil, err
	}
	cfg.Purposes, cfg.Actor = *f.purposes, toolActor
	switch {
	case !withAudit:
		cfg.Audit = datadir.AuditNone
	case readOnly:
		cfg.Audit = datadir.AuditRead
	}
	d, err := datadir.Open(cfg)
	if err != nil {
		return nil, inUse(*f.data, err)
	}
	return &policySession{d: d, v: d.Vault, k: d.Keeper, e: d.Policy, log: d.Audit}, nil
}

// warnClock tells the operator when the times the command used are only
// a lower bound: the clock jumped since the daemon last saved the time.
func (s *policySession) warnClock(stderr io.Writer) {
	if !s.k.Trusted() {
		fmt.Fprintf(stderr, "warning: clock not trusted (system clock %s, lower bound %s): times are approximate and nothing is erased early; check the clock and run `fairrec clock confirm`\n",
			policyClock.Now().UTC().Format(time.RFC3339), s.k.Now().UTC().Format(time.RFC3339))
	}
}

func (s *policySession) close() error { return s.d.Close() }

func closeSession(s *policySession, err *error) {
	if e := s.close(); *err == nil {
		*err = e
	}
}
