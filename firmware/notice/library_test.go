package notice

import (
	"errors"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

func defaultFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := fs.ReadFile(Defaults(), name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestLoadInstallerDir(t *testing.T) {
	confirm := defaultFile(t, "default.en.confirm.mp3")
	dir := fstest.MapFS{
		// A replacement notice (here: the confirmation's audio).
		"default.en.notice.mp3": {Data: confirm},
		// A broken replacement: must not fall back to the built-in one.
		"default.nl.notice.mp3": {Data: []byte("garbage")},
		// A new profile with its own notice, no confirmation.
		"finance.en.notice.mp3": {Data: defaultFile(t, "sales.en.notice.mp3")},
		"README.txt":            {Data: []byte("not a notice")},
		"notes.mp3":             {Data: []byte("badly named: ignored")},
	}
	// The built-in layer, cut down to what the lookups below need (the
	// whole set takes long to decode under -race).
	defaults := fstest.MapFS{}
	for _, name := range []string{"default.nl.notice.mp3", "default.en.confirm.mp3", "default.en.confirm-continues.mp3", "sales.nl.notice.mp3"} {
		defaults[name] = &fstest.MapFile{Data: defaultFile(t, name)}
	}
	lib, err := load(Config{Dir: dir}, defaults)
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "default.nl.notice.mp3") {
		t.Errorf("Load error %v, want ErrCorrupt naming default.nl.notice.mp3", err)
	}
	n, err := lib.Lookup(Key{"default", "en", KindNotice})
	if err != nil || n.Hash != hashOf(confirm) {
		t.Errorf("default/en/notice: %v, %v: want the installer's file", n, err)
	}
	if _, err := lib.Lookup(Key{"default", "nl", KindNotice}); !errors.Is(err, ErrCorrupt) {
		t.Errorf("default/nl/notice: %v, want the load error (no fallback to the built-in)", err)
	}
	tests := []struct {
		key      Key
		wantFile string // "" = ErrMissing
	}{
		{Key{"finance", "en", KindNotice}, "finance.en.notice.mp3"},
		{Key{"finance", "en", KindConfirm}, "default.en.confirm.mp3"},
		{Key{"finance", "en", KindConfirmContinues}, "default.en.confirm-continues.mp3"},
		{Key{"finance", "nl", KindNotice}, ""},
		{Key{"sales", "de", KindNotice}, ""},
		{Key{"sales", "de", KindConfirm}, ""},
		{Key{"sales", "nl", KindNotice}, "sales.nl.notice.mp3"},
	}
	for _, tc := range tests {
		n, err := lib.Lookup(tc.key)
		switch {
		case tc.wantFile == "" && !errors.Is(err, ErrMissing):
			t.Errorf("Lookup(%s) = %v, %v; want ErrMissing", tc.key, n, err)
		case tc.wantFile == "" && !strings.Contains(err.Error(), tc.key.FileName()):
			t.Errorf("Lookup(%s) error %q does not name the file to install", tc.key, err)
		case tc.wantFile != "" && (err != nil || n.Name != tc.wantFile):
			t.Errorf("Lookup(%s) = %v, %v; want %s", tc.key, n, err, tc.wantFile)
		}
	}
	if diff := cmp.Diff([]Key{{"default", "nl", KindNotice}}, keysOf(lib.Failed())); diff != "" {
		t.Errorf("Failed (-want +got):\n%s", diff)
	}
}

func TestLoadNoDefaults(t *testing.T) {
	lib, err := Load(Config{NoDefaults: true})
	if err != nil || len(lib.Keys()) != 0 {
		t.Fatalf("Load(NoDefaults) = %v, %v; want an empty library", lib.Keys(), err)
	}
	if _, err := lib.Lookup(Key{"default", "nl", KindNotice}); !errors.Is(err, ErrMissing) {
		t.Errorf("Lookup in an empty library: %v, want ErrMissing", err)
	}
}

func TestFileNames(t *testing.T) {
	for _, k := range []Key{{"default", "nl", KindNotice}, {"sales-2", "en", KindConfirm}, {"x_y", "fr", KindConfirmContinues}} {
		got, err := ParseFileName(k.FileName())
		if err != nil || got != k {
			t.Errorf("ParseFileName(%q) = %v, %v; want %v", k.FileName(), got, err, k)
		}
	}
	for _, bad := range []string{"default.nl.mp3", "Default.nl.notice.mp3", "a.b.c.notice.mp3", "a.nl.greeting.mp3", "a.nl.notice.wav", "..notice.mp3"} {
		if k, err := ParseFileName(bad); err == nil {
			t.Errorf("ParseFileName(%q) = %v, want an error", bad, k)
		}
	}
}

func keysOf(m map[Key]error) []Key {
	var ks []Key
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}
