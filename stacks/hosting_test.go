package stacks_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscertificatemanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3assets"
	"github.com/aws/jsii-runtime-go"

	"github.com/apiless/apiless/clientconfig"
	"github.com/apiless/apiless/internal/templatetest"
	"github.com/apiless/apiless/isolation"
	"github.com/apiless/apiless/manifest"
	"github.com/apiless/apiless/stacks"
	"github.com/apiless/apiless/validation"
)

// The hosting configurations are synthesized together, once, and shared by every test:
//   - Hosted: hosting on, with a built web app;
//   - HostedNoApp: hosting on, web app not built (only the config is deployed, with a warning);
//   - HostedDomain: hosting on a custom domain with its certificate.
const (
	hostedStack   = "Hosted"
	noAppStack    = "HostedNoApp"
	domainStack   = "HostedDomain"
	siteDomain    = "demo.example.com"
	certificateID = "arn:aws:acm:us-east-1:123456789012:certificate/00000000-0000-0000-0000-000000000000"
)

var (
	hostingOnce      sync.Once
	hostingTemplates map[string]*templatetest.Template
	hostingConfigs   map[string]string // stack -> staged amplify_outputs.json (with markers)
	hostingErr       error
)

func hosting(t *testing.T, stack string) *templatetest.Template {
	t.Helper()
	hostingOnce.Do(func() {
		dir, err := os.MkdirTemp("", "apiless-hosting-test-")
		if err != nil {
			hostingErr = err
			return
		}
		webApp := filepath.Join(dir, "dist")
		if err := os.MkdirAll(webApp, 0o755); err == nil {
			err = os.WriteFile(filepath.Join(webApp, "index.html"), []byte("<!doctype html><title>app</title>\n"), 0o644)
		}
		if err != nil {
			hostingErr = err
			return
		}
		built := map[string]awscdk.Stack{}
		hostingTemplates, hostingErr = templatetest.Synth(nil, func(app awscdk.App) {
			certs := awscdk.NewStack(app, jsii.String("Certificates"), nil)
			cert := awscertificatemanager.Certificate_FromCertificateArn(certs, jsii.String("Site"), jsii.String(certificateID))
			for name, h := range map[string]*stacks.HostingProps{
				hostedStack: {WebAppDir: webApp},
				noAppStack:  {WebAppDir: filepath.Join(dir, "not-built")},
				domainStack: {WebAppDir: webApp, DomainName: siteDomain, Certificate: cert},
			} {
				built[name] = stacks.NewDemoStack(app, name, &stacks.DemoStackProps{Hosting: h})
			}
		})
		if hostingErr == nil {
			hostingConfigs = map[string]string{}
			for name, s := range built {
				hostingConfigs[name], hostingErr = stagedConfig(s)
				if hostingErr != nil {
					return
				}
			}
		}
	})
	if hostingErr != nil {
		t.Fatalf("synth: %v", hostingErr)
	}
	tpl := hostingTemplates[stack]
	if tpl == nil {
		t.Fatalf("stack %s was not synthesized", stack)
	}
	return tpl
}

// stagedConfig reads the amplify_outputs.json that the stack's deployment uploads: the last
// asset of Site/Deployment, which Source.jsonData stages in a directory of its own.
func stagedConfig(stack awscdk.Stack) (string, error) {
	deployment := stack.Node().FindChild(jsii.String("Site")).Node().FindChild(jsii.String("Deployment"))
	var dirs []string
	for _, c := range *deployment.Node().Children() {
		if a, ok := c.(awss3assets.Asset); ok {
			dirs = append(dirs, *a.Node().FindChild(jsii.String("Stage")).(awscdk.AssetStaging).SourcePath())
		}
	}
	if len(dirs) == 0 {
		return "", fmt.Errorf("%s: the deployment has no assets", *stack.StackName())
	}
	raw, err := os.ReadFile(filepath.Join(dirs[len(dirs)-1], clientconfig.AmplifyOutputsFile))
	return string(raw), err
}

