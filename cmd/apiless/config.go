package main

import (
	"fmt"
	"io"
)

// runConfig is replaced by the frontend config writer (issue 5).
func runConfig(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "apiless config: not built yet")
	return 2
}
