package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apiless/apiless/clientconfig"
)

// Identifiers here start with "config" so that they cannot clash with other tests of package main.

const configSample = "../../clientconfig/testdata/demo.cdk-outputs.json"

func configRun(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(append([]string{"config"}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

// TestConfigWritesBothFiles runs the command end to end and checks that the files on disk are
// exactly what the clientconfig package generates, whatever the flag order.
func TestConfigWritesBothFiles(t *testing.T) {
	want, err := clientconfig.Load(configSample, "")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args func(dir string) []string
	}{
		{"flags first", func(dir string) []string { return []string{"--out-dir", dir, configSample} }},
		{"flags after the file", func(dir string) []string { return []string{configSample, "--out-dir", dir, "--stack", "ApilessDemo"} }},
		{"nested directory is created", func(dir string) []string {
			return []string{"-out-dir=" + filepath.Join(dir, "a", "b"), configSample}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			args := tt.args(dir)
			code, stdout, stderr := configRun(args...)
			if code != 0 {
				t.Fatalf("exit %d, stderr:\n%s", code, stderr)
			}
			outDir := dir
			if strings.HasPrefix(args[0], "-out-dir=") {
				outDir = filepath.Join(dir, "a", "b")
			}
			for name, content := range map[string][]byte{
				"amplify_outputs.json": want.AmplifyOutputs,
				".env":                 want.DotEnv,
			} {
				got, err := os.ReadFile(filepath.Join(outDir, name))
				if err != nil {
					t.Fatalf("%s not written: %v", name, err)
				}
				if !bytes.Equal(got, content) {
					t.Errorf("%s on disk differs from clientconfig.Load output", name)
				}
			}
			if !strings.Contains(stdout, "stack ApilessDemo") || !strings.Contains(stdout, filepath.Join(outDir, ".env")) {
				t.Errorf("stdout does not say what was written: %q", stdout)
			}
			if stderr != "" {
				t.Errorf("unexpected stderr: %q", stderr)
			}
			leftovers, _ := filepath.Glob(filepath.Join(outDir, ".*.tmp*"))
			if len(leftovers) > 0 {
				t.Errorf("temporary files left behind: %v", leftovers)
			}
		})
	}
}

// TestConfigOverwrites checks that a second run replaces stale files (after a redeploy).
func TestConfigOverwrites(t *testing.T) {
	dir := t.TempDir()
	stale := filepath.Join(dir, ".env")
	if err := os.WriteFile(stale, []byte("VITE_USER_POOL_ID=old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := configRun("--out-dir", dir, configSample); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	got, _ := os.ReadFile(stale)
	if bytes.Contains(got, []byte("=old")) || !bytes.Contains(got, []byte("VITE_USER_POOL_ID=us-east-1_Ex4mpleP0")) {
		t.Errorf(".env not replaced:\n%s", got)
	}
}

// TestConfigFailures checks exit codes and that messages name the file, the stack and the fix;
// and that nothing is written on failure.
func TestConfigFailures(t *testing.T) {
	tmp := t.TempDir()
	bad := filepath.Join(tmp, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"ApilessDemo": {"ApilessManifest": "{\"version\":\"9\"}"}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	two := filepath.Join(tmp, "two.json")
	sample, err := os.ReadFile(configSample)
	if err != nil {
		t.Fatal(err)
	}
	doubled := strings.Replace(string(sample), `"NetworkStack": {`, `"Other": {"ApilessManifest": "{}"}, "NetworkStack": {`, 1)
	if err := os.WriteFile(two, []byte(doubled), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		args     []string
		code     int
		contains []string
	}{
		{"no file", nil, 2, []string{"want exactly one outputs file, got 0", "usage: apiless config"}},
		{"two files", []string{"a.json", "b.json"}, 2, []string{"got 2"}},
		{"unknown flag", []string{"--nope", "x.json"}, 2, []string{"flag provided but not defined: -nope"}},
		{"missing file", []string{filepath.Join(tmp, "outputs.json")}, 1, []string{"outputs.json\" does not exist", "npx cdk deploy --outputs-file"}},
		{"wrong manifest version", []string{bad}, 1, []string{`stack "ApilessDemo"`, "bad.json", `manifest version "9"`}},
		{"several apiless stacks", []string{two}, 1, []string{"2 apiless stacks (ApilessDemo, Other)", "--stack NAME"}},
		{"unknown stack", []string{"--stack", "Prod", configSample}, 1, []string{`no stack "Prod"`, "ApilessDemo, NetworkStack"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			code, stdout, stderr := configRun(append([]string{"--out-dir", out}, tt.args...)...)
			if code != tt.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tt.code, stderr)
			}
			for _, c := range tt.contains {
				if !strings.Contains(stderr, c) {
					t.Errorf("stderr lacks %q:\n%s", c, stderr)
				}
			}
			if stdout != "" {
				t.Errorf("stdout should be empty on failure, got %q", stdout)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("output directory created on failure (err %v)", err)
			}
		})
	}
}

// TestConfigHelp: -h prints the usage once, to stdout, with every flag of the flag set; misuse
// prints the error and the same usage, once, to stderr.
func TestConfigHelp(t *testing.T) {
	var flags []string
	configFlags(&configOptions{}).VisitAll(func(f *flag.Flag) { flags = append(flags, "-"+f.Name) })
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout bool // the usage goes to stdout, else to stderr
	}{
		{"-h", []string{"-h"}, 0, true},
		{"--help after the file", []string{configSample, "--help"}, 0, true},
		{"unknown flag", []string{"--nope", configSample}, 2, false},
		{"no file", nil, 2, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := configRun(tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d", code, tt.code)
			}
			got, other := stdout, stderr
			if !tt.stdout {
				got, other = stderr, stdout
			}
			if n := strings.Count(got, "usage: apiless config"); n != 1 {
				t.Errorf("usage printed %d times, want once:\n%s", n, got)
			}
			if other != "" {
				t.Errorf("the other stream should be empty, got %q", other)
			}
			for _, f := range flags {
				if !strings.Contains(got, "  "+f+" ") {
					t.Errorf("usage lacks flag %s:\n%s", f, got)
				}
			}
		})
	}
}

// TestConfigParse checks the parsed command line, flags before and after the file and "--".
func TestConfigParse(t *testing.T) {
	tests := []struct {
		args []string
		want configOptions
	}{
		{[]string{"o.json"}, configOptions{outDir: "web", file: "o.json"}},
		{[]string{"-stack", "S", "o.json", "--out-dir=d"}, configOptions{stack: "S", outDir: "d", file: "o.json"}},
		{[]string{"--out-dir", "d", "--", "-o.json"}, configOptions{outDir: "d", file: "-o.json"}},
	}
	for _, tt := range tests {
		got, err := parseConfigArgs(tt.args)
		if err != nil || got != tt.want {
			t.Errorf("parseConfigArgs(%q) = %+v, %v; want %+v", tt.args, got, err, tt.want)
		}
	}
	for _, args := range [][]string{{"--", "a", "b"}, {"a", "--", "b"}, {"-stack"}} {
		if _, err := parseConfigArgs(args); err == nil {
			t.Errorf("parseConfigArgs(%q) succeeded, want a usage error", args)
		}
	}
}

func TestConfigWarnsAboutTenantPaths(t *testing.T) {
	code, _, stderr := configRun("--out-dir", t.TempDir(), "../../clientconfig/testdata/full.cdk-outputs.json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, `warning: bucket "tenant-docs" path "tenants/{tenant}/*"`) {
		t.Errorf("no tenant warning on stderr: %q", stderr)
	}
}
