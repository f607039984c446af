// Package stacks holds the deployable stacks of the apiless app: thin compositions of the
// DirectAccess construct plus the outputs a frontend needs.
package stacks

import (
	"encoding/json"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/apiless/apiless/constructs/directaccess"
	"github.com/apiless/apiless/manifest"
)

// DemoStackProps configures the demo stack.
type DemoStackProps struct {
	awscdk.StackProps
	// CorsAllowedOrigins are the web app's origins. Default: the Vite dev server,
	// http://localhost:5173.
	CorsAllowedOrigins []string
	// Hosting adds a website for the web app: S3 + CloudFront, with amplify_outputs.json written
	// at deploy time from the stack's values, and the site's origin added to CorsAllowedOrigins.
	// Default: nil, no website (and no Lambda function in the stack).
	Hosting *HostingProps
}

// DefaultCorsOrigin is the Vite dev server, where the demo web app runs.
const DefaultCorsOrigin = "http://localhost:5173"

// NewDemoStack creates the demo backend: one table of items keyed by identity (with a sort key
// so a user holds many items) and one bucket with a folder per identity.
func NewDemoStack(scope constructs.Construct, id string, props *DemoStackProps) awscdk.Stack {
	if props == nil {
		props = &DemoStackProps{}
	}
	stack := awscdk.NewStack(scope, jsii.String(id), &props.StackProps)
	origins := props.CorsAllowedOrigins
	if len(origins) == 0 {
		origins = []string{DefaultCorsOrigin}
	}
	var hosted *site
	if props.Hosting != nil {
		// Before the construct: the distribution's domain is one of the data bucket's origins.
		hosted = newSite(stack, props.Hosting)
		origins = append(append([]string(nil), origins...), hosted.origins()...)
	}
	access := directaccess.NewDirectAccess(stack, jsii.String("Access"), &directaccess.DirectAccessProps{
		Tables: []*directaccess.TableRule{{
			Name:         jsii.String(directaccess.DefaultTableName),
			PartitionKey: jsii.String(directaccess.DefaultPartitionKey),
			SortKey:      jsii.String("itemId"),
		}},
		CorsAllowedOrigins: jsii.Strings(origins...),
	})
	AddFrontendOutputs(stack, access)
	ExplainUserPoolChoices(access)
	if hosted != nil {
		hosted.deploy(stack, access)
	}
	return stack
}

// ExplainUserPoolChoices records, for cdk-nag, why the demo user pool keeps two defaults that
// a production pool may change.
func ExplainUserPoolChoices(access directaccess.DirectAccess) {
	pool, ok := access.UserPool().Node().DefaultChild().(awscdk.CfnResource)
	if !ok {
		return // a brought-in pool is its owner's to explain
	}
	directaccess.AddNagSuppression(pool, "AwsSolutions-COG2",
		"MFA is optional (TOTP) so the demo's sign-up stays one step; production stacks can pass Mfa: awscognito.Mfa_REQUIRED.")
	if cfn, ok := pool.(awscognito.CfnUserPool); ok && cfn.UserPoolTier() != nil && *cfn.UserPoolTier() == "PLUS" {
		return // threat protection is on (DirectAccessProps.SignInProtection)
	}
	directaccess.AddNagSuppression(pool, "AwsSolutions-COG8",
		"The Plus feature plan (threat protection) is billed per monthly active user; the demo stays on the Essentials plan (DirectAccessProps.SignInProtection turns it on).")
}

// AddFrontendOutputs publishes what a frontend needs: one output per value for people, and the
// manifest.OutputKey JSON that `apiless config` turns into client configuration.
func AddFrontendOutputs(stack awscdk.Stack, access directaccess.DirectAccess) {
	out := func(key, description string, value *string) {
		awscdk.NewCfnOutput(stack, jsii.String(key), &awscdk.CfnOutputProps{Value: value, Description: jsii.String(description)})
	}
	out("Region", "AWS region of the backend", stack.Region())
	out("UserPoolId", "Cognito user pool ID (sign-in)", access.UserPool().UserPoolId())
	out("UserPoolClientId", "Cognito user pool app client ID for the browser", access.UserPoolClient().UserPoolClientId())
	out("IdentityPoolId", "Cognito identity pool ID (temporary AWS credentials)", access.IdentityPoolId())
	out("UserPoolProviderName", "The user pool as the identity pool's login provider (key of the Logins map)", access.ProviderName())
	m := access.Manifest()
	if t := access.Table(); t != nil {
		out("TableName", "DynamoDB table; the partition key "+m.Tables[0].PartitionKey+" must hold the caller's identity ID", t.TableName())
	}
	if b := access.Bucket(); b != nil {
		out("BucketName", "S3 bucket for the callers' objects", b.BucketName())
		for path := range m.Buckets[0].Paths {
			if len(m.Buckets[0].Paths) == 1 {
				out("ObjectPathTemplate", "Object key template in BucketName; {identity} is the caller's identity ID", jsii.String(path))
			}
		}
	}
	doc, err := json.Marshal(m)
	if err != nil {
		panic(err) // a struct of strings always marshals
	}
	out(manifest.OutputKey, "apiless frontend manifest: run `go run ./cmd/apiless config outputs.json`", jsii.String(string(doc)))
}
