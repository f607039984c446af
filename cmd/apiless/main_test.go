package main

import (
	"bytes"
	"go/parser"
	"go/token"
	"strings"
	"testing"
)

// Identifiers here start with "command" or "TestRun" so that they cannot clash with other tests of
// package main.

func commandRun(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	return code, out.String(), errb.String()
}

// TestRunUsageListsEveryCommand: the top-level usage is generated from the table, so every entry
// is in it with its synopsis, and nothing else claims to be a command.
func TestRunUsageListsEveryCommand(t *testing.T) {
	_, stdout, _ := commandRun("-h")
	listed := 0
	for _, line := range strings.Split(stdout, "\n") {
		if strings.HasPrefix(line, "  ") {
			listed++
		}
	}
	if listed != len(commands) {
		t.Errorf("usage lists %d commands, the table has %d:\n%s", listed, len(commands), stdout)
	}
	for _, c := range commands {
		if c.name == "" || c.synopsis == "" || c.run == nil {
			t.Errorf("command %+v lacks a name, synopsis or run", c)
		}
		if !strings.Contains(stdout, "  "+c.name+" ") || !strings.Contains(stdout, c.synopsis+"\n") {
			t.Errorf("usage lacks %q with its synopsis %q:\n%s", c.name, c.synopsis, stdout)
		}
	}
}

// TestRunPackageDocNamesEveryCommand keeps the package doc's list of subcommands (what pkg.go.dev
// shows) in step with the table.
func TestRunPackageDocNamesEveryCommand(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "main.go", nil, parser.ParseComments|parser.PackageClauseOnly)
	if err != nil {
		t.Fatal(err)
	}
	doc := f.Doc.Text()
	for _, c := range commands {
		if !strings.Contains(doc, "apiless "+c.name+" ") {
			t.Errorf("package doc does not list %q:\n%s", c.name, doc)
		}
	}
}

// TestRunDispatch checks where the top-level usage goes and with which exit code.
func TestRunDispatch(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		code       int
		wantStdout string // "" means stdout must be empty
		wantStderr string // "" means stderr must be empty
	}{
		{"no arguments", nil, 2, "", "usage: apiless <command>"},
		{"-h", []string{"-h"}, 0, "usage: apiless <command>", ""},
		{"--help", []string{"--help"}, 0, "usage: apiless <command>", ""},
		{"help", []string{"help"}, 0, "usage: apiless <command>", ""},
		{"help for a command", []string{"help", "config"}, 0, "usage: apiless config", ""},
		{"unknown command", []string{"deploy"}, 2, "", `apiless: unknown command "deploy"`},
		{"help for an unknown command", []string{"help", "deploy"}, 2, "", `apiless: unknown command "deploy"`},
		{"config is dispatched", []string{"config"}, 2, "", "want exactly one outputs file"},
		{"verify is dispatched", []string{"verify", "-h"}, 0, "verify", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := commandRun(tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d", code, tt.code)
			}
			for _, s := range []struct{ stream, got, want string }{{"stdout", stdout, tt.wantStdout}, {"stderr", stderr, tt.wantStderr}} {
				switch {
				case s.want == "" && s.got != "":
					t.Errorf("%s = %q, want it empty", s.stream, s.got)
				case !strings.Contains(s.got, s.want):
					t.Errorf("%s = %q, want it to contain %q", s.stream, s.got, s.want)
				}
			}
		})
	}
}
