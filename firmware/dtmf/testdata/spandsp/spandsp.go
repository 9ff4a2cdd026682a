//go:build spandsp

// Package spandsp runs spandsp's DTMF receiver (libspandsp-dev) for the
// side-by-side benchmark of firmware/dtmf. It is a test helper: only
// firmware/dtmf's tests import it, and only with -tags spandsp (make bench
// adds the tag when pkg-config finds the library), so the product never
// links C. It lives under testdata so that ./... patterns (go vet,
// staticcheck, go test) never build it without the library.
package spandsp

// #cgo pkg-config: spandsp
// #include <stdint.h>
// #include <spandsp.h>
//
// // run_dtmf_rx runs a fresh spandsp DTMF receiver over x in chunks of
// // chunk samples, as the Go benchmark feeds its detector, and returns how
// // many digits it reported; the first max of them go to out. The whole
// // run is one cgo call, so the call itself costs nothing measurable.
// static int run_dtmf_rx(const int16_t *x, int n, int chunk, char *out, int max) {
// 	char buf[128];
// 	int digits = 0;
// 	dtmf_rx_state_t *s = dtmf_rx_init(NULL, NULL, NULL);
// 	for (int i = 0; i < n; i += chunk) {
// 		dtmf_rx(s, x + i, n - i < chunk ? n - i : chunk);
// 		int k = dtmf_rx_get(s, buf, sizeof buf - 1);
// 		for (int j = 0; j < k; j++, digits++)
// 			if (digits < max)
// 				out[digits] = buf[j];
// 	}
// 	dtmf_rx_free(s);
// 	return digits;
// }
import "C"

import "unsafe"

// Run runs spandsp's dtmf_rx with its default parameters over x in chunks
// of chunk samples and returns the number of digits it reported.
func Run(x []int16, chunk int) int {
	if len(x) == 0 || chunk <= 0 {
		return 0
	}
	return int(C.run_dtmf_rx((*C.int16_t)(unsafe.Pointer(&x[0])), C.int(len(x)), C.int(chunk), nil, 0))
}

// Digits is Run returning the digits themselves.
func Digits(x []int16, chunk int) []byte {
	if len(x) == 0 || chunk <= 0 {
		return nil
	}
	out := make([]byte, 256)
	n := int(C.run_dtmf_rx((*C.int16_t)(unsafe.Pointer(&x[0])), C.int(len(x)), C.int(chunk), (*C.char)(unsafe.Pointer(&out[0])), C.int(len(out))))
	return out[:min(n, len(out))]
}
