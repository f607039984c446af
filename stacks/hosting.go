package stacks

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscertificatemanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudfront"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudfrontorigins"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3deployment"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/apiless/apiless/clientconfig"
	"github.com/apiless/apiless/constructs/directaccess"
	"github.com/apiless/apiless/validation"
)

// HostingProps turns on the demo's website: a private S3 bucket behind CloudFront that serves
// the built web app and an amplify_outputs.json written at deploy time from the stack's own
// values, so the hosted app needs no `apiless config` step. It adds a Lambda function (the
// BucketDeployment that copies the files); without hosting the stack has none.
type HostingProps struct {
	// WebAppDir is the folder of the built web app, relative to the directory the app is
	// synthesized from (the project root under `npx cdk`). Build it with
	// `npm --prefix web ci && npm --prefix web run build`. When the folder has no index.html
	// the synth warns and only amplify_outputs.json is deployed: a web app deployed earlier
	// stays in place and reads the new file. Default: DefaultWebAppDir.
	WebAppDir string
	// DomainName is a custom domain for the site, such as "demo.example.com". The DNS record
	// that points it at the distribution is yours to create. Requires Certificate. Default:
	// only the distribution's *.cloudfront.net domain, on which CloudFront always accepts
	// TLS 1.0 and 1.1 too (its default certificate's security policy cannot be changed).
	DomainName string
	// Certificate is an ACM certificate in us-east-1 that covers DomainName; with it viewers
	// must use TLS 1.2 or later. Requires DomainName. Default: none.
	Certificate awscertificatemanager.ICertificate
}

// DefaultWebAppDir is where `npm run build` in web/ writes the demo web app.
const DefaultWebAppDir = "web/dist"

// SiteContentSecurityPolicy is the Content-Security-Policy the site is served with: the app's
// own files, and AWS endpoints (Cognito, DynamoDB, S3) as the only hosts it may call.
const SiteContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' data: blob:; connect-src 'self' https://*.amazonaws.com; font-src 'self'; " +
	"object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

// ValidateHosting lists what is wrong with p (nil is valid: hosting off), every problem at once,
// on the fields of DemoStackProps ("Hosting.DomainName").
func ValidateHosting(p *HostingProps) validation.List {
	var l validation.List
	if p == nil {
		return l
	}
	switch {
	case p.DomainName != "" && p.Certificate == nil:
		l.Add("Hosting.Certificate", validation.Required, nil,
			"is nil, but Hosting.DomainName is %q; expected an ACM certificate in us-east-1 for that domain", p.DomainName)
	case p.DomainName == "" && p.Certificate != nil:
		l.Add("Hosting.DomainName", validation.Required, p.DomainName,
			"is empty, but Hosting.Certificate is set; expected the domain the certificate is for")
	}
	if d := p.DomainName; d != "" && (strings.Contains(d, "://") || strings.ContainsAny(d, "/:* ")) {
		l.Add("Hosting.DomainName", validation.Invalid, d, "%q; expected a host name such as \"demo.example.com\"", d)
	}
	return l
}

// site is the hosting part of the demo stack. It is created in two steps: the distribution
// first, so that its domain can join the data bucket's CORS origins, and the deployment last,
// from the DirectAccess construct's values.
type site struct {
	scope        constructs.Construct
	props        HostingProps
	bucket       awss3.Bucket
	distribution awscloudfront.Distribution
}

