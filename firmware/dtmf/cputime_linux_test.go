package dtmf

import (
	"runtime"
	"syscall"
	"time"
	"unsafe"
)

// threadCPU returns the CPU time the calling OS thread has used. On a
// shared machine wall-clock ns/op counts the time other processes hold the
// core; the thread's own CPU time does not. CLOCK_THREAD_CPUTIME_ID counts
// in nanoseconds; getrusage(RUSAGE_THREAD) only in scheduler ticks, too
// coarse for one round of the side-by-side benchmark.
func threadCPU() (time.Duration, bool) {
	const clockThreadCPUTime = 3 // CLOCK_THREAD_CPUTIME_ID
	var ts syscall.Timespec
	if _, _, e := syscall.RawSyscall(syscall.SYS_CLOCK_GETTIME, clockThreadCPUTime, uintptr(unsafe.Pointer(&ts)), 0); e != 0 {
		return 0, false
	}
	return time.Duration(ts.Nano()), true
}

func lockThread()   { runtime.LockOSThread() }
func unlockThread() { runtime.UnlockOSThread() }
