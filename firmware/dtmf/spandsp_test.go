//go:build spandsp

package dtmf

import "fairrec/firmware/dtmf/testdata/spandsp"

// spandspRx returns spandsp's dtmf_rx (libspandsp-dev) run over x in
// chunks; it is built only with -tags spandsp.
func spandspRx() (func(x []int16, chunk int) int, bool) { return spandsp.Run, true }
