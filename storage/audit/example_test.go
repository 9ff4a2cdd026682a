package audit_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"fairrec/firmware/clock/clocktest"
	"fairrec/storage/audit"
)

func Example() {
	dir, _ := os.MkdirTemp("", "audit-example")
	defer os.RemoveAll(dir)

	// The daemon derives the checkpoint key from the key-encryption key
	// it loaded at boot.
	kek := []byte("an example key-encryption key!!!")
	key, _ := audit.DeriveKey(kek)
	clk := clocktest.New(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))

	l, err := audit.Open(audit.Config{Path: audit.PathIn(dir), Clock: clk, Key: key})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer l.Close()

	// A supervisor reviews recording 42 under the "complaints" purpose.
	err = l.Record(audit.Entry{
		Actor:     audit.Actor{Kind: audit.ActorRole, ID: "supervisor"},
		Action:    audit.ActionPlayback,
		Recording: 42,
		Purpose:   "complaints",
	})
	fmt.Println("playback recorded:", err)

	// A caller number never gets in.
	err = l.Record(audit.Entry{Actor: audit.Actor{Kind: audit.ActorDevice}, Action: audit.ActionExport, Detail: "to 0612345678"})
	fmt.Println("refused:", errors.Is(err, audit.ErrInvalid))

	rep, err := l.Verify()
	fmt.Println("entries:", rep.Entries, "signed:", rep.Signed, "err:", err)
	// The hash is SHA-256 over the canonical encoding (see the package doc);
	// an independent implementation computes the same value.
	l.Export(os.Stdout, time.Time{})
	// Output:
	// playback recorded: <nil>
	// refused: true
	// entries: 1 signed: true err: <nil>
	// {"seq":1,"time":"2026-03-02T10:00:00Z","actor":"role","actor_id":"supervisor","action":"playback","recording":42,"purpose":"complaints","prev":"0000000000000000000000000000000000000000000000000000000000000000","hash":"439ddabf256a3256cd2819a0007faeba92a65bbd02b38ce5facdac234ea7a601"}
}

// ExampleForwarder shows the wiring for a box that forwards to a central
// syslog server; the forwarder records its own drops in the log.
func ExampleForwarder() {
	dir, _ := os.MkdirTemp("", "audit-example")
	defer os.RemoveAll(dir)
	clk := clocktest.New(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	l, err := audit.Open(audit.Config{Path: filepath.Join(dir, audit.FileName), Clock: clk})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer l.Close()
	f, err := audit.NewForwarder(audit.ForwardConfig{
		Addr: "logs.example.net:514", Clock: clk, Hostname: "fairrec-shop1", Queue: 1000, Recorder: l,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	l.SetSink(f)
	// go f.Run(ctx) — owned and waited for by the daemon.
	if err := l.Record(audit.Entry{Actor: audit.Actor{Kind: audit.ActorDevice}, Action: audit.ActionConfigChange, Detail: "forwarding on"}); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%+v\n", f.Stats())
	// Output:
	// {Queued:1 Sent:0 Dropped:0 Connected:false}
}
