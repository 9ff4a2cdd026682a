package policy_test

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"fairrec/firmware/clock/clocktest"
	"fairrec/firmware/policy"
	"fairrec/firmware/trustclock"
	"fairrec/storage/audit"
	"fairrec/storage/vault"
)

// A call on line 1 is recorded for the default profile's purposes; an
// objection after the notice erases it.
func Example() {
	dir, _ := os.MkdirTemp("", "policy-example")
	defer os.RemoveAll(dir)
	_ = vault.InitKey(filepath.Join(dir, vault.KeyFile), nil)
	clk := clocktest.New(time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC))
	keeper, _ := trustclock.New(trustclock.Config{Clock: clk, Path: filepath.Join(dir, trustclock.File)})
	v, _ := vault.Open(vault.Config{Dir: dir, Clock: keeper, NoSync: true})
	defer v.Close()
	eng, _ := policy.New(policy.Config{Store: v, Keeper: keeper})

	st, _ := eng.Start(1, false, audit.Actor{Kind: audit.ActorDevice, ID: "line1"})
	fmt.Println(st.Text, "- notice", st.Notice)
	id, _ := v.Create(st.Meta)
	for _, g := range st.Meta.Grants {
		fmt.Println(g.Purpose, "until", g.Deadline.Format(time.DateOnly))
	}
	r, _ := eng.Object(id, audit.Actor{Kind: audit.ActorCallerDTMF, ID: "line1"})
	fmt.Println(r.Text)
	// Output:
	// recording for quality, training - notice default
	// quality until 2027-05-30
	// training until 2027-03-31
	// objection: recording 1 erased
}
