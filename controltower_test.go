package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"text/tabwriter"

	"github.com/apiless/apiless/internal/golden"
)

// AWS Control Tower's proactive controls block a CloudFormation deploy that fails them. AWS
// publishes them as cfn-guard rules; the npm package @cdklabs/cdk-validator-cfnguard ships the
// rules and the cfn-guard binary. This test runs every rule of every service the demo and
// showcase templates use and compares the outcome with testdata/controltower.txt: a rule that
// starts failing (or passing) shows up as a diff in review (go test . -update rewrites the
// file). The README's "Governed accounts (Control Tower)" table explains each failing rule.
//
// CI installs the package (.ci/run), sets APILESS_CFNGUARD_DIR to it and APILESS_REQUIRE_CFNGUARD,
// so that there the test fails instead of skipping; locally:
//
//	npm install --prefix /tmp/cfnguard --legacy-peer-deps @cdklabs/cdk-validator-cfnguard@0.0.62
//	APILESS_CFNGUARD_DIR=/tmp/cfnguard/node_modules/@cdklabs/cdk-validator-cfnguard go test -run ControlTower .

// controlTowerServices maps a CloudFormation service prefix to the package's rule folder; nil
// means Control Tower publishes no proactive control for it.
var controlTowerServices = map[string][]string{
	"AWS::S3::":         {"s3"},
	"AWS::DynamoDB::":   {"dynamodb"},
	"AWS::IAM::":        {"identityandaccessmanagement"},
	"AWS::KMS::":        {"keymanagementservice"},
	"AWS::Lambda::":     {"lambda"},
	"AWS::CloudFront::": {"cloudfront"},
	"AWS::CloudTrail::": {"cloudtrail"},
	"AWS::CloudWatch::": {"cloudwatch"},
	"AWS::WAFv2::":      {"waf"},
	"AWS::Cognito::":    nil,
	"AWS::Budgets::":    nil,
}

// cfnGuard finds the package: APILESS_CFNGUARD_DIR, or node_modules in this folder.
func cfnGuard(t *testing.T) (bin, rules string) {
	t.Helper()
	dir := os.Getenv("APILESS_CFNGUARD_DIR")
	if dir == "" {
		dir = filepath.Join("node_modules", "@cdklabs", "cdk-validator-cfnguard")
	}
	osDir := map[string]string{"linux": "ubuntu", "darwin": "macos"}[runtime.GOOS]
	arch := map[string]string{"amd64": "x86_64", "arm64": "aarch64"}[runtime.GOARCH]
	bin = filepath.Join(dir, "bin", osDir, arch, "cfn-guard")
	rules = filepath.Join(dir, "rules", "control-tower", "cfn-guard")
	if _, err := os.Stat(bin); err != nil {
		if os.Getenv("APILESS_REQUIRE_CFNGUARD") != "" {
			t.Fatalf("cfn-guard is required (APILESS_REQUIRE_CFNGUARD is set) but missing: %v; .ci/run installs @cdklabs/cdk-validator-cfnguard and sets APILESS_CFNGUARD_DIR", err)
		}
		t.Skipf("Control Tower rules not checked: no cfn-guard binary at %s. Install it with "+
			"`npm install --prefix /tmp/cfnguard --legacy-peer-deps @cdklabs/cdk-validator-cfnguard@0.0.62` and set "+
			"APILESS_CFNGUARD_DIR=/tmp/cfnguard/node_modules/@cdklabs/cdk-validator-cfnguard", bin)
	}
	return bin, rules
}

// ruleOutcome is one rule file's result on each template.
type ruleOutcome struct {
	file, control string
	status        map[string]string   // template -> PASS, FAIL, SKIP
	failing       map[string][]string // template -> non-compliant logical IDs
}

var (
	controlIDPattern = regexp.MustCompile(`\[(CT\.[A-Z0-9]+\.PR\.\d+)\]`)
	resourcePattern  = regexp.MustCompile(`/Resources/([A-Za-z0-9]+)`)
)

