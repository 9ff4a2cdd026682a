package board_test

import (
	"fmt"
	"log"

	"fairrec/board"
)

func ExampleLookup() {
	b, err := board.Lookup("rpi4-4line")
	if err != nil {
		log.Fatal(err)
	}
	if err := b.Validate(); err != nil {
		log.Fatal(err)
	}
	l, _ := b.Line(2)
	fmt.Printf("%s: %d lines at %d Hz; line 2 hook sense on %s, audio in %d\n", b.Name, len(b.Lines), b.Rate, l.Hook, l.In)
	// Output:
	// rpi4-4line: 4 lines at 48000 Hz; line 2 hook sense on GPIO6, audio in 1
}
