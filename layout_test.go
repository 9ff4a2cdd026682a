package fairrec

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// module is this repository's module path (go.mod).
const module = "fairrec"

// goPackage is one directory's Go files, parsed.
type goPackage struct {
	dir   string               // slash-separated, relative to the repository root
	files map[string]*ast.File // base name -> file, test files included
}

// tree is every Go file of the repository, parsed into one file set so that
// a position names file:line.
type tree struct {
	fset *token.FileSet
	pkgs []goPackage
}

func parseTree(t *testing.T) tree {
	t.Helper()
	tr := tree{fset: token.NewFileSet()}
	byDir := map[string]*goPackage{}
	err := filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if p != "." && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") ||
				name == "testdata" || name == "var" || name == "bin") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") {
			return nil
		}
		f, err := parser.ParseFile(tr.fset, p, nil, parser.ParseComments)
		if err != nil {
			return err
		}
		dir := filepath.ToSlash(filepath.Dir(p))
		pkg := byDir[dir]
		if pkg == nil {
			pkg = &goPackage{dir: dir, files: map[string]*ast.File{}}
			byDir[dir] = pkg
		}
		pkg.files[filepath.Base(p)] = f
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range byDir {
		tr.pkgs = append(tr.pkgs, *p)
	}
	slices.SortFunc(tr.pkgs, func(a, b goPackage) int { return strings.Compare(a.dir, b.dir) })
	return tr
}

// at is the file:line of pos.
func (tr tree) at(pos token.Pos) string {
	p := tr.fset.Position(pos)
	return filepath.ToSlash(p.Filename) + ":" + strconv.Itoa(p.Line)
}

// within reports whether dir is top or below it.
func within(dir, top string) bool { return dir == top || strings.HasPrefix(dir, top+"/") }

// testPackage reports whether import path (or directory) p names a test
// helper package: testing itself, or a fake in an xxxtest package
// (clocktest, audittest, pintest, periph's gpiotest, ...).
func testPackage(p string) bool {
	return p == "testing" || strings.HasPrefix(p, "testing/") || strings.HasSuffix(path.Base(p), "test")
}

