package nagtest

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/apiless/apiless/internal/cdkcontext"
)

// nagApp is an app with cdk.json's context and a built web app to host (one index.html).
func nagApp(t *testing.T) (app awscdk.App, webApp string) {
	t.Helper()
	ctx, err := cdkcontext.Load("..")
	if err != nil {
		t.Fatal(err)
	}
	webApp = t.TempDir()
	if err := os.WriteFile(filepath.Join(webApp, "index.html"), []byte("<!doctype html><title>app</title>\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return awscdk.NewApp(&awscdk.AppProps{Context: &ctx, Outdir: jsii.String(t.TempDir())}), webApp
}

// requireNoFindings applies the AwsSolutions pack to app, synthesizes it once and fails each
// stack's subtest on every unsuppressed error or warning.
func requireNoFindings(t *testing.T, app awscdk.App, all []awscdk.Stack) {
	t.Helper()
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true), Reports: jsii.Bool(false)}), nil)
	assembly := app.Synth(nil)
	for _, s := range all {
		t.Run(*s.StackName(), func(t *testing.T) {
			var findings []string
			for _, m := range *assembly.GetStackByName(s.StackName()).Messages() {
				level := strings.ToLower(string(m.Level))
				text := fmt.Sprint(m.Entry.Data)
				if (level == "error" || level == "warning") && strings.Contains(text, "AwsSolutions-") {
					findings = append(findings, fmt.Sprintf("%s %s: %s", level, *m.Id, text))
				}
			}
			sort.Strings(findings)
			for _, f := range findings {
				t.Error(f)
			}
		})
	}
}
