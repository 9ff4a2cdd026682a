package audit

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"
)

// writtenBytes returns this process's bytes passed to write syscalls
// (/proc/self/io wchar), or -1 where that is not available.
func writtenBytes() int64 {
	f, err := os.Open("/proc/self/io")
	if err != nil {
		return -1
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "wchar: "); ok {
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
	}
	return -1
}

// BenchmarkRecord measures one durable append (a bbolt commit with fsync)
// and the bytes written per entry, which wear an SD card.
func BenchmarkRecord(b *testing.B) {
	for _, tc := range []struct {
		name             string
		noSync, noFreeSy bool
	}{{"fsync", false, false}, {"fsync-nofreelistsync", false, true}, {"nosync", true, false}} {
		b.Run(tc.name, func(b *testing.B) {
			l, clk := testLog(b, func(c *Config) { c.NoSync, c.NoFreelistSync = tc.noSync, tc.noFreeSy })
			fill(b, l, clk, 1000) // a log that is not new
			e := sample(4)
			w0 := writtenBytes()
			b.ResetTimer()
			for b.Loop() {
				if err := l.Record(e); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			if w0 >= 0 {
				b.ReportMetric(float64(writtenBytes()-w0)/float64(b.N), "wbytes/entry")
			}
		})
	}
}

// BenchmarkVerify measures a full walk of a log of 10,000 entries (about
// a year of a busy box's events).
func BenchmarkVerify(b *testing.B) {
	l, clk := testLog(b, nil)
	fill(b, l, clk, 10000)
	b.ResetTimer()
	for b.Loop() {
		if _, err := l.Verify(); err != nil {
			b.Fatal(err)
		}
	}
	if fi, err := os.Stat(l.cfg.Path); err == nil {
		b.ReportMetric(float64(fi.Size())/10000, "filebytes/entry")
	}
}

// BenchmarkOpen measures opening a log of 10,000 entries, with and without
// the freelist stored (without, bbolt scans the file to rebuild it).
func BenchmarkOpen(b *testing.B) {
	for _, noFree := range []bool{false, true} {
		b.Run(map[bool]string{false: "freelistsync", true: "nofreelistsync"}[noFree], func(b *testing.B) {
			l, clk := testLog(b, func(c *Config) { c.NoFreelistSync = noFree })
			fill(b, l, clk, 10000)
			cfg := l.cfg
			l.Close()
			b.ResetTimer()
			for b.Loop() {
				l, err := Open(cfg)
				if err != nil {
					b.Fatal(err)
				}
				l.Close()
			}
		})
	}
}
