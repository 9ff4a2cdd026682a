package sdnotify_test

import (
	"os"
	"strconv"
	"testing"
	"time"

	"fairrec/drivers/sdnotify"
	"fairrec/drivers/sdnotify/sdnotifytest"
)

func TestFromEnv(t *testing.T) {
	pid := strconv.Itoa(os.Getpid())
	for _, tc := range []struct {
		name       string
		usec, wpid string
		want       time.Duration
		wantErr    bool
	}{
		{name: "no watchdog"},
		{name: "armed", usec: "30000000", want: 30 * time.Second},
		{name: "armed for this process", usec: "4000000", wpid: pid, want: 4 * time.Second},
		{name: "armed for another process", usec: "4000000", wpid: "1"},
		{name: "malformed", usec: "soon", wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("NOTIFY_SOCKET", "")
			t.Setenv("WATCHDOG_USEC", tc.usec)
			t.Setenv("WATCHDOG_PID", tc.wpid)
			n, err := sdnotify.FromEnv()
			if tc.wantErr {
				if err == nil {
					t.Fatal("no error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := n.WatchdogInterval(); got != tc.want {
				t.Errorf("WatchdogInterval = %v, want %v", got, tc.want)
			}
			if n.Enabled() {
				t.Error("Enabled without NOTIFY_SOCKET")
			}
			if err := n.Notify(sdnotify.Ready); err != nil {
				t.Errorf("Notify without a socket: %v", err)
			}
		})
	}
}

func TestNotifyReachesTheSocket(t *testing.T) {
	sock, err := sdnotifytest.Listen(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer sock.Close()
	t.Setenv("NOTIFY_SOCKET", sock.Path)
	n, err := sdnotify.FromEnv()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{sdnotify.Ready + "\n" + sdnotify.Status("recording"), sdnotify.Watchdog} {
		if err := n.Notify(s); err != nil {
			t.Fatal(err)
		}
	}
	if _, ok := sock.Wait(sdnotify.Watchdog, 5*time.Second); !ok {
		t.Fatalf("WATCHDOG=1 never arrived; got %v", sock.Messages())
	}
	msgs := sock.Messages()
	if len(msgs) != 2 || !sdnotifytest.Has(msgs[0].State, "READY=1") || !sdnotifytest.Has(msgs[0].State, "STATUS=recording") {
		t.Errorf("messages = %+v", msgs)
	}
}

func TestNotifyToAMissingSocketFails(t *testing.T) {
	t.Setenv("NOTIFY_SOCKET", t.TempDir()+"/gone")
	n, err := sdnotify.FromEnv()
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Notify(sdnotify.Watchdog); err == nil {
		t.Error("no error sending to a socket nobody listens on")
	}
}
