package datadir

import (
	"os"
	"path/filepath"
	"testing"
)

// TestWritePurposesThroughLink: the package's DATA/purposes.toml is a
// link to the conffile; an import writes the target when it may, and
// leaves the link a link.
func TestWritePurposesThroughLink(t *testing.T) {
	etc, data := t.TempDir(), t.TempDir()
	target := filepath.Join(etc, "purposes.toml")
	os.WriteFile(target, []byte("old"), 0o644)
	link := PurposesPath(data, "")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	written, note, err := WritePurposes(link, []byte("new"))
	if err != nil || written != target || note != "" {
		t.Fatalf("WritePurposes: %q, %q, %v", written, note, err)
	}
	if b, _ := os.ReadFile(target); string(b) != "new" {
		t.Errorf("target holds %q", b)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link is no longer a link: %v, %v", fi, err)
	}
}

// TestWritePurposesLinkNotWritable: a target the daemon's user may not
// write (root's /etc) leaves it as shipped; the data directory's file
// holds the purposes instead, and the note says so.
func TestWritePurposesLinkNotWritable(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root writes anywhere")
	}
	etc, data := t.TempDir(), t.TempDir()
	target := filepath.Join(etc, "purposes.toml")
	os.WriteFile(target, []byte("old"), 0o644)
	os.Chmod(etc, 0o555)
	defer os.Chmod(etc, 0o755)
	link := PurposesPath(data, "")
	os.Symlink(target, link)
	written, note, err := WritePurposes(link, []byte("new"))
	if err != nil || written != link || note == "" {
		t.Fatalf("WritePurposes: %q, %q, %v", written, note, err)
	}
	if b, _ := os.ReadFile(target); string(b) != "old" {
		t.Errorf("the unwritable target changed: %q", b)
	}
	if b, _ := os.ReadFile(link); string(b) != "new" {
		t.Errorf("the data directory's file holds %q", b)
	}
}