func newSite(stack awscdk.Stack, p *HostingProps) *site {
	if err := ValidateHosting(p).Err(*stack.Node().Path() + ": invalid hosting props"); err != nil {
		panic(err)
	}
	s := &site{scope: constructs.NewConstruct(stack, jsii.String("Site")), props: *p}
	if s.props.WebAppDir == "" {
		s.props.WebAppDir = DefaultWebAppDir
	}

	// One log bucket for the site bucket's server access logs and the distribution's standard
	// logs. CloudFront delivers standard logs through an ACL, so ACLs stay enabled here.
	logProps := directaccess.SecureBucketProps(awscdk.RemovalPolicy_RETAIN)
	logProps.ObjectOwnership = awss3.ObjectOwnership_OBJECT_WRITER
	logProps.LifecycleRules = &[]*awss3.LifecycleRule{{
		Expiration:                  awscdk.Duration_Days(jsii.Number(365)),
		NoncurrentVersionExpiration: awscdk.Duration_Days(jsii.Number(30)),
	}}
	logs := awss3.NewBucket(s.scope, jsii.String("Logs"), logProps)

	siteProps := directaccess.SecureBucketProps(awscdk.RemovalPolicy_RETAIN)
	siteProps.ServerAccessLogsBucket = logs
	siteProps.ServerAccessLogsPrefix = jsii.String("site-bucket/")
	siteProps.LifecycleRules = &[]*awss3.LifecycleRule{{
		NoncurrentVersionExpiration: awscdk.Duration_Days(jsii.Number(30)),
	}}
	s.bucket = awss3.NewBucket(s.scope, jsii.String("Bucket"), siteProps)

	headers := awscloudfront.NewResponseHeadersPolicy(s.scope, jsii.String("SecurityHeaders"), &awscloudfront.ResponseHeadersPolicyProps{
		Comment: jsii.String("apiless demo site: security headers"),
		SecurityHeadersBehavior: &awscloudfront.ResponseSecurityHeadersBehavior{
			ContentSecurityPolicy: &awscloudfront.ResponseHeadersContentSecurityPolicy{
				ContentSecurityPolicy: jsii.String(SiteContentSecurityPolicy), Override: jsii.Bool(true),
			},
			ContentTypeOptions: &awscloudfront.ResponseHeadersContentTypeOptions{Override: jsii.Bool(true)},
			FrameOptions: &awscloudfront.ResponseHeadersFrameOptions{
				FrameOption: awscloudfront.HeadersFrameOption_DENY, Override: jsii.Bool(true),
			},
			ReferrerPolicy: &awscloudfront.ResponseHeadersReferrerPolicy{
				ReferrerPolicy: awscloudfront.HeadersReferrerPolicy_STRICT_ORIGIN_WHEN_CROSS_ORIGIN, Override: jsii.Bool(true),
			},
			StrictTransportSecurity: &awscloudfront.ResponseHeadersStrictTransportSecurity{
				AccessControlMaxAge: awscdk.Duration_Days(jsii.Number(365)), Override: jsii.Bool(true),
			},
			// "X-XSS-Protection: 0": the filter is gone from current browsers and could be abused
			// in old ones; the Content-Security-Policy does the job.
			XssProtection: &awscloudfront.ResponseHeadersXSSProtection{Protection: jsii.Bool(false), Override: jsii.Bool(true)},
		},
	})

	dp := &awscloudfront.DistributionProps{
		Comment: jsii.String("apiless demo web app"),
		DefaultBehavior: &awscloudfront.BehaviorOptions{
			Origin:                awscloudfrontorigins.S3BucketOrigin_WithOriginAccessControl(s.bucket, nil),
			ViewerProtocolPolicy:  awscloudfront.ViewerProtocolPolicy_REDIRECT_TO_HTTPS,
			ResponseHeadersPolicy: headers,
			CachePolicy:           awscloudfront.CachePolicy_CACHING_OPTIMIZED(),
		},
		DefaultRootObject:      jsii.String("index.html"),
		HttpVersion:            awscloudfront.HttpVersion_HTTP2_AND_3,
		MinimumProtocolVersion: awscloudfront.SecurityPolicyProtocol_TLS_V1_2_2021,
		EnableLogging:          jsii.Bool(true),
		LogBucket:              logs,
		LogFilePrefix:          jsii.String("cloudfront/"),
	}
	if s.props.DomainName != "" {
		dp.DomainNames = jsii.Strings(s.props.DomainName)
		dp.Certificate = s.props.Certificate
	}
	s.distribution = awscloudfront.NewDistribution(s.scope, jsii.String("Distribution"), dp)

	cfn := s.distribution.Node().DefaultChild().(awscdk.CfnResource)
	directaccess.AddNagSuppression(cfn, "AwsSolutions-CFR1",
		"The demo site is meant for visitors from every country; geo restriction would be an arbitrary choice here.")
	directaccess.AddNagSuppression(cfn, "AwsSolutions-CFR2",
		"The site serves only static files; the data is guarded by IAM per identity, not by the site. "+
			"A WAF web ACL (a monthly charge plus per request) can be attached for production.")
	if s.props.Certificate == nil {
		directaccess.AddNagSuppression(cfn, "AwsSolutions-CFR4",
			"Without a custom domain the site uses CloudFront's default *.cloudfront.net certificate, whose security policy "+
				"(TLSv1) cannot be changed. Set Hosting.DomainName and Hosting.Certificate to require TLS 1.2.")
	}
	return s
}

