package version

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// Info is a binary's build.
type Info struct {
	Version  string // module version, "(devel)" for an untagged local build without VCS data
	Commit   string // VCS revision, "" if unknown
	Date     string // commit time, RFC 3339, "" if unknown
	Modified bool   // built from a tree with uncommitted changes
	Go       string // toolchain version
}

// Read returns this binary's build information.
func Read() Info {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return Info{Version: "unknown", Go: runtime.Version()}
	}
	return FromBuildInfo(bi)
}

// FromBuildInfo extracts Info from bi.
func FromBuildInfo(bi *debug.BuildInfo) Info {
	in := Info{Version: bi.Main.Version, Go: bi.GoVersion}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			in.Commit = s.Value
		case "vcs.time":
			in.Date = s.Value
		case "vcs.modified":
			in.Modified = s.Value == "true"
		}
	}
	if in.Version == "" {
		in.Version = "(devel)"
	}
	return in
}

// String is the --version line, e.g.
// "v0.1.0 (commit 1957006c2a3b, 2026-03-01T09:00:00Z, go1.26.8)".
func (in Info) String() string {
	commit := "unknown commit"
	if in.Commit != "" {
		c := in.Commit
		if len(c) > 12 {
			c = c[:12]
		}
		commit = "commit " + c
		if in.Modified {
			commit += " modified"
		}
	}
	date := "date unknown"
	if in.Date != "" {
		date = "built from the commit of " + in.Date
	}
	return fmt.Sprintf("%s (%s, %s, %s)", in.Version, commit, date, in.Go)
}
