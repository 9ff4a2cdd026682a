package main

import (
	"context"
	"fmt"
	"sync"

	"fairrec/drivers/sdnotify"
	"fairrec/firmware/watchdog"
)

// startWatchdog tells systemd (when it started the daemon: $NOTIFY_SOCKET)
// that the daemon is up once the pipeline records, and feeds its watchdog
// while the pipeline stays healthy (firmware/watchdog). sweeping reports
// whether the retention sweeper runs. The returned stop sends STOPPING=1
// and waits for the watchdog; call it when the pipeline has stopped.
func (d *daemon) startWatchdog(ctx context.Context, sweeping func() bool) (stop func()) {
	n, err := sdnotify.FromEnv()
	if err != nil {
		d.log.Warn("no watchdog", "err", err)
		return func() {}
	}
	if !n.Enabled() {
		return func() {}
	}
	w, err := watchdog.New(watchdog.Config{
		Pipeline: d.app, Vault: d.vault, Sweeper: sweeping, Faults: d.lineFaults,
		Lines: len(d.app.Lines()), Notifier: n, Interval: n.WatchdogInterval(),
		Clock: d.cfg.Clock, Logger: d.log,
	})
	if err != nil {
		d.log.Warn("no watchdog", "err", err)
		return func() {}
	}
	wctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		_ = w.Run(wctx) // returns nil when wctx ends
		// A signal or the end of the pipeline: either way shutdown has
		// begun, and systemd must not count the seal as a hang.
		if err := n.Notify(sdnotify.Stopping + "\n" + sdnotify.Status("stopping: sealing the recordings in progress")); err != nil {
			d.log.Warn("notify", "err", err)
		}
	}()
	d.log.Info("systemd notify", "watchdog", n.WatchdogInterval())
	return func() {
		cancel()
		wg.Wait()
	}
}

// lineFaults is why lines cannot record, for the STATUS line.
func (d *daemon) lineFaults() []string {
	var out []string
	for i, l := range d.app.Lines() {
		if f := l.Status().Fault; f != "" {
			out = append(out, fmt.Sprintf("line %d: %s", i+1, f))
		}
	}
	return out
}