// url is the site's address: the custom domain if there is one, else the distribution's.
func (s *site) url() *string {
	if s.props.DomainName != "" {
		return jsii.String("https://" + s.props.DomainName)
	}
	return jsii.String("https://" + *s.distribution.DistributionDomainName())
}

// origins are the site's origins for the data bucket's CORS rules.
func (s *site) origins() []string {
	out := []string{"https://" + *s.distribution.DistributionDomainName()}
	if s.props.DomainName != "" {
		out = append(out, "https://"+s.props.DomainName)
	}
	return out
}

// deploy copies the web app (when built) and amplify_outputs.json into the site bucket and
// adds the site's outputs. The file's IDs and names are CloudFormation values that the
// deployment fills in when it runs.
func (s *site) deploy(stack awscdk.Stack, access directaccess.DirectAccess) {
	config, err := amplifyOutputsObject(access, *stack.StackName())
	if err != nil {
		panic(err)
	}
	var sources []awss3deployment.ISource
	app := hasWebApp(s.props.WebAppDir)
	if app {
		sources = append(sources, awss3deployment.Source_Asset(jsii.String(s.props.WebAppDir), nil))
	} else {
		abs, _ := filepath.Abs(s.props.WebAppDir)
		awscdk.Annotations_Of(s.scope).AddWarningV2(jsii.String("apiless:hostingWithoutWebApp"), jsii.String(fmt.Sprintf(
			"Hosting: no built web app in %s (%s has no index.html), so only %s is deployed to the site. "+
				"Build the app with `npm --prefix web ci && npm --prefix web run build`, then deploy again.",
			s.props.WebAppDir, abs, clientconfig.AmplifyOutputsFile)))
	}
	// Last, so that it wins over a file of the same name in the app folder.
	sources = append(sources, awss3deployment.Source_JsonData(jsii.String(clientconfig.AmplifyOutputsFile), config, nil))

	deployment := awss3deployment.NewBucketDeployment(s.scope, jsii.String("Deployment"), &awss3deployment.BucketDeploymentProps{
		DestinationBucket: s.bucket,
		Sources:           &sources,
		// Without the app, keep what an earlier deploy put there: the app reads the new config.
		Prune:             jsii.Bool(app),
		Distribution:      s.distribution,
		DistributionPaths: jsii.Strings("/*"),
	})
	explainDeploymentHandler(deployment, s.bucket)

	awscdk.NewCfnOutput(stack, jsii.String("SiteUrl"), &awscdk.CfnOutputProps{
		Value: s.url(), Description: jsii.String("The hosted demo web app"),
	})
	awscdk.NewCfnOutput(stack, jsii.String("SiteBucketName"), &awscdk.CfnOutputProps{
		Value: s.bucket.BucketName(), Description: jsii.String("S3 bucket of the web app's files and amplify_outputs.json"),
	})
}

// hasWebApp reports whether dir holds a built web app (an index.html).
func hasWebApp(dir string) bool {
	info, err := os.Stat(filepath.Join(dir, "index.html"))
	return err == nil && !info.IsDir()
}

