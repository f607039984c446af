// Package codeshape measures the shape of a Go package's code: the length and cyclomatic
// complexity of every function, and which files of the package refer to identifiers declared in
// which other files. Tests use it to hold a package to its structure (no long or branchy
// functions, files in dependency order), so the structure is checked rather than hoped for.
package codeshape

import (
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"path/filepath"
	"slices"
	"strings"
)

// Func is one function or method.
type Func struct {
	File  string // base name of the file
	Name  string // "Name" or "Recv.Name"
	Lines int    // from the func keyword to the closing brace
	// Cyclo is the cyclomatic complexity: 1 plus one per if, for, range, case, select case,
	// && and ||.
	Cyclo int
}

// Package is the parsed non-test files of one package directory.
type Package struct {
	fset  *token.FileSet
	files map[string]*ast.File
}

// Load parses the non-test .go files of dir.
func Load(dir string) (*Package, error) {
	fset := token.NewFileSet()
	paths, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, err
	}
	p := &Package{fset: fset, files: map[string]*ast.File{}}
	for _, path := range paths {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return nil, err
		}
		p.files[filepath.Base(path)] = f
	}
	return p, nil
}

// Funcs lists every function and method with its length and complexity.
func (p *Package) Funcs() []Func {
	var out []Func
	for _, name := range slices.Sorted(mapsKeys(p.files)) {
		for _, d := range p.files[name].Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Body == nil {
				continue
			}
			out = append(out, Func{
				File:  name,
				Name:  funcName(fd),
				Lines: p.fset.Position(fd.End()).Line - p.fset.Position(fd.Pos()).Line + 1,
				Cyclo: cyclomatic(fd.Body),
			})
		}
	}
	return out
}

func funcName(fd *ast.FuncDecl) string {
	if fd.Recv == nil || len(fd.Recv.List) == 0 {
		return fd.Name.Name
	}
	t := fd.Recv.List[0].Type
	if s, ok := t.(*ast.StarExpr); ok {
		t = s.X
	}
	if g, ok := t.(*ast.IndexExpr); ok {
		t = g.X
	}
	if id, ok := t.(*ast.Ident); ok {
		return id.Name + "." + fd.Name.Name
	}
	return fd.Name.Name
}

func cyclomatic(body ast.Node) int {
	n := 1
	ast.Inspect(body, func(node ast.Node) bool {
		switch x := node.(type) {
		case *ast.IfStmt, *ast.ForStmt, *ast.RangeStmt:
			n++
		case *ast.CaseClause:
			if x.List != nil { // default adds no path
				n++
			}
		case *ast.CommClause:
			if x.Comm != nil {
				n++
			}
		case *ast.BinaryExpr:
			if x.Op == token.LAND || x.Op == token.LOR {
				n++
			}
		}
		return true
	})
	return n
}

// References maps each file to the other files of the package whose top-level declarations
// (functions, types, variables, constants, methods and fields) it uses. The package is
// type-checked on its own: imported packages stand empty, so only its own identifiers resolve,
// and a field and a method of the same name are told apart.
func (p *Package) References() map[string][]string {
	names := slices.Sorted(mapsKeys(p.files))
	files := make([]*ast.File, len(names))
	for i, n := range names {
		files[i] = p.files[n]
	}
	info := &types.Info{Uses: map[*ast.Ident]types.Object{}, Selections: map[*ast.SelectorExpr]*types.Selection{}}
	conf := types.Config{Importer: emptyImporter{}, Error: func(error) {}}
	pkg, _ := conf.Check("codeshape/checked", p.fset, files, info)
	fileOf := func(obj types.Object) string {
		if obj == nil || obj.Pkg() != pkg || !obj.Pos().IsValid() {
			return ""
		}
		// Only package-level objects, fields and methods: not locals or parameters.
		if obj.Parent() != nil && obj.Parent() != pkg.Scope() {
			return ""
		}
		return filepath.Base(p.fset.Position(obj.Pos()).Filename)
	}
	uses := map[string]map[string]bool{}
	note := func(at token.Pos, obj types.Object) {
		from := filepath.Base(p.fset.Position(at).Filename)
		to := fileOf(obj)
		if to == "" || to == from {
			return
		}
		if uses[from] == nil {
			uses[from] = map[string]bool{}
		}
		uses[from][to] = true
	}
	for id, obj := range info.Uses {
		note(id.Pos(), obj)
	}
	for sel, s := range info.Selections {
		note(sel.Sel.Pos(), s.Obj())
	}
	out := map[string][]string{}
	for _, n := range names {
		out[n] = slices.Sorted(mapsKeys(uses[n]))
	}
	return out
}

// emptyImporter stands in for every import with an empty package, so type-checking resolves
// only the package's own identifiers.
type emptyImporter struct{}

func (emptyImporter) Import(path string) (*types.Package, error) {
	pkg := types.NewPackage(path, filepath.Base(path))
	pkg.MarkComplete()
	return pkg, nil
}

// TwoWayPairs lists the pairs of files that refer to each other.
func (p *Package) TwoWayPairs() [][2]string {
	refs := p.References()
	var out [][2]string
	for a, uses := range refs {
		for _, b := range uses {
			if a < b && slices.Contains(refs[b], a) {
				out = append(out, [2]string{a, b})
			}
		}
	}
	slices.SortFunc(out, func(x, y [2]string) int { return strings.Compare(x[0]+x[1], y[0]+y[1]) })
	return out
}

func mapsKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}
