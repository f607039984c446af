package main

import (
	"bytes"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// runDevUntil runs "apiless dev" and stops it once its output holds want (or after 10 s).
func runDevUntil(t *testing.T, want string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	stop := make(chan os.Signal, 1)
	old := devStop
	devStop = func() <-chan os.Signal { return stop }
	defer func() { devStop = old }()
	var out, errb syncBuffer
	done := make(chan int, 1)
	go func() { done <- runDev(args, &out, &errb) }()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case code := <-done:
			return code, out.String(), errb.String()
		case <-deadline:
			stop <- os.Interrupt
			return <-done, out.String(), errb.String()
		case <-time.After(20 * time.Millisecond):
			if want != "" && strings.Contains(out.String(), want) {
				stop <- os.Interrupt
				return <-done, out.String(), errb.String()
			}
		}
	}
}

func TestDevServesAndWritesConfig(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := runDevUntil(t, "apiless dev: wrote", "--template", "../../testdata/ApilessDemo.template.json", "--port", "0", "--out-dir", dir)
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, errOut)
	}
	if !strings.Contains(out, "apiless dev serving http://127.0.0.1:") {
		t.Errorf("no start line in:\n%s", out)
	}
	for _, f := range []string{"amplify_outputs.json", ".env"} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil || !strings.Contains(string(b), "http://127.0.0.1:") {
			t.Errorf("%s does not point at the dev server (%v):\n%s", f, err, b)
		}
	}
}

func TestDevRefusesBadInput(t *testing.T) {
	dir := t.TempDir()
	noRoles := filepath.Join(dir, "noroles.json")
	os.WriteFile(noRoles, []byte(`{"Resources":{"T":{"Type":"AWS::DynamoDB::Table","Properties":{"KeySchema":[{"AttributeName":"k","KeyType":"HASH"}]}}}}`), 0o644)
	notJSON := filepath.Join(dir, "bad.json")
	os.WriteFile(notJSON, []byte(`{`), 0o644)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	busy := ln.Addr().(*net.TCPAddr).Port
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no identity pool roles", []string{"--template", noRoles, "--port", "0", "--out-dir", ""}, 1, "no AWS::Cognito::IdentityPoolRoleAttachment"},
		{"not JSON", []string{"--template", notJSON, "--port", "0"}, 1, "template is not a JSON object"},
		{"missing file", []string{"--template", filepath.Join(dir, "nope.json")}, 1, "no such file"},
		{"port in use", []string{"--template", "../../testdata/ApilessDemo.template.json", "--port", itoa(busy), "--out-dir", ""}, 1, "address already in use"},
		{"unknown flag", []string{"--nope"}, 2, "flag provided but not defined"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := runDevUntil(t, "", tc.args...)
			if code != tc.code || !strings.Contains(errOut, tc.want) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, errOut, tc.code, tc.want)
			}
		})
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// syncBuffer is a bytes.Buffer safe for the server's goroutines and the test's polling.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestDevTemplateIsStaleWhenSourcesAreNewer(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "main.go")
	os.WriteFile(src, []byte("package main\n"), 0o644)
	old := time.Now().Add(-time.Hour)
	os.Chtimes(src, old, old)
	if sourcesNewerThan(dir, time.Now().Add(-time.Minute)) {
		t.Error("an old source counted as newer")
	}
	if !sourcesNewerThan(dir, old.Add(-time.Minute)) {
		t.Error("a source newer than the template did not count")
	}
	if _, err := devTemplate("", io.Discard); err == nil || !strings.Contains(err.Error(), "no cdk.json") {
		t.Errorf("outside a CDK app without --template: %v", err)
	}
}
