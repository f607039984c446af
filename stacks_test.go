package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/apiless/apiless/constructs/directaccess"
	"github.com/apiless/apiless/internal/cdkcontext"
	"github.com/apiless/apiless/internal/golden"
	"github.com/apiless/apiless/internal/templatetest"
	"github.com/apiless/apiless/isolation"
	"github.com/apiless/apiless/manifest"
)

// The app is synthesized once, exactly as `cdk synth -c showcase=true` does (same code path,
// same cdk.json context), and every test reads the shared templates.
var (
	appOnce      sync.Once
	appTemplates map[string]*templatetest.Template
	appErr       error
)

func synthApp(t testing.TB) map[string]*templatetest.Template {
	t.Helper()
	appOnce.Do(func() {
		appTemplates, appErr = templatetest.Synth(map[string]any{"showcase": "true"}, addStacks)
	})
	if appErr != nil {
		t.Fatalf("synth: %v", appErr)
	}
	return appTemplates
}

func demo(t *testing.T) (*templatetest.Template, assertions.Template) {
	t.Helper()
	tpl := synthApp(t)["ApilessDemo"]
	if tpl == nil {
		t.Fatal("no ApilessDemo template synthesized")
	}
	return tpl, assertions.Template_FromJSON(&tpl.JSON, nil)
}

func TestGoldenTemplates(t *testing.T) {
	templates := synthApp(t)
	for _, name := range []string{"ApilessDemo", "ApilessShowcase"} {
		t.Run(name, func(t *testing.T) {
			tpl := templates[name]
			if tpl == nil {
				t.Fatalf("stack %s was not synthesized", name)
			}
			templatetest.Golden(t, name+".template.json", tpl.Raw)
		})
	}
}

// TestIsolation evaluates every role of every stack the app synthesizes: no identity reaches
// another identity's (or tenant's) data, and nothing unscoped is granted.
func TestIsolation(t *testing.T) {
	for name, tpl := range synthApp(t) {
		t.Run(name, func(t *testing.T) { isolation.AssertIsolated(t, tpl.Raw) })
	}
}

func TestUserPool(t *testing.T) {
	tpl, a := demo(t)
	a.HasResourceProperties(jsii.String("AWS::Cognito::UserPool"), map[string]any{
		"UsernameAttributes":     []any{"email"},
		"AutoVerifiedAttributes": []any{"email"},
		"AdminCreateUserConfig":  map[string]any{"AllowAdminCreateUserOnly": false},
		"Policies": map[string]any{"PasswordPolicy": map[string]any{
			"MinimumLength": 8, "RequireLowercase": true, "RequireUppercase": true,
			"RequireNumbers": true, "RequireSymbols": true,
		}},
		"AccountRecoverySetting": map[string]any{"RecoveryMechanisms": []any{map[string]any{"Name": "verified_email", "Priority": 1}}},
		"MfaConfiguration":       "OPTIONAL",
		"EnabledMfas":            []any{"SOFTWARE_TOKEN_MFA"},
		"DeletionProtection":     "ACTIVE",
	})
	id, _ := tpl.Resource(t, "AWS::Cognito::UserPool")
	assertRetained(t, tpl, id)
}

func TestUserPoolClientIsForBrowsers(t *testing.T) {
	tpl, a := demo(t)
	a.HasResourceProperties(jsii.String("AWS::Cognito::UserPoolClient"), map[string]any{
		"GenerateSecret":                  false,
		"ExplicitAuthFlows":               []any{"ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"},
		"PreventUserExistenceErrors":      "ENABLED",
		"EnableTokenRevocation":           true,
		"AllowedOAuthFlowsUserPoolClient": false,
	})
	// Resource insists on exactly one client: the identity pool must not create a stray one.
	_, client := tpl.Resource(t, "AWS::Cognito::UserPoolClient")
	for _, key := range []string{"AllowedOAuthFlows", "AllowedOAuthScopes", "CallbackURLs"} {
		if v, ok := client["Properties"].(map[string]any)[key]; ok {
			t.Errorf("client sets %s = %v; the SRP-only browser client needs no OAuth", key, v)
		}
	}
	writable := client["Properties"].(map[string]any)["WriteAttributes"].([]any)
	for _, attr := range writable {
		if strings.HasPrefix(attr.(string), "custom:") {
			t.Errorf("client can write %v; custom attributes may decide access and must not be user-writable", attr)
		}
	}
}

