package vault_test

import (
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"time"

	"fairrec/firmware/clock/clocktest"
	"fairrec/storage/vault"
)

func Example() {
	dir, _ := os.MkdirTemp("", "vault-example")
	defer os.RemoveAll(dir)
	// Once, at install: `fairrec keys init --data DIR`.
	if err := vault.InitKey(filepath.Join(dir, vault.KeyFile), nil); err != nil {
		log.Fatal(err)
	}
	start := time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC)
	v, err := vault.Open(vault.Config{Dir: dir, Clock: clocktest.New(start)})
	if err != nil {
		log.Fatal(err) // ErrNoKey / ErrWrongKey: refuse to record
	}
	defer v.Close()
	// The daemon runs v.Run(ctx) to commit every second; here we commit by hand.

	id, err := v.Create(vault.Meta{
		Line:   1,
		Start:  start,
		Caller: "+31 20 555 0123",
		Grants: []vault.Grant{{Purpose: "quality", Deadline: start.AddDate(0, 3, 0)}},
	})
	if err != nil {
		log.Fatal(err)
	}
	frame := make([]byte, 160) // 20 ms of A-law
	for range 100 {
		if err := v.Append(id, frame); err != nil {
			log.Fatal(err) // ErrSealed, ErrNotFound (erased by an objection)
		}
	}
	if err := v.Seal(id, start.Add(2*time.Second)); err != nil {
		log.Fatal(err)
	}

	found, _ := v.List(vault.Query{Caller: "0031205550123"})
	r, _ := v.Audio(found[0].ID)
	n, _ := io.Copy(io.Discard, r)
	fmt.Println(found[0].ID, found[0].State, found[0].Duration, n, "bytes")

	v.Erase(id)
	_, err = v.Info(id)
	fmt.Println(err)
	// Output:
	// 1 sealed 2s 16000 bytes
	// vault: info 1: recording not found
}
