package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
)

// parseInterleaved parses flags that may stand before, between or after the positional
// arguments (and everything after "--" as positional), and returns the positional ones. On -h it
// prints usage to stdout (exit 0); on misuse, the error and usage to stderr (exit 2); ok is false
// in both cases.
func parseInterleaved(fset *flag.FlagSet, args []string, usage string, stdout, stderr io.Writer) (files []string, code int, ok bool) {
	fset.SetOutput(io.Discard)
	rest := args
	for {
		if err := fset.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fmt.Fprint(stdout, usage)
				return nil, 0, false
			}
			fmt.Fprintf(stderr, "%s: %v\n\n%s", fset.Name(), err, usage)
			return nil, 2, false
		}
		left := fset.Args()
		if consumed := len(rest) - len(left); consumed > 0 && rest[consumed-1] == "--" {
			return append(files, left...), 0, true
		}
		if len(left) == 0 {
			return files, 0, true
		}
		files = append(files, left[0])
		rest = left[1:]
	}
}
