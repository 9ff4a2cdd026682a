//go:build !spandsp

package dtmf

// spandspRx reports that spandsp is not built in: without -tags spandsp
// the side-by-side benchmark skips.
func spandspRx() (func(x []int16, chunk int) int, bool) { return nil, false }
