package directaccess_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"

	"github.com/apiless/apiless/constructs/directaccess"
	"github.com/apiless/apiless/internal/templatetest"
	"github.com/apiless/apiless/isolation"
)

// Each configuration is synthesized once (a synth costs a jsii round trip) and shared by the
// tests that look at it; the template carries the stack's warning annotations.

var configs = map[string]func(stack awscdk.Stack){
	"defaults": func(stack awscdk.Stack) {
		directaccess.NewDirectAccess(stack, jsii.String("Access"), nil)
	},
	"risky": func(stack awscdk.Stack) {
		directaccess.NewDirectAccess(stack, jsii.String("Access"), &directaccess.DirectAccessProps{
			RemovalPolicy:      awscdk.RemovalPolicy_DESTROY,
			CorsAllowedOrigins: jsii.Strings("*"),
			Guests:             &directaccess.GuestAccess{Acknowledge: jsii.Bool(true)},
			Buckets: []*directaccess.BucketRule{{
				Name:  jsii.String("Files"),
				Paths: directaccess.PublicProtectedPrivate(true),
			}},
		})
	},
	"broughtIn": func(stack awscdk.Stack) {
		pool := awscognito.UserPool_FromUserPoolId(stack, jsii.String("Pool"), jsii.String("us-east-1_AbCdEf123"))
		client := awscognito.UserPoolClient_FromUserPoolClientId(stack, jsii.String("Client"), jsii.String("1example23456789"))
		// A v1 Table works as well as a TableV2.
		table := awsdynamodb.Table_FromTableName(stack, jsii.String("ExistingTable"), jsii.String("existing-notes"))
		bucket := awss3.Bucket_FromBucketName(stack, jsii.String("ExistingBucket"), jsii.String("existing-files"))
		directaccess.NewDirectAccess(stack, jsii.String("Access"), &directaccess.DirectAccessProps{
			UserPool: pool, UserPoolClient: client,
			Tables:  []*directaccess.TableRule{{Name: jsii.String("Notes"), Table: table, PartitionKey: jsii.String("owner"), SortKey: jsii.String("noteId")}},
			Buckets: []*directaccess.BucketRule{{Name: jsii.String("Files"), Bucket: bucket}},
			Tenant:  &directaccess.TenantIsolation{Claim: jsii.String("custom:tenant")},
		})
	},
	"groupsAndTenants": func(stack awscdk.Stack) {
		editors := []directaccess.StorageOperation{directaccess.StorageGet, directaccess.StorageList, directaccess.StorageWrite}
		all := []directaccess.StorageOperation{directaccess.StorageGet, directaccess.StorageList, directaccess.StorageWrite, directaccess.StorageDelete}
		directaccess.NewDirectAccess(stack, jsii.String("Access"), &directaccess.DirectAccessProps{
			Groups: []*directaccess.GroupRule{{Name: jsii.String("editors"), Precedence: jsii.Number(1)}},
			Tenant: &directaccess.TenantIsolation{Claim: jsii.String("custom:org"), TagKey: jsii.String("org")},
			Tables: []*directaccess.TableRule{{Name: jsii.String("Docs"), PartitionKey: jsii.String("orgId"), PartitionValue: directaccess.PartitionByTenant}},
			Buckets: []*directaccess.BucketRule{{Name: jsii.String("Files"), Paths: []*directaccess.PathRule{
				{Path: jsii.String("private/{identity}/*"), Owner: &all},
				{Path: jsii.String("orgs/{tenant}/*"), Tenant: &all},
				{Path: jsii.String("shared/*"), Groups: map[string][]directaccess.StorageOperation{"editors": editors}},
			}}},
		})
	},
}

var cache = map[string]*templatetest.Template{}

