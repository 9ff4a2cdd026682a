package datadir

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"fairrec/firmware/policy"
	"fairrec/storage/atomicfile"
	"fairrec/storage/vault"
)

// PurposesFile is the installer's purposes file in the data directory,
// read when no other file is named; without it the shipped defaults apply.
const PurposesFile = "purposes.toml"

// BootIDFile is where Linux says which boot this is.
const BootIDFile = "/proc/sys/kernel/random/boot_id"

// BootID returns the id of the operating system's boot read from file
// (BootIDFile if ""), without the kernel's trailing newline, or "" if it
// cannot be read ("" never matches a saved boot).
func BootID(file string) string {
	if file == "" {
		file = BootIDFile
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// Rules loads the purposes in force: file, else PurposesFile in dir if it
// exists, else policy.Default().
func Rules(dir, file string) (*policy.Rules, error) {
	if file == "" {
		def := filepath.Join(dir, PurposesFile)
		if _, err := os.Stat(def); err != nil {
			return policy.Default(), nil
		}
		file = def
	}
	return policy.Load(file)
}

// ErrPassphraseExposed: the passphrase file can be read or written by its
// group or by others (see Passphrase). The key file itself is checked by
// the vault (vault.ErrKeyExposed).
var ErrPassphraseExposed = errors.New("passphrase file open to group or others")

// Passphrase reads the key file's passphrase: the first line of file
// (without a trailing CR), else $FAIRREC_PASSPHRASE, else none. A file
// that group or others can read or write is refused, as ssh refuses such a
// private key, with the chmod that fixes it.
func Passphrase(file string) ([]byte, error) {
	if file == "" {
		if p := os.Getenv("FAIRREC_PASSPHRASE"); p != "" {
			return []byte(p), nil
		}
		return nil, nil
	}
	b, err := readPrivate(file)
	if err != nil {
		return nil, err
	}
	line, _, _ := bytes.Cut(b, []byte("\n"))
	line = bytes.TrimSuffix(line, []byte("\r"))
	if len(line) == 0 {
		return nil, fmt.Errorf("passphrase file %s is empty", file)
	}
	return line, nil
}

// KeyPath returns the key file: key if set, else vault.KeyFile in dir.
func KeyPath(dir, key string) string {
	if key != "" {
		return key
	}
	return filepath.Join(dir, vault.KeyFile)
}

// readPrivate reads file after checking, on the open file, that only its
// owner has any permission on it.
func readPrivate(file string) ([]byte, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, fmt.Errorf("read passphrase: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("read passphrase: %w", err)
	}
	if perm := st.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("read passphrase: %w: %s has mode %04o, so other accounts can read it; run `chmod 600 %s`",
			ErrPassphraseExposed, file, perm, file)
	}
	b, err := io.ReadAll(f)
	if err != nil {
		return nil, fmt.Errorf("read passphrase: %w", err)
	}
	return b, nil
}

// PurposesPath is the purposes file of dir as Rules reads it: file if set,
// else PurposesFile in dir (which an import creates if it is not there).
func PurposesPath(dir, file string) string {
	if file != "" {
		return file
	}
	return filepath.Join(dir, PurposesFile)
}

// WritePurposes replaces the purposes file path with b atomically
// (storage/atomicfile: a power cut leaves the old file or the new one,
// never half of each). A path that is a symbolic link (the package links
// DATA/purposes.toml to the conffile /etc/fairrec/purposes.toml) is
// written through to its target when the daemon's user may write there;
// otherwise the link itself is replaced by the file, since the data
// directory's file is what the daemon and the tool read, and the note
// returned says so. It returns the file written.
func WritePurposes(path string, b []byte) (written, note string, err error) {
	target := path
	fi, err := os.Lstat(path)
	if err == nil && fi.Mode()&os.ModeSymlink != 0 {
		if t, err := filepath.EvalSymlinks(path); err == nil {
			target = t
		}
	}
	err = atomicfile.Write(target, b, 0o644)
	if err != nil && target != path && errors.Is(err, fs.ErrPermission) {
		if err = atomicfile.Write(path, b, 0o644); err == nil {
			return path, fmt.Sprintf("%s could not be written; %s is no longer a link to it but holds the purposes itself", target, path), nil
		}
	}
	if err != nil {
		return "", "", fmt.Errorf("write purposes: %w", err)
	}
	return target, "", nil
}
