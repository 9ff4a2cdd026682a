package disk

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// Free returns the bytes an unprivileged process may still write in dir's
// file system (f_bavail: the blocks reserved for root do not count, and the
// daemon does not run as root).
func Free(dir string) (uint64, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return 0, fmt.Errorf("disk: statfs %s: %w", dir, err)
	}
	return uint64(st.Bavail) * uint64(st.Bsize), nil
}
