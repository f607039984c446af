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

// configSynopsis is config's line in the top-level usage.
const configSynopsis = "write amplify_outputs.json and a Vite .env from cdk deploy --outputs-file output"

// configHelp follows the usage line of "apiless config -h"; the flags are listed after it, from
// the flag set.
const configHelp = `Writes DIR/amplify_outputs.json (Amplify Gen 2 client config, schema 1.x) and DIR/.env (VITE_
variables) from the "ApilessManifest" output of a deployed apiless stack.

outputs.json is the file that "npx cdk deploy --outputs-file outputs.json" writes, or what
"aws cloudformation describe-stacks --stack-name NAME" prints.

flags:
`

// configOptions is a parsed "apiless config" command line.
type configOptions struct {
	stack  string // the stack to read; "" for the only apiless stack of the file
	outDir string // where the files are written
	file   string // the outputs file
}

// configFlags is the flag set of "apiless config", writing into o. It prints nothing itself:
// runConfig prints errors and the usage, once, to the stream they belong on.
func configFlags(o *configOptions) *flag.FlagSet {
	fs := flag.NewFlagSet("config", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	fs.StringVar(&o.stack, "stack", "", "the `NAME` of the stack to use when the file has several apiless stacks")
	fs.StringVar(&o.outDir, "out-dir", "web", "the directory `DIR` to write amplify_outputs.json and .env into (created if missing)")
	return fs
}

// printConfigUsage writes the usage of "apiless config": the usage line, what it does, then the
// flags as the flag set describes them.
func printConfigUsage(w io.Writer) {
	fs := configFlags(&configOptions{})
	fmt.Fprintf(w, "usage: apiless %s [flags] outputs.json\n\n%s", fs.Name(), configHelp)
	fs.SetOutput(w)
	fs.PrintDefaults()
}

// parseConfigArgs parses the command line of "apiless config". Flags may come before and after
// the file name ("config outputs.json --stack X" works too); after "--" everything is a file
// name. The error is flag.ErrHelp for -h, else a usage error.
func parseConfigArgs(args []string) (configOptions, error) {
	var o configOptions
	fs := configFlags(&o)
	var positional []string
	for rest := args; ; {
		if err := fs.Parse(rest); err != nil {
			return o, err
		}
		if fs.NArg() == 0 {
			break
		}
		if consumed := len(rest) - fs.NArg(); consumed > 0 && rest[consumed-1] == "--" {
			positional = append(positional, fs.Args()...)
			break
		}
		positional = append(positional, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if len(positional) != 1 {
		return o, fmt.Errorf("want exactly one outputs file, got %d", len(positional))
	}
	o.file = positional[0]
	return o, nil
}

// runConfig implements "apiless config". Exit codes: 0 written, 1 the outputs could not be turned
// into configuration or written, 2 bad usage.
func runConfig(args []string, stdout, stderr io.Writer) int {
	o, err := parseConfigArgs(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		printConfigUsage(stdout)
		return 0
	case err != nil:
		fmt.Fprintf(stderr, "apiless config: %v\n\n", err)
		printConfigUsage(stderr)
		return 2
	}
	res, err := clientconfig.Load(o.file, o.stack)
	if err != nil {
		fmt.Fprintf(stderr, "apiless config: %v\n", err)
		return 1
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(stderr, "apiless config: warning: %s\n", w)
	}
	written, err := writeConfig(o.outDir, res)
	if err != nil {
		fmt.Fprintf(stderr, "apiless config: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "apiless config: stack %s (%s): wrote %s and %s\n", res.Stack, o.file, written[0], written[1])
	return 0
}

// writeConfig writes the generated files of res into dir, creating it if missing, and returns
// their paths.
func writeConfig(dir string, res *clientconfig.Result) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("cannot create output directory: %w", err)
	}
	var written []string
	for _, f := range []struct {
		name string
		data []byte
	}{
		{clientconfig.AmplifyOutputsFile, res.AmplifyOutputs},
		{clientconfig.DotEnvFile, res.DotEnv},
	} {
		path := filepath.Join(dir, f.name)
		if err := writeFileAtomic(path, f.data); err != nil {
			return nil, err
		}
		written = append(written, path)
	}
	return written, nil
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
