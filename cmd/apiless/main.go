// Command apiless is the project's tool for synthesized templates and deployed stacks. Its
// subcommands are the entries of the commands table below; "apiless -h" lists them (the list is
// generated from the table) and "apiless <command> -h" prints a command's own usage:
//
//	apiless verify   prove that no identity reaches another's data
//	apiless diff     show what each audience gains and loses between two templates
//	apiless config   write the frontend config from deploy outputs
//	apiless dev      serve the template locally, enforcing its IAM policies
//
// Each subcommand lives in its own file; main only dispatches.
package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
)

// command is one subcommand: its name, the one line the top-level usage shows for it, and its
// entry point, which parses its own flags (and prints its own usage on -h) and returns the exit
// code.
type command struct {
	name     string
	synopsis string
	run      func(args []string, stdout, stderr io.Writer) int
}

// commands is every subcommand, in the order the usage lists them.
var commands = []command{
	{"verify", "evaluate the IAM policies of synthesized templates and report who can reach what", runVerifyOrDiff},
	{"diff", diffSynopsis, runDiffCommand},
	{"config", configSynopsis, runConfig},
	{"dev", devSynopsis, runDev},
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run dispatches to a subcommand and returns the process exit code: help goes to stdout with 0,
// no command or an unknown one to stderr with 2.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage())
		return 2
	}
	name, rest := args[0], args[1:]
	switch name {
	case "-h", "-help", "--help":
		fmt.Fprint(stdout, usage())
		return 0
	case "help":
		if len(rest) == 0 {
			fmt.Fprint(stdout, usage())
			return 0
		}
		// "apiless help config" is "apiless config -h".
		name, rest = rest[0], []string{"-h"}
	}
	c, ok := lookup(name)
	if !ok {
		fmt.Fprintf(stderr, "apiless: unknown command %q\n\n%s", name, usage())
		return 2
	}
	return c.run(rest, stdout, stderr)
}

// lookup finds the subcommand called name.
func lookup(name string) (command, bool) {
	for _, c := range commands {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

// usage is the top-level usage text, generated from commands.
func usage() string {
	var b strings.Builder
	b.WriteString("usage: apiless <command> [arguments]\n\ncommands:\n")
	w := tabwriter.NewWriter(&b, 0, 0, 3, ' ', 0)
	for _, c := range commands {
		fmt.Fprintf(w, "  %s\t%s\n", c.name, c.synopsis)
	}
	w.Flush()
	b.WriteString("\nrun \"apiless <command> -h\" (or \"apiless help <command>\") for a command's usage and flags\n")
	return b.String()
}