func TestValidateHosting(t *testing.T) {
	cert := awscertificatemanager.Certificate_FromCertificateArn(awscdk.NewStack(awscdk.NewApp(nil), jsii.String("S"), nil),
		jsii.String("Cert"), jsii.String(certificateID))
	type want struct {
		field  string
		typ    validation.Type
		phrase string // in the problem's Detail
	}
	tests := []struct {
		name  string
		props *stacks.HostingProps
		want  []want
	}{
		{"off", nil, nil},
		{"defaults", &stacks.HostingProps{}, nil},
		{"custom domain", &stacks.HostingProps{DomainName: siteDomain, Certificate: cert}, nil},
		{"domain without certificate", &stacks.HostingProps{DomainName: siteDomain},
			[]want{{"Hosting.Certificate", validation.Required, `Hosting.DomainName is "demo.example.com"`}}},
		{"certificate without domain", &stacks.HostingProps{Certificate: cert},
			[]want{{"Hosting.DomainName", validation.Required, "expected the domain the certificate is for"}}},
		{"URL instead of host", &stacks.HostingProps{DomainName: "https://" + siteDomain, Certificate: cert},
			[]want{{"Hosting.DomainName", validation.Invalid, `"https://demo.example.com"; expected a host name`}}},
		{"URL without certificate, both reported", &stacks.HostingProps{DomainName: "https://" + siteDomain},
			[]want{{"Hosting.Certificate", validation.Required, "expected an ACM certificate"}, {"Hosting.DomainName", validation.Invalid, "expected a host name"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := stacks.ValidateHosting(tt.props)
			if len(got) != len(tt.want) {
				t.Fatalf("problems = %q, want %d: %v", got.Strings(), len(tt.want), tt.want)
			}
			for i, w := range tt.want {
				if got[i].Field != w.field || got[i].Type != w.typ || !strings.Contains(got[i].Detail, w.phrase) {
					t.Errorf("problem %d = %+v, want a %s problem on %s with %q", i, got[i], w.typ, w.field, w.phrase)
				}
			}
		})
	}
}

// TestHostingRefusesBadProps: the stack panics with the problems as data, titled with its path.
func TestHostingRefusesBadProps(t *testing.T) {
	defer func() {
		r := recover()
		ve, ok := r.(*validation.Error)
		if !ok {
			t.Fatalf("recovered %v (%T); want a *validation.Error", r, r)
		}
		if !ve.Problems.Has("Hosting.Certificate", validation.Required) || !strings.HasPrefix(ve.What, "Bad:") {
			t.Errorf("recovered %q; want the Hosting.Certificate problem of stack Bad", ve)
		}
	}()
	stacks.NewDemoStack(awscdk.NewApp(nil), "Bad", &stacks.DemoStackProps{Hosting: &stacks.HostingProps{DomainName: siteDomain}})
}

func TestHostingDistribution(t *testing.T) {
	tpl := hosting(t, hostedStack)
	distID, dist := tpl.Resource(t, "AWS::CloudFront::Distribution")
	oacID, oac := tpl.Resource(t, "AWS::CloudFront::OriginAccessControl")
	policyID, _ := tpl.Resource(t, "AWS::CloudFront::ResponseHeadersPolicy")
	siteID, _ := tpl.Named(t, "AWS::S3::Bucket", "SiteBucket")
	logsID, _ := tpl.Named(t, "AWS::S3::Bucket", "SiteLogs")
	assertJSONEqual(t, "origin access control", oac["Properties"].(map[string]any)["OriginAccessControlConfig"].(map[string]any)["OriginAccessControlOriginType"], "s3")
	assertJSONEqual(t, "signing", oac["Properties"].(map[string]any)["OriginAccessControlConfig"].(map[string]any)["SigningBehavior"], "always")

	cfg := dist["Properties"].(map[string]any)["DistributionConfig"].(map[string]any)
	behavior := cfg["DefaultCacheBehavior"].(map[string]any)
	origins := cfg["Origins"].([]any)
	checks := []struct {
		what      string
		got, want any
	}{
		{"viewer protocol policy", behavior["ViewerProtocolPolicy"], "redirect-to-https"},
		{"response headers policy", behavior["ResponseHeadersPolicyId"], map[string]any{"Ref": policyID}},
		{"default root object", cfg["DefaultRootObject"], "index.html"},
		{"origins", len(origins), 1},
		{"origin domain", origins[0].(map[string]any)["DomainName"], map[string]any{"Fn::GetAtt": []any{siteID, "RegionalDomainName"}}},
		{"origin access control of the origin", origins[0].(map[string]any)["OriginAccessControlId"], map[string]any{"Fn::GetAtt": []any{oacID, "Id"}}},
		{"no origin access identity", origins[0].(map[string]any)["S3OriginConfig"], map[string]any{"OriginAccessIdentity": ""}},
		{"access logs", cfg["Logging"], map[string]any{"Bucket": map[string]any{"Fn::GetAtt": []any{logsID, "RegionalDomainName"}}, "Prefix": "cloudfront/"}},
		// The default *.cloudfront.net certificate: CloudFront decides its TLS policy.
		{"viewer certificate", cfg["ViewerCertificate"], nil},
	}
	for _, c := range checks {
		assertJSONEqual(t, c.what, c.got, c.want)
	}

	// Only this distribution may read the site bucket, and only objects.
	var allows []any
	_, policy := tpl.Named(t, "AWS::S3::BucketPolicy", "SiteBucketPolicy")
	for _, s := range policy["Properties"].(map[string]any)["PolicyDocument"].(map[string]any)["Statement"].([]any) {
		if s.(map[string]any)["Effect"] == "Allow" {
			allows = append(allows, s)
		}
	}
	assertJSONEqual(t, "site bucket policy grants", allows, []any{map[string]any{
		"Effect":    "Allow",
		"Principal": map[string]any{"Service": "cloudfront.amazonaws.com"},
		"Action":    "s3:GetObject",
		"Resource":  map[string]any{"Fn::Join": []any{"", []any{map[string]any{"Fn::GetAtt": []any{siteID, "Arn"}}, "/*"}}},
		"Condition": map[string]any{"StringEquals": map[string]any{"AWS:SourceArn": map[string]any{"Fn::Join": []any{"", []any{
			"arn:", map[string]any{"Ref": "AWS::Partition"}, ":cloudfront::", map[string]any{"Ref": "AWS::AccountId"},
			":distribution/", map[string]any{"Ref": distID},
		}}}}},
	}})
}

func TestHostingSecurityHeaders(t *testing.T) {
	tpl := hosting(t, hostedStack)
	_, policy := tpl.Resource(t, "AWS::CloudFront::ResponseHeadersPolicy")
	got := policy["Properties"].(map[string]any)["ResponseHeadersPolicyConfig"].(map[string]any)["SecurityHeadersConfig"]
	assertJSONEqual(t, "security headers", got, map[string]any{
		"ContentSecurityPolicy":   map[string]any{"ContentSecurityPolicy": stacks.SiteContentSecurityPolicy, "Override": true},
		"ContentTypeOptions":      map[string]any{"Override": true},
		"FrameOptions":            map[string]any{"FrameOption": "DENY", "Override": true},
		"ReferrerPolicy":          map[string]any{"ReferrerPolicy": "strict-origin-when-cross-origin", "Override": true},
		"StrictTransportSecurity": map[string]any{"AccessControlMaxAgeSec": 31536000, "Override": true},
		"XSSProtection":           map[string]any{"Protection": false, "Override": true},
	})
	if !strings.Contains(stacks.SiteContentSecurityPolicy, "connect-src 'self' https://*.amazonaws.com;") {
		t.Errorf("the CSP must let the app call Cognito, DynamoDB and S3: %s", stacks.SiteContentSecurityPolicy)
	}
}

func TestHostingSiteBucket(t *testing.T) {
	tpl := hosting(t, hostedStack)
	for _, prefix := range []string{"SiteBucket", "SiteLogs"} {
		t.Run(prefix, func(t *testing.T) {
			id, bucket := tpl.Named(t, "AWS::S3::Bucket", prefix)
			props := bucket["Properties"].(map[string]any)
			assertJSONEqual(t, "public access block", props["PublicAccessBlockConfiguration"], map[string]any{
				"BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true,
			})
			assertJSONEqual(t, "encryption", props["BucketEncryption"], map[string]any{"ServerSideEncryptionConfiguration": []any{
				map[string]any{"ServerSideEncryptionByDefault": map[string]any{"SSEAlgorithm": "AES256"}},
			}})
			assertJSONEqual(t, "versioning", props["VersioningConfiguration"], map[string]any{"Status": "Enabled"})
			if _, ok := props["WebsiteConfiguration"]; ok {
				t.Error("the bucket is a public website; CloudFront must reach it through origin access control only")
			}
			assertRetained(t, tpl, id)
			_, policy := tpl.Named(t, "AWS::S3::BucketPolicy", prefix+"Policy")
			var sslDenied bool
			for _, s := range policy["Properties"].(map[string]any)["PolicyDocument"].(map[string]any)["Statement"].([]any) {
				st := s.(map[string]any)
				if st["Effect"] == "Deny" && reflect.DeepEqual(st["Condition"], map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}}) {
					sslDenied = true
				}
			}
			if !sslDenied {
				t.Error("the bucket policy does not deny requests without TLS (aws:SecureTransport = false)")
			}
		})
	}
	_, site := tpl.Named(t, "AWS::S3::Bucket", "SiteBucket")
	logsID, _ := tpl.Named(t, "AWS::S3::Bucket", "SiteLogs")
	assertJSONEqual(t, "site bucket access logs", site["Properties"].(map[string]any)["LoggingConfiguration"],
		map[string]any{"DestinationBucketName": map[string]any{"Ref": logsID}, "LogFilePrefix": "site-bucket/"})
}

