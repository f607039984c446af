package nagtest

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/apiless/apiless/stacks"
)

// TestAwsSolutionsChecksWithExplicitEnvironment: every stack, hosting included, stays free of
// unsuppressed cdk-nag findings when it is bound to an account and region (env set), not only
// env-agnostic: suppressions must not depend on how the environment renders (the CDK assets
// bucket of the hosting deployment is cdk-hnb659fds-assets-<account>-<region> with env, a
// pseudo-parameter name without).
func TestAwsSolutionsChecksWithExplicitEnvironment(t *testing.T) {
	// Env-agnostic stacks are checked by TestAwsSolutionsChecks and TestHostingAwsSolutionsChecks.
	app, webApp := nagApp(t)
	envs := map[string]*awscdk.Environment{
		"EuWest1": {Account: jsii.String("123456789012"), Region: jsii.String("eu-west-1")},
		"UsEast1": {Account: jsii.String("210987654321"), Region: jsii.String("us-east-1")},
	}
	var all []awscdk.Stack
	for _, name := range []string{"EuWest1", "UsEast1"} {
		env := envs[name]
		all = append(all,
			stacks.NewDemoStack(app, "Demo"+name, &stacks.DemoStackProps{StackProps: awscdk.StackProps{Env: env}}),
			stacks.NewDemoStack(app, "Hosted"+name, &stacks.DemoStackProps{StackProps: awscdk.StackProps{Env: env},
				Hosting: &stacks.HostingProps{WebAppDir: webApp}}),
			stacks.NewShowcaseStack(app, "Showcase"+name, &awscdk.StackProps{Env: env}),
		)
	}
	requireNoFindings(t, app, all)
}