func TestIdentityPool(t *testing.T) {
	tpl, a := demo(t)
	clientID, _ := tpl.Resource(t, "AWS::Cognito::UserPoolClient")
	poolID, _ := tpl.Resource(t, "AWS::Cognito::UserPool")
	a.HasResourceProperties(jsii.String("AWS::Cognito::IdentityPool"), map[string]any{
		"AllowUnauthenticatedIdentities": false,
		"AllowClassicFlow":               false,
		"CognitoIdentityProviders": []any{map[string]any{
			"ClientId":             map[string]any{"Ref": clientID},
			"ProviderName":         map[string]any{"Fn::GetAtt": []any{poolID, "ProviderName"}},
			"ServerSideTokenCheck": true,
		}},
	})
}

func TestAuthenticatedRoleTrustsOnlyThisPoolsSignedInUsers(t *testing.T) {
	tpl, _ := demo(t)
	identityPool, _ := tpl.Resource(t, "AWS::Cognito::IdentityPool")
	roleID, role := tpl.Resource(t, "AWS::IAM::Role")
	got := role["Properties"].(map[string]any)["AssumeRolePolicyDocument"]
	want := map[string]any{
		"Version": "2012-10-17",
		"Statement": []any{map[string]any{
			"Effect":    "Allow",
			"Principal": map[string]any{"Federated": "cognito-identity.amazonaws.com"},
			"Action":    "sts:AssumeRoleWithWebIdentity",
			"Condition": map[string]any{
				"StringEquals":           map[string]any{"cognito-identity.amazonaws.com:aud": map[string]any{"Ref": identityPool}},
				"ForAnyValue:StringLike": map[string]any{"cognito-identity.amazonaws.com:amr": "authenticated"},
			},
		}},
	}
	assertJSONEqual(t, "trust policy of "+roleID, got, want)

	_, attachment := tpl.Resource(t, "AWS::Cognito::IdentityPoolRoleAttachment")
	wantAttachment := map[string]any{
		"IdentityPoolId": map[string]any{"Ref": identityPool},
		"Roles":          map[string]any{"authenticated": map[string]any{"Fn::GetAtt": []any{roleID, "Arn"}}},
	}
	assertJSONEqual(t, "role attachment", attachment["Properties"], wantAttachment)
}

func TestTable(t *testing.T) {
	tpl, a := demo(t)
	a.HasResourceProperties(jsii.String("AWS::DynamoDB::GlobalTable"), map[string]any{
		"KeySchema": []any{
			map[string]any{"AttributeName": "userId", "KeyType": "HASH"},
			map[string]any{"AttributeName": "itemId", "KeyType": "RANGE"},
		},
		"AttributeDefinitions": []any{
			map[string]any{"AttributeName": "userId", "AttributeType": "S"},
			map[string]any{"AttributeName": "itemId", "AttributeType": "S"},
		},
		"BillingMode":      "PAY_PER_REQUEST",
		"SSESpecification": map[string]any{"SSEEnabled": true, "SSEType": "KMS"},
		"Replicas": []any{assertions.Match_ObjectLike(&map[string]any{
			"PointInTimeRecoverySpecification": map[string]any{"PointInTimeRecoveryEnabled": true},
			"DeletionProtectionEnabled":        true,
		})},
	})
	id, _ := tpl.Resource(t, "AWS::DynamoDB::GlobalTable")
	assertRetained(t, tpl, id)
}

func TestBucket(t *testing.T) {
	tpl, a := demo(t)
	a.HasResourceProperties(jsii.String("AWS::S3::Bucket"), map[string]any{
		"PublicAccessBlockConfiguration": map[string]any{
			"BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true,
		},
		"BucketEncryption": map[string]any{"ServerSideEncryptionConfiguration": []any{
			map[string]any{"ServerSideEncryptionByDefault": map[string]any{"SSEAlgorithm": "AES256"}},
		}},
		"VersioningConfiguration": map[string]any{"Status": "Enabled"},
		"OwnershipControls":       map[string]any{"Rules": []any{map[string]any{"ObjectOwnership": "BucketOwnerEnforced"}}},
		"CorsConfiguration": map[string]any{"CorsRules": []any{map[string]any{
			"AllowedOrigins": []any{"http://localhost:5173"},
			"AllowedMethods": []any{"GET", "PUT", "POST", "DELETE", "HEAD"},
			"AllowedHeaders": []any{"*"},
			"ExposedHeaders": []any{"ETag", "x-amz-checksum-crc32", "x-amz-checksum-crc32c", "x-amz-request-id", "x-amz-id-2", "x-amz-server-side-encryption"},
			"MaxAge":         3000,
		}}},
	})
	bucketID, bucket := tpl.Named(t, "AWS::S3::Bucket", "AccessFiles")
	assertRetained(t, tpl, bucketID)
	logsID, _ := tpl.Named(t, "AWS::S3::Bucket", "AccessAccessLogs")
	assertRetained(t, tpl, logsID)
	assertJSONEqual(t, "server access logging", bucket["Properties"].(map[string]any)["LoggingConfiguration"],
		map[string]any{"DestinationBucketName": map[string]any{"Ref": logsID}, "LogFilePrefix": "Files/"})
	a.HasResourceProperties(jsii.String("AWS::S3::BucketPolicy"), map[string]any{
		"PolicyDocument": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{
			assertions.Match_ObjectLike(&map[string]any{
				"Effect":    "Deny",
				"Action":    "s3:*",
				"Principal": map[string]any{"AWS": "*"},
				"Condition": map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}},
			}),
		})},
	})
}

