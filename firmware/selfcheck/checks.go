package selfcheck

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"periph.io/x/conn/v3/gpio"

	"fairrec/firmware/notice"
	"fairrec/storage/audit"
	"fairrec/storage/vault"
)

// Notices checks that every notice decoded: lib is the loaded library (nil
// when loading failed outright, err says why).
func Notices(lib *notice.Library, err error) Check {
	return Check{Name: "notices", Run: func() (string, error) {
		if lib == nil {
			if err == nil {
				err = errors.New("no notice library")
			}
			return "", fmt.Errorf("load notices: %w", err)
		}
		failed := lib.Failed()
		if len(failed) > 0 {
			keys := make([]string, 0, len(failed))
			for k, e := range failed {
				keys = append(keys, fmt.Sprintf("%s: %v", k, e))
			}
			sort.Strings(keys)
			return "", fmt.Errorf("%d notices do not decode: %s", len(failed), strings.Join(keys, "; "))
		}
		n := len(lib.Keys())
		if n == 0 {
			return "", errors.New("no notices loaded: no line can record")
		}
		return fmt.Sprintf("%d notices decoded", n), nil
	}}
}

// Vaulter is the vault as the vault check uses it.
type Vaulter interface {
	Verify() (vault.Report, error)
}

// Vault checks the database and the key slots (vault.Verify): bbolt's
// consistency check, every record and chunk authenticated, no key slot
// without its recording. v is nil when the vault did not open (err says
// why).
func Vault(v Vaulter, err error) Check {
	return Check{Name: "vault", Run: func() (string, error) {
		if v == nil {
			return "", fmt.Errorf("open vault: %w", cmpErr(err, "not open"))
		}
		rep, err := v.Verify()
		if err != nil {
			return "", fmt.Errorf("verify vault: %w", err)
		}
		if n := len(rep.Problems); n > 0 {
			more := ""
			if n > 1 {
				more = fmt.Sprintf(" (and %d more problems: fairrec verify lists them)", n-1)
			}
			return "", fmt.Errorf("%v%s", rep.Problems[0], more)
		}
		return fmt.Sprintf("database and key slots verify: %d recordings, %d chunks authenticated", rep.Recordings, rep.Chunks), nil
	}}
}

// Auditor is the audit log as the audit check uses it.
type Auditor interface {
	Verify() (audit.Report, error)
}

// Audit checks the audit log's hash chain and signatures. l is nil when the
// log did not open (err says why; an err wrapping ErrSkip skips).
func Audit(l Auditor, err error) Check {
	return Check{Name: "audit", Run: func() (string, error) {
		if l == nil {
			if errors.Is(err, ErrSkip) {
				return "", err
			}
			return "", fmt.Errorf("open audit log: %w", cmpErr(err, "not open"))
		}
		rep, err := l.Verify()
		if err != nil {
			return "", fmt.Errorf("verify audit log: %w", err)
		}
		signed := "signatures checked"
		if !rep.Signed {
			signed = "signatures NOT checked (no key)"
		}
		if !rep.Signed {
			return "", fmt.Errorf("chain of %d entries intact but %s", rep.Entries, signed)
		}
		return fmt.Sprintf("chain of %d entries intact, %s", rep.Entries, signed), nil
	}}
}

// Pin is one input pin by its role, e.g. "line 1 hook sense".
type Pin struct {
	Role string
	In   gpio.PinIn // nil: absent on this board
}

// Pins reads every input pin and says what it reads. pins is nil and err
// set when the board's pins did not open; an err wrapping ErrSkip skips.
func Pins(pins []Pin, err error) Check {
	return Check{Name: "gpio", Run: func() (string, error) {
		if err != nil {
			if errors.Is(err, ErrSkip) {
				return "", err
			}
			return "", fmt.Errorf("open pins: %w", err)
		}
		var read []string
		for _, p := range pins {
			if p.In == nil {
				continue
			}
			state := "idle"
			if p.In.Read() == gpio.Low {
				state = "ACTIVE"
			}
			read = append(read, fmt.Sprintf("%s %s", p.Role, state))
		}
		if len(read) == 0 {
			return "", Skip("the board has no input pins")
		}
		return fmt.Sprintf("%d inputs read: %s", len(read), strings.Join(read, ", ")), nil
	}}
}

// KeyFile checks that nobody but the owner can read the key file.
func KeyFile(path string) Check {
	return Check{Name: "key file", Run: func() (string, error) {
		fi, err := os.Stat(path)
		if err != nil {
			return "", fmt.Errorf("key file: %w", err)
		}
		if !fi.Mode().IsRegular() {
			return "", fmt.Errorf("key file %s is not a regular file", path)
		}
		if m := fi.Mode().Perm(); m&0o077 != 0 {
			return "", fmt.Errorf("key file %s is mode %#o: group or others can read it; run: chmod 400 %s", path, m, path)
		}
		return fmt.Sprintf("%s mode %#o", path, fi.Mode().Perm()), nil
	}}
}

// Recording rates for the free-space check.
const (
	// LineBytesPerHour is one line's stored audio an hour: A-law, 8 kB/s.
	LineBytesPerHour = 8000 * 3600
	// MinFree is the least free space the check accepts, whatever the
	// line count.
	MinFree = 100 << 20
)

// NeedFree is the free space the disk check asks for at lines lines: an
// hour of recording on every line, and never less than MinFree.
func NeedFree(lines int) uint64 {
	return max(MinFree, uint64(max(lines, 0))*LineBytesPerHour)
}

// Disk checks the free space in dir: free returns the bytes available to
// the daemon there (drivers/ asks the OS); it fails below NeedFree(lines).
func Disk(dir string, lines int, free func(dir string) (uint64, error)) Check {
	return Check{Name: "disk", Run: func() (string, error) {
		if free == nil {
			return "", Skip("no way to ask for the free space here")
		}
		b, err := free(dir)
		if err != nil {
			return "", fmt.Errorf("free space in %s: %w", dir, err)
		}
		need := NeedFree(lines)
		hours := float64(b) / float64(uint64(max(lines, 1))*LineBytesPerHour)
		if b < need {
			return "", fmt.Errorf("%s has %s free, below %s (about %.1f hours of recording at %d lines): free some space or use a larger medium",
				dir, size(b), size(need), hours, max(lines, 1))
		}
		return fmt.Sprintf("%s has %s free, about %.0f hours of recording at %d lines", dir, size(b), hours, max(lines, 1)), nil
	}}
}

func size(b uint64) string {
	switch {
	case b >= 10<<30:
		return fmt.Sprintf("%.0f GB", float64(b)/(1<<30))
	case b >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(b)/(1<<30))
	}
	return fmt.Sprintf("%.0f MB", float64(b)/(1<<20))
}

// NoLoopback is the audio loopback check of a board that wires no output
// back to an input: it is skipped, saying so.
func NoLoopback(board string) Check {
	return Check{Name: "loopback", Run: func() (string, error) {
		if board == "" {
			return "", Skip("no board given (--board): no audio path to loop")
		}
		return "", Skip(fmt.Sprintf("board %s wires no audio output back to an input", board))
	}}
}

func cmpErr(err error, s string) error {
	if err == nil {
		return errors.New(s)
	}
	return err
}
