package main

import (
	"bytes"
	"context"
	"syscall"
	"testing"
	"time"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"

	"fairrec/drivers/systime"
	"fairrec/firmware/callflow"
	"fairrec/storage/vault"
)

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkPipeline measures the lines' whole path while they record, as
// the daemon runs it: eight lines capturing at 48 kHz in 20 ms periods,
// each resampled to 8 kHz, through DTMF detection, the delay line and
// A-law into one vault (sealed chunks, one durable commit per second for
// all lines, as the vault's Run does), playback silent. One op is one
// second of audio on every line; lines/core is how many lines one core
// keeps up with in real time (line-seconds per CPU second of the process,
// all goroutines counted).
func BenchmarkPipeline(b *testing.B) {
	dir := b.TempDir()
	if err := vault.InitKey(dir+"/"+vault.KeyFile, nil); err != nil {
		b.Fatal(err)
	}
	v, err := vault.Open(vault.Config{Dir: dir, Clock: systime.Clock{}})
	if err != nil {
		b.Fatal(err)
	}
	defer v.Close()
	const lines = 8
	var ls []*callflow.Line
	for i := range lines {
		hook := &gpiotest.Pin{N: "hook", L: gpio.Low}
		l, err := callflow.New(callflow.Config{Line: i + 1, Rate: 48000, Hook: hook, Store: v, Clock: systime.Clock{}})
		if err != nil {
			b.Fatal(err)
		}
		ls = append(ls, l)
	}
	second := callerAudio(48000, 1, 0)
	out := make([]int16, 960)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	for range b.N {
		for p := 0; p < len(second); p += 960 {
			for _, l := range ls {
				l.Capture(second[p : p+960])
				l.Playback(out)
			}
		}
		if err := v.Commit(); err != nil {
			b.Fatal(err)
		}
	}
	cpu := cpuTime() - cpu0
	b.StopTimer()
	for _, l := range ls {
		if err := l.Close(time.Now()); err != nil {
			b.Fatal(err)
		}
	}
	if cpu > 0 {
		b.ReportMetric(float64(lines*b.N)/cpu.Seconds(), "lines/core")
	}
}

// BenchmarkDaemon8Lines runs the real daemon binary through the eight-line
// acceptance scenario (every line in a call, most of them recording) and
// reports its peak resident memory (getrusage ru_maxrss of the child). The
// sim board renders the whole scenario's capture audio in memory (8 lines ×
// 9.5 s at 48 kHz, about 7 MB), which a real board does not.
func BenchmarkDaemon8Lines(b *testing.B) {
	notices, _ := testNotices(b)
	scenario := writeScenario(b, eightLines)
	var rss int64
	for range b.N {
		data := dataDir(b)
		cmd := daemonCmd(b, "--board", "sim", "--scenario", scenario, "--data", data,
			"--console", "none", "--exit-when-done", "--notices", notices)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
		err := cmd.Start()
		if err == nil {
			go func() { <-ctx.Done(); cmd.Process.Kill() }()
			err = cmd.Wait()
		}
		cancel()
		if err != nil {
			b.Fatalf("fairrecd: %v\n%s", err, stderr.String())
		}
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			rss = max(rss, ru.Maxrss) // KiB on Linux
		}
	}
	b.ReportMetric(float64(rss)/1024, "MiB-maxrss")
}
