package phone_test

import (
	"fmt"

	"fairrec/firmware/phone"
)

func Example() {
	p, _ := phone.New(phone.Config{Country: "NL"})
	for _, s := range []string{"020-1234567", "+31 (0)20 123 4567", "0031201234567"} {
		n, _ := p.Normalize(s)
		fmt.Println(n)
	}
	// Output:
	// +31201234567
	// +31201234567
	// +31201234567
}
