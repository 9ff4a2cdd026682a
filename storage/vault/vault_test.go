package vault

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	bolt "go.etcd.io/bbolt"

	"fairrec/firmware/clock/clocktest"
)

var t0 = time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC)

// testKDF keeps passphrase tests fast; production uses DefaultKDF.
var testKDF = KDFParams{Time: 1, MemoryKiB: 64, Threads: 1}

// newDir returns a data directory with a fresh plain key file.
func newDir(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	if err := InitKey(filepath.Join(dir, KeyFile), nil); err != nil {
		t.Fatal(err)
	}
	return dir
}

func testConfig(dir string) Config {
	return Config{Dir: dir, Clock: clocktest.New(t0), NoSync: true}
}

func mustOpen(t testing.TB, cfg Config) *Vault {
	t.Helper()
	v, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// pattern returns n A-law bytes that differ from window to window.
func pattern(seed, n int) []byte {
	b := make([]byte, n)
	x := uint32(seed)*2654435761 + 1
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	return b
}

func readAll(t testing.TB, v *Vault, id ID) ([]byte, error) {
	t.Helper()
	r, err := v.Audio(id)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}

func TestRoundTrip(t *testing.T) {
	dir := newDir(t)
	v := mustOpen(t, testConfig(dir))
	grants := []Grant{{Purpose: "quality", Deadline: t0.Add(90 * 24 * time.Hour)}}
	id, err := v.Create(Meta{Line: 2, Start: t0, Caller: "+31 20 123 4567", Grants: grants, Notes: "complaint"})
	if err != nil {
		t.Fatal(err)
	}
	audio := pattern(1, 3*BytesPerSecond+123)
	for off := 0; off < len(audio); off += 160 {
		if err := v.Append(id, audio[off:min(off+160, len(audio))]); err != nil {
			t.Fatal(err)
		}
		if off%8000 == 0 {
			if err := v.Commit(); err != nil {
				t.Fatal(err)
			}
		}
	}
	end := t0.Add(3 * time.Second)
	if err := v.Seal(id, end); err != nil {
		t.Fatal(err)
	}
	if err := v.Append(id, []byte{1}); !errors.Is(err, ErrSealed) {
		t.Errorf("Append after Seal = %v, want ErrSealed", err)
	}
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	v = mustOpen(t, testConfig(dir))
	defer v.Close()
	got, err := readAll(t, v, id)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, audio) {
		t.Errorf("audio: got %d bytes, want %d, equal=%v", len(got), len(audio), bytes.Equal(got, audio))
	}
	in, err := v.Info(id)
	if err != nil {
		t.Fatal(err)
	}
	want := Info{ID: id, Line: 2, Start: t0, End: end, Bytes: int64(len(audio)),
		Duration: time.Duration(len(audio)) * time.Second / 8000, State: StateSealed,
		Grants: grants, Caller: "+31 20 123 4567", Notes: "complaint"}
	if d := cmp.Diff(want, in, cmpopts.EquateApproxTime(0)); d != "" {
		t.Errorf("Info (-want +got):\n%s", d)
	}
	for _, caller := range []string{"+31201234567", "0031-20-123 4567"} {
		l, err := v.List(Query{Caller: caller})
		if err != nil || len(l) != 1 || l[0].ID != id {
			t.Errorf("List(caller %q) = %v, %v; want [%v]", caller, l, err, id)
		}
	}
	if l, _ := v.List(Query{Caller: "+31201234568"}); len(l) != 0 {
		t.Errorf("List(other caller) = %v, want none", l)
	}
	rep, err := v.Verify()
	if err != nil || len(rep.Problems) != 0 || rep.Bytes != int64(len(audio)) {
		t.Errorf("Verify = %+v, %v", rep, err)
	}
}

func TestInterruptedAtOpen(t *testing.T) {
	dir := newDir(t)
	v := mustOpen(t, testConfig(dir))
	id, err := v.Create(Meta{Line: 1, Start: t0})
	if err != nil {
		t.Fatal(err)
	}
	audio := pattern(2, 16000)
	must(t, v.Append(id, audio[:8000]))
	if err := v.Commit(); err != nil {
		t.Fatal(err)
	}
	must(t, v.Append(id, audio[8000:]))
	// Simulate a crash: drop the vault without committing.
	v.db.Close()
	v.slots.close()
	var events []Event
	cfg := testConfig(dir)
	cfg.OnEvent = func(e Event) { events = append(events, e) }
	v = mustOpen(t, cfg)
	defer v.Close()
	in, err := v.Info(id)
	if err != nil {
		t.Fatal(err)
	}
	if in.State != StateInterrupted || in.Bytes != 8000 || !in.End.Equal(t0.Add(time.Second)) {
		t.Errorf("Info = %+v, want interrupted with 8000 bytes ending 1 s after start", in)
	}
	got, err := readAll(t, v, id)
	if err != nil || !bytes.Equal(got, audio[:8000]) {
		t.Errorf("audio = %d bytes, %v; want the first 8000", len(got), err)
	}
	if len(events) != 1 || events[0].Kind != EventInterrupted || events[0].ID != id {
		t.Errorf("events = %+v, want one interrupted", events)
	}
}

