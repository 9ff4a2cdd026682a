package vault

import (
	"errors"
	"testing"

	berrors "go.etcd.io/bbolt/errors"
)

// TestNotOpenTellsWhy: an operation on a recording that is not open says
// whether it was sealed, never existed, or could not be looked up; a
// database failure is never reported as a missing recording.
func TestNotOpenTellsWhy(t *testing.T) {
	ops := map[string]func(v *Vault, id ID) error{
		"Append":    func(v *Vault, id ID) error { return v.Append(id, pattern(1, 160)) },
		"Seal":      func(v *Vault, id ID) error { return v.Seal(id, t0) },
		"AddCaller": func(v *Vault, id ID) error { return v.AddCaller(id, "0201234567") },
	}
	tests := []struct {
		name    string
		id      func(t *testing.T, v *Vault) ID
		breakDB bool
		want    error
		notWant error
	}{
		{name: "never created", id: func(*testing.T, *Vault) ID { return 99 }, want: ErrNotFound},
		{name: "sealed", id: sealedRecording, want: ErrSealed},
		{name: "database failing", id: sealedRecording, breakDB: true, want: berrors.ErrDatabaseNotOpen, notWant: ErrNotFound},
		{name: "database failing, never created", id: func(*testing.T, *Vault) ID { return 99 }, breakDB: true,
			want: berrors.ErrDatabaseNotOpen, notWant: ErrNotFound},
	}
	for _, tt := range tests {
		for name, op := range ops {
			t.Run(tt.name+"/"+name, func(t *testing.T) {
				v := mustOpen(t, testConfig(newDir(t)))
				id := tt.id(t, v)
				if tt.breakDB {
					// The database stops answering under the vault, as
					// a failing card would.
					if err := v.db.Close(); err != nil {
						t.Fatal(err)
					}
				} else {
					t.Cleanup(func() {
						if err := v.Close(); err != nil {
							t.Error(err)
						}
					})
				}
				err := op(v, id)
				if !errors.Is(err, tt.want) {
					t.Errorf("%s = %v, want %v", name, err, tt.want)
				}
				if tt.notWant != nil && errors.Is(err, tt.notWant) {
					t.Errorf("%s = %v: a failed look-up reported as %v", name, err, tt.notWant)
				}
			})
		}
	}
}

// sealedRecording creates a recording with some audio and seals it.
func sealedRecording(t *testing.T, v *Vault) ID {
	t.Helper()
	id, err := v.Create(Meta{Line: 1, Start: t0})
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Append(id, pattern(2, 800)); err != nil {
		t.Fatal(err)
	}
	if err := v.Seal(id, t0); err != nil {
		t.Fatal(err)
	}
	return id
}
