package iameval

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The package has two layers: the IAM policy language (policies, statements, conditions,
// patterns, evaluation) and the reading of CloudFormation templates (template, intrinsics,
// attributes, roles), which lives in the cfn_*.go files. The CloudFormation layer uses the policy
// language; the policy language must never use the CloudFormation layer, so that it can be read,
// tested and moved on its own.
func TestLayeringPolicyLanguageDoesNotUseCloudFormation(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var cfn, lang []*ast.File
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(f, "cfn_") {
			cfn = append(cfn, af)
		} else {
			lang = append(lang, af)
		}
	}
	if len(cfn) == 0 || len(lang) == 0 {
		t.Fatalf("found %d cfn_ files and %d others; the layers are gone", len(cfn), len(lang))
	}
	for _, v := range layerViolations(fset, cfn, lang) {
		t.Error(v)
	}
}

// layerViolations lists the places in the lang files that refer to what the cfn files declare:
// package-level names (types, functions, variables, constants), found among each file's unresolved
// identifiers, and methods declared in cfn files under a name no lang file declares as a method or
// field, found among selectors.
func layerViolations(fset *token.FileSet, cfn, lang []*ast.File) []string {
	top, cfnMethods := declaredNames(cfn)
	_, langMembers := declaredNames(lang)
	for _, f := range lang {
		for _, fields := range structFields(f) {
			langMembers = append(langMembers, fields...)
		}
	}
	var out []string
	report := func(n ast.Node, name, what string) {
		out = append(out, fset.Position(n.Pos()).String()+": "+name+" is "+what+" declared in a cfn_ file")
	}
	for _, f := range lang {
		for _, id := range f.Unresolved {
			if slices.Contains(top, id.Name) {
				report(id, id.Name, "a name")
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if sel, ok := n.(*ast.SelectorExpr); ok && slices.Contains(cfnMethods, sel.Sel.Name) && !slices.Contains(langMembers, sel.Sel.Name) {
				report(sel.Sel, sel.Sel.Name, "a method")
			}
			return true
		})
	}
	return out
}

// declaredNames returns the package-level names and the method names the files declare.
func declaredNames(files []*ast.File) (top, methods []string) {
	for _, f := range files {
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv != nil {
					methods = append(methods, d.Name.Name)
				} else {
					top = append(top, d.Name.Name)
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						top = append(top, s.Name.Name)
					case *ast.ValueSpec:
						for _, n := range s.Names {
							top = append(top, n.Name)
						}
					}
				}
			}
		}
	}
	return top, methods
}

// structFields returns the field names of each struct type a file declares.
func structFields(f *ast.File) map[string][]string {
	out := map[string][]string{}
	ast.Inspect(f, func(n ast.Node) bool {
		ts, ok := n.(*ast.TypeSpec)
		if !ok {
			return true
		}
		if st, ok := ts.Type.(*ast.StructType); ok {
			for _, fl := range st.Fields.List {
				for _, n := range fl.Names {
					out[ts.Name.Name] = append(out[ts.Name.Name], n.Name)
				}
			}
		}
		return true
	})
	return out
}

// The check must fail when a policy-language file reaches into the CloudFormation layer: a
// reference to a cfn type, a cfn function and a cfn method are each reported, and a local name
// that shadows a cfn name is not.
func TestLayeringCheckCatchesReferences(t *testing.T) {
	fset := token.NewFileSet()
	parse := func(name, src string) *ast.File {
		f, err := parser.ParseFile(fset, name, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	cfn := parse("cfn_x.go", `package p
type Template struct{ env int }
func ParseTemplate() *Template { return nil }
func (t *Template) Resolve() {}
func (s *Statement) cfnOnly() {}`)
	lang := parse("policy.go", `package p
type Statement struct{ Source string }
func (s *Statement) String() string { return s.Source }
func a(t *Template) {}
func b() { ParseTemplate() }
func c(s *Statement) { s.cfnOnly() }
func d() { Template := 1; _ = Template }
func e(s *Statement) string { return s.String() }`)
	got := layerViolations(fset, []*ast.File{cfn}, []*ast.File{lang})
	want := []string{
		"policy.go:4:11: Template is a name declared in a cfn_ file",
		"policy.go:5:12: ParseTemplate is a name declared in a cfn_ file",
		"policy.go:6:26: cfnOnly is a method declared in a cfn_ file",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("violations:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