func TestKeys(t *testing.T) {
	dir := newDir(t)
	v := mustOpen(t, testConfig(dir))
	v.Close()
	other := filepath.Join(t.TempDir(), "other.key")
	if err := InitKey(other, nil); err != nil {
		t.Fatal(err)
	}
	sealed := filepath.Join(t.TempDir(), "sealed.key")
	if err := writeKeyFile(sealed, randomKey(), []byte("secret"), &testKDF); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		keyFile string
		pass    string
		want    error
	}{
		{"missing", filepath.Join(dir, "nope.key"), "", ErrNoKey},
		{"other key", other, "", ErrWrongKey},
		{"sealed, no passphrase", sealed, "", ErrNoKey},
		{"sealed, wrong passphrase", sealed, "guess", ErrWrongKey},
		{"sealed, right passphrase, other vault", sealed, "secret", ErrWrongKey},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig(dir)
			cfg.KeyFile, cfg.Passphrase = tc.keyFile, []byte(tc.pass)
			v, err := Open(cfg)
			if !errors.Is(err, tc.want) {
				if v != nil {
					v.Close()
				}
				t.Fatalf("Open = %v, want %v", err, tc.want)
			}
		})
	}
	if err := InitKey(filepath.Join(dir, KeyFile), nil); err == nil {
		t.Error("InitKey overwrote an existing key file")
	}
	fi, err := os.Stat(filepath.Join(dir, KeyFile))
	if err != nil || fi.Mode().Perm() != 0o400 {
		t.Errorf("key file mode = %v, %v; want 0400", fi.Mode(), err)
	}
}

func TestInUse(t *testing.T) {
	dir := newDir(t)
	v := mustOpen(t, testConfig(dir))
	defer v.Close()
	if _, err := Open(testConfig(dir)); !errors.Is(err, ErrInUse) {
		t.Errorf("second Open = %v, want ErrInUse", err)
	}
}

func TestErase(t *testing.T) {
	dir := newDir(t)
	v := mustOpen(t, testConfig(dir))
	defer v.Close()
	var ids []ID
	for i := range 3 {
		id := mustCreate(t, v, Meta{Line: i, Start: t0, Caller: "0201234567"})
		must(t, v.Append(id, pattern(i, 4000)))
		must(t, v.Seal(id, t0))
		ids = append(ids, id)
	}
	if err := v.Erase(ids[1]); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Info(ids[1]); !errors.Is(err, ErrNotFound) {
		t.Errorf("Info after erase = %v, want ErrNotFound", err)
	}
	if err := v.Erase(ids[1]); !errors.Is(err, ErrNotFound) {
		t.Errorf("second erase = %v, want ErrNotFound", err)
	}
	l, err := v.List(Query{Caller: "020 123 4567"})
	if err != nil || len(l) != 2 || l[0].ID != ids[0] || l[1].ID != ids[2] {
		t.Errorf("List = %v, %v", l, err)
	}
	for _, id := range []ID{ids[0], ids[2]} {
		if got, err := readAll(t, v, id); err != nil || len(got) != 4000 {
			t.Errorf("recording %v after erasing another: %d bytes, %v", id, len(got), err)
		}
	}
	// Erasing an open recording: later appends fail.
	id := mustCreate(t, v, Meta{Line: 1, Start: t0})
	must(t, v.Append(id, pattern(9, 100)))
	if err := v.Erase(id); err != nil {
		t.Fatal(err)
	}
	if err := v.Append(id, []byte{1}); !errors.Is(err, ErrNotFound) {
		t.Errorf("Append after erase = %v, want ErrNotFound", err)
	}
}

func TestDeriveSecretSurvivesRotation(t *testing.T) {
	dir := newDir(t)
	cfg := testConfig(dir)
	v := mustOpen(t, cfg)
	defer v.Close()
	before, err := DeriveSecret(cfg, "audit")
	if err != nil {
		t.Fatal(err)
	}
	other, _ := DeriveSecret(cfg, "other")
	if bytes.Equal(before, other) {
		t.Error("two labels gave the same secret")
	}
	k1, _ := ReadKey(filepath.Join(dir, KeyFile), nil)
	if err := v.Rotate(); err != nil {
		t.Fatal(err)
	}
	after, err := DeriveSecret(cfg, "audit")
	if err != nil || !bytes.Equal(before, after) {
		t.Errorf("secret after rotation: %x, %v; want %x", after, err, before)
	}
	if k2, _ := ReadKey(filepath.Join(dir, KeyFile), nil); bytes.Equal(k1, k2) {
		t.Error("rotation kept the key")
	}
}