func synth(t *testing.T, config string) *templatetest.Template {
	t.Helper()
	if tpl, ok := cache[config]; ok {
		return tpl
	}
	templates, err := templatetest.Synth(nil, func(app awscdk.App) {
		configs[config](awscdk.NewStack(app, jsii.String("Test"), nil))
	})
	if err != nil {
		t.Fatalf("synth %s: %v", config, err)
	}
	cache[config] = templates["Test"]
	return templates["Test"]
}

// TestIsolation runs the offline isolation proof on every configuration these tests synthesize.
func TestIsolation(t *testing.T) {
	for _, name := range []string{"defaults", "risky", "broughtIn", "groupsAndTenants"} {
		t.Run(name, func(t *testing.T) { isolation.AssertIsolated(t, synth(t, name).Raw) })
	}
}

func TestDefaults(t *testing.T) {
	s := synth(t, "defaults")
	a := assertions.Template_FromJSON(&s.JSON, nil)
	a.HasResourceProperties(jsii.String("AWS::DynamoDB::GlobalTable"), map[string]any{
		"KeySchema": []any{map[string]any{"AttributeName": "userId", "KeyType": "HASH"}},
	})
	// No CORS until origins are given: a browser cannot reach the bucket by accident.
	_, bucket := s.Named(t, "AWS::S3::Bucket", "AccessFiles")
	if cors, ok := bucket["Properties"].(map[string]any)["CorsConfiguration"]; ok {
		t.Errorf("default bucket has CORS %v; want none without CorsAllowedOrigins", cors)
	}
	// One warning by default: codes are sent by Cognito's built-in sender until EmailSender is set.
	if len(s.Warnings) != 1 || !strings.Contains(s.Warnings[0], "apiless:cognitoEmailSender") {
		t.Errorf("defaults produce warnings %v; want only the built-in email sender's", s.Warnings)
	}
	// Every stateful resource is retained, the identity pool included: it is the only map from
	// users to the identity IDs their items and folders are keyed by.
	for _, typ := range []string{"AWS::Cognito::UserPool", "AWS::Cognito::IdentityPool", "AWS::DynamoDB::GlobalTable", "AWS::S3::Bucket"} {
		for _, id := range s.Resources(typ) {
			r := s.JSON["Resources"].(map[string]any)[id].(map[string]any)
			if r["DeletionPolicy"] != "Retain" || r["UpdateReplacePolicy"] != "Retain" {
				t.Errorf("%s DeletionPolicy = %v, UpdateReplacePolicy = %v; want Retain by default", id, r["DeletionPolicy"], r["UpdateReplacePolicy"])
			}
		}
	}
	raw := string(s.Raw)
	if !strings.Contains(raw, `/private/${cognito-identity.amazonaws.com:sub}/*`) {
		t.Errorf("default object path private/{identity}/* not in the policy")
	}
}

func TestRiskyChoicesWarn(t *testing.T) {
	s := synth(t, "risky")
	for _, want := range []string{"RemovalPolicy is DESTROY", `CorsAllowedOrigins contains "*"`, "Guests is on"} {
		found := false
		for _, w := range s.Warnings {
			found = found || strings.Contains(w, want)
		}
		if !found {
			t.Errorf("no warning containing %q in %v", want, s.Warnings)
		}
	}
	for _, typ := range []string{"AWS::Cognito::UserPool", "AWS::Cognito::IdentityPool", "AWS::DynamoDB::GlobalTable"} {
		for _, id := range s.Resources(typ) {
			r := s.JSON["Resources"].(map[string]any)[id].(map[string]any)
			if r["DeletionPolicy"] != "Delete" {
				t.Errorf("%s DeletionPolicy = %v, want Delete when asked for DESTROY", id, r["DeletionPolicy"])
			}
		}
	}
	a := assertions.Template_FromJSON(&s.JSON, nil)
	a.HasResourceProperties(jsii.String("AWS::Cognito::UserPool"), map[string]any{"DeletionProtection": "INACTIVE"})
	a.HasResourceProperties(jsii.String("AWS::Cognito::IdentityPool"), map[string]any{"AllowUnauthenticatedIdentities": true})
	// The guest role trusts only unauthenticated identities of this pool.
	pool, _ := s.Resource(t, "AWS::Cognito::IdentityPool")
	guest, role := s.Named(t, "AWS::IAM::Role", "AccessGuestRole")
	trust, _ := json.Marshal(role["Properties"].(map[string]any)["AssumeRolePolicyDocument"])
	want := fmt.Sprintf(`"Condition":{"ForAnyValue:StringLike":{"cognito-identity.amazonaws.com:amr":"unauthenticated"},"StringEquals":{"cognito-identity.amazonaws.com:aud":{"Ref":%q}}}`, pool)
	if !strings.Contains(string(trust), want) {
		t.Errorf("guest role %s trust = %s, want it to contain %s", guest, trust, want)
	}
	_, attachment := s.Resource(t, "AWS::Cognito::IdentityPoolRoleAttachment")
	roles := attachment["Properties"].(map[string]any)["Roles"].(map[string]any)
	if got := roles["unauthenticated"]; fmt.Sprint(got) != fmt.Sprint(map[string]any{"Fn::GetAtt": []any{guest, "Arn"}}) {
		t.Errorf("unauthenticated role = %v, want %s", got, guest)
	}
}

