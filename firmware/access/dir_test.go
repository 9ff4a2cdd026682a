package access

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fairrec/storage/vault"
)

// planter is a store that, while the export reads the audio, plants a
// symbolic link for every file the export has yet to write, each pointing
// outside the export directory: what someone with write access to the
// directory could do between the check that it is empty and the writes.
type planter struct {
	*vault.Vault
	dir, outside string
	names        []string
}

func (p *planter) Audio(id vault.ID) (io.ReadCloser, error) {
	for _, n := range p.names {
		os.Symlink(filepath.Join(p.outside, n), filepath.Join(p.dir, n))
	}
	p.names = nil
	return p.Vault.Audio(id)
}

// TestExportSymlinks: an access export never follows a symbolic link,
// neither as its directory nor planted in it, never creates the
// directory's parents, and writes nothing outside the directory it was
// given.
func TestExportSymlinks(t *testing.T) {
	const number = "+31 20 555 0101"
	b := newBox(t)
	id := b.recordAudio(number, testALaw(8000))
	wavName := "recording-" + id.String() + ".wav"

	for _, tc := range []struct {
		name string
		// setup prepares base and returns the directory to export to and
		// the store to export from.
		setup func(t *testing.T, base, outside string) (string, Store)
		want  string // in the error; "" means the export succeeds
	}{
		{
			name: "new directory",
			setup: func(t *testing.T, base, _ string) (string, Store) {
				return filepath.Join(base, "sar"), b.v
			},
		},
		{
			name: "existing empty directory",
			setup: func(t *testing.T, base, _ string) (string, Store) {
				dir := filepath.Join(base, "sar")
				mkdir(t, dir)
				return dir, b.v
			},
		},
		{
			name: "directory is a link to an empty directory",
			setup: func(t *testing.T, base, outside string) (string, Store) {
				dir := filepath.Join(base, "sar")
				symlink(t, outside, dir)
				return dir, b.v
			},
			want: "is a symbolic link",
		},
		{
			name: "directory is a dangling link",
			setup: func(t *testing.T, base, outside string) (string, Store) {
				dir := filepath.Join(base, "sar")
				symlink(t, filepath.Join(outside, "made"), dir)
				return dir, b.v
			},
			want: "is a symbolic link",
		},
		{
			name: "metadata.json planted before",
			setup: func(t *testing.T, base, outside string) (string, Store) {
				dir := filepath.Join(base, "sar")
				mkdir(t, dir)
				symlink(t, filepath.Join(outside, "metadata.json"), filepath.Join(dir, "metadata.json"))
				return dir, b.v
			},
			want: "is not empty",
		},
		{
			name: "files planted during the export",
			setup: func(t *testing.T, base, outside string) (string, Store) {
				dir := filepath.Join(base, "sar")
				mkdir(t, dir)
				return dir, &planter{Vault: b.v, dir: dir, outside: outside,
					names: []string{"metadata.json", "audit.jsonl"}}
			},
			want: "file exists",
		},
		{
			name: "parents missing",
			setup: func(t *testing.T, base, _ string) (string, Store) {
				return filepath.Join(base, "no", "such", "sar"), b.v
			},
			want: "create it first",
		},
		{
			name: "a file",
			setup: func(t *testing.T, base, _ string) (string, Store) {
				f := filepath.Join(base, "sar")
				if err := os.WriteFile(f, nil, 0o600); err != nil {
					t.Fatal(err)
				}
				return f, b.v
			},
			want: "is not a directory",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base, outside := t.TempDir(), t.TempDir()
			dir, store := tc.setup(t, base, outside)
			_, err := Export(store, b.auditor(), number, dir, nil, supervisor)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				for _, n := range []string{"metadata.json", wavName} {
					st, err := os.Lstat(filepath.Join(dir, n))
					if err != nil || !st.Mode().IsRegular() || st.Mode().Perm() != 0o600 {
						t.Errorf("%s: %v %v, want a regular file of mode 0600", n, st, err)
					}
				}
			} else if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("export: %v, want an error saying %q", err, tc.want)
			}
			if err != nil && !errors.Is(err, ErrBadDir) && !errors.Is(err, fs.ErrExist) {
				t.Errorf("export: %v is neither ErrBadDir nor a file that exists", err)
			}
			// Nothing outside the directory: the link targets stay
			// absent, no parent was made.
			if ents, _ := os.ReadDir(outside); len(ents) > 0 {
				t.Errorf("written outside the export directory: %v", ents)
			}
			if _, err := os.Stat(filepath.Join(base, "no")); err == nil {
				t.Error("the export directory's parents were created")
			}
		})
	}
}

func mkdir(t *testing.T, dir string) {
	t.Helper()
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}