func TestEraseWhileReading(t *testing.T) {
	dir := newDir(t)
	var events []Event
	cfg := testConfig(dir)
	cfg.OnEvent = func(e Event) { events = append(events, e) }
	v := mustOpen(t, cfg)
	defer v.Close()
	id := mustCreate(t, v, Meta{Line: 1, Start: t0})
	for i := range 3 {
		must(t, v.Append(id, pattern(i, 8000)))
		must(t, v.Commit())
	}
	must(t, v.Seal(id, t0))
	r, err := v.Audio(id)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Read(make([]byte, 100)); err != nil {
		t.Fatal(err)
	}
	if err := v.Erase(id); err != nil {
		t.Fatal(err)
	}
	_, err = io.ReadAll(r)
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("reading on after the erase: %v, want ErrNotFound", err)
	}
	for _, e := range events {
		if e.Kind == EventTampered {
			t.Errorf("erase during a read raised %+v", e)
		}
	}
}

func TestLastCommit(t *testing.T) {
	v := mustOpen(t, testConfig(newDir(t)))
	defer v.Close()
	last := func() (n uint64) {
		v.db.Bolt().View(func(tx *bolt.Tx) error { n = lastCommit(tx); return nil })
		return n
	}
	if got := last(); got != 0 {
		t.Errorf("empty vault: lastCommit = %d, want 0", got)
	}
	for _, tc := range []struct {
		create, drop []uint64
		want         uint64
	}{
		{create: []uint64{1, 2, 300}, want: 300},
		{drop: []uint64{300}, want: 2},
		{create: []uint64{1 << 40}, want: 1 << 40},
		{drop: []uint64{1, 2, 1 << 40}, want: 0},
	} {
		v.db.Bolt().Update(func(tx *bolt.Tx) error {
			for _, s := range tc.create {
				commitBucket(tx, s)
			}
			for _, s := range tc.drop {
				tx.DeleteBucket(seqKey(s))
			}
			return nil
		})
		if got := last(); got != tc.want {
			t.Errorf("after creating %v and dropping %v: lastCommit = %d, want %d", tc.create, tc.drop, got, tc.want)
		}
	}
}

func TestUpdateGrantsAndNotes(t *testing.T) {
	dir := newDir(t)
	v := mustOpen(t, testConfig(dir))
	g1 := []Grant{{Purpose: "quality", Deadline: t0.AddDate(0, 3, 0), Objectable: true}}
	g2 := []Grant{{Purpose: "contract", Deadline: t0.AddDate(1, 0, 0), Event: "delivery"}, {Purpose: "legal", Restricted: true}}
	id := mustCreate(t, v, Meta{Line: 1, Start: t0, Grants: g1})
	must(t, v.Append(id, pattern(1, 800)))
	// While open: the update must survive the Seal.
	if err := v.UpdateGrants(id, g2); err != nil {
		t.Fatal(err)
	}
	if err := v.SetNotes(id, "held for a dispute"); err != nil {
		t.Fatal(err)
	}
	must(t, v.Seal(id, t0.Add(time.Second)))
	v.Close()
	v = mustOpen(t, testConfig(dir))
	defer v.Close()
	in, err := v.Info(id)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(g2, in.Grants); d != "" || in.Notes != "held for a dispute" || in.Bytes != 800 {
		t.Errorf("after update and seal: notes %q, %d bytes, grants (-want +got):\n%s", in.Notes, in.Bytes, d)
	}
	if err := v.UpdateGrants(ID(999), g1); !errors.Is(err, ErrNotFound) {
		t.Errorf("UpdateGrants(999) = %v, want ErrNotFound", err)
	}
}

