// Package watchdog decides whether the recorder is healthy and tells the
// service manager: READY once the pipeline records, WATCHDOG while it stays
// healthy, STATUS with the one-line state whenever that changes
// (systemd's sd_notify protocol, sd_notify(3); Type=notify, WatchdogSec=).
//
// Healthy means more than alive. At every check (a quarter of the watchdog
// interval) the watchdog reads counters and compares them with what it saw
// before:
//   - audio periods keep reaching the lines (appliance Health.Processed
//     grows; not for half an interval means capture stopped);
//   - the worker keeps up (at most half the periods since the last check
//     lost to a full queue or played late);
//   - the vault's periodic commit runs (vault CommitHealth.Ticks grows;
//     not for half an interval, or 3 s, whichever is longer, means the
//     commit loop hangs) and its latest commit succeeded;
//   - the retention sweeper runs.
//
// Only then is WATCHDOG=1 sent. So the feeding stops at most three
// quarters of an interval after the pipeline stops, and systemd restarts
// the service one interval after the last feed.
//
// READY=1 is sent once, at the first check where all of the above hold
// and at least one period has gone through the lines: the sound interface,
// every line's firmware, the vault and the sweeper are all working. A line
// that reports a fault (a notice that failed to load, say) does not hold
// READY back or stop the feeding: a restart would not mend it. It shows in
// STATUS instead. Until READY the watchdog checks every 100 ms, so that a
// start is reported promptly.
//
// Times are the injected Clock's; the watchdog never sleeps by itself.
package watchdog
