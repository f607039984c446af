// Package golden compares test output with files in testdata/ and rewrites them on request
// (go test ./... -update), printing a readable line diff on a mismatch. It has no CDK
// dependency, so pure packages can use it too.
package golden

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Update rewrites golden files instead of comparing: go test ./... -update
var Update = flag.Bool("update", false, "rewrite golden files in testdata/")

// Check compares got with the file at path, or writes it there under -update.
func Check(tb testing.TB, path string, got []byte) {
	tb.Helper()
	if *Update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			tb.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("%v (run go test with -update to create it)", err)
	}
	if !bytes.Equal(want, got) {
		tb.Errorf("%s differs from what the test produced (run go test with -update if the change is intended):\n%s", path, LineDiff(string(want), string(got)))
	}
}

// LineDiff lists the lines that differ between want and got: "-" for want (the golden file),
// "+" for got, each with its line number. A longest-common-subsequence diff over the changed
// middle (the common head and tail are trimmed first), cut at 200 lines.
func LineDiff(want, got string) string {
	a, b := strings.Split(want, "\n"), strings.Split(got, "\n")
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
		case i < n && (j == m || lcs[i+1][j] >= lcs[i][j+1]):
			fmt.Fprintf(&out, "-%5d | %s\n", head+i+1, a[i])
			i++
			shown++
		default:
			fmt.Fprintf(&out, "+%5d | %s\n", head+j+1, b[j])
			j++
			shown++
		}
	}
	if shown == 200 {
		out.WriteString("... (diff cut at 200 lines)\n")
	}
	return out.String()
}