// TestHostingCors: the data bucket accepts the site's origin (besides the dev server).
func TestHostingCors(t *testing.T) {
	tests := []struct {
		stack string
		extra []any
	}{
		{hostedStack, nil},
		{domainStack, []any{"https://" + siteDomain}},
	}
	for _, tt := range tests {
		t.Run(tt.stack, func(t *testing.T) {
			tpl := hosting(t, tt.stack)
			distID, _ := tpl.Resource(t, "AWS::CloudFront::Distribution")
			_, files := tpl.Named(t, "AWS::S3::Bucket", "AccessFiles")
			rule := files["Properties"].(map[string]any)["CorsConfiguration"].(map[string]any)["CorsRules"].([]any)[0].(map[string]any)
			want := append([]any{
				stacks.DefaultCorsOrigin,
				map[string]any{"Fn::Join": []any{"", []any{"https://", map[string]any{"Fn::GetAtt": []any{distID, "DomainName"}}}}},
			}, tt.extra...)
			assertJSONEqual(t, "data bucket CORS origins", rule["AllowedOrigins"], want)
		})
	}
}

// TestHostingDeploysConfig: the deployment uploads the web app (when built) and an
// amplify_outputs.json whose values CloudFormation fills in. Filled in with made-up deploy
// values, the file equals what `apiless config` makes of the same deploy's outputs.
func TestHostingDeploysConfig(t *testing.T) {
	tests := []struct {
		stack   string
		sources int
		prune   bool
		warning string
	}{
		{hostedStack, 2, true, ""},
		{noAppStack, 1, false, "no built web app in "},
	}
	for _, tt := range tests {
		t.Run(tt.stack, func(t *testing.T) {
			tpl := hosting(t, tt.stack)
			siteID, _ := tpl.Named(t, "AWS::S3::Bucket", "SiteBucket")
			distID, _ := tpl.Resource(t, "AWS::CloudFront::Distribution")
			_, cr := tpl.Resource(t, "Custom::CDKBucketDeployment")
			props := cr["Properties"].(map[string]any)
			checks := []struct {
				what      string
				got, want any
			}{
				{"sources", len(props["SourceObjectKeys"].([]any)), tt.sources},
				{"destination", props["DestinationBucketName"], map[string]any{"Ref": siteID}},
				{"prune", props["Prune"], tt.prune},
				{"invalidated distribution", props["DistributionId"], map[string]any{"Ref": distID}},
				{"invalidated paths", props["DistributionPaths"], []any{"/*"}},
			}
			for _, c := range checks {
				assertJSONEqual(t, c.what, c.got, c.want)
			}

			var warned []string
			for _, w := range tpl.Warnings {
				if strings.Contains(w, "no built web app") {
					warned = append(warned, w)
				}
			}
			switch {
			case tt.warning == "" && len(warned) > 0:
				t.Errorf("unexpected warning: %q", warned)
			case tt.warning != "" && (len(warned) != 1 || !strings.Contains(warned[0], "npm --prefix web run build")):
				t.Errorf("warnings = %q; want one that says how to build the app", tpl.Warnings)
			}

			// The handler pastes each value in as rendered: Source.jsonData already renders
			// it as a JSON string, so the deploy-time "jsonEscape" would escape it twice.
			configs := props["SourceMarkersConfig"].([]any)
			assertJSONEqual(t, "markers config of amplify_outputs.json", configs[len(configs)-1], map[string]any{})
			markers := props["SourceMarkers"].([]any)
			deployed := hostingConfigs[tt.stack]
			for marker, value := range markers[len(markers)-1].(map[string]any) {
				v, err := fakeDeploy(tpl, value)
				if err != nil {
					t.Fatalf("marker %s: %v", marker, err)
				}
				deployed = strings.ReplaceAll(deployed, marker, v)
			}
			var got any
			if err := json.Unmarshal([]byte(deployed), &got); err != nil {
				t.Fatalf("deployed amplify_outputs.json is not JSON: %v\n%s", err, deployed)
			}

			// What `apiless config` writes for the same deploy.
			doc, err := fakeDeploy(tpl, tpl.JSON["Outputs"].(map[string]any)[manifest.OutputKey].(map[string]any)["Value"])
			if err != nil {
				t.Fatal(err)
			}
			outputs, _ := json.Marshal(map[string]any{tt.stack: map[string]string{manifest.OutputKey: doc}})
			res, err := clientconfig.Generate(outputs, "outputs.json", "")
			if err != nil {
				t.Fatalf("apiless config: %v", err)
			}
			var want any
			if err := json.Unmarshal(res.AmplifyOutputs, &want); err != nil {
				t.Fatal(err)
			}
			assertJSONEqual(t, "deployed amplify_outputs.json", got, want)

			auth := got.(map[string]any)["auth"].(map[string]any)
			pool, _ := tpl.Resource(t, "AWS::Cognito::UserPool")
			identityPool, _ := tpl.Resource(t, "AWS::Cognito::IdentityPool")
			assertJSONEqual(t, "auth.user_pool_id", auth["user_pool_id"], "eu-west-1_"+pool)
			assertJSONEqual(t, "auth.identity_pool_id", auth["identity_pool_id"], "eu-west-1:"+identityPool)
		})
	}
}

