// Package version says which build a binary is, from the build
// information the Go toolchain embeds (runtime/debug.ReadBuildInfo): the
// module version (a tag, or a pseudo-version naming the commit), the VCS
// commit, whether the tree had uncommitted changes, and the date. Nothing
// here is kept by hand, so a binary cannot claim a version it is not.
//
// The date is the commit's (vcs.time): the toolchain records no wall-clock
// build time, which keeps builds reproducible (the same source gives the
// same binary, as Debian asks); a package built from a tree with local
// changes says "modified".
package version
