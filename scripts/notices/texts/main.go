// Command texts prints the built-in notice texts (firmware/notice's
// defaults/texts.toml) as FILE<TAB>VOICE<TAB>TEXT lines, one per notice,
// for scripts/notices/make-notices.sh.
package main

import (
	"fmt"
	"os"
	"strings"

	"fairrec/firmware/notice"
)

func main() {
	texts, err := notice.Texts()
	if err != nil {
		fmt.Fprintln(os.Stderr, "texts:", err)
		os.Exit(1)
	}
	for _, t := range texts {
		fmt.Printf("%s\t%s\t%s\n", t.File, t.Voice, strings.Join(strings.Fields(t.Text), " "))
	}
}
