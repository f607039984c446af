package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/apiless/apiless/clientconfig"
)

const configUsage = `usage: apiless config [--stack NAME] [--out-dir DIR] outputs.json

Writes DIR/amplify_outputs.json (Amplify Gen 2 client config, schema 1.x) and DIR/.env (VITE_
variables) from the "ApilessManifest" output of a deployed apiless stack.

outputs.json is the file that "npx cdk deploy --outputs-file outputs.json" writes, or what
"aws cloudformation describe-stacks --stack-name NAME" prints.

flags:
`

// runConfig implements "apiless config". Exit codes: 0 written, 1 the outputs could not be turned
// into configuration or written, 2 bad usage.
func runConfig(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("config", flag.ContinueOnError)
	fs.SetOutput(stderr)
	stack := fs.String("stack", "", "the stack to use when the file has several apiless stacks")
	outDir := fs.String("out-dir", "web", "directory to write amplify_outputs.json and .env into (created if missing)")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), configUsage)
		fs.PrintDefaults()
	}

	// Accept flags before and after the file name: "config outputs.json --stack X" works too.
	var positional []string
	rest := args
	for {
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.SetOutput(stdout)
				fs.Usage()
				return 0
			}
			return 2
		}
		if fs.NArg() == 0 {
			break
		}
		positional = append(positional, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if len(positional) != 1 {
		fmt.Fprintf(stderr, "apiless config: want exactly one outputs file, got %d\n\n", len(positional))
		fs.Usage()
		return 2
	}
	file := positional[0]

	res, err := clientconfig.Load(file, *stack)
	if err != nil {
		fmt.Fprintf(stderr, "apiless config: %v\n", err)
		return 1
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(stderr, "apiless config: warning: %s\n", w)
	}
	if err := os.MkdirAll(*outDir, 0o755); err != nil {
		fmt.Fprintf(stderr, "apiless config: cannot create output directory: %v\n", err)
		return 1
	}
	written := []string{}
	for _, f := range []struct {
		name string
		data []byte
	}{
		{clientconfig.AmplifyOutputsFile, res.AmplifyOutputs},
		{clientconfig.DotEnvFile, res.DotEnv},
	} {
		path := filepath.Join(*outDir, f.name)
		if err := writeFileAtomic(path, f.data); err != nil {
			fmt.Fprintf(stderr, "apiless config: %v\n", err)
			return 1
		}
		written = append(written, path)
	}
	fmt.Fprintf(stdout, "apiless config: stack %s (%s): wrote %s and %s\n", res.Stack, file, written[0], written[1])
	return 0
}

// writeFileAtomic writes data to a temporary file beside path and renames it into place, so a
// running dev server never reads half a file.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	return nil
}
