// Package nagtest runs the AwsSolutions cdk-nag pack on the app's stacks. It is a module of its
// own so that cdk-nag (and the constructs version it asks for) never becomes a requirement of
// the importable root module; the root go.work joins the two.
package nagtest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/apiless/apiless/constructs/directaccess"
	"github.com/apiless/apiless/stacks"
)

// TestAwsSolutionsChecks: no unsuppressed cdk-nag error or warning on any stack of the app.
func TestAwsSolutionsChecks(t *testing.T) {
	app, _ := nagApp(t)
	requireNoFindings(t, app, []awscdk.Stack{
		stacks.NewDemoStack(app, "ApilessDemo", nil),
		stacks.NewShowcaseStack(app, "ApilessShowcase", nil),
	})
}

// TestWildcardSuppressionsAreExact: the construct's IAM5 suppressions name its own per-identity
// resources only, so a wildcard added beside them (here a whole-bucket grant) is still reported.
func TestWildcardSuppressionsAreExact(t *testing.T) {
	app, _ := nagApp(t)
	stack := awscdk.NewStack(app, jsii.String("Leaky"), nil)
	access := directaccess.NewDirectAccess(stack, jsii.String("Access"), nil)
	access.AuthenticatedRole().AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("s3:GetObject"),
		Resources: jsii.Strings(*access.Bucket().BucketArn() + "/*"),
	}))
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Reports: jsii.Bool(false)}), nil)
	assembly := app.Synth(nil)
	var iam5 []string
	for _, m := range *assembly.GetStackByName(jsii.String("Leaky")).Messages() {
		text := fmt.Sprint(m.Entry.Data)
		if strings.Contains(text, "AwsSolutions-IAM5") {
			iam5 = append(iam5, *m.Id+": "+text)
		}
	}
	if len(iam5) != 1 || !strings.Contains(iam5[0], "/Access/AuthenticatedRole/DefaultPolicy/") {
		t.Errorf("IAM5 findings = %v; want exactly one, on the added whole-bucket grant", iam5)
	}
}