// fakeDeploy resolves a template value the way CloudFormation would, with made-up values of
// the right shape: a Ref to a user pool is "eu-west-1_<logical ID>", to an identity pool
// "eu-west-1:<logical ID>", to anything else "<logical ID>-physical".
func fakeDeploy(tpl *templatetest.Template, v any) (string, error) {
	switch v := v.(type) {
	case string:
		return v, nil
	case map[string]any:
		if ref, ok := v["Ref"].(string); ok {
			if ref == "AWS::Region" {
				return "eu-west-1", nil
			}
			r, ok := tpl.JSON["Resources"].(map[string]any)[ref].(map[string]any)
			if !ok {
				return "", fmt.Errorf("Ref to unknown %s", ref)
			}
			switch r["Type"] {
			case "AWS::Cognito::UserPool":
				return "eu-west-1_" + ref, nil
			case "AWS::Cognito::IdentityPool":
				return "eu-west-1:" + ref, nil
			}
			return ref + "-physical", nil
		}
		if att, ok := v["Fn::GetAtt"].([]any); ok && len(att) == 2 && att[1] == "ProviderName" {
			return fmt.Sprintf("cognito-idp.eu-west-1.amazonaws.com/eu-west-1_%s", att[0]), nil
		}
		if join, ok := v["Fn::Join"].([]any); ok && len(join) == 2 {
			var parts []string
			for _, p := range join[1].([]any) {
				s, err := fakeDeploy(tpl, p)
				if err != nil {
					return "", err
				}
				parts = append(parts, s)
			}
			return strings.Join(parts, join[0].(string)), nil
		}
	}
	return "", fmt.Errorf("cannot resolve %v", v)
}