// TestGeneratedPolicy pins the complete per-identity policy of the demo stack.
func TestGeneratedPolicy(t *testing.T) {
	tpl, _ := demo(t)
	table, _ := tpl.Resource(t, "AWS::DynamoDB::GlobalTable")
	bucket, _ := tpl.Named(t, "AWS::S3::Bucket", "AccessFiles")
	role, _ := tpl.Resource(t, "AWS::IAM::Role")
	_, policy := tpl.Resource(t, "AWS::IAM::ManagedPolicy")
	props := policy["Properties"].(map[string]any)
	assertJSONEqual(t, "policy roles", props["Roles"], []any{map[string]any{"Ref": role}})
	objects := map[string]any{"Fn::Join": []any{"", []any{map[string]any{"Fn::GetAtt": []any{bucket, "Arn"}}, "/private/" + directaccess.IdentityVariable + "/*"}}}
	want := map[string]any{
		"Version": "2012-10-17",
		"Statement": []any{
			map[string]any{
				"Sid":    "OwnItems",
				"Effect": "Allow",
				// Sorted: the minimizePolicies feature flag in cdk.json orders actions.
				"Action": []any{
					"dynamodb:BatchGetItem", "dynamodb:BatchWriteItem", "dynamodb:ConditionCheckItem", "dynamodb:DeleteItem",
					"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem",
				},
				"Resource": map[string]any{"Fn::GetAtt": []any{table, "Arn"}},
				"Condition": map[string]any{
					"ForAllValues:StringEquals": map[string]any{"dynamodb:LeadingKeys": "${cognito-identity.amazonaws.com:sub}"},
					"Null":                      map[string]any{"dynamodb:LeadingKeys": "false"},
					"Bool":                      map[string]any{"aws:SecureTransport": "true"},
				},
			},
			map[string]any{
				"Sid":      "OwnObjects",
				"Effect":   "Allow",
				"Action":   []any{"s3:DeleteObject", "s3:GetObject", "s3:PutObject"},
				"Resource": objects,
			},
			map[string]any{
				"Sid":      "OwnFolderList",
				"Effect":   "Allow",
				"Action":   "s3:ListBucket",
				"Resource": map[string]any{"Fn::GetAtt": []any{bucket, "Arn"}},
				"Condition": map[string]any{"StringLike": map[string]any{"s3:prefix": []any{
					"private/${cognito-identity.amazonaws.com:sub}/", "private/${cognito-identity.amazonaws.com:sub}/*",
				}}},
			},
			// No presigned URL or POST form signed with these credentials works (issue 12).
			map[string]any{
				"Sid":       "DenyPresigned",
				"Effect":    "Deny",
				"Action":    []any{"s3:DeleteObject", "s3:GetObject", "s3:ListBucket", "s3:PutObject"},
				"Resource":  []any{map[string]any{"Fn::GetAtt": []any{bucket, "Arn"}}, map[string]any{"Fn::Join": []any{"", []any{map[string]any{"Fn::GetAtt": []any{bucket, "Arn"}}, "/*"}}}},
				"Condition": map[string]any{"StringEquals": map[string]any{"s3:authType": []any{"REST-QUERY-STRING", "POST"}}},
			},
		},
	}
	assertJSONEqual(t, "authenticated role policy", props["PolicyDocument"], want)
}

