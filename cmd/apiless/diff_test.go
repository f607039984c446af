package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// diffRun runs "apiless diff" (or any command line) and returns what it printed.
func diffRun(args ...string) (int, string, string) { return commandRun(args...) }

func TestDiffCommand(t *testing.T) {
	dir := t.TempDir()
	leaky := leakyFixture(t)
	array := writeFile(t, filepath.Join(dir, "Array.template.json"), `[1, 2]`)
	allowAll := writeFile(t, filepath.Join(dir, "allow.txt"), "# reviewed\nauthenticated | * | *\n")
	badAllow := writeFile(t, filepath.Join(dir, "bad.txt"), "authenticated | *\n")
	tests := []struct {
		name   string
		args   []string
		want   int
		stdout []string
		stderr string
	}{
		{"identical", []string{"diff", fixture, fixture}, 0, []string{"0 checks gained (0 not allowed), 0 checks lost"}, ""},
		{"widened", []string{"diff", fixture, leaky}, 1, []string{"+ gains", "to accept these gains after review", "authenticated | "}, "gained checks are not allowed"},
		{"narrowed", []string{"diff", leaky, fixture}, 0, []string{"- loses"}, ""},
		{"--allow-gain", []string{"diff", "--allow-gain", fixture, leaky}, 0, []string{"+ gains (allowed)"}, ""},
		{"--allow FILE", []string{"diff", "--allow", allowAll, fixture, leaky}, 0, []string{"+ gains (allowed)"}, ""},
		{"bad allow-list", []string{"diff", "--allow", badAllow, fixture, leaky}, 2, nil, "line 1"},
		{"--markdown", []string{"diff", "--markdown", fixture, leaky}, 1, []string{"**apiless diff**", "| Audience | Gained | Lost |"}, ""},
		{"verify --baseline", []string{"verify", "--baseline", fixture, leaky}, 1, []string{"+ gains"}, "gained checks are not allowed"},
		{"one template", []string{"diff", fixture}, 2, nil, "want two templates"},
		{"not an object", []string{"diff", fixture, array}, 2, nil, "expected a JSON object with a Resources section, found a JSON array"},
		{"missing file", []string{"diff", fixture, filepath.Join(dir, "none.json")}, 2, nil, "no such file"},
		{"help", []string{"diff", "-h"}, 0, []string{"usage: apiless diff"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := diffRun(tc.args...)
			if code != tc.want {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.want, stdout, stderr)
			}
			for _, s := range tc.stdout {
				if !strings.Contains(stdout, s) {
					t.Errorf("stdout lacks %q:\n%s", s, stdout)
				}
			}
			if tc.stderr != "" && !strings.Contains(stderr, tc.stderr) {
				t.Errorf("stderr lacks %q:\n%s", tc.stderr, stderr)
			}
		})
	}
}

func TestDiffJSON(t *testing.T) {
	code, stdout, _ := diffRun("diff", "--json", fixture, leakyFixture(t))
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	var d struct {
		Audiences []struct {
			Audience string `json:"audience"`
			Gained   []struct {
				Kind    string   `json:"kind"`
				Actions []string `json:"actions"`
			} `json:"gained"`
		} `json:"audiences"`
	}
	if err := json.Unmarshal([]byte(stdout), &d); err != nil {
		t.Fatalf("--json output is not JSON: %v\n%s", err, stdout)
	}
	if len(d.Audiences) == 0 || len(d.Audiences[0].Gained) == 0 {
		t.Fatalf("--json shows no gain: %s", stdout)
	}
	if _, err := os.Stat(fixture); err != nil {
		t.Fatal(err)
	}
}
