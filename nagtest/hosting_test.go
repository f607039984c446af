package nagtest

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscertificatemanager"
	"github.com/aws/jsii-runtime-go"

	"github.com/apiless/apiless/stacks"
)

// TestHostingAwsSolutionsChecks: the demo stack with hosting on (S3 + CloudFront + the
// BucketDeployment Lambda), on the default domain and on a custom one, has no unsuppressed
// cdk-nag error or warning.
func TestHostingAwsSolutionsChecks(t *testing.T) {
	app, webApp := nagApp(t)
	certs := awscdk.NewStack(app, jsii.String("Certificates"), nil)
	cert := awscertificatemanager.Certificate_FromCertificateArn(certs, jsii.String("Site"),
		jsii.String("arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"))
	all := []awscdk.Stack{
		stacks.NewDemoStack(app, "ApilessDemoHosted", &stacks.DemoStackProps{Hosting: &stacks.HostingProps{WebAppDir: webApp}}),
		stacks.NewDemoStack(app, "ApilessDemoHostedDomain", &stacks.DemoStackProps{Hosting: &stacks.HostingProps{
			WebAppDir: webApp, DomainName: "demo.example.com", Certificate: cert,
		}}),
	}
	requireNoFindings(t, app, all)
}