// TestNothingDangerous looks for what must never be in any synthesized stack.
func TestNothingDangerous(t *testing.T) {
	for name, tpl := range synthApp(t) {
		t.Run(name, func(t *testing.T) {
			for id, r := range tpl.JSON["Resources"].(map[string]any) {
				typ := r.(map[string]any)["Type"].(string)
				if typ == "AWS::Lambda::Function" || strings.HasPrefix(typ, "Custom::") || typ == "AWS::CloudFormation::CustomResource" {
					t.Errorf("%s is a %s; the pattern needs no Lambda-backed resources", id, typ)
				}
			}
			for _, id := range tpl.Resources("AWS::IAM::ManagedPolicy") {
				doc := tpl.Props(id)["PolicyDocument"].(map[string]any)
				for _, s := range doc["Statement"].([]any) {
					st := s.(map[string]any)
					if st["Effect"] == "Deny" {
						continue // the block list, maintenance and budget denies take everything away
					}
					for _, action := range strings.Fields(flatten(st["Action"])) {
						lower := strings.ToLower(action)
						if strings.Contains(lower, "*") || strings.HasSuffix(lower, ":scan") || strings.Contains(lower, "partiql") {
							t.Errorf("%s/%v grants %s", id, st["Sid"], action)
						}
					}
					res := flatten(st["Resource"])
					if st["Effect"] == "Allow" && strings.Contains(res, "Arn /*") {
						t.Errorf("%s/%v grants every object of a bucket: %s", id, st["Sid"], res)
					}
				}
			}
		})
	}
	tpl, _ := demo(t)
	if got := tpl.Resources("AWS::IAM::Role"); len(got) != 1 {
		t.Errorf("demo stack has roles %v; want only the authenticated role (no guest role unless asked)", got)
	}
}

func TestOutputs(t *testing.T) {
	tpl, _ := demo(t)
	outputs := tpl.JSON["Outputs"].(map[string]any)
	for _, key := range []string{"Region", "UserPoolId", "UserPoolClientId", "IdentityPoolId", "UserPoolProviderName", "TableName", "BucketName", "ObjectPathTemplate", manifest.OutputKey} {
		o, ok := outputs[key].(map[string]any)
		if !ok {
			t.Errorf("output %s is missing", key)
			continue
		}
		if d, _ := o["Description"].(string); d == "" {
			t.Errorf("output %s has no description", key)
		}
	}
	if got := outputs["ObjectPathTemplate"].(map[string]any)["Value"]; got != "private/{identity}/*" {
		t.Errorf("ObjectPathTemplate = %v, want private/{identity}/*", got)
	}
	// The manifest is JSON once CloudFormation has filled in the tokens: fill them with
	// placeholders the same way and parse it.
	parts := outputs[manifest.OutputKey].(map[string]any)["Value"].(map[string]any)["Fn::Join"].([]any)[1].([]any)
	var doc strings.Builder
	for _, p := range parts {
		if s, ok := p.(string); ok {
			doc.WriteString(s)
		} else {
			doc.WriteString("TOKEN")
		}
	}
	var m manifest.Manifest
	if err := json.Unmarshal([]byte(doc.String()), &m); err != nil {
		t.Fatalf("manifest output is not JSON after deploy: %v\n%s", err, doc.String())
	}
	if m.Version != manifest.Version || len(m.Tables) != 1 || m.Tables[0].PartitionKey != "userId" || m.Tables[0].SortKey != "itemId" ||
		len(m.Buckets) != 1 || m.Buckets[0].Paths["private/{identity}/*"] == nil || m.UserPoolID != "TOKEN" {
		t.Errorf("manifest = %+v", m)
	}
}

// TestAppOutputIsClean runs the built app the way `cdk synth` does and checks it prints
// nothing: no jsii "Runtime process exited abnormally" line, no warnings. Three runs, since
// the jsii message showed up in about one run of three when jsii.Close was deferred.
func TestAppOutputIsClean(t *testing.T) {
	bin := buildApp(t)
	for i := range 3 {
		out, err := runApp(t, bin, nil)
		if err != nil {
			t.Fatalf("run %d: %v\n%s", i+1, err, out)
		}
		if len(out) != 0 {
			t.Errorf("run %d printed %q; want no output", i+1, out)
		}
	}
}