// TestHostingAddsTheOnlyLambda: hosting brings the BucketDeployment function (the default demo
// stack has none; the root tests check that) and nothing else Lambda-backed.
func TestHostingAddsTheOnlyLambda(t *testing.T) {
	tpl := hosting(t, hostedStack)
	var found []string
	for id, r := range tpl.JSON["Resources"].(map[string]any) {
		typ := r.(map[string]any)["Type"].(string)
		if typ == "AWS::Lambda::Function" || strings.HasPrefix(typ, "Custom::") || typ == "AWS::CloudFormation::CustomResource" {
			found = append(found, typ+" "+id)
		}
	}
	sort.Strings(found)
	if len(found) != 2 || !strings.HasPrefix(found[0], "AWS::Lambda::Function CustomCDKBucketDeployment") ||
		!strings.HasPrefix(found[1], "Custom::CDKBucketDeployment SiteDeployment") {
		t.Errorf("Lambda-backed resources = %q; want the BucketDeployment function and its custom resource only", found)
	}
}

func TestHostingOutputs(t *testing.T) {
	tests := []struct {
		stack string
		url   func(distID string) any
	}{
		{hostedStack, func(distID string) any {
			return map[string]any{"Fn::Join": []any{"", []any{"https://", map[string]any{"Fn::GetAtt": []any{distID, "DomainName"}}}}}
		}},
		{domainStack, func(string) any { return "https://" + siteDomain }},
	}
	for _, tt := range tests {
		t.Run(tt.stack, func(t *testing.T) {
			tpl := hosting(t, tt.stack)
			distID, _ := tpl.Resource(t, "AWS::CloudFront::Distribution")
			siteID, _ := tpl.Named(t, "AWS::S3::Bucket", "SiteBucket")
			outputs := tpl.JSON["Outputs"].(map[string]any)
			for key, want := range map[string]any{"SiteUrl": tt.url(distID), "SiteBucketName": map[string]any{"Ref": siteID}} {
				o, ok := outputs[key].(map[string]any)
				if !ok {
					t.Errorf("output %s is missing", key)
					continue
				}
				assertJSONEqual(t, "output "+key, o["Value"], want)
				if d, _ := o["Description"].(string); d == "" {
					t.Errorf("output %s has no description", key)
				}
			}
		})
	}
}

