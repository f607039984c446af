// Command apiless is the project's tool for synthesized templates and deployed stacks:
//
//	apiless verify [--json] [template.json ...]   prove that no identity reaches another's data
//	apiless config [flags] outputs.json           write the frontend config from deploy outputs
//
// Each subcommand lives in its own file; main only dispatches.
package main

import (
	"fmt"
	"io"
	"os"
)

const usage = `usage: apiless <command> [arguments]

commands:
  verify   evaluate the IAM policies of synthesized templates and report who can reach what
  config   write amplify_outputs.json and a Vite .env from cdk deploy --outputs-file output

run "apiless <command> -h" for a command's flags
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run dispatches to a subcommand and returns the process exit code.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "verify":
		return runVerify(args[1:], stdout, stderr)
	case "config":
		return runConfig(args[1:], stdout, stderr)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "apiless: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
}