// names are p's file names, sorted, so that violations come in order.
func (p goPackage) names() []string {
	names := make([]string, 0, len(p.files))
	for name := range p.files {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

func isTest(name string) bool { return strings.HasSuffix(name, "_test.go") }

func importPath(imp *ast.ImportSpec) string {
	p, _ := strconv.Unquote(imp.Path.Value)
	return p
}

// TestPackageDocs checks that every package states its concept once: in
// doc.go, or for a command in the file that holds main.
func TestPackageDocs(t *testing.T) {
	for _, p := range parseTree(t).pkgs {
		var docs []string
		nonTest := 0
		for name, f := range p.files {
			if isTest(name) {
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
		slices.Sort(docs)
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

// wallTime are the functions of package time that read or wait on the wall
// clock. firmware/ and storage/ take a clock instead.
var wallTime = map[string]bool{
	"Now": true, "Sleep": true, "Since": true, "Until": true,
	"After": true, "AfterFunc": true, "NewTimer": true, "NewTicker": true, "Tick": true,
}

// TestLayering checks the dependency rules, each violation by file:line:
// firmware/ and storage/ depend on no driver, board or periph host and never
// touch the wall clock; storage/ imports nothing from firmware/; no
// production file imports testing or an xxxtest package (a fake); cgo
// lives only in drivers/audio.
func TestLayering(t *testing.T) {
	tr := parseTree(t)
	for _, p := range tr.pkgs {
		inner := within(p.dir, "firmware") || within(p.dir, "storage")
		for _, name := range p.names() {
			f, test := p.files[name], isTest(name)
			for _, imp := range f.Imports {
				ip := importPath(imp)
				at := tr.at(imp.Pos())
				if ip == "C" && p.dir != "drivers/audio" {
					t.Errorf("%s: cgo outside drivers/audio", at)
				}
				if test {
					continue // tests may use fakes and pace themselves; the code under test may not
				}
				if testPackage(ip) && !testPackage(p.dir) {
					t.Errorf("%s imports %s: only tests and other xxxtest packages may use a fake or testing", at, ip)
				}
				if !inner {
					continue
				}
				if strings.HasPrefix(ip, module+"/drivers/") || ip == module+"/board" || strings.HasPrefix(ip, module+"/board/") ||
					strings.HasPrefix(ip, "periph.io/x/host") {
					t.Errorf("%s imports %s: firmware/ and storage/ must not depend on drivers or boards", at, ip)
				}
				if within(p.dir, "storage") && within(ip, module+"/firmware") {
					t.Errorf("%s imports %s: storage/ imports nothing from firmware/; declare the interface it needs", at, ip)
				}
			}
			if inner && !test {
				for _, u := range wallTimeUses(f) {
					t.Errorf("%s: %s reads the wall clock; take a clock", tr.at(u.pos), u.what)
				}
			}
		}
	}
}

type use struct {
	pos  token.Pos
	what string
}

// wallTimeUses finds every use of a wallTime function in f, called or
// not (time.AfterFunc passed as a value is still the wall clock), under
// whatever name f imports package time. A dot import of time is a use in
// itself: it would hide the others.
func wallTimeUses(f *ast.File) []use {
	var names []string // the names package time goes by in f
	var uses []use
	for _, imp := range f.Imports {
		if importPath(imp) != "time" {
			continue
		}
		switch {
		case imp.Name == nil:
			names = append(names, "time")
		case imp.Name.Name == ".":
			uses = append(uses, use{imp.Pos(), `import . "time"`})
		case imp.Name.Name != "_":
			names = append(names, imp.Name.Name)
		}
	}
	if len(names) == 0 {
		return uses
	}
	ast.Inspect(f, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		id, ok := sel.X.(*ast.Ident)
		// Obj is nil for a package name: a local variable called time
		// (resolved by the parser) is not the package.
		if ok && id.Obj == nil && slices.Contains(names, id.Name) && wallTime[sel.Sel.Name] {
			uses = append(uses, use{sel.Pos(), id.Name + "." + sel.Sel.Name})
		}
		return true
	})
	return uses
}

// TestLayeringWallTimeParser keeps wallTimeUses honest on the forms it must
// catch and the ones it must leave alone.
func TestLayeringWallTimeParser(t *testing.T) {
	const src = `package x

import (
	"time"
	tm "time"
)

var later = time.AfterFunc // a reference, not a call

func f(d time.Duration) {
	_ = time.Now()
	time.Sleep(d)
	_ = time.Since(time.Time{})
	_ = time.Until(time.Time{})
	<-time.After(d)
	_ = time.NewTimer(d)
	_ = tm.NewTicker(d)
	_ = tm.Tick(d)
	_ = time.Unix(0, 0) // not the wall clock
	_ = time.Duration(0)
	// time.Now() in a comment is not a use
	_ = "time.Now()"
}

func g() {
	time := struct{ Now func() int }{}
	_ = time.Now() // a local variable, not the package
}
`
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "x.go", src, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, u := range wallTimeUses(f) {
		got = append(got, strconv.Itoa(fset.Position(u.pos).Line)+" "+u.what)
	}
	want := []string{"8 time.AfterFunc", "11 time.Now", "12 time.Sleep", "13 time.Since", "14 time.Until",
		"15 time.After", "16 time.NewTimer", "17 tm.NewTicker", "18 tm.Tick"}
	if !slices.Equal(got, want) {
		t.Errorf("found\n%v\nwant\n%v", got, want)
	}

	f, err = parser.ParseFile(fset, "y.go", "package y\n\nimport . \"time\"\n\nvar _ = Now()\n", 0)
	if err != nil {
		t.Fatal(err)
	}
	if u := wallTimeUses(f); len(u) != 1 || u[0].what != `import . "time"` {
		t.Errorf("a dot import of time: found %v, want the import itself", u)
	}
}

// TestLayeringCommandsLink checks what the shipped programs link: no
// testing package, no periph gpiotest and no fairrec xxxtest fake, however
// indirectly (periph keeps gpiotest for tests). Each violation names the
// import chain and the file:line of its first step inside this repository.
func TestLayeringCommandsLink(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go tool is needed to list what the commands link: %v", err)
	}
	list := func(args ...string) []string {
		t.Helper()
		cmd := exec.Command(goTool, append([]string{"list"}, args...)...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go list %v: %v\n%s", args, err, stderr.Bytes())
		}
		return strings.Split(strings.TrimSpace(string(out)), "\n")
	}
	roots := list("./cmd/...")
	imports := map[string][]string{} // package -> its (non-test) imports
	for _, line := range list("-deps", "-f", "{{.ImportPath}}{{range .Imports}} {{.}}{{end}}", "./cmd/...") {
		fields := strings.Fields(line)
		if len(fields) > 0 {
			imports[fields[0]] = fields[1:]
		}
	}
	if len(imports) == 0 {
		t.Fatal("go list -deps ./cmd/... listed nothing")
	}
	forbidden := func(p string) bool {
		return p == "testing" || strings.HasPrefix(p, "testing/") || strings.HasSuffix(path.Base(p), "gpiotest") ||
			strings.HasPrefix(p, module+"/") && testPackage(p)
	}
	tr := parseTree(t)
	for _, root := range roots {
		// Breadth first from the command: the shortest chain to each package.
		from := map[string]string{root: ""}
		queue := []string{root}
		for len(queue) > 0 {
			p := queue[0]
			queue = queue[1:]
			if forbidden(p) {
				chain := []string{p}
				for q := from[p]; q != ""; q = from[q] {
					chain = append(chain, q)
				}
				slices.Reverse(chain)
				t.Errorf("%s links %s: %s (%s)", root, p, strings.Join(chain, " -> "), tr.importedAt(chain))
				continue // what a fake imports is its own business
			}
			for _, q := range imports[p] {
				if _, seen := from[q]; !seen {
					from[q] = p
					queue = append(queue, q)
				}
			}
		}
	}
}

// importedAt is the file:line where the last package of this module in
// chain imports the next one.
func (tr tree) importedAt(chain []string) string {
	for i := len(chain) - 2; i >= 0; i-- {
		dir, ok := strings.CutPrefix(chain[i], module+"/")
		if !ok {
			continue
		}
		for _, p := range tr.pkgs {
			if p.dir != dir {
				continue
			}
			for _, name := range p.names() {
				if isTest(name) {
					continue
				}
				for _, imp := range p.files[name].Imports {
					if importPath(imp) == chain[i+1] {
						return tr.at(imp.Pos())
					}
				}
			}
		}
	}
	return "outside this repository"
}
