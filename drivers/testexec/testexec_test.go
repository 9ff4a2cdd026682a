package testexec

import (
	"os"
	"strings"
	"testing"
)

const childEnv = "TESTEXEC_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		os.Stdout.WriteString("child " + os.Getenv(childEnv) + "\n")
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestSelfRunsThisBinaryWithEnv(t *testing.T) {
	out, err := Self([]string{childEnv + "=hello"}, "-test.run=^$").CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "child hello") {
		t.Errorf("child printed %q", out)
	}
}

func TestCommandGoesThroughTheEmulator(t *testing.T) {
	t.Setenv(EmulatorEnv, "/usr/bin/qemu-fake")
	cmd := Command("/tmp/x.test", nil, "-test.v")
	if got := strings.Join(cmd.Args, " "); got != "/usr/bin/qemu-fake /tmp/x.test -test.v" {
		t.Errorf("args %q", got)
	}
}
