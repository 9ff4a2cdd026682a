package fairrec

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// goPackage is one directory's Go files, parsed.
type goPackage struct {
	dir   string
	files map[string]*ast.File // base name -> file, test files included
}

func parsePackages(t *testing.T) []goPackage {
	t.Helper()
	byDir := map[string]*goPackage{}
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if path != "." && (strings.HasPrefix(name, ".") || name == "testdata" || name == "var" || name == "bin") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ParseComments|parser.ImportsOnly)
		if err != nil {
			return err
		}
		dir := filepath.Dir(path)
		p := byDir[dir]
		if p == nil {
			p = &goPackage{dir: dir, files: map[string]*ast.File{}}
			byDir[dir] = p
		}
		p.files[filepath.Base(path)] = f
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var out []goPackage
	for _, p := range byDir {
		out = append(out, *p)
	}
	return out
}

// TestPackageDocs checks that every package states its concept once: in
// doc.go, or for a command in the file that holds main.
func TestPackageDocs(t *testing.T) {
	for _, p := range parsePackages(t) {
		var docs []string
		nonTest := 0
		for name, f := range p.files {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			nonTest++
			if f.Doc != nil && strings.HasPrefix(strings.TrimSpace(f.Doc.Text()), "Package ") ||
				f.Doc != nil && strings.HasPrefix(strings.TrimSpace(f.Doc.Text()), "Command ") {
				docs = append(docs, name)
			}
		}
		if nonTest == 0 {
			continue // a directory of tests only, e.g. an external test package
		}
		switch {
		case len(docs) == 0:
			t.Errorf("%s: no package doc (write doc.go: concept, invariants, standard)", p.dir)
		case len(docs) > 1:
			t.Errorf("%s: package doc in several files %v; keep one", p.dir, docs)
		case docs[0] != "doc.go" && p.files[docs[0]].Name.Name != "main":
			t.Errorf("%s: package doc is in %s; move it to doc.go", p.dir, docs[0])
		}
	}
}

// TestLayering keeps firmware/ and storage/ free of hardware and of the
// wall clock, and cgo inside drivers/audio.
func TestLayering(t *testing.T) {
	for _, p := range parsePackages(t) {
		dir := filepath.ToSlash(p.dir)
		inner := strings.HasPrefix(dir, "firmware") || strings.HasPrefix(dir, "storage")
		for name, f := range p.files {
			test := strings.HasSuffix(name, "_test.go")
			for _, imp := range f.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				if path == "C" && dir != "drivers/audio" {
					t.Errorf("%s/%s: cgo outside drivers/audio", dir, name)
				}
				if !inner || test {
					continue
				}
				if strings.HasPrefix(path, "fairrec/drivers/") || strings.HasPrefix(path, "fairrec/board") ||
					strings.HasPrefix(path, "periph.io/x/host") {
					t.Errorf("%s/%s imports %s: firmware/ and storage/ must not depend on drivers or boards", dir, name, path)
				}
			}
		}
		if !inner {
			continue
		}
		for name := range p.files {
			if strings.HasSuffix(name, "_test.go") {
				continue // tests may pace themselves; the code under test may not
			}
			src, err := os.ReadFile(filepath.Join(p.dir, name))
			if err != nil {
				t.Fatal(err)
			}
			for i, line := range strings.Split(string(src), "\n") {
				code, _, _ := strings.Cut(line, "//")
				if strings.Contains(code, "time.Now(") || strings.Contains(code, "time.Sleep(") {
					t.Errorf("%s/%s:%d calls time.Now/time.Sleep; take a clock.Clock", dir, name, i+1)
				}
			}
		}
	}
}
