package policy

import (
	"fmt"
	"testing"
)

// BenchmarkSweep measures a sweep that finds nothing due among n
// recordings: the cost Run pays at each wake (at least once a minute).
func BenchmarkSweep(b *testing.B) {
	for _, n := range []int{100, 1000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			x := newBox(b, testRules(b))
			for i := range n {
				x.call(1+i%4, "0201", false)
			}
			b.ResetTimer()
			for range b.N {
				if _, err := x.e.Sweep(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
