package access

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// ErrBadDir: the export directory is not one Export writes into: it is a
// symbolic link, not a directory, not empty, or its parent does not
// exist. Nothing was written.
var ErrBadDir = errors.New("export directory refused")

// createFlags create a new file in the export directory, never through
// a symbolic link and never over a file already there.
const createFlags = os.O_CREATE | os.O_EXCL | os.O_WRONLY | syscall.O_NOFOLLOW

// openDir returns the export directory dir as a root that no name inside
// it can leave. dir must either not exist, in which case it is created
// (mode 0700) in a parent that does exist, or be an empty directory that is
// not a symbolic link. Parents are never created: a mistyped path must not
// leave personal data somewhere nobody looks.
func openDir(dir string) (*os.Root, error) {
	if dir == "" {
		return nil, fmt.Errorf("%w: no directory named", ErrBadDir)
	}
	st, err := os.Lstat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		parent := filepath.Dir(dir)
		if pst, perr := os.Stat(parent); perr != nil || !pst.IsDir() {
			return nil, fmt.Errorf("%w: %s: its parent %s is not an existing directory (create it first)", ErrBadDir, dir, parent)
		}
		if err := os.Mkdir(dir, 0o700); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrBadDir, err)
		}
		if st, err = os.Lstat(dir); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrBadDir, err)
		}
	case err != nil:
		return nil, fmt.Errorf("%w: %v", ErrBadDir, err)
	}
	if st.Mode()&fs.ModeSymlink != 0 {
		return nil, fmt.Errorf("%w: %s is a symbolic link; name a new directory", ErrBadDir, dir)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("%w: %s is not a directory", ErrBadDir, dir)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadDir, err)
	}
	// The directory opened is the one checked, not one swapped in since.
	if rst, err := root.Stat("."); err != nil || !os.SameFile(st, rst) {
		root.Close()
		return nil, fmt.Errorf("%w: %s changed while it was opened", ErrBadDir, dir)
	}
	d, err := root.Open(".")
	if err == nil {
		_, err = d.ReadDir(1)
		d.Close()
	}
	if !errors.Is(err, io.EOF) {
		root.Close()
		if err == nil {
			return nil, fmt.Errorf("%w: %s is not empty; name a new directory", ErrBadDir, dir)
		}
		return nil, fmt.Errorf("%w: %v", ErrBadDir, err)
	}
	return root, nil
}
