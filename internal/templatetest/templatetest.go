// Package templatetest holds the helpers the project's template tests share: synthesizing an
// app once with cdk.json's context, reading its templates, and golden-file comparison.
package templatetest

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/apiless/apiless/internal/cdkcontext"
)

// Update rewrites golden files instead of comparing: go test ./... -update
var Update = flag.Bool("update", false, "rewrite golden files in testdata/")

// Template is a parsed CloudFormation template plus its exact bytes and the stack's
// annotations.
type Template struct {
	Raw  []byte
	JSON map[string]any
	// Warnings are the texts of the stack's warning annotations.
	Warnings []string
}

// Synth builds an app with the context of the nearest cdk.json (plus extra), lets build add
// stacks, synthesizes into a temporary directory and returns every stack's template by name.
// Call it once per configuration and share the result: each call costs a synth.
func Synth(extra map[string]any, build func(app awscdk.App)) (map[string]*Template, error) {
	ctx, err := cdkcontext.Load(".")
	if err != nil {
		return nil, err
	}
	for k, v := range extra {
		ctx[k] = v
	}
	out, err := os.MkdirTemp("", "apiless-synth-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(out)
	app := awscdk.NewApp(&awscdk.AppProps{Context: &ctx, Outdir: jsii.String(out)})
	build(app)
	assembly := app.Synth(nil)
	templates := map[string]*Template{}
	for _, stack := range *assembly.Stacks() {
		f := filepath.Join(out, *stack.TemplateFile())
		raw, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		t := &Template{Raw: raw}
		if err := json.Unmarshal(raw, &t.JSON); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		for _, m := range *stack.Messages() {
			if strings.EqualFold(string(m.Level), "warning") {
				t.Warnings = append(t.Warnings, fmt.Sprint(m.Entry.Data))
			}
		}
		templates[*stack.StackName()] = t
	}
	return templates, nil
}

// Resources returns the logical IDs of resources of the given type, sorted.
func (t *Template) Resources(typ string) []string {
	var ids []string
	for id, r := range t.JSON["Resources"].(map[string]any) {
		if r.(map[string]any)["Type"] == typ {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}

// Resource returns the one resource of the given type, failing the test if there is not
// exactly one.
func (t *Template) Resource(tb testing.TB, typ string) (string, map[string]any) {
	tb.Helper()
	ids := t.Resources(typ)
	if len(ids) != 1 {
		tb.Fatalf("want exactly one %s, got %d: %v", typ, len(ids), ids)
	}
	return ids[0], t.JSON["Resources"].(map[string]any)[ids[0]].(map[string]any)
}

// Named returns the one resource of the given type whose logical ID starts with prefix.
func (t *Template) Named(tb testing.TB, typ, prefix string) (string, map[string]any) {
	tb.Helper()
	var ids []string
	for _, id := range t.Resources(typ) {
		if strings.HasPrefix(id, prefix) {
			ids = append(ids, id)
		}
	}
	if len(ids) != 1 {
		tb.Fatalf("want exactly one %s named %s*, got %v", typ, prefix, ids)
	}
	return ids[0], t.JSON["Resources"].(map[string]any)[ids[0]].(map[string]any)
}

// Props returns a resource's Properties by logical ID.
func (t *Template) Props(id string) map[string]any {
	r := t.JSON["Resources"].(map[string]any)[id].(map[string]any)
	p, _ := r["Properties"].(map[string]any)
	return p
}

// Golden compares got with testdata/<name>, or rewrites it under -update. On a mismatch it
// prints a line diff of the two.
func Golden(tb testing.TB, name string, got []byte) {
	tb.Helper()
	path := filepath.Join("testdata", name)
	got = Pretty(got)
	if *Update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			tb.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("%v (run go test ./... -update to create it)", err)
	}
	if !bytes.Equal(want, got) {
		tb.Errorf("%s differs from the synthesized template (run go test ./... -update if the change is intended):\n%s", path, LineDiff(string(want), string(got)))
	}
}

// Pretty re-indents JSON so golden files diff line by line.
func Pretty(raw []byte) []byte {
	var buf bytes.Buffer
	if err := json.Indent(&buf, raw, "", " "); err != nil {
		return raw
	}
	buf.WriteByte('\n')
	return buf.Bytes()
}

// LineDiff is a small unified-style diff (longest common subsequence of lines), enough to
// show what changed in a template.
func LineDiff(want, got string) string {
	a, b := strings.Split(want, "\n"), strings.Split(got, "\n")
	// Trim the common head and tail so the quadratic table covers only the changed middle.
	head := 0
	for head < len(a) && head < len(b) && a[head] == b[head] {
		head++
	}
	a, b = a[head:], b[head:]
	for len(a) > 0 && len(b) > 0 && a[len(a)-1] == b[len(b)-1] {
		a, b = a[:len(a)-1], b[:len(b)-1]
	}
	n, m := len(a), len(b)
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out strings.Builder
	shown := 0
	for i, j := 0, 0; (i < n || j < m) && shown < 200; {
		switch {
		case i < n && j < m && a[i] == b[j]:
			i++
			j++
		case j < m && (i == n || lcs[i][j+1] >= lcs[i+1][j]):
			fmt.Fprintf(&out, "+%5d %s\n", head+j+1, b[j])
			j++
			shown++
		default:
			fmt.Fprintf(&out, "-%5d %s\n", head+i+1, a[i])
			i++
			shown++
		}
	}
	if shown == 200 {
		out.WriteString("... (diff cut at 200 lines)\n")
	}
	return out.String()
}
