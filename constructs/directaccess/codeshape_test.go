package directaccess_test

import (
	"testing"

	"github.com/apiless/apiless/internal/codeshape"
)

// The package keeps its shape: small functions, and files in dependency order (shared
// vocabulary, paths, spec, validation, plan, packing, manifest, wiring), none referring back to
// one that refers to it.
func TestCodeShape(t *testing.T) {
	p, err := codeshape.Load(".")
	if err != nil {
		t.Fatal(err)
	}
	const maxLines, maxCyclo = 60, 20
	for _, f := range p.Funcs() {
		if f.Lines > maxLines || f.Cyclo > maxCyclo {
			t.Errorf("%s %s: %d lines, cyclomatic %d; want at most %d lines and %d", f.File, f.Name, f.Lines, f.Cyclo, maxLines, maxCyclo)
		}
	}
	for _, pair := range p.TwoWayPairs() {
		t.Errorf("%s and %s refer to each other; want files in dependency order", pair[0], pair[1])
	}
}