// ruleIdentifierPattern finds a rule file's primary rule: the first one guarded by "when".
var ruleIdentifierPattern = regexp.MustCompile(`(?m)^rule (\w+) when `)

// runGuardRules runs every rule file on the templates in one cfn-guard call and reads its JSON
// documents, one per rule file and template, each naming the rule it reports on.
func runGuardRules(bin string, rules []string, templates map[string]string) ([]*ruleOutcome, error) {
	byRule := map[string]*ruleOutcome{}
	var out []*ruleOutcome
	args := []string{"validate", "-o", "json", "-S", "none"}
	for _, rule := range rules {
		src, err := os.ReadFile(rule)
		if err != nil {
			return nil, err
		}
		id := ruleIdentifierPattern.FindSubmatch(src)
		if id == nil {
			return nil, fmt.Errorf("%s: no primary rule (rule NAME when ...)", rule)
		}
		o := &ruleOutcome{file: strings.TrimSuffix(filepath.Base(rule), ".guard"), status: map[string]string{}, failing: map[string][]string{}}
		if m := controlIDPattern.FindSubmatch(src); m != nil {
			o.control = string(m[1])
		}
		byRule[string(id[1])] = o
		out = append(out, o)
		args = append(args, "-r", rule)
	}
	byPath := map[string]string{}
	for name, path := range templates {
		args = append(args, "-d", path)
		byPath[path] = name
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 19) { // 19: a rule failed
		return nil, fmt.Errorf("cfn-guard: %v\n%s", err, stderr.String())
	}
	dec := json.NewDecoder(&stdout)
	for {
		var doc struct {
			Name          string   `json:"name"`
			Status        string   `json:"status"`
			Compliant     []string `json:"compliant"`
			NotApplicable []string `json:"not_applicable"`
			NotCompliant  []struct {
				Rule struct {
					Name string `json:"name"`
				} `json:"Rule"`
			} `json:"not_compliant"`
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err == io.EOF {
			break
		} else if err != nil {
			return nil, fmt.Errorf("cfn-guard: reading its JSON: %v", err)
		}
		if err := json.Unmarshal(raw, &doc); err != nil {
			return nil, fmt.Errorf("cfn-guard: reading its JSON: %v", err)
		}
		names := append(append([]string{}, doc.Compliant...), doc.NotApplicable...)
		for _, nc := range doc.NotCompliant {
			names = append(names, nc.Rule.Name)
		}
		slices.Sort(names)
		names = slices.Compact(names)
		if len(names) != 1 || byRule[names[0]] == nil {
			return nil, fmt.Errorf("cfn-guard: a result for %s names rules %q, want exactly one of the rule files", doc.Name, names)
		}
		o, name := byRule[names[0]], byPath[doc.Name]
		if name == "" {
			return nil, fmt.Errorf("cfn-guard: a result for an unknown file %s", doc.Name)
		}
		o.status[name] = doc.Status
		for _, m := range resourcePattern.FindAllSubmatch(raw, -1) {
			if id := string(m[1]); doc.Status == "FAIL" && !slices.Contains(o.failing[name], id) {
				o.failing[name] = append(o.failing[name], id)
			}
		}
		slices.Sort(o.failing[name])
	}
	return out, nil
}

// servicesOf returns the rule folders for the resource types of the templates, and the types
// no Control Tower rule covers.
func servicesOf(tpls map[string]map[string]any) (folders, uncovered []string) {
	for _, tpl := range tpls {
		res, _ := tpl["Resources"].(map[string]any)
		for _, r := range res {
			typ, _ := r.(map[string]any)["Type"].(string)
			known := false
			for prefix, dirs := range controlTowerServices {
				if strings.HasPrefix(typ, prefix) {
					known = true
					for _, d := range dirs {
						if !slices.Contains(folders, d) {
							folders = append(folders, d)
						}
					}
					if dirs == nil && !slices.Contains(uncovered, prefix+"*") {
						uncovered = append(uncovered, prefix+"*")
					}
				}
			}
			if !known && !slices.Contains(uncovered, typ) {
				uncovered = append(uncovered, typ+" (service not mapped in controlTowerServices)")
			}
		}
	}
	slices.Sort(folders)
	slices.Sort(uncovered)
	return folders, uncovered
}

func TestControlTowerProactiveControls(t *testing.T) {
	bin, rulesDir := cfnGuard(t)
	stacks := []string{"ApilessDemo", "ApilessShowcase"}
	dir := t.TempDir()
	paths, parsed := map[string]string{}, map[string]map[string]any{}
	for _, name := range stacks {
		tpl := synthApp(t)[name]
		if tpl == nil {
			t.Fatalf("stack %s was not synthesized", name)
		}
		paths[name] = filepath.Join(dir, name+".template.json")
		if err := os.WriteFile(paths[name], tpl.Raw, 0o644); err != nil {
			t.Fatal(err)
		}
		parsed[name] = tpl.JSON
	}
	folders, uncovered := servicesOf(parsed)
	for _, u := range uncovered {
		if strings.Contains(u, "not mapped") {
			t.Errorf("%s: add its Control Tower rule folder (or nil) to controlTowerServices", u)
		}
	}
	var rules []string
	for _, f := range folders {
		found, err := filepath.Glob(filepath.Join(rulesDir, f, "*.guard"))
		if err != nil || len(found) == 0 {
			t.Fatalf("no Control Tower rules in %s (%v)", filepath.Join(rulesDir, f), err)
		}
		rules = append(rules, found...)
	}
	outcomes, err := runGuardRules(bin, rules, paths)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range outcomes {
		for _, s := range stacks {
			if o.status[s] == "" {
				t.Errorf("cfn-guard reported nothing for %s on %s", o.file, s)
			}
		}
	}
	slices.SortFunc(outcomes, func(a, b *ruleOutcome) int { return naturalCompare(a.file, b.file) })
	golden.Check(t, filepath.Join("testdata", "controltower.txt"), controlTowerReport(stacks, folders, uncovered, outcomes))
}

// controlTowerReport is the outcome as a table: rule, control, status per stack, and the
// resources that fail it.
func controlTowerReport(stacks, folders, uncovered []string, outcomes []*ruleOutcome) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# AWS Control Tower proactive controls (cfn-guard rules of @cdklabs/cdk-validator-cfnguard) on the\n")
	fmt.Fprintf(&b, "# synthesized %s templates. Written by TestControlTowerProactiveControls (go test . -update).\n", strings.Join(stacks, " and "))
	fmt.Fprintf(&b, "# rule folders: %s\n", strings.Join(folders, ", "))
	fmt.Fprintf(&b, "# no Control Tower rule covers: %s\n\n", strings.Join(uncovered, ", "))
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "RULE\tCONTROL\t%s\tNOT COMPLIANT\n", strings.Join(stacks, "\t"))
	for _, o := range outcomes {
		var cols, failing []string
		for _, s := range stacks {
			cols = append(cols, o.status[s])
			for _, id := range o.failing[s] {
				if !slices.Contains(failing, id) {
					failing = append(failing, id)
				}
			}
		}
		slices.Sort(failing)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", o.file, o.control, strings.Join(cols, "\t"), strings.Join(failing, " "))
	}
	tw.Flush()
	return b.Bytes()
}

// naturalCompare orders ct-s3-pr-2 before ct-s3-pr-10.
func naturalCompare(a, b string) int {
	re := regexp.MustCompile(`^(.*?)(\d+)$`)
	ma, mb := re.FindStringSubmatch(a), re.FindStringSubmatch(b)
	if ma != nil && mb != nil && ma[1] == mb[1] {
		var x, y int
		fmt.Sscan(ma[2], &x)
		fmt.Sscan(mb[2], &y)
		return x - y
	}
	return strings.Compare(a, b)
}