func TestList(t *testing.T) {
	v := mustOpen(t, testConfig(newDir(t)))
	defer v.Close()
	// A request for what is no number fails; it never matches nothing.
	if _, err := v.List(Query{Caller: "P"}); !errors.Is(err, ErrNotNumber) {
		t.Errorf("List(caller P) = %v, want ErrNotNumber", err)
	}
	var ids []ID
	for i := range 4 {
		id := mustCreate(t, v, Meta{Line: 1 + i%2, Start: t0.Add(time.Duration(i) * time.Hour), Caller: "+3120555012" + string(rune('0'+i%2))})
		if i < 3 {
			must(t, v.Seal(id, t0))
		}
		ids = append(ids, id)
	}
	for _, tc := range []struct {
		name string
		q    Query
		want []ID
	}{
		{"all", Query{}, ids},
		{"line 2", Query{Lines: []int{2}}, []ID{ids[1], ids[3]}},
		{"from", Query{From: t0.Add(2 * time.Hour)}, ids[2:]},
		{"to", Query{To: t0.Add(2 * time.Hour)}, ids[:2]},
		{"open", Query{State: StateOpen}, ids[3:]},
		{"caller", Query{Caller: "0031 20 555 0120"}, []ID{ids[0], ids[2]}},
		{"caller and line", Query{Caller: "+31205550121", Lines: []int{1}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := v.List(tc.q)
			if err != nil {
				t.Fatal(err)
			}
			var got []ID
			for _, in := range l {
				got = append(got, in.ID)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("List(%+v) (-want +got):\n%s", tc.q, d)
			}
		})
	}
}

func TestStateTextRoundTrip(t *testing.T) {
	for _, st := range []State{StateOpen, StateSealed, StateInterrupted} {
		b, err := st.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		var got State
		if err := got.UnmarshalText(b); err != nil || got != st {
			t.Errorf("%v: read back %v, %v", st, got, err)
		}
	}
	var s State
	if err := s.UnmarshalText([]byte("shredded")); err == nil {
		t.Error("an unknown state was accepted")
	}
}

// TestAddCaller: a caller announced by call waiting during a recording is
// added to its sealed metadata and found by an erasure request by that
// number; the erase removes every lookup entry.
func TestAddCaller(t *testing.T) {
	dir := newDir(t)
	v := mustOpen(t, testConfig(dir))
	const caller, waiting = "020 123 4567", "+31 6 1234 5678"
	id, err := v.Create(Meta{Line: 1, Start: t0, Caller: caller})
	if err != nil {
		t.Fatal(err)
	}
	other := mustCreate(t, v, Meta{Line: 2, Start: t0, Caller: "0309876543"})
	must(t, v.Append(id, pattern(1, 800)))
	for _, n := range []string{waiting, "0031612345678", caller} { // the same two numbers again
		if err := v.AddCaller(id, n); err != nil {
			t.Fatalf("AddCaller(%q): %v", n, err)
		}
	}
	if err := v.AddCaller(id, "P"); err == nil {
		t.Error("AddCaller of a withheld marker succeeded")
	}
	if err := v.Seal(id, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := v.AddCaller(id, "0101111111"); !errors.Is(err, ErrSealed) {
		t.Errorf("AddCaller on a sealed recording = %v, want ErrSealed", err)
	}
	v.Close()
	// The numbers are in no file in the clear.
	for name, b := range vaultFiles(t, dir) {
		for _, digits := range []string{"31612345678", "612345678", "201234567"} {
			if bytes.Contains(b, []byte(digits)) {
				t.Errorf("%s holds %s in the clear", name, digits)
			}
		}
	}

	v = mustOpen(t, testConfig(dir))
	defer v.Close()
	in, err := v.Info(id)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{waiting}, in.Others); diff != "" || in.Caller != caller {
		t.Errorf("caller %q, others (-want +got):\n%s", in.Caller, diff)
	}
	for _, q := range []string{waiting, "0031-6-12345678", caller} {
		l, err := v.List(Query{Caller: q})
		if err != nil || len(l) != 1 || l[0].ID != id {
			t.Errorf("List(caller %q) = %v, %v; want recording %v", q, l, err, id)
		}
	}
	if err := v.Erase(id); err != nil {
		t.Fatal(err)
	}
	if l, err := v.List(Query{Caller: waiting}); err != nil || len(l) != 0 {
		t.Errorf("List(waiting caller) after erase = %v, %v", l, err)
	}
	entries := 0
	v.db.Bolt().View(func(tx *bolt.Tx) error {
		return tx.Bucket(bCaller).ForEach(func(k, _ []byte) error { entries++; return nil })
	})
	if entries != 1 { // the other recording's caller
		t.Errorf("%d caller index entries after the erase, want 1 (recording %v's)", entries, other)
	}
}

// must fails the test on err. Tests check every Append, Seal, Commit,
// Create and Verify they make, so a failure shows where it happened rather
// than as a puzzling result further on.
func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

// mustCreate creates a recording, failing the test if it cannot.
func mustCreate(tb testing.TB, v *Vault, m Meta) ID {
	tb.Helper()
	id, err := v.Create(m)
	must(tb, err)
	return id
}
