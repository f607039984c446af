package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const fixture = "../../isolation/testdata/demo.template.json"

// leakyFixture writes a copy of the demo fixture whose per-identity object grant covers the
// whole bucket, and returns its path.
func leakyFixture(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(fixture)
	if err != nil {
		t.Fatal(err)
	}
	const own = `"/private/${cognito-identity.amazonaws.com:sub}/*"`
	if !bytes.Contains(b, []byte(own)) {
		t.Fatalf("fixture has no %s to widen", own)
	}
	p := filepath.Join(t.TempDir(), "Leaky.template.json")
	if err := os.WriteFile(p, bytes.Replace(b, []byte(own), []byte(`"/*"`), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func writeFile(t *testing.T, path, content string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestVerifyExitCodes(t *testing.T) {
	dir := t.TempDir()
	noRoles := writeFile(t, filepath.Join(dir, "Plain.template.json"), `{"Resources": {"B": {"Type": "AWS::S3::Bucket"}}}`)
	broken := writeFile(t, filepath.Join(dir, "Broken.template.json"), `{"Resources": `)
	array := writeFile(t, filepath.Join(dir, "Array.template.json"), `[1, 2]`)
	leaky := leakyFixture(t)
	tests := []struct {
		name       string
		args       []string
		want       int
		stdout     []string
		stderr     string
		notInStdio string
	}{
		{"isolated template", []string{fixture}, 0,
			[]string{"== " + fixture + " (declared mode)", "role DataAuthenticatedRole5A6B7C8D (authenticated; declared mode)", "VERDICT", "0 violations",
				"checked 3 roles, 1 tables and 1 buckets in 1 templates"}, "", "VIOLATION"},
		{"leaky template", []string{leaky}, 1, []string{"VIOLATION", "other identity's object", "allowed by Resources."}, "violation", ""},
		{"isolated and leaky: the violation decides", []string{fixture, leaky}, 1, []string{"== " + fixture, "== " + leaky}, "violation", ""},
		{"leaky and unreadable: the violation still decides", []string{leaky, broken}, 1, []string{"could not evaluate"}, "violation", ""},
		{"unreadable template", []string{broken}, 2, []string{"could not evaluate: " + broken + " is not a CloudFormation template: expected a JSON object with a Resources section, but the file is not valid JSON"}, "not be evaluated", ""},
		{"a JSON array", []string{array}, 2, []string{"expected a JSON object with a Resources section, found a JSON array"}, "not be evaluated", ""},
		{"missing file", []string{filepath.Join(dir, "nope.template.json")}, 2, []string{"could not evaluate"}, "not be evaluated", ""},
		{"only templates without identity pools", []string{noRoles}, 2, []string{"nothing to check"}, "nothing was verified", ""},
		{"unknown flag", []string{"--yaml", fixture}, 2, nil, "flag provided but not defined: -yaml", ""},
		{"help", []string{"-h"}, 0, []string{"usage: apiless verify"}, "", ""},
		{"files after --", []string{"--", fixture}, 0, []string{"== " + fixture}, "", ""},
		{"--shared naming nothing", []string{"--shared", "Nope/public/*", fixture}, 2, []string{"names no bucket"}, "not be evaluated", ""},
		{"flag after the file", []string{fixture, "--json"}, 0, []string{`"exitCode": 0`}, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			got := runVerify(tc.args, &stdout, &stderr)
			if got != tc.want {
				t.Errorf("exit = %d, want %d\nstdout:\n%s\nstderr:\n%s", got, tc.want, stdout.String(), stderr.String())
			}
			for _, w := range tc.stdout {
				if !strings.Contains(stdout.String(), w) {
					t.Errorf("stdout lacks %q:\n%s", w, stdout.String())
				}
			}
			if !strings.Contains(stderr.String(), tc.stderr) {
				t.Errorf("stderr = %q, want it to contain %q", stderr.String(), tc.stderr)
			}
			if tc.notInStdio != "" && strings.Contains(stdout.String(), tc.notInStdio) {
				t.Errorf("stdout contains %q:\n%s", tc.notInStdio, stdout.String())
			}
		})
	}
}

func TestVerifyJSON(t *testing.T) {
	var stdout, stderr bytes.Buffer
	leaky := leakyFixture(t)
	code := runVerify([]string{"--json", fixture, leaky}, &stdout, &stderr)
	if code != 1 {
		t.Fatalf("exit = %d, want 1; stderr %s", code, stderr.String())
	}
	var out struct {
		Templates []struct {
			Template string `json:"template"`
			Report   *struct {
				Roles []struct {
					LogicalID string `json:"logicalId"`
					Findings  []struct {
						Verdict string `json:"verdict"`
						Check   string `json:"check"`
					} `json:"findings"`
				} `json:"roles"`
			} `json:"report"`
		} `json:"templates"`
		Violations int `json:"violations"`
		ExitCode   int `json:"exitCode"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, stdout.String())
	}
	if out.ExitCode != 1 || out.Violations == 0 || len(out.Templates) != 2 {
		t.Fatalf("exitCode %d, violations %d, templates %d; want 1, >0, 2", out.ExitCode, out.Violations, len(out.Templates))
	}
	if out.Templates[1].Template != leaky || out.Templates[1].Report == nil {
		t.Fatalf("second template = %+v, want the leaky one with a report", out.Templates[1])
	}
	found := false
	for _, r := range out.Templates[1].Report.Roles {
		for _, f := range r.Findings {
			if f.Verdict == "violation" && strings.Contains(f.Check, "other identity's object") {
				found = true
			}
		}
	}
	if !found {
		t.Error("the leaky template's JSON report has no violation for another identity's object")
	}
}

// With no templates named, verify reads every template of cdk.out, nested stage assemblies too.
func TestVerifyDefaultsToCdkOut(t *testing.T) {
	demo, err := os.ReadFile(fixture)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "cdk.out", "Demo.template.json"), string(demo))
	writeFile(t, filepath.Join(dir, "cdk.out", "assembly-Prod", "ProdDemo.template.json"), string(demo))
	writeFile(t, filepath.Join(dir, "cdk.out", "manifest.json"), `{}`)
	t.Chdir(dir)

	var stdout, stderr bytes.Buffer
	if code := runVerify(nil, &stdout, &stderr); code != 0 {
		t.Fatalf("exit = %d, want 0; stderr %s", code, stderr.String())
	}
	for _, want := range []string{
		"== " + filepath.Join("cdk.out", "Demo.template.json"),
		"== " + filepath.Join("cdk.out", "assembly-Prod", "ProdDemo.template.json"),
	} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout.String())
		}
	}
	if strings.Contains(stdout.String(), "manifest.json") {
		t.Error("verify read manifest.json as a template")
	}
}

func TestVerifyWithoutCdkOut(t *testing.T) {
	t.Chdir(t.TempDir())
	var stdout, stderr bytes.Buffer
	if code := runVerify(nil, &stdout, &stderr); code != 2 {
		t.Fatalf("exit = %d, want 2", code)
	}
	if !strings.Contains(stderr.String(), "npx cdk synth") {
		t.Errorf("stderr = %q, want a hint to synth first", stderr.String())
	}
}

// The golden templates verify clean in declared mode.
func TestVerifyGoldenTemplates(t *testing.T) {
	for _, p := range []string{"../../testdata/ApilessDemo.template.json", "../../testdata/ApilessShowcase.template.json"} {
		t.Run(filepath.Base(p), func(t *testing.T) {
			if _, err := os.Stat(p); err != nil {
				t.Skipf("%s not written yet", p)
			}
			var stdout, stderr bytes.Buffer
			code := runVerify([]string{"--json", p}, &stdout, &stderr)
			var out struct {
				Templates []struct {
					Mode   string `json:"mode"`
					Report struct {
						Roles []struct {
							Findings []struct {
								Verdict string   `json:"verdict"`
								Check   string   `json:"check"`
								Reason  string   `json:"reason"`
								Allowed []string `json:"allowed"`
							} `json:"findings"`
						} `json:"roles"`
					} `json:"report"`
				} `json:"templates"`
			}
			if err := json.Unmarshal(stdout.Bytes(), &out); err != nil || len(out.Templates) != 1 {
				t.Fatalf("exit %d, output is not one template's JSON report: %v\n%s", code, err, stdout.String())
			}
			if out.Templates[0].Mode != "declared" {
				t.Errorf("mode = %q, want declared", out.Templates[0].Mode)
			}
			for _, r := range out.Templates[0].Report.Roles {
				for _, f := range r.Findings {
					if f.Verdict == "violation" {
						t.Errorf("violation %s: %s", f.Check, f.Reason)
					}
				}
			}
			if code != 0 {
				t.Errorf("exit = %d, want 0\n%s", code, stderr.String())
			}
		})
	}
}

// Strict mode: the demo without its manifest, widened to private/*, is a violation; naming the
// folder shared makes it pass. The JSON report says which mode ran.
func TestVerifyStrictShared(t *testing.T) {
	b, err := os.ReadFile("../../testdata/ApilessDemo.template.json")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	delete(m["Outputs"].(map[string]any), "ApilessManifest")
	for _, r := range m["Resources"].(map[string]any) {
		if md, ok := r.(map[string]any)["Metadata"].(map[string]any); ok {
			delete(md, "ApilessManifest")
		}
	}
	text, _ := json.Marshal(m)
	const own = `/private/${cognito-identity.amazonaws.com:sub}/*"`
	if !bytes.Contains(text, []byte(own)) {
		t.Fatalf("template has no %s", own)
	}
	widened := bytes.Replace(text, []byte(own), []byte(`/private/*"`), 1)
	p := writeFile(t, filepath.Join(t.TempDir(), "Widened.template.json"), string(widened))
	tests := []struct {
		args []string
		want int
	}{
		{[]string{"--json", p}, 1},
		{[]string{"--json", "--shared", "AccessFiles94368A56/private/*", p}, 0},
	}
	for _, tc := range tests {
		var stdout, stderr bytes.Buffer
		if got := runVerify(tc.args, &stdout, &stderr); got != tc.want {
			t.Errorf("%v: exit = %d, want %d\n%s", tc.args, got, tc.want, stderr.String())
		}
		if !strings.Contains(stdout.String(), `"mode": "strict"`) {
			t.Errorf("%v: JSON does not say strict mode", tc.args)
		}
	}
}
