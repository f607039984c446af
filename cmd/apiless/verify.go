package main

import (
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/apiless/apiless/isolation"
)

const verifyUsage = `usage: apiless verify [--json] [template.json ...]

Evaluates the IAM policies of synthesized CloudFormation templates offline and proves that no
identity of a Cognito identity pool can reach another identity's data. With no templates named,
checks every *.template.json under cdk.out/ (run "npx cdk synth" first).

  --json   print the reports as JSON instead of tables

exit status: 0 isolated, 1 a violation was found, 2 a template could not be evaluated (or there
was nothing to check)
`

// verifyResult is one template's outcome, in the --json form.
type verifyResult struct {
	Template string            `json:"template"`
	Report   *isolation.Report `json:"report,omitempty"`
	Error    string            `json:"error,omitempty"`
}

type verifyOutput struct {
	Templates  []verifyResult `json:"templates"`
	Violations int            `json:"violations"`
	ExitCode   int            `json:"exitCode"`
}

// runVerify implements "apiless verify". A found violation decides the exit status (1) over a
// template that could not be evaluated (2): the violation is certain, while 2 only says the proof
// is incomplete.
func runVerify(args []string, stdout, stderr io.Writer) int {
	asJSON := false
	var files []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--json" || a == "-json":
			asJSON = true
		case a == "-h" || a == "-help" || a == "--help":
			fmt.Fprint(stdout, verifyUsage)
			return 0
		case a == "--":
			files = append(files, args[i+1:]...)
			i = len(args)
		case strings.HasPrefix(a, "-"):
			fmt.Fprintf(stderr, "apiless verify: unknown flag %s\n\n%s", a, verifyUsage)
			return 2
		default:
			files = append(files, a)
		}
	}
	if len(files) == 0 {
		found, err := findTemplates("cdk.out")
		if err != nil || len(found) == 0 {
			why := "it holds no *.template.json"
			if err != nil {
				why = err.Error()
			}
			fmt.Fprintf(stderr, "apiless verify: no templates named and none found in cdk.out (%s); run \"npx cdk synth\" first or name the templates\n", why)
			return 2
		}
		files = found
	}

	out := verifyOutput{Templates: []verifyResult{}}
	failed, roles := false, 0
	for _, f := range files {
		res := verifyResult{Template: f}
		data, err := os.ReadFile(f)
		if err == nil {
			res.Report, err = isolation.CheckTemplate(data)
		}
		if err != nil {
			res.Error = err.Error()
			failed = true
		} else {
			out.Violations += len(res.Report.Violations())
			roles += len(res.Report.Roles)
		}
		out.Templates = append(out.Templates, res)
	}
	switch {
	case out.Violations > 0:
		out.ExitCode = 1
	case failed || roles == 0:
		out.ExitCode = 2
	}

	if asJSON {
		b, err := json.MarshalIndent(out, "", "  ")
		if err != nil {
			fmt.Fprintf(stderr, "apiless verify: %v\n", err)
			return 2
		}
		fmt.Fprintf(stdout, "%s\n", b)
	} else {
		for i, r := range out.Templates {
			if i > 0 {
				fmt.Fprintln(stdout)
			}
			fmt.Fprintf(stdout, "== %s\n", r.Template)
			switch {
			case r.Error != "":
				fmt.Fprintf(stdout, "could not evaluate: %s\n", r.Error)
			case len(r.Report.Roles) == 0:
				fmt.Fprintln(stdout, "no role an identity pool can hand out: nothing to check")
			default:
				_ = r.Report.WriteText(stdout)
			}
		}
	}
	switch {
	case out.Violations > 0:
		noun := "violations"
		if out.Violations == 1 {
			noun = "violation"
		}
		fmt.Fprintf(stderr, "apiless verify: %d %s: an identity can reach data that is not its own\n", out.Violations, noun)
	case failed:
		fmt.Fprintln(stderr, "apiless verify: some templates could not be evaluated, so isolation is not proven")
	case roles == 0:
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