// TestHostingCustomDomain: with a certificate, viewers must use TLS 1.2 or later.
func TestHostingCustomDomain(t *testing.T) {
	tpl := hosting(t, domainStack)
	_, dist := tpl.Resource(t, "AWS::CloudFront::Distribution")
	cfg := dist["Properties"].(map[string]any)["DistributionConfig"].(map[string]any)
	assertJSONEqual(t, "aliases", cfg["Aliases"], []any{siteDomain})
	assertJSONEqual(t, "viewer certificate", cfg["ViewerCertificate"], map[string]any{
		"AcmCertificateArn": certificateID, "MinimumProtocolVersion": "TLSv1.2_2021", "SslSupportMethod": "sni-only",
	})
}

// TestHostingIsolation: the BucketDeployment role is not an identity-pool role, and the
// identity-pool roles are those of the default demo stack.
func TestHostingIsolation(t *testing.T) {
	for _, name := range []string{hostedStack, noAppStack, domainStack} {
		t.Run(name, func(t *testing.T) { isolation.AssertIsolated(t, hosting(t, name).Raw) })
	}
}

func assertJSONEqual(t *testing.T, what string, got, want any) {
	t.Helper()
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if string(g) != string(w) {
		t.Errorf("%s:\ngot  %s\nwant %s", what, g, w)
	}
}

