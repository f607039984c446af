package iameval

import (
	"strings"
	"testing"
)

const rolesTemplate = `{
  "Resources": {
    "Bucket": {"Type": "AWS::S3::Bucket"},
    "BucketPolicy": {"Type": "AWS::S3::BucketPolicy", "Properties": {
      "Bucket": {"Ref": "Bucket"},
      "PolicyDocument": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "s3:*",
         "Condition": {"Bool": {"aws:SecureTransport": "false"}},
         "Resource": [{"Fn::GetAtt": ["Bucket", "Arn"]}, {"Fn::Join": ["", [{"Fn::GetAtt": ["Bucket", "Arn"]}, "/*"]]}]}]}}},
    "Table": {"Type": "AWS::DynamoDB::Table", "Properties": {
      "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
      "ResourcePolicy": {"PolicyDocument": {"Statement": [
        {"Effect": "Deny", "Principal": "*", "Action": "dynamodb:DeleteTable", "Resource": "*"}]}}}},
    "Role": {"Type": "AWS::IAM::Role", "Properties": {
      "AssumeRolePolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
        "Principal": {"Federated": "cognito-identity.amazonaws.com"}}]},
      "ManagedPolicyArns": [{"Ref": "Managed"}, {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::aws:policy/ReadOnlyAccess"]]}],
      "Policies": [{"PolicyName": "inline", "PolicyDocument": {"Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": {"Fn::Join": ["", [{"Fn::GetAtt": ["Bucket", "Arn"]}, "/inline/*"]]}}]}}]}},
    "RoleDefaultPolicy": {"Type": "AWS::IAM::Policy", "Properties": {
      "PolicyName": "RoleDefaultPolicy", "Roles": [{"Ref": "Role"}],
      "PolicyDocument": {"Statement": [
        {"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:DeleteTable"], "Resource": {"Fn::GetAtt": ["Table", "Arn"]}}]}}},
    "Managed": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {
      "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}]}}},
    "ByRoles": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"Roles": [{"Ref": "Role"}],
      "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "s3:DeleteObject", "Resource": "*"}]}}},
    "OtherRole": {"Type": "AWS::IAM::Role", "Properties": {
      "AssumeRolePolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "lambda.amazonaws.com"}}]}}},
    "OtherPolicy": {"Type": "AWS::IAM::Policy", "Properties": {"PolicyName": "Other", "Roles": [{"Ref": "OtherRole"}],
      "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}}}
  }
}`

func TestRoleCollectsEveryPolicy(t *testing.T) {
	tpl, err := ParseTemplate([]byte(rolesTemplate), Env{})
	if err != nil {
		t.Fatal(err)
	}
	role, err := tpl.Role("Role")
	if err != nil {
		t.Fatal(err)
	}
	if want := "arn:aws:iam::123456789012:role/" + role.Name; role.ARN != want {
		t.Errorf("ARN = %q, want %q", role.ARN, want)
	}
	var sources []string
	for _, p := range role.Policies {
		sources = append(sources, p.Source)
	}
	want := []string{
		"Resources.Role.Properties.Policies[0].PolicyDocument",
		"Resources.RoleDefaultPolicy.Properties.PolicyDocument",
		"Resources.ByRoles.Properties.PolicyDocument",
		"Resources.Managed.Properties.PolicyDocument",
	}
	if strings.Join(sources, "\n") != strings.Join(want, "\n") {
		t.Errorf("policies =\n%s\nwant\n%s", strings.Join(sources, "\n"), strings.Join(want, "\n"))
	}
	if len(role.ExternalPolicies) != 1 || role.ExternalPolicies[0] != "arn:aws:iam::aws:policy/ReadOnlyAccess" {
		t.Errorf("external policies = %v, want the AWS managed ReadOnlyAccess", role.ExternalPolicies)
	}
	if !role.TrustsPrincipal(Principal{Type: "Federated", ID: "cognito-identity.amazonaws.com"}) {
		t.Error("role should trust cognito-identity.amazonaws.com")
	}
	other, err := tpl.Role("OtherRole")
	if err != nil {
		t.Fatal(err)
	}
	if other.TrustsPrincipal(Principal{Type: "Federated", ID: "cognito-identity.amazonaws.com"}) {
		t.Error("OtherRole does not trust cognito")
	}
	byARN, err := tpl.RoleByARN(role.ARN)
	if err != nil || byARN != role {
		t.Errorf("RoleByARN = %v, %v; want the same role", byARN, err)
	}
}

func TestAuthorizeUsesResourcePolicies(t *testing.T) {
	tpl, err := ParseTemplate([]byte(rolesTemplate), Env{})
	if err != nil {
		t.Fatal(err)
	}
	role, err := tpl.Role("Role")
	if err != nil {
		t.Fatal(err)
	}
	bucket, _ := tpl.GetAtt("Bucket", "Arn")
	table, _ := tpl.GetAtt("Table", "Arn")
	secure := Context{"aws:SecureTransport": {"true"}}
	tests := []struct {
		name     string
		action   string
		resource string
		ctx      Context
		want     Decision
	}{
		{"inline policy", "s3:GetObject", bucket + "/inline/a", secure, Allowed},
		{"inline policy, other prefix", "s3:GetObject", bucket + "/other/a", secure, ImplicitDeny},
		{"managed policy by ARN", "s3:PutObject", bucket + "/x", secure, Allowed},
		{"managed policy by Roles", "s3:DeleteObject", bucket + "/x", secure, Allowed},
		{"bucket policy denies plain HTTP", "s3:PutObject", bucket + "/x", Context{"aws:SecureTransport": {"false"}}, ExplicitDeny},
		{"AWS::IAM::Policy", "dynamodb:GetItem", table, secure, Allowed},
		{"table resource policy denies", "dynamodb:DeleteTable", table, secure, ExplicitDeny},
		{"another role's policy does not apply", "s3:GetBucketPolicy", bucket, secure, ImplicitDeny},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tpl.Authorize(role, tc.action, tc.resource, tc.ctx)
			if err != nil {
				t.Fatal(err)
			}
			if got.Decision != tc.want {
				t.Errorf("%s on %s: %v, want %v", tc.action, tc.resource, got.Decision, tc.want)
			}
		})
	}
}
