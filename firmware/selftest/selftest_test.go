package selftest_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"fairrec/firmware/notice"
	"fairrec/firmware/selftest"
	"fairrec/storage/audit"
	"fairrec/storage/vault"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"
)

func TestRun(t *testing.T) {
	checks := []selftest.Check{
		{Name: "ok", Run: func() (string, error) { return "fine", nil }},
		{Name: "bad", Run: func() (string, error) { return "", errors.New("broken\nbadly") }},
		{Name: "n/a", Run: func() (string, error) { return "", selftest.Skip("not here") }},
		{Name: "panics", Run: func() (string, error) { panic("boom") }},
		{Name: "wrapped skip", Run: func() (string, error) { return "", errors.Join(selftest.Skip("no board")) }},
	}
	var out strings.Builder
	rs := selftest.Run(&out, checks)
	want := "PASS ok: fine\nFAIL bad: broken badly\nSKIP n/a: not here\nFAIL panics: panic: boom\nSKIP wrapped skip: no board\n"
	if diff := cmp.Diff(want, out.String()); diff != "" {
		t.Errorf("output (-want +got):\n%s", diff)
	}
	if n := selftest.Failed(rs); n != 2 {
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
		check  selftest.Check
		status selftest.Status
		detail string // a part of the reason
	}{
		{selftest.DTMF(), selftest.Pass, "16 keys"},
		{selftest.CallerID(), selftest.Pass, "V.23"},
		{selftest.Notices(lib, nil), selftest.Pass, "notices decoded"},
		{selftest.Notices(nil, errors.New("bad dir")), selftest.Fail, "bad dir"},
		{selftest.Vault(fakeVault{rep: vault.Report{Recordings: 2, Chunks: 9}}, nil), selftest.Pass, "2 recordings, 9 chunks"},
		{selftest.Vault(fakeVault{rep: vault.Report{Problems: []vault.Problem{{ID: 7, Err: errors.New("chunk 3: message authentication failed")}}}}, nil), selftest.Fail, "chunk 3"},
		{selftest.Vault(nil, errors.New("locked")), selftest.Fail, "open vault: locked"},
		{selftest.Audit(fakeAudit{rep: audit.Report{Entries: 4, Signed: true}}, nil), selftest.Pass, "4 entries intact"},
		{selftest.Audit(fakeAudit{err: audit.ErrBroken}, nil), selftest.Fail, "audit chain broken"},
		{selftest.Audit(fakeAudit{rep: audit.Report{Entries: 4}}, nil), selftest.Fail, "NOT checked"},
		{selftest.Audit(nil, selftest.Skip("no audit log yet")), selftest.Skipped, "no audit log yet"},
		{selftest.Pins([]selftest.Pin{{"line 1 hook", high}, {"line 1 ring", nil}, {"line 1 button", low}}, nil), selftest.Pass, "line 1 hook idle, line 1 button ACTIVE"},
		{selftest.Pins(nil, errors.New("gpio: unknown pin GPIO5")), selftest.Fail, "GPIO5"},
		{selftest.Pins(nil, nil), selftest.Skipped, "no input pins"},
		{selftest.KeyFile(key(0o400)), selftest.Pass, "mode 0400"},
		{selftest.KeyFile(key(0o600)), selftest.Pass, "mode 0600"},
		{selftest.KeyFile(key(0o644)), selftest.Fail, "run: chmod 600 "},
		{selftest.KeyFile(key(0o640)), selftest.Fail, "group or others can read it"},
		{selftest.KeyFile(loose), selftest.Fail, "no such file"},
		{selftest.Disk(dir, 1, free(20<<30)), selftest.Pass, "20 GB free"},
		{selftest.Disk(dir, 1, free(50<<20)), selftest.Fail, "below 100 MB"},
		{selftest.Disk(dir, 8, free(200<<20)), selftest.Fail, "below 220 MB"},
		{selftest.Disk(dir, 1, func(string) (uint64, error) { return 0, errors.New("EIO") }), selftest.Fail, "EIO"},
		{selftest.Disk(dir, 1, nil), selftest.Skipped, ""},
		{selftest.NoLoopback("sim"), selftest.Skipped, "board sim wires no audio output back"},
	}
	for _, tt := range tests {
		r := selftest.RunOne(tt.check)
		if r.Status != tt.status || !strings.Contains(r.Detail, tt.detail) {
			t.Errorf("%s: got %v, want %v with %q", tt.check.Name, r, tt.status, tt.detail)
		}
	}
}

func TestDTMFSignalUnknownKey(t *testing.T) {
	x := selftest.DTMFSignal("x", 80, 80, -10)
	for _, v := range x {
		if v != 0 {
			t.Fatal("an unknown key should be silence")
		}
	}
}

func TestMessageChecksum(t *testing.T) {
	m := selftest.Message(0x80, selftest.Param{Type: 0x02, Value: "123"})
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
	for _, c := range selftest.Standard(selftest.Env{}) {
		names = append(names, c.Name)
	}
	want := []string{"dtmf", "callerid", "notices", "vault", "audit", "gpio", "key file", "disk", "loopback"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("checks (-want +got):\n%s", diff)
	}
}
