package console_test

import (
	"strings"
	"testing"
	"time"

	"fairrec/firmware/console"
)

// TestStatusInstaller: the status lines an installer reads on site — each
// line's purposes and notices, the clock's trust, the key, the disk and
// the hours it still holds, the audit chain and the last fault — under
// the line states, in the same column.
func TestStatusInstaller(t *testing.T) {
	base := console.Status{Board: "sim", Storage: "open", Audio: "default",
		Lines: []console.Line{
			{N: 1, Purposes: []string{"quality", "training"}, Notice: "default", Language: "nl"},
			{N: 2},
		}}
	for _, tc := range []struct {
		name string
		edit func(*console.Status)
		want []string
	}{
		{"trusted", func(s *console.Status) {
			s.Clock = console.Clock{Known: true, Trusted: true, Reason: "agrees", Now: time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)}
			s.Key = "/data/fairrec.key loaded, mode 0600"
			s.Disk = console.Disk{Used: 1_500_000, Free: 57_600_000_000, Lines: 2} // 57.6 GB = 1000 h for 2 lines
			s.Audit = "verified at start"
			s.LastFault = "none"
		}, []string{
			"line 1   on-hook, idle\n         purposes quality, training; notice set default, language nl\nline 2   on-hook, idle\n",
			"clock    2027-03-01T09:00:00Z, trusted (agrees)\n",
			"key      /data/fairrec.key loaded, mode 0600\n",
			"disk     1.5 MB used, 57.6 GB free: about 1000 hours of recording on 2 lines\n",
			"audit    verified at start\n",
			"fault    none\n",
		}},
		{"untrusted", func(s *console.Status) {
			s.Clock = console.Clock{Known: true, Reason: "jumped", Now: time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)}
			s.Audit = "TAMPERED at start: audit log: entry 7 changed"
			s.LastFault = "2027-03-01T09:00:00Z line 2: refuses to record: no usable notice"
		}, []string{
			"clock    2027-03-01T09:00:00Z, APPROXIMATE: jumped; nothing is erased early; check the time, then clock confirm\n",
			"audit    TAMPERED at start: audit log: entry 7 changed\n",
			"fault    2027-03-01T09:00:00Z line 2: refuses to record: no usable notice\n",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := base
			tc.edit(&st)
			out := runScript(t, console.Config{System: fakeSystem{status: st}}, "status\n")
			out = strings.ReplaceAll(out, "\r\n", "\n")
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("status lacks %q:\n%s", w, out)
				}
			}
		})
	}
}

func TestDiskHoursLeft(t *testing.T) {
	for _, tc := range []struct {
		d    console.Disk
		want float64
	}{
		{console.Disk{Free: 8000 * 3600, Lines: 1}, 1},
		{console.Disk{Free: 8000 * 3600 * 10, Lines: 4}, 2.5},
		{console.Disk{Free: 1 << 30}, 0},
	} {
		if got := tc.d.HoursLeft(); got != tc.want {
			t.Errorf("%+v: %v hours, want %v", tc.d, got, tc.want)
		}
	}
}
