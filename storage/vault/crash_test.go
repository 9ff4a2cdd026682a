package vault

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"fairrec/drivers/systime"
	"fairrec/drivers/testexec"
)

// The crash test runs the test binary again as a child that records four
// lines into a vault, reporting on stdout what it has committed, sealed and
// erased, and kills it with SIGKILL at a random moment. After each kill the
// parent opens the vault and checks what survived.

const (
	envChild = "FAIRREC_VAULT_CRASH_CHILD" // data directory for the child
	envSeed  = "FAIRREC_VAULT_CRASH_SEED"
)

// crashByte is the audio byte at offset off of recording id, so the parent
// can check content without being told it.
func crashByte(id ID, off int) byte { return byte(off*7 + int(id)*13 + off/251) }

func crashAudio(id ID, off, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = crashByte(id, off+i)
	}
	return b
}

// TestCrashChild is the child; it does nothing in a normal run.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(envChild)
	if dir == "" {
		t.Skip("only run as the crash test's child")
	}
	seed, _ := strconv.ParseUint(os.Getenv(envSeed), 10, 64)
	rng := rand.New(rand.NewPCG(seed, 1))
	// SIGKILL keeps the page cache, so fsync changes nothing here but time.
	v, err := Open(Config{Dir: dir, Clock: systime.Clock{}, NoSync: true})
	if err != nil {
		fmt.Printf("X %v\n", err)
		os.Exit(1)
	}
	out := bufio.NewWriter(os.Stdout)
	say := func(format string, a ...any) {
		fmt.Fprintf(out, format+"\n", a...)
		out.Flush()
	}
	type line struct {
		id       ID
		appended int
		target   int
	}
	var lines [4]line
	var sealed []ID
	start := func(l int) {
		id, err := v.Create(Meta{Line: l, Start: time.Unix(1e9, 0), Caller: "+3120555" + strconv.Itoa(l)})
		if err != nil {
			say("X %v", err)
			os.Exit(1)
		}
		lines[l] = line{id: id, target: 160 * (10 + rng.IntN(200))}
		say("N %d", id)
	}
	// Keep the vault small across rounds (and erase interrupted
	// recordings too): all but the newest 12 go.
	if old, err := v.List(Query{}); err == nil && len(old) > 12 {
		var ids []ID
		for _, in := range old[:len(old)-12] {
			ids = append(ids, in.ID)
			say("e %d", in.ID)
		}
		if err := v.EraseMany(ids); err != nil {
			say("X %v", err)
			os.Exit(1)
		}
		for _, id := range ids {
			say("E %d", id)
		}
	}
	for l := range lines {
		start(l)
	}
	for frame := 1; ; frame++ {
		for l := range lines {
			ln := &lines[l]
			if err := v.Append(ln.id, crashAudio(ln.id, ln.appended, 160)); err != nil {
				say("X %v", err)
				os.Exit(1)
			}
			ln.appended += 160
		}
		if frame%50 != 0 { // commit every second of audio
			continue
		}
		if err := v.Commit(); err != nil {
			say("X %v", err)
			os.Exit(1)
		}
		for l := range lines {
			say("C %d %d", lines[l].id, lines[l].appended)
		}
		for l := range lines {
			if lines[l].appended >= lines[l].target {
				if err := v.Seal(lines[l].id, time.Unix(1e9, 0)); err != nil {
					say("X %v", err)
					os.Exit(1)
				}
				say("S %d %d", lines[l].id, lines[l].appended)
				sealed = append(sealed, lines[l].id)
				start(l)
			}
		}
		if len(sealed) > 6 {
			n := 1 + rng.IntN(3)
			for _, id := range sealed[:n] {
				say("e %d", id)
			}
			if err := v.EraseMany(sealed[:n]); err != nil {
				say("X %v", err)
				os.Exit(1)
			}
			for _, id := range sealed[:n] {
				say("E %d", id)
			}
			sealed = sealed[n:]
		}
	}
}

type childReport struct {
	committed map[ID]int // bytes reported committed
	sealed    map[ID]int
	erased    map[ID]bool // acknowledged
	erasing   map[ID]bool // asked for
	started   []ID
}

