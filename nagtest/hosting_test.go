package nagtest

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscertificatemanager"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/apiless/apiless/internal/cdkcontext"
	"github.com/apiless/apiless/stacks"
)

// TestHostingAwsSolutionsChecks: the demo stack with hosting on (S3 + CloudFront + the
// BucketDeployment Lambda), on the default domain and on a custom one, has no unsuppressed
// cdk-nag error or warning.
func TestHostingAwsSolutionsChecks(t *testing.T) {
	ctx, err := cdkcontext.Load("..")
	if err != nil {
		t.Fatal(err)
	}
	webApp := t.TempDir()
	if err := os.WriteFile(filepath.Join(webApp, "index.html"), []byte("<!doctype html><title>app</title>\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	app := awscdk.NewApp(&awscdk.AppProps{Context: &ctx, Outdir: jsii.String(t.TempDir())})
	certs := awscdk.NewStack(app, jsii.String("Certificates"), nil)
	cert := awscertificatemanager.Certificate_FromCertificateArn(certs, jsii.String("Site"),
		jsii.String("arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"))
	all := []awscdk.Stack{
		stacks.NewDemoStack(app, "ApilessDemoHosted", &stacks.DemoStackProps{Hosting: &stacks.HostingProps{WebAppDir: webApp}}),
		stacks.NewDemoStack(app, "ApilessDemoHostedDomain", &stacks.DemoStackProps{Hosting: &stacks.HostingProps{
			WebAppDir: webApp, DomainName: "demo.example.com", Certificate: cert,
		}}),
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