// TestAppRefusesBadInputClearly: a bad value ends the synth with the problem named and exit
// code 1, not with a goroutine dump.
func TestAppRefusesBadInputClearly(t *testing.T) {
	bin := buildApp(t)
	out, err := runApp(t, bin, map[string]any{"corsOrigins": "localhost:5173"})
	exit, ok := err.(*exec.ExitError)
	if !ok || exit.ExitCode() != 1 {
		t.Fatalf("err = %v, want exit code 1; output:\n%s", err, out)
	}
	want := `CorsAllowedOrigins[0]: "localhost:5173" is not a web origin; expected scheme://host[:port]`
	if !strings.Contains(string(out), want) {
		t.Errorf("output does not contain %q:\n%s", want, out)
	}
	if strings.Contains(string(out), "goroutine ") || strings.Contains(string(out), ".go:") {
		t.Errorf("output has a stack trace:\n%s", out)
	}
}

var (
	buildOnce sync.Once
	appBinary string
	buildErr  error
)

func buildApp(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "apiless-app-")
		if err != nil {
			buildErr = err
			return
		}
		appBinary = filepath.Join(dir, "apiless-app")
		out, err := exec.Command("go", "build", "-o", appBinary, ".").CombinedOutput()
		if err != nil {
			buildErr = &buildError{err, out}
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return appBinary
}

type buildError struct {
	err error
	out []byte
}

func (e *buildError) Error() string { return e.err.Error() + "\n" + string(e.out) }

// runApp runs the app binary as the CDK CLI would: CDK_OUTDIR and CDK_CONTEXT_JSON set.
func runApp(t *testing.T, bin string, context map[string]any) ([]byte, error) {
	t.Helper()
	// Like the CLI: cdk.json's context plus the -c values, in CDK_CONTEXT_JSON.
	merged, err := cdkcontext.Load(".")
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range context {
		merged[k] = v
	}
	ctx, _ := json.Marshal(merged)
	cmd := exec.Command(bin)
	cmd.Dir = t.TempDir()
	// The Node 20 end-of-life banner is the machine's, not the app's: silence it so the test
	// sees only what the app itself prints (on Node 22+ there is no banner to silence).
	cmd.Env = append(os.Environ(), "CDK_OUTDIR="+cmd.Dir, "CDK_CONTEXT_JSON="+string(ctx),
		"JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20")
	return cmd.CombinedOutput()
}

func assertRetained(t *testing.T, tpl *templatetest.Template, id string) {
	t.Helper()
	r := tpl.JSON["Resources"].(map[string]any)[id].(map[string]any)
	if r["DeletionPolicy"] != "Retain" || r["UpdateReplacePolicy"] != "Retain" {
		t.Errorf("%s: DeletionPolicy=%v UpdateReplacePolicy=%v, want Retain/Retain", id, r["DeletionPolicy"], r["UpdateReplacePolicy"])
	}
}

func assertJSONEqual(t *testing.T, what string, got, want any) {
	t.Helper()
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	var gv, wv any
	_ = json.Unmarshal(g, &gv)
	_ = json.Unmarshal(w, &wv)
	if !reflect.DeepEqual(gv, wv) {
		gi, _ := json.MarshalIndent(gv, "", " ")
		wi, _ := json.MarshalIndent(wv, "", " ")
		t.Errorf("%s differs:\n%s", what, golden.LineDiff(string(wi), string(gi)))
	}
}

// flatten renders an Action or Resource value (string, list, intrinsic) as text for scans:
// Fn::GetAtt [X, Arn] becomes "X.Arn " so a bare bucket wildcard shows as "X.Arn /*".
func flatten(v any) string {
	switch x := v.(type) {
	case string:
		return x + " "
	case []any:
		var b strings.Builder
		for _, e := range x {
			b.WriteString(flatten(e))
		}
		return b.String()
	case map[string]any:
		if ga, ok := x["Fn::GetAtt"].([]any); ok {
			return ga[0].(string) + "." + ga[1].(string) + " "
		}
		if j, ok := x["Fn::Join"].([]any); ok {
			var b strings.Builder
			for _, e := range j[1].([]any) {
				b.WriteString(strings.TrimSuffix(flatten(e), " "))
			}
			return b.String() + " "
		}
		var b strings.Builder
		for _, e := range x {
			b.WriteString(flatten(e))
		}
		return b.String()
	}
	return ""
}

// BenchmarkSynth measures one in-process synth of the app (both stacks) once the jsii kernel
// is up: the part of `cdk synth` that this project's code adds to jsii's boot.
//
//	go test -run '^$' -bench Synth -benchtime 20x .
func BenchmarkSynth(b *testing.B) {
	synthApp(b) // boot the kernel outside the timed loop
	b.ResetTimer()
	for range b.N {
		if _, err := templatetest.Synth(map[string]any{"showcase": "true"}, addStacks); err != nil {
			b.Fatal(err)
		}
	}
}