// amplifyOutputsObject is amplify_outputs.json as a JSON object whose deploy-time values are
// still tokens, for Source.jsonData.
func amplifyOutputsObject(access directaccess.DirectAccess, stackName string) (map[string]any, error) {
	ao, _, err := clientconfig.BuildAmplifyOutputsWithTokens(access.Manifest(), stackName)
	if err != nil {
		return nil, fmt.Errorf("hosting: %w", err)
	}
	raw, err := json.Marshal(ao)
	if err != nil {
		return nil, err
	}
	var obj map[string]any
	return obj, json.Unmarshal(raw, &obj)
}

// explainDeploymentHandler records, for cdk-nag, the findings on the role of the Lambda function
// that aws-cdk-lib's BucketDeployment creates (its policy is not configurable), each limited to
// the exact finding so that anything added to the role later is still reported.
func explainDeploymentHandler(deployment awss3deployment.BucketDeployment, site awss3.Bucket) {
	role := deployment.HandlerRole()
	stack := awscdk.Stack_Of(deployment)
	if cfn, ok := role.Node().DefaultChild().(awscdk.CfnResource); ok {
		directaccess.AddNagSuppression(cfn, "AwsSolutions-IAM4",
			"AWSLambdaBasicExecutionRole only lets the deployment function write its own CloudWatch logs.",
			"Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
	}
	policy := role.Node().TryFindChild(jsii.String("DefaultPolicy"))
	if policy == nil {
		return
	}
	cfn, ok := policy.Node().DefaultChild().(awscdk.CfnResource)
	if !ok {
		return
	}
	siteID := *stack.GetLogicalId(site.Node().DefaultChild().(awscdk.CfnElement))
	addNagSuppression(cfn, "AwsSolutions-IAM5",
		"BucketDeployment's grants (not configurable): read its own asset objects in the CDK assets bucket, write and prune "+
			"every object of the site bucket (it owns the whole bucket), and invalidate the distribution's cache after a deploy "+
			"(CloudFront invalidation actions granted on * by aws-cdk-lib). The role is assumable by the deployment function only.",
		"Action::s3:GetBucket*",
		"Action::s3:GetObject*",
		"Action::s3:List*",
		"Action::s3:Abort*",
		"Action::s3:DeleteObject*",
		map[string]any{"regex": cdkAssetsObjects},
		"Resource::<"+siteID+".Arn>/*",
		"Resource::*",
	)
}

// cdkAssetsObjects matches cdk-nag's finding for the objects of the CDK bootstrap assets bucket
// in every environment: env-agnostic it renders as
// arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*, with an
// explicit account and region as arn:aws:s3:::cdk-hnb659fds-assets-123456789012-eu-west-1/*, and
// a custom bootstrap qualifier replaces hnb659fds. Nothing but that bucket's objects matches.
const cdkAssetsObjects = `/^Resource::arn:(<AWS::Partition>|aws|aws-cn|aws-us-gov|aws-iso[a-z-]*):s3:::cdk-[a-z0-9]+-assets-(<AWS::AccountId>|\d{12})-(<AWS::Region>|[a-z]{2}(-[a-z]+)+-\d)\/\*$/`

// addNagSuppression appends a cdk-nag suppression to a resource's "cdk_nag" metadata, the format
// cdk-nag's NagSuppressions writes (so the stacks need no dependency on cdk-nag). An appliesTo
// entry is an exact finding (a string) or {"regex": "/.../"} for findings that depend on the
// environment.
func addNagSuppression(resource awscdk.CfnResource, rule, reason string, appliesTo ...any) {
	suppression := map[string]any{"id": rule, "reason": reason, "applies_to": appliesTo}
	rules := []any{}
	if existing, ok := resource.GetMetadata(jsii.String("cdk_nag")).(map[string]any); ok {
		if r, ok := existing["rules_to_suppress"].([]any); ok {
			rules = r
		}
	}
	resource.AddMetadata(jsii.String("cdk_nag"), map[string]any{"rules_to_suppress": append(rules, suppression)})
}
