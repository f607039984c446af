package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"

	"github.com/apiless/apiless/isolation"
)

const verifyUsage = `usage: apiless verify [--json] [--shared BUCKET/PATH | --shared TABLE ...] [template.json ...]

Evaluates the IAM policies of synthesized CloudFormation templates offline and proves that no
identity of a Cognito identity pool can reach data that was not declared for it. With no
templates named, checks every *.template.json under cdk.out/ (run "npx cdk synth" first).

A template made by the DirectAccess construct carries its manifest (who may do what on which
table and path) and is checked in declared mode: an allow nothing declares is a violation, and so
is a declared grant the policies deny. Any other template is checked in strict mode: an identity
may reach its own key and folder and what --shared names, nothing else.

  --json            print the reports as JSON instead of tables
  --shared VALUE    strict mode: treat a folder (BUCKET/PATH, e.g. Files/public/*, with the
                    bucket's logical ID or name) or a table (logical ID or name) as shared with
                    every identity the policies give it to; repeatable

exit status: 0 isolated, 1 a violation was found, 2 a template could not be evaluated (or there
was nothing to check)
`

// verifyArgs is a parsed "apiless verify" command line.
type verifyArgs struct {
	asJSON bool
	shared []string
	files  []string
}

// repeated is a flag that may be given several times.
type repeated []string

func (r *repeated) String() string     { return strings.Join(*r, ", ") }
func (r *repeated) Set(v string) error { *r = append(*r, v); return nil }

// verifyResult is one template's outcome, in the --json form.
type verifyResult struct {
	Template string            `json:"template"`
	Mode     string            `json:"mode,omitempty"`
	Report   *isolation.Report `json:"report,omitempty"`
	Error    string            `json:"error,omitempty"`
}

type verifyOutput struct {
	Templates  []verifyResult `json:"templates"`
	Violations int            `json:"violations"`
	Roles      int            `json:"roles"`
	Tables     int            `json:"tables"`
	Buckets    int            `json:"buckets"`
	ExitCode   int            `json:"exitCode"`
	failed     bool
}

// runVerify implements "apiless verify". A found violation decides the exit status (1) over a
// template that could not be evaluated (2): the violation is certain, while 2 only says the proof
// is incomplete.
func runVerify(args []string, stdout, stderr io.Writer) int {
	a, code, ok := parseVerify(args, stdout, stderr)
	if !ok {
		return code
	}
	if len(a.files) == 0 {
		found, err := findTemplates("cdk.out")
		if err != nil || len(found) == 0 {
			why := "it holds no *.template.json"
			if err != nil {
				why = err.Error()
			}
			fmt.Fprintf(stderr, "apiless verify: no templates named and none found in cdk.out (%s); run \"npx cdk synth\" first or name the templates\n", why)
			return 2
		}
		a.files = found
	}
	return printVerify(checkTemplates(a), a.asJSON, stdout, stderr)
}

// parseVerify reads the flags and templates, anywhere on the line ("--" ends the flags). It
// prints the usage once: on stdout for -h, on stderr with the problem for misuse.
func parseVerify(args []string, stdout, stderr io.Writer) (verifyArgs, int, bool) {
	var a verifyArgs
	fset := flag.NewFlagSet("apiless verify", flag.ContinueOnError)
	fset.BoolVar(&a.asJSON, "json", false, "")
	fset.Var((*repeated)(&a.shared), "shared", "")
	files, code, ok := parseInterleaved(fset, args, verifyUsage, stdout, stderr)
	a.files = files
	return a, code, ok
}

// checkTemplates checks every template and totals what was checked.
func checkTemplates(a verifyArgs) verifyOutput {
	out := verifyOutput{Templates: []verifyResult{}}
	for _, f := range a.files {
		res := verifyResult{Template: f}
		rep, err := checkFile(f, a.shared)
		if err != nil {
			res.Error = err.Error()
			out.failed = true
		} else {
			res.Report, res.Mode = rep, rep.Mode
			out.Violations += len(rep.Violations())
			out.Roles += len(rep.Roles)
			out.Tables += rep.Tables
			out.Buckets += rep.Buckets
		}
		out.Templates = append(out.Templates, res)
	}
	switch {
	case out.Violations > 0:
		out.ExitCode = 1
	case out.failed || out.Roles == 0:
		out.ExitCode = 2
	}
	return out
}

func checkFile(path string, shared []string) (*isolation.Report, error) {
	data, err := readTemplate(path)
	if err != nil {
		return nil, err
	}
	return isolation.CheckTemplateWith(data, isolation.Options{Shared: shared})
}

func jsonKind(v any) string {
	switch v.(type) {
	case []any:
		return "array"
	case string:
		return "string"
	case nil:
		return "null"
	case bool:
		return "boolean"
	}
	return "number"
}

// printVerify writes the reports (tables or JSON) and the verdict, and returns the exit code.
func printVerify(out verifyOutput, asJSON bool, stdout, stderr io.Writer) int {
	if asJSON {
		b, err := json.MarshalIndent(out, "", "  ")
		if err != nil {
			fmt.Fprintf(stderr, "apiless verify: %v\n", err)
			return 2
		}
		fmt.Fprintf(stdout, "%s\n", b)
	} else {
		var b bytes.Buffer
		for i, r := range out.Templates {
			if i > 0 {
				b.WriteString("\n")
			}
			fmt.Fprintf(&b, "== %s", r.Template)
			if r.Mode != "" {
				fmt.Fprintf(&b, " (%s mode)", r.Mode)
			}
			b.WriteString("\n")
			switch {
			case r.Error != "":
				fmt.Fprintf(&b, "could not evaluate: %s\n", r.Error)
			case len(r.Report.Roles) == 0:
				b.WriteString("no role an identity pool can hand out: nothing to check\n")
			default:
				_ = r.Report.WriteText(&b)
			}
		}
		fmt.Fprintf(&b, "\nchecked %d roles, %d tables and %d buckets in %d templates\n", out.Roles, out.Tables, out.Buckets, len(out.Templates))
		_, _ = stdout.Write(b.Bytes())
	}
	switch {
	case out.Violations > 0:
		noun := "violations"
		if out.Violations == 1 {
			noun = "violation"
		}
		fmt.Fprintf(stderr, "apiless verify: %d %s: an identity can reach data that was not declared for it, or cannot reach data that was\n", out.Violations, noun)
	case out.failed:
		fmt.Fprintln(stderr, "apiless verify: some templates could not be evaluated, so isolation is not proven")
	case out.Roles == 0:
		fmt.Fprintln(stderr, "apiless verify: no identity-pool roles in the templates: nothing was verified")
	}
	return out.ExitCode
}

// findTemplates lists the CloudFormation templates of a cloud assembly, nested stage assemblies
// included, in a stable order.
func findTemplates(dir string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(d.Name(), ".template.json") {
			out = append(out, path)
		}
		return nil
	})
	sort.Strings(out)
	return out, err
}
