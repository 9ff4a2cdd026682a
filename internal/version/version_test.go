package version_test

import (
	"runtime/debug"
	"testing"

	"fairrec/internal/version"
)

func TestString(t *testing.T) {
	for _, tc := range []struct {
		name string
		bi   debug.BuildInfo
		want string
	}{
		{"tagged", debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.1.0"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "1957006c2a3b4d5e6f708192a3b4c5d6e7f80912"},
			{Key: "vcs.time", Value: "2026-03-01T09:00:00Z"}, {Key: "vcs.modified", Value: "false"}}},
			"v0.1.0 (commit 1957006c2a3b, built from the commit of 2026-03-01T09:00:00Z, go1.26.8)"},
		{"modified", debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v0.0.0-20260301090000-1957006c2a3b+dirty"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "1957006c2a3b"}, {Key: "vcs.time", Value: "2026-03-01T09:00:00Z"}, {Key: "vcs.modified", Value: "true"}}},
			"v0.0.0-20260301090000-1957006c2a3b+dirty (commit 1957006c2a3b modified, built from the commit of 2026-03-01T09:00:00Z, go1.26.8)"},
		{"no vcs", debug.BuildInfo{GoVersion: "go1.26.8"}, "(devel) (unknown commit, date unknown, go1.26.8)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := version.FromBuildInfo(&tc.bi).String(); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}
