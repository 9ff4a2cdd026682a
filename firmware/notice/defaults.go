package notice

import (
	"embed"
	"fmt"
	"io/fs"

	"github.com/BurntSushi/toml"
)

// The built-in notices live in defaults/ and are compiled into the binary,
// so a box always has a notice for its default line profiles, even with an
// empty or damaged notice directory. Installers override them file by file
// (Config.Dir).
//
//go:embed defaults
var defaults embed.FS

// Defaults returns the built-in notice files (PROFILE.LANGUAGE.KIND.mp3)
// and texts.toml.
func Defaults() fs.FS {
	sub, err := fs.Sub(defaults, "defaults")
	if err != nil {
		panic(err) // unreachable: the directory is embedded
	}
	return sub
}

// Text is what a built-in notice says.
type Text struct {
	File  string `toml:"file"`
	Key   Key    `toml:"-"`
	Voice string `toml:"voice"` // espeak-ng voice
	Text  string `toml:"text"`
}

// Texts returns the texts of the built-in notices, in the order of
// defaults/texts.toml, for the console and reports to show.
func Texts() ([]Text, error) {
	data, err := fs.ReadFile(Defaults(), "texts.toml")
	if err != nil {
		return nil, fmt.Errorf("notice texts: %w", err)
	}
	var doc struct {
		Notice []Text `toml:"notice"`
	}
	if err := toml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("notice texts: %w", err)
	}
	for i := range doc.Notice {
		t := &doc.Notice[i]
		if t.Key, err = ParseFileName(t.File); err != nil {
			return nil, fmt.Errorf("notice texts: %w", err)
		}
	}
	return doc.Notice, nil
}
