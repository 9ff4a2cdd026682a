package notice

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"path"
	"sort"
	"strings"
)

// Kind is what a notice is for.
type Kind int

const (
	// KindNotice is played before recording: purposes, retention,
	// objection digit (GDPR art. 13 and 21(4)).
	KindNotice Kind = iota
	// KindConfirm is played after an objection that ended every purpose:
	// the call is no longer recorded and what was recorded is erased.
	KindConfirm
	// KindConfirmContinues is played after an objection on a line with a
	// purpose an objection does not end (a legal obligation): it says that
	// recording for that purpose continues.
	KindConfirmContinues
)

var kindNames = [...]string{"notice", "confirm", "confirm-continues"}

func (k Kind) String() string {
	if k < 0 || int(k) >= len(kindNames) {
		return fmt.Sprintf("Kind(%d)", int(k))
	}
	return kindNames[k]
}

// ParseKind is the inverse of Kind.String.
func ParseKind(s string) (Kind, error) {
	for i, n := range kindNames {
		if s == n {
			return Kind(i), nil
		}
	}
	return 0, fmt.Errorf("notice kind %q: want one of %s", s, strings.Join(kindNames[:], ", "))
}

// DefaultProfile is the line profile of lines that name none, and the
// profile whose KindConfirm notice other profiles fall back to.
const DefaultProfile = "default"

// Key identifies a notice in a Library.
type Key struct {
	Profile  string // line profile, e.g. "default", "sales"
	Language string // e.g. "nl", "en"
	Kind     Kind
}

// FileName is the file a Key loads from: PROFILE.LANGUAGE.KIND.mp3, e.g.
// default.nl.notice.mp3 or finance.en.confirm-continues.mp3.
func (k Key) FileName() string {
	return k.Profile + "." + k.Language + "." + k.Kind.String() + ".mp3"
}

func (k Key) String() string { return k.Profile + "/" + k.Language + "/" + k.Kind.String() }

// ParseFileName is the inverse of Key.FileName. Profile and language are
// lower-case letters, digits, '-' and '_'.
func ParseFileName(name string) (Key, error) {
	base, ok := strings.CutSuffix(path.Base(name), ".mp3")
	parts := strings.Split(base, ".")
	if !ok || len(parts) != 3 || !word(parts[0]) || !word(parts[1]) {
		return Key{}, fmt.Errorf("notice file %q: want PROFILE.LANGUAGE.KIND.mp3, e.g. default.nl.notice.mp3", name)
	}
	k, err := ParseKind(parts[2])
	if err != nil {
		return Key{}, fmt.Errorf("notice file %q: %w", name, err)
	}
	return Key{Profile: parts[0], Language: parts[1], Kind: k}, nil
}

func word(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// Config says where a Library finds its notices. The zero value loads the
// defaults built into the binary.
type Config struct {
	// Dir holds the installer's notices, named as Key.FileName says. A
	// file here replaces the built-in default with the same name, even
	// when it is broken: a line whose installer-supplied notice cannot be
	// loaded does not record rather than quietly play another text.
	Dir fs.FS
	// NoDefaults leaves out the built-in notices.
	NoDefaults bool
	// Logger receives one line per loaded or rejected notice; nil discards.
	Logger *slog.Logger
}

// Library holds every notice decoded at startup, and the reason for each
// file that failed to load.
type Library struct {
	notices map[Key]*Notice
	failed  map[Key]error
}

// Load decodes every notice file in the configured places. It returns a
// usable Library even when some files fail; the error then joins one error
// per failed file (naming it and the reason), and Lookup reports the same
// error for that key, so the line that needs it refuses to record while the
// others work.
func Load(cfg Config) (*Library, error) {
	var builtin fs.FS
	if !cfg.NoDefaults {
		builtin = Defaults()
	}
	return load(cfg, builtin)
}

// load is Load with the built-in layer given (nil: none).
func load(cfg Config, builtin fs.FS) (*Library, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	lib := &Library{notices: map[Key]*Notice{}, failed: map[Key]error{}}
	var errs []error
	var layers []fs.FS
	if cfg.Dir != nil {
		layers = append(layers, cfg.Dir)
	}
	if builtin != nil {
		layers = append(layers, builtin)
	}
	seen := map[Key]bool{}
	for _, fsys := range layers {
		names, err := fs.Glob(fsys, "*.mp3")
		if err != nil {
			errs = append(errs, fmt.Errorf("load notices: %w", err))
			continue
		}
		sort.Strings(names)
		for _, name := range names {
			key, err := ParseFileName(name)
			if err != nil {
				log.Warn("notice file ignored", "file", name, "err", err)
				continue
			}
			if seen[key] {
				continue // the installer's file overrides the default
			}
			seen[key] = true
			n, err := LoadFile(fsys, name)
			if err != nil {
				lib.failed[key] = err
				errs = append(errs, err)
				log.Error("notice rejected", "key", key.String(), "err", err)
				continue
			}
			n.Key = key
			lib.notices[key] = n
			log.Info("notice loaded", "key", key.String(), "file", name,
				"seconds", n.Seconds(), "dBm0", n.LevelDBm0, "sha256", n.Hash.String())
		}
	}
	return lib, errors.Join(errs...)
}

// LoadFile reads and decodes one notice file from fsys.
func LoadFile(fsys fs.FS, name string) (*Notice, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, fmt.Errorf("load notice %s: %w: %w", name, ErrMissing, err)
	}
	defer f.Close()
	// Read at most one byte more than allowed, so a huge file is refused
	// without reading it all.
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("load notice %s: %w: %w", name, ErrMissing, err)
	}
	return Decode(name, data)
}

// Lookup returns the notice for a key. A confirmation (KindConfirm,
// KindConfirmContinues) falls back to DefaultProfile's in the same
// language, since the built-in confirmations name no particular purpose; a
// KindNotice never falls back, since another profile's notice names other
// purposes. The error wraps ErrMissing
// or the reason the file was rejected at load.
func (l *Library) Lookup(key Key) (*Notice, error) {
	if n, ok := l.notices[key]; ok {
		return n, nil
	}
	if err, ok := l.failed[key]; ok {
		return nil, err
	}
	if key.Kind != KindNotice && key.Profile != DefaultProfile {
		def := key
		def.Profile = DefaultProfile
		if n, err := l.Lookup(def); err == nil {
			return n, nil
		}
	}
	return nil, fmt.Errorf("notice %s (file %s): %w", key, key.FileName(), ErrMissing)
}

// Keys lists the keys of the loaded notices, sorted.
func (l *Library) Keys() []Key {
	keys := make([]Key, 0, len(l.notices))
	for k := range l.notices {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.Profile != b.Profile {
			return a.Profile < b.Profile
		}
		if a.Language != b.Language {
			return a.Language < b.Language
		}
		return a.Kind < b.Kind
	})
	return keys
}

// Failed returns the load error of every rejected file, by key.
func (l *Library) Failed() map[Key]error {
	out := make(map[Key]error, len(l.failed))
	for k, v := range l.failed {
		out[k] = v
	}
	return out
}

// MarshalText implements encoding.TextMarshaler (receipts store the name).
func (k Kind) MarshalText() ([]byte, error) {
	if k < 0 || int(k) >= len(kindNames) {
		return nil, fmt.Errorf("notice kind %d unknown", int(k))
	}
	return []byte(k.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (k *Kind) UnmarshalText(b []byte) error {
	v, err := ParseKind(string(b))
	*k = v
	return err
}
