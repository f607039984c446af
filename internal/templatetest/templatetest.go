// Package templatetest holds the helpers the project's template tests share: synthesizing an
// app once with cdk.json's context, reading its templates, and golden-file comparison.
package templatetest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/apiless/apiless/internal/cdkcontext"
	"github.com/apiless/apiless/internal/golden"
)

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

// Golden compares got, re-indented, with testdata/<name> (see package golden).
func Golden(tb testing.TB, name string, got []byte) {
	tb.Helper()
	golden.Check(tb, filepath.Join("testdata", name), Pretty(got))
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
