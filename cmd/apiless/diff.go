package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/apiless/apiless/isolation"
)

const diffSynopsis = "show what each audience gains and loses between two synthesized templates"

const diffUsage = `usage: apiless diff [--allow-gain] [--allow FILE] [--json | --markdown] OLD.template.json NEW.template.json
       apiless verify --baseline OLD.template.json [flags] NEW.template.json

Evaluates both templates offline with the same requests (every check of both templates' isolation
proofs runs on both) and prints, per audience (authenticated, guest, each group, tenant members;
roles are matched by who gets them, not by logical ID), what it gains and loses: actions on
tables, indexes, folders and attributes, and who can assume the role. Reordered statements and
identical templates give an empty diff.

  --allow-gain   accept every gain (report only)
  --allow FILE   accept the gains a reviewed allow-list names: one "audience | check | action"
                 per line, * matching any run of characters in a part, # for comments
                 (the text and --json output name each gain in that form)
  --json         print the diff as JSON
  --markdown     print a short summary for a pull-request comment

exit status: 0 nothing gained (or every gain allowed), 1 a gain that is not allowed, 2 a template
could not be read or evaluated
`

type diffArgs struct {
	allowGain bool
	allowFile string
	asJSON    bool
	markdown  bool
	files     []string
}

// runVerifyOrDiff is "apiless verify", except that "--baseline OLD" makes it "apiless diff OLD".
func runVerifyOrDiff(args []string, stdout, stderr io.Writer) int {
	for i, a := range args {
		if a == "--" {
			break
		}
		if (a == "--baseline" || a == "-baseline") && i+1 < len(args) {
			rest := append(append([]string{}, args[:i]...), args[i+2:]...)
			return runDiff(append(rest, "--", args[i+1]), stdout, stderr, true)
		}
	}
	return runVerify(args, stdout, stderr)
}

func runDiffCommand(args []string, stdout, stderr io.Writer) int {
	return runDiff(args, stdout, stderr, false)
}

// runDiff implements "apiless diff". With baselineLast, the last file is the old template (the
// --baseline form puts it there).
func runDiff(args []string, stdout, stderr io.Writer, baselineLast bool) int {
	a, code, ok := parseDiff(args, stdout, stderr)
	if !ok {
		return code
	}
	if baselineLast && len(a.files) == 2 {
		a.files[0], a.files[1] = a.files[1], a.files[0]
	}
	if len(a.files) != 2 {
		fmt.Fprintf(stderr, "apiless diff: want two templates, OLD and NEW, got %d\n\n%s", len(a.files), diffUsage)
		return 2
	}
	d, err := diffFiles(a)
	if err != nil {
		fmt.Fprintf(stderr, "apiless diff: %v\n", err)
		return 2
	}
	if err := printDiff(d, a, stdout); err != nil {
		fmt.Fprintf(stderr, "apiless diff: %v\n", err)
		return 2
	}
	if u := d.Unallowed(); len(u) > 0 {
		what := fmt.Sprintf("%d gained checks are", len(u))
		if len(u) == 1 {
			what = "1 gained check is"
		}
		fmt.Fprintf(stderr, "apiless diff: %s not allowed: pass --allow FILE with the reviewed gains, or --allow-gain\n", what)
		return 1
	}
	return 0
}

func parseDiff(args []string, stdout, stderr io.Writer) (diffArgs, int, bool) {
	var a diffArgs
	fset := flag.NewFlagSet("apiless diff", flag.ContinueOnError)
	fset.BoolVar(&a.allowGain, "allow-gain", false, "")
	fset.StringVar(&a.allowFile, "allow", "", "")
	fset.BoolVar(&a.asJSON, "json", false, "")
	fset.BoolVar(&a.markdown, "markdown", false, "")
	files, code, ok := parseInterleaved(fset, args, diffUsage, stdout, stderr)
	if !ok {
		return a, code, false
	}
	a.files = files
	if a.asJSON && a.markdown {
		fmt.Fprintf(stderr, "apiless diff: --json and --markdown exclude each other\n\n%s", diffUsage)
		return a, 2, false
	}
	return a, 0, true
}

// diffFiles reads both templates and the allow-list, and computes the diff.
func diffFiles(a diffArgs) (*isolation.Diff, error) {
	raw := make([][]byte, 2)
	for i, f := range a.files {
		data, err := readTemplate(f)
		if err != nil {
			return nil, err
		}
		raw[i] = data
	}
	var al *isolation.AllowList
	if a.allowFile != "" {
		data, err := os.ReadFile(a.allowFile)
		if err != nil {
			return nil, err
		}
		if al, err = isolation.ParseAllowList(data); err != nil {
			return nil, fmt.Errorf("%s: %w", a.allowFile, err)
		}
	}
	d, err := isolation.DiffTemplates(raw[0], raw[1], isolation.Options{})
	if err != nil {
		return nil, err
	}
	d.Apply(al, a.allowGain)
	return d, nil
}

// readTemplate reads a file that must hold a JSON object (a CloudFormation template).
func readTemplate(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var probe any
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, fmt.Errorf("%s is not a CloudFormation template: expected a JSON object with a Resources section, but the file is not valid JSON", path)
	}
	if _, ok := probe.(map[string]any); !ok {
		return nil, fmt.Errorf("%s is not a CloudFormation template: expected a JSON object with a Resources section, found a JSON %s", path, jsonKind(probe))
	}
	return data, nil
}

func printDiff(d *isolation.Diff, a diffArgs, stdout io.Writer) error {
	switch {
	case a.asJSON:
		b, err := d.JSON()
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(stdout, "%s\n", b)
		return err
	case a.markdown:
		return d.WriteMarkdown(stdout)
	}
	if err := d.WriteText(stdout); err != nil {
		return err
	}
	if u := d.Unallowed(); len(u) > 0 {
		fmt.Fprintln(stdout, "\nto accept these gains after review, list them in an allow-list file (--allow FILE):")
		var keys []string
		for _, c := range u {
			for _, act := range c.Actions {
				if k := c.Key(act); !slices.Contains(keys, k) {
					keys = append(keys, k)
				}
			}
		}
		for _, k := range keys {
			fmt.Fprintln(stdout, "  "+k)
		}
	}
	return nil
}