func TestBroughtInResources(t *testing.T) {
	s := synth(t, "broughtIn")
	for _, typ := range []string{"AWS::Cognito::UserPool", "AWS::Cognito::UserPoolClient", "AWS::DynamoDB::GlobalTable", "AWS::S3::Bucket"} {
		if ids := s.Resources(typ); len(ids) != 0 {
			t.Errorf("created %s %v although one was brought in", typ, ids)
		}
	}
	a := assertions.Template_FromJSON(&s.JSON, nil)
	a.HasResourceProperties(jsii.String("AWS::Cognito::IdentityPool"), map[string]any{
		"CognitoIdentityProviders": []any{assertions.Match_ObjectLike(&map[string]any{"ClientId": "1example23456789"})},
	})
	raw := string(s.Raw)
	for _, want := range []string{":table/existing-notes", ":s3:::existing-files/private/${cognito-identity.amazonaws.com:sub}/*"} {
		if !strings.Contains(raw, want) {
			t.Errorf("policy does not reference %q", want)
		}
	}
	found := false
	for _, w := range s.Warnings {
		found = found || strings.Contains(w, `Tenant.Claim "custom:tenant" comes from a brought-in user pool client`)
	}
	if !found {
		t.Errorf("no warning about the brought-in client and the tenant claim in %v", s.Warnings)
	}
}