func runCrashChild(t *testing.T, dir string, seed uint64, rng *rand.Rand) childReport {
	t.Helper()
	cmd := testexec.Self([]string{envChild + "=" + dir, envSeed + "=" + strconv.FormatUint(seed, 10)},
		"-test.run=^TestCrashChild$", "-test.count=1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	rep := childReport{committed: map[ID]int{}, sealed: map[ID]int{}, erased: map[ID]bool{}, erasing: map[ID]bool{}}
	sc := bufio.NewScanner(stdout)
	// Kill after a random number of reports: the child is then somewhere
	// inside an append, commit, seal, create or erase.
	killAfter := rng.IntN(120)
	n := 0
	killed := false
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		if f[0] == "X" {
			t.Fatalf("child failed: %s\n%s", sc.Text(), stderr.String())
		}
		id64, _ := strconv.ParseUint(f[1], 10, 64)
		id := ID(id64)
		switch f[0] {
		case "N":
			rep.started = append(rep.started, id)
		case "C":
			rep.committed[id], _ = strconv.Atoi(f[2])
		case "S":
			rep.sealed[id], _ = strconv.Atoi(f[2])
		case "E":
			rep.erased[id] = true
		case "e":
			rep.erasing[id] = true
		}
		n++
		if n >= killAfter && !killed {
			// Let it run on a little, then kill it mid-stride.
			time.AfterFunc(time.Duration(rng.IntN(3000))*time.Microsecond, func() { cmd.Process.Signal(syscall.SIGKILL) })
			killed = true
		}
	}
	if !killed {
		cmd.Process.Signal(syscall.SIGKILL)
	}
	io.Copy(io.Discard, stdout)
	err = cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("child ended with %v, not SIGKILL\n%s", err, stderr.String())
	}
	return rep
}

func TestCrash(t *testing.T) {
	if os.Getenv(envChild) != "" {
		t.Skip("child")
	}
	rounds := 50
	if testing.Short() {
		rounds = 5
	}
	if os.Getenv("FAIRREC_SOAK") != "" {
		rounds = 1000
	}
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 2))
	dir := newDir(t)
	everErased := map[ID]bool{}
	var interrupted, cutErases int
	for round := range rounds {
		rep := runCrashChild(t, dir, seed+uint64(round), rng)
		// SIGKILL keeps the page cache, so fsync changes nothing here but time.
		v, err := Open(Config{Dir: dir, Clock: systime.Clock{}, NoSync: true})
		if err != nil {
			t.Fatalf("round %d: open after kill: %v", round, err)
		}
		r, err := v.Verify()
		if err != nil || len(r.Problems) > 0 {
			t.Fatalf("round %d: verify: %+v, %v", round, r.Problems, err)
		}
		for id := range rep.erased {
			everErased[id] = true
		}
		for id := range everErased {
			if _, err := v.Info(id); !errors.Is(err, ErrNotFound) {
				t.Errorf("round %d: erased recording %v: Info = %v", round, id, err)
			}
		}
		for _, id := range rep.started {
			if everErased[id] {
				continue
			}
			in, err := v.Info(id)
			if errors.Is(err, ErrNotFound) && rep.erasing[id] {
				everErased[id] = true // killed inside the erase
				if !rep.erased[id] {
					cutErases++
				}
				continue
			}
			if err != nil {
				t.Errorf("round %d: recording %v: %v", round, id, err)
				continue
			}
			got, err := readAll(t, v, id)
			if err != nil {
				t.Errorf("round %d: recording %v audio: %v", round, id, err)
				continue
			}
			if !bytes.Equal(got, crashAudio(id, 0, len(got))) {
				t.Errorf("round %d: recording %v: audio differs from what was appended", round, id)
			}
			if want, ok := rep.sealed[id]; ok {
				if in.State != StateSealed || len(got) != want {
					t.Errorf("round %d: sealed recording %v: state %v, %d bytes, want sealed with %d", round, id, in.State, len(got), want)
				}
				continue
			}
			if in.State == StateInterrupted {
				interrupted++
			}
			// Interrupted (or sealed just before the kill, unreported):
			// nothing committed may be missing, and a commit holds one
			// second of audio.
			if in.State == StateOpen || len(got) < rep.committed[id] || len(got) > rep.committed[id]+BytesPerSecond {
				t.Errorf("round %d: interrupted recording %v: state %v, %d bytes, reported committed %d", round, id, in.State, len(got), rep.committed[id])
			}
		}
		if err := v.Close(); err != nil {
			t.Fatal(err)
		}
		if t.Failed() {
			t.Fatalf("round %d failed; seed %d", round, seed)
		}
		if round%100 == 99 {
			t.Logf("%d rounds done", round+1)
		}
	}
	t.Logf("%d rounds: %d recordings sealed as interrupted, %d erases cut short by the kill", rounds, interrupted, cutErases)
}
