package testexec

import (
	"os"
	"os/exec"
)

// EmulatorEnv names the emulator that runs foreign test binaries.
const EmulatorEnv = "FAIRREC_EXEC"

// Command returns a command that runs the executable exe with args, through
// the emulator in $FAIRREC_EXEC when one is set. Its environment is the
// parent's plus env.
func Command(exe string, env []string, args ...string) *exec.Cmd {
	if emu := os.Getenv(EmulatorEnv); emu != "" {
		exe, args = emu, append([]string{exe}, args...)
	}
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), env...)
	return cmd
}

// Self returns a command that runs this test binary again with args.
func Self(env []string, args ...string) *exec.Cmd { return Command(os.Args[0], env, args...) }