func TestGroupsAndTenants(t *testing.T) {
	s := synth(t, "groupsAndTenants")
	a := assertions.Template_FromJSON(&s.JSON, nil)
	groupRole, _ := s.Named(t, "AWS::IAM::Role", "AccessGroupseditorsRole")
	a.HasResourceProperties(jsii.String("AWS::Cognito::UserPoolGroup"), map[string]any{
		"GroupName": "editors", "Precedence": 1,
		"RoleArn": map[string]any{"Fn::GetAtt": []any{groupRole, "Arn"}},
	})
	a.HasResourceProperties(jsii.String("AWS::Cognito::IdentityPoolRoleAttachment"), map[string]any{
		"RoleMappings": map[string]any{"UserPool": assertions.Match_ObjectLike(&map[string]any{
			"Type": "Token", "AmbiguousRoleResolution": "AuthenticatedRole",
		})},
	})
	a.HasResourceProperties(jsii.String("AWS::Cognito::IdentityPoolPrincipalTag"), map[string]any{
		"PrincipalTags": map[string]any{"org": "custom:org"}, "UseDefaults": false,
	})
	// Roles that receive principal tags must allow sts:TagSession, and still require aud+amr.
	for _, prefix := range []string{"AccessAuthenticatedRole", "AccessGroupseditorsRole"} {
		_, role := s.Named(t, "AWS::IAM::Role", prefix)
		trust, _ := json.Marshal(role["Properties"].(map[string]any)["AssumeRolePolicyDocument"])
		for _, want := range []string{`"Action":["sts:AssumeRoleWithWebIdentity","sts:TagSession"]`, `"cognito-identity.amazonaws.com:amr":"authenticated"`, `"cognito-identity.amazonaws.com:aud"`} {
			if !strings.Contains(string(trust), want) {
				t.Errorf("%s trust %s lacks %s", prefix, trust, want)
			}
		}
	}
	// The client cannot write the tenant claim.
	_, client := s.Resource(t, "AWS::Cognito::UserPoolClient")
	for _, attr := range client["Properties"].(map[string]any)["WriteAttributes"].([]any) {
		if attr == "custom:org" {
			t.Errorf("the app client can write the tenant claim custom:org")
		}
	}
	// Group members keep their own data: the group role's policy has every per-identity and
	// per-tenant statement of the authenticated role.
	sids := func(prefix string) map[string]string {
		id, _ := s.Named(t, "AWS::IAM::ManagedPolicy", prefix)
		out := map[string]string{}
		for _, st := range s.Props(id)["PolicyDocument"].(map[string]any)["Statement"].([]any) {
			b, _ := json.Marshal(st)
			out[st.(map[string]any)["Sid"].(string)] = string(b)
		}
		return out
	}
	authenticated, group := sids("AccessAuthenticatedRolePolicy"), sids("AccessGroupseditorsRolePolicy")
	for sid, stmt := range authenticated {
		if group[sid] != stmt {
			t.Errorf("group role lacks the authenticated statement %s:\n%s\ngroup has:\n%s", sid, stmt, group[sid])
		}
	}
	if !strings.Contains(group["SharedObjects"], "/shared/*") || strings.Contains(authenticated["SharedObjects"], "/shared/*") {
		t.Errorf("shared/* must be granted to editors only; group=%s authenticated=%s", group["SharedObjects"], authenticated["SharedObjects"])
	}
	for _, want := range []string{`"dynamodb:LeadingKeys":"${aws:PrincipalTag/org}"`, `"aws:PrincipalTag/org":"false"`} {
		if !strings.Contains(authenticated["TenantItems"], want) {
			t.Errorf("TenantItems = %s, want it to contain %s", authenticated["TenantItems"], want)
		}
	}
	if !strings.Contains(authenticated["TenantObjects"], "/orgs/${aws:PrincipalTag/org}/*") || !strings.Contains(authenticated["TenantObjects"], `"aws:PrincipalTag/org":"false"`) {
		t.Errorf("TenantObjects = %s", authenticated["TenantObjects"])
	}
}

// TestInvalidPropsPanicWithEveryProblem: the constructor refuses bad props before creating
// anything, with one message that lists every problem.
func TestInvalidPropsPanicWithEveryProblem(t *testing.T) {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Bad"), nil)
	var got any
	func() {
		defer func() { got = recover() }()
		directaccess.NewDirectAccess(stack, jsii.String("Access"), &directaccess.DirectAccessProps{
			Tables:             []*directaccess.TableRule{{Name: jsii.String("Items"), PartitionKey: jsii.String("")}},
			Buckets:            []*directaccess.BucketRule{{Name: jsii.String("Files"), Paths: []*directaccess.PathRule{{Path: jsii.String("/{identity}/*")}}}},
			CorsAllowedOrigins: jsii.Strings("example.com"),
		})
	}()
	err, ok := got.(error)
	if !ok {
		t.Fatalf("recovered %v (%T), want an error", got, got)
	}
	for _, want := range []string{
		`Tables[0].PartitionKey: ""`,
		`Buckets[0].Paths[0].Path: path "/{identity}/*": starts with "/"`,
		`CorsAllowedOrigins[0]: "example.com" is not a web origin`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if n := len(*stack.Node().Children()); n != 0 {
		t.Errorf("stack has %d children after a refused construct; want none", n)
	}
}
