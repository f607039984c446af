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
	"github.com/apiless/apiless/stacks"
)

// TestAwsSolutionsChecksWithExplicitEnvironment: every stack, hosting included, stays free of
// unsuppressed cdk-nag findings when it is bound to an account and region (env set), not only
// env-agnostic: suppressions must not depend on how the environment renders (the CDK assets
// bucket of the hosting deployment is cdk-hnb659fds-assets-<account>-<region> with env, a
// pseudo-parameter name without).
func TestAwsSolutionsChecksWithExplicitEnvironment(t *testing.T) {
	ctx, err := cdkcontext.Load("..")
	if err != nil {
		t.Fatal(err)
	}
	webApp := t.TempDir()
	if err := os.WriteFile(filepath.Join(webApp, "index.html"), []byte("<!doctype html><title>app</title>\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	app := awscdk.NewApp(&awscdk.AppProps{Context: &ctx, Outdir: jsii.String(t.TempDir())})
	envs := map[string]*awscdk.Environment{
		"Agnostic": nil,
		"EuWest1":  {Account: jsii.String("123456789012"), Region: jsii.String("eu-west-1")},
		"UsEast1":  {Account: jsii.String("210987654321"), Region: jsii.String("us-east-1")},
	}
	var all []awscdk.Stack
	for _, name := range []string{"Agnostic", "EuWest1", "UsEast1"} {
		env := envs[name]
		all = append(all,
			stacks.NewDemoStack(app, "Demo"+name, &stacks.DemoStackProps{StackProps: awscdk.StackProps{Env: env}}),
			stacks.NewDemoStack(app, "Hosted"+name, &stacks.DemoStackProps{StackProps: awscdk.StackProps{Env: env},
				Hosting: &stacks.HostingProps{WebAppDir: webApp}}),
			stacks.NewShowcaseStack(app, "Showcase"+name, &awscdk.StackProps{Env: env}),
		)
	}
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
