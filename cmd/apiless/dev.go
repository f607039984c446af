package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/apiless/apiless/devserver"
)

const devSynopsis = "serve the template's Cognito, DynamoDB and S3 locally, enforcing its IAM policies"

const devHelp = `Serves on 127.0.0.1 a local Cognito user pool and identity pool and DynamoDB and S3 for the
template's tables and buckets. Every data request must be signed with credentials the identity
pool issued, and is authorized against the template's own role and bucket policies; each denial
is logged with its reason. Writes DIR/amplify_outputs.json and DIR/.env pointing at the server.

Without --template it serves cdk.out/ApilessDemo.template.json, running "npx cdk synth -q" first
when that file is missing or older than the app's Go sources.

flags:
`

type devOptions struct {
	template    string
	port        int
	dataDir     string
	autoConfirm bool
	jsonLog     bool
	tls         bool
	outDir      string
	lifetime    time.Duration
}

func devFlags(o *devOptions) *flag.FlagSet {
	fs := flag.NewFlagSet("dev", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	fs.StringVar(&o.template, "template", "", "the synthesized `TEMPLATE` to serve (default: cdk.out/ApilessDemo.template.json, synthesized when stale)")
	fs.IntVar(&o.port, "port", 4600, "the `PORT` on 127.0.0.1 (0: any free port)")
	fs.StringVar(&o.dataDir, "data", "", "keep items and objects in `DIR` across restarts (default: in memory)")
	fs.BoolVar(&o.autoConfirm, "auto-confirm", false, "confirm users at sign-up (default: the confirmation code is logged)")
	fs.BoolVar(&o.jsonLog, "json", false, "log one JSON object per line")
	fs.BoolVar(&o.tls, "tls", false, "serve HTTPS with a self-signed certificate (aws:SecureTransport true; bucket policies that enforce SSL deny plain HTTP)")
	fs.DurationVar(&o.lifetime, "credential-lifetime", time.Hour, "how long identity-pool credentials last (shorter ones exercise the frontend's refresh)")
	fs.StringVar(&o.outDir, "out-dir", "web", "where to write amplify_outputs.json and .env (\"\": do not write)")
	return fs
}

func printDevUsage(w io.Writer) {
	fs := devFlags(&devOptions{})
	fmt.Fprintf(w, "usage: apiless %s [flags]\n\n%s", fs.Name(), devHelp)
	fs.SetOutput(w)
	fs.PrintDefaults()
}

// devStop is what ends a running dev server: SIGINT or SIGTERM (tests replace it).
var devStop = func() <-chan os.Signal {
	c := make(chan os.Signal, 1)
	signal.Notify(c, os.Interrupt, syscall.SIGTERM)
	return c
}

func runDev(args []string, stdout, stderr io.Writer) int {
	var o devOptions
	fs := devFlags(&o)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printDevUsage(stdout)
			return 0
		}
		fmt.Fprintf(stderr, "apiless dev: %v\n\n", err)
		printDevUsage(stderr)
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "apiless dev: unexpected argument %q (the template is given with --template)\n", fs.Arg(0))
		return 2
	}
	path, err := devTemplate(o.template, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "apiless dev: %v\n", err)
		return 1
	}
	tpl, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintf(stderr, "apiless dev: %v\n", err)
		return 1
	}
	s, err := devserver.Start(devserver.Options{Template: tpl, Addr: fmt.Sprintf("127.0.0.1:%d", o.port), TLS: o.tls,
		DataDir: o.dataDir, AutoConfirm: o.autoConfirm, Log: stdout, JSON: o.jsonLog, CredentialLifetime: o.lifetime})
	if err != nil {
		fmt.Fprintf(stderr, "apiless dev: %s: %v\n", path, err)
		return 1
	}
	if o.outDir != "" {
		if err := writeDevConfig(s, o.outDir, stdout, stderr); err != nil {
			fmt.Fprintf(stderr, "apiless dev: %v\n", err)
			s.Close()
			return 1
		}
	}
	<-devStop()
	if err := s.Close(); err != nil {
		fmt.Fprintf(stderr, "apiless dev: %v\n", err)
		return 1
	}
	return 0
}

func writeDevConfig(s *devserver.Server, dir string, stdout, stderr io.Writer) error {
	ao, env, warnings, err := s.FrontendConfig()
	if err != nil {
		return err
	}
	for _, w := range warnings {
		fmt.Fprintf(stderr, "apiless dev: warning: %s\n", w)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for name, data := range map[string][]byte{"amplify_outputs.json": ao, ".env": env} {
		if err := writeFileAtomic(filepath.Join(dir, name), data); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "apiless dev: wrote %s and %s for %s\n", filepath.Join(dir, "amplify_outputs.json"), filepath.Join(dir, ".env"), s.URL())
	return nil
}

// devTemplate finds the template to serve: the one named, or the app's cdk.out template,
// synthesized first when missing or older than the Go sources.
func devTemplate(named string, stderr io.Writer) (string, error) {
	if named != "" {
		return named, nil
	}
	path := filepath.Join("cdk.out", "ApilessDemo.template.json")
	st, err := os.Stat(path)
	if err == nil && !sourcesNewerThan(".", st.ModTime()) {
		return path, nil
	}
	if _, err := os.Stat("cdk.json"); err != nil {
		return "", fmt.Errorf("no --template given and no cdk.json here to synthesize %s from (run in the CDK app's folder, or pass --template)", path)
	}
	fmt.Fprintf(stderr, "apiless dev: %s is missing or older than the sources: running npx cdk synth -q\n", path)
	cmd := exec.Command("npx", "cdk", "synth", "-q")
	cmd.Stdout, cmd.Stderr = stderr, stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("npx cdk synth -q: %w", err)
	}
	return path, nil
}

// sourcesNewerThan reports whether a Go source of the app or cdk.json changed after t.
func sourcesNewerThan(root string, t time.Time) bool {
	newer := false
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || newer {
			return filepath.SkipDir
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") && p != "." || d.Name() == "node_modules" || d.Name() == "cdk.out" || d.Name() == "web" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if !d.IsDir() && (strings.HasSuffix(p, ".go") && !strings.HasSuffix(p, "_test.go") || d.Name() == "cdk.json") {
			if info, err := d.Info(); err == nil && info.ModTime().After(t) {
				newer = true
			}
		}
		return nil
	})
	return newer
}
