package codeshape

import (
	"reflect"
	"testing"
)

func TestSample(t *testing.T) {
	p, err := Load("testdata/sample")
	if err != nil {
		t.Fatal(err)
	}
	var long Func
	for _, f := range p.Funcs() {
		if f.Name == "T.Long" {
			long = f
		}
	}
	// 1 + if + && + || + for + 2 cases (default adds none).
	if long.Lines != 15 || long.Cyclo != 7 || long.File != "a.go" {
		t.Errorf("T.Long = %+v, want 15 lines, cyclomatic 7 in a.go", long)
	}
	refs := p.References()
	want := map[string][]string{"a.go": {"b.go"}, "b.go": {"a.go"}, "c.go": nil}
	if !reflect.DeepEqual(refs, want) {
		t.Errorf("References = %v, want %v (a field named like c.go's method is no reference)", refs, want)
	}
	if pairs := p.TwoWayPairs(); !reflect.DeepEqual(pairs, [][2]string{{"a.go", "b.go"}}) {
		t.Errorf("TwoWayPairs = %v, want [[a.go b.go]]", pairs)
	}
}