func assertRetained(t *testing.T, tpl *templatetest.Template, id string) {
	t.Helper()
	r := tpl.JSON["Resources"].(map[string]any)[id].(map[string]any)
	if r["DeletionPolicy"] != "Retain" || r["UpdateReplacePolicy"] != "Retain" {
		t.Errorf("%s: DeletionPolicy %v, UpdateReplacePolicy %v; want Retain for both", id, r["DeletionPolicy"], r["UpdateReplacePolicy"])
	}
}

// TestHostingNagSuppressionMatchesEveryEnvironment: the AwsSolutions-IAM5 suppression of the
// deployment function's CDK-assets grant is a pattern that matches the finding as cdk-nag
// renders it env-agnostic and with an explicit account and region (nagtest synthesizes both),
// and nothing else.
func TestHostingNagSuppressionMatchesEveryEnvironment(t *testing.T) {
	tpl := hosting(t, hostedStack)
	var patterns []string
	for _, id := range tpl.Resources("AWS::IAM::Policy") {
		r := tpl.JSON["Resources"].(map[string]any)[id].(map[string]any)
		md, _ := r["Metadata"].(map[string]any)
		nag, _ := md["cdk_nag"].(map[string]any)
		rules, _ := nag["rules_to_suppress"].([]any)
		for _, rule := range rules {
			rm := rule.(map[string]any)
			applies, _ := rm["applies_to"].([]any)
			for _, a := range applies {
				if m, ok := a.(map[string]any); ok && rm["id"] == "AwsSolutions-IAM5" {
					patterns = append(patterns, m["regex"].(string))
				}
			}
		}
	}
	if len(patterns) != 1 {
		t.Fatalf("want one regex IAM5 suppression on the deployment policy, got %q", patterns)
	}
	re, err := regexp.Compile(strings.TrimSuffix(strings.TrimPrefix(patterns[0], "/"), "/"))
	if err != nil {
		t.Fatalf("the suppression %s is not a regular expression: %v", patterns[0], err)
	}
	for finding, want := range map[string]bool{
		"Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*": true,
		"Resource::arn:aws:s3:::cdk-hnb659fds-assets-123456789012-eu-west-1/*":                      true,
		"Resource::arn:aws:s3:::cdk-hnb659fds-assets-210987654321-us-east-1/*":                      true,
		"Resource::arn:aws-cn:s3:::cdk-custom1-assets-123456789012-cn-north-1/*":                    true,
		"Resource::arn:aws-us-gov:s3:::cdk-hnb659fds-assets-123456789012-us-gov-west-1/*":           true,
		"Resource::arn:aws:s3:::my-data-bucket/*":                                                   false,
		"Resource::arn:aws:s3:::cdk-hnb659fds-assets-123456789012-eu-west-1/private/*":              false,
		"Resource::arn:aws:s3:::cdk-hnb659fds-assets-123456789012-eu-west-1":                        false,
		"Resource::*": false,
	} {
		if got := re.MatchString(finding); got != want {
			t.Errorf("%s matches %s: %v, want %v", patterns[0], finding, got, want)
		}
	}
}
