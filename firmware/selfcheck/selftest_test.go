package selfcheck_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"fairrec/firmware/notice"
	"fairrec/firmware/selfcheck"
	"fairrec/storage/audit"
	"fairrec/storage/vault"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"
)

func TestRun(t *testing.T) {
	checks := []selfcheck.Check{
		{Name: "ok", Run: func() (string, error) { return "fine", nil }},
		{Name: "bad", Run: func() (string, error) { return "", errors.New("broken\nbadly") }},
		{Name: "n/a", Run: func() (string, error) { return "", selfcheck.Skip("not here") }},
		{Name: "panics", Run: func() (string, error) { panic("boom") }},
		{Name: "wrapped skip", Run: func() (string, error) { return "", errors.Join(selfcheck.Skip("no board")) }},
	}
	var out strings.Builder
	rs := selfcheck.Run(&out, checks)
	want := "PASS ok: fine\nFAIL bad: broken badly\nSKIP n/a: not here\nFAIL panics: panic: boom\nSKIP wrapped skip: no board\n"
	if diff := cmp.Diff(want, out.String()); diff != "" {
		t.Errorf("output (-want +got):\n%s", diff)
	}
	if n := selfcheck.Failed(rs); n != 2 {
		t.Errorf("Failed = %d, want 2", n)
	}
}

type fakeVault struct {
	rep vault.Report
	err error
}

func (f fakeVault) Verify() (vault.Report, error) { return f.rep, f.err }

type fakeAudit struct {
	rep audit.Report
	err error
}

func (f fakeAudit) Verify() (audit.Report, error) { return f.rep, f.err }

func TestChecks(t *testing.T) {
	dir := t.TempDir()
	key := func(mode os.FileMode) string {
		p := filepath.Join(t.TempDir(), "fairrec.key")
		if err := os.WriteFile(p, []byte("k"), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	lib, err := notice.Load(notice.Config{})
	if err != nil {
		t.Fatal(err)
	}
	free := func(b uint64) func(string) (uint64, error) {
		return func(string) (uint64, error) { return b, nil }
	}
	low := &gpiotest.Pin{N: "L", L: gpio.Low}
	high := &gpiotest.Pin{N: "H", L: gpio.High}
	loose := filepath.Join(t.TempDir(), "loose.key")
	tests := []struct {
		check  selfcheck.Check
		status selfcheck.Status
		detail string // a part of the reason
	}{
		{selfcheck.DTMF(), selfcheck.Pass, "16 keys"},
		{selfcheck.CallerID(), selfcheck.Pass, "V.23"},
		{selfcheck.Notices(lib, nil), selfcheck.Pass, "notices decoded"},
		{selfcheck.Notices(nil, errors.New("bad dir")), selfcheck.Fail, "bad dir"},
		{selfcheck.Vault(fakeVault{rep: vault.Report{Recordings: 2, Chunks: 9}}, nil), selfcheck.Pass, "2 recordings, 9 chunks"},
		{selfcheck.Vault(fakeVault{rep: vault.Report{Problems: []vault.Problem{{ID: 7, Err: errors.New("chunk 3: message authentication failed")}}}}, nil), selfcheck.Fail, "chunk 3"},
		{selfcheck.Vault(nil, errors.New("locked")), selfcheck.Fail, "open vault: locked"},
		{selfcheck.Audit(fakeAudit{rep: audit.Report{Entries: 4, Signed: true}}, nil), selfcheck.Pass, "4 entries intact"},
		{selfcheck.Audit(fakeAudit{err: audit.ErrBroken}, nil), selfcheck.Fail, "audit chain broken"},
		{selfcheck.Audit(fakeAudit{rep: audit.Report{Entries: 4}}, nil), selfcheck.Fail, "NOT checked"},
		{selfcheck.Audit(nil, selfcheck.Skip("no audit log yet")), selfcheck.Skipped, "no audit log yet"},
		{selfcheck.Pins([]selfcheck.Pin{{"line 1 hook", high}, {"line 1 ring", nil}, {"line 1 button", low}}, nil), selfcheck.Pass, "line 1 hook idle, line 1 button ACTIVE"},
		{selfcheck.Pins(nil, errors.New("gpio: unknown pin GPIO5")), selfcheck.Fail, "GPIO5"},
		{selfcheck.Pins(nil, nil), selfcheck.Skipped, "no input pins"},
		{selfcheck.KeyFile(key(0o400)), selfcheck.Pass, "mode 0400"},
		{selfcheck.KeyFile(key(0o600)), selfcheck.Pass, "mode 0600"},
		{selfcheck.KeyFile(key(0o644)), selfcheck.Fail, "run: chmod 400 "},
		{selfcheck.KeyFile(key(0o640)), selfcheck.Fail, "group or others can read it"},
		{selfcheck.KeyFile(loose), selfcheck.Fail, "no such file"},
		{selfcheck.Disk(dir, 1, free(20<<30)), selfcheck.Pass, "20 GB free"},
		{selfcheck.Disk(dir, 1, free(50<<20)), selfcheck.Fail, "below 100 MB"},
		{selfcheck.Disk(dir, 8, free(200<<20)), selfcheck.Fail, "below 220 MB"},
		{selfcheck.Disk(dir, 1, func(string) (uint64, error) { return 0, errors.New("EIO") }), selfcheck.Fail, "EIO"},
		{selfcheck.Disk(dir, 1, nil), selfcheck.Skipped, ""},
		{selfcheck.NoLoopback("sim"), selfcheck.Skipped, "board sim wires no audio output back"},
	}
	for _, tt := range tests {
		r := selfcheck.RunOne(tt.check)
		if r.Status != tt.status || !strings.Contains(r.Detail, tt.detail) {
			t.Errorf("%s: got %v, want %v with %q", tt.check.Name, r, tt.status, tt.detail)
		}
	}
}

func TestDTMFSignalUnknownKey(t *testing.T) {
	x := selfcheck.DTMFSignal("x", 80, 80, -10)
	for _, v := range x {
		if v != 0 {
			t.Fatal("an unknown key should be silence")
		}
	}
}

func TestMessageChecksum(t *testing.T) {
	m := selfcheck.Message(0x80, selfcheck.Param{Type: 0x02, Value: "123"})
	want := []byte{0x80, 5, 0x02, 3, '1', '2', '3'}
	if diff := cmp.Diff(want, m[:len(m)-1]); diff != "" {
		t.Errorf("message (-want +got):\n%s", diff)
	}
	var sum byte
	for _, b := range m {
		sum += b
	}
	if sum != 0 {
		t.Errorf("bytes sum to %#x with the checksum, want 0", sum)
	}
}

func TestStandardNames(t *testing.T) {
	var names []string
	for _, c := range selfcheck.Standard(selfcheck.Env{}) {
		names = append(names, c.Name)
	}
	want := []string{"dtmf", "callerid", "notices", "vault", "audit", "gpio", "key file", "disk", "loopback"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("checks (-want +got):\n%s", diff)
	}
}
