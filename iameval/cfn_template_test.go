package iameval

import (
	"encoding/json"
	"strings"
	"testing"
)

// cdkTemplate is shaped like `cdk synth` output: names generated, ARNs built with Fn::Join,
// Fn::GetAtt and pseudo parameters.
const cdkTemplate = `{
  "Parameters": {"BootstrapVersion": {"Type": "AWS::SSM::Parameter::Value<String>", "Default": "/cdk-bootstrap/hnb659fds/version"},
                 "Stage": {"Type": "String", "Default": "prod"},
                 "NoDefault": {"Type": "String"}},
  "Mappings": {"Names": {"prod": {"Prefix": "p"}}},
  "Conditions": {"IsProd": {"Fn::Equals": [{"Ref": "Stage"}, "prod"]},
                 "IsChina": {"Fn::Equals": [{"Ref": "AWS::Partition"}, "aws-cn"]},
                 "NotChina": {"Fn::Not": [{"Condition": "IsChina"}]},
                 "Both": {"Fn::And": [{"Condition": "IsProd"}, {"Condition": "NotChina"}]}},
  "Resources": {
    "Bucket83908E77": {"Type": "AWS::S3::Bucket", "Properties": {}},
    "NamedBucket": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": {"Fn::Join": ["-", ["named", {"Ref": "AWS::AccountId"}]]}}},
    "TableCD117FA1": {"Type": "AWS::DynamoDB::GlobalTable", "Properties": {"KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]}},
    "UserPool6BA7E5F2": {"Type": "AWS::Cognito::UserPool", "Properties": {}},
    "IdentityPool": {"Type": "AWS::Cognito::IdentityPool", "Properties": {}},
    "AuthRole": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Statement": []}}},
    "ChinaOnly": {"Type": "AWS::S3::Bucket", "Condition": "IsChina", "Properties": {}},
    "Custom": {"Type": "Custom::Thing", "Properties": {}}
  }
}`

func parseCDK(t *testing.T) *Template {
	t.Helper()
	tpl, err := ParseTemplate([]byte(cdkTemplate), Env{})
	if err != nil {
		t.Fatal(err)
	}
	return tpl
}

func TestResolveIntrinsics(t *testing.T) {
	tpl := parseCDK(t)
	bucket, _ := tpl.Ref("Bucket83908E77")
	table, _ := tpl.Ref("TableCD117FA1")
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"Ref bucket is its name", `{"Ref": "Bucket83908E77"}`, bucket},
		{"explicit BucketName wins", `{"Ref": "NamedBucket"}`, "named-123456789012"},
		{"GetAtt bucket Arn (list form)", `{"Fn::GetAtt": ["Bucket83908E77", "Arn"]}`, "arn:aws:s3:::" + bucket},
		{"GetAtt bucket Arn (string form)", `{"Fn::GetAtt": "Bucket83908E77.Arn"}`, "arn:aws:s3:::" + bucket},
		{"GetAtt table Arn", `{"Fn::GetAtt": ["TableCD117FA1", "Arn"]}`, "arn:aws:dynamodb:us-east-1:123456789012:table/" + table},
		{"Join builds an object ARN", `{"Fn::Join": ["", [{"Fn::GetAtt": ["Bucket83908E77", "Arn"]}, "/private/${cognito-identity.amazonaws.com:sub}/*"]]}`,
			"arn:aws:s3:::" + bucket + "/private/${cognito-identity.amazonaws.com:sub}/*"},
		{"Join with pseudo parameters", `{"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":s3:::x.", {"Ref": "AWS::URLSuffix"}]]}`, "arn:aws:s3:::x.amazonaws.com"},
		{"Sub with pseudo parameter, attribute and escape", `{"Fn::Sub": "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${TableCD117FA1}/index/* ${!aws:username} ${Bucket83908E77.Arn}"}`,
			"arn:aws:dynamodb:us-east-1:123456789012:table/" + table + "/index/* ${aws:username} arn:aws:s3:::" + bucket},
		{"Sub with variables map", `{"Fn::Sub": ["${Name}-${AWS::StackName}", {"Name": {"Ref": "Stage"}}]}`, "prod-Stack"},
		{"Select and Split", `{"Fn::Select": [1, {"Fn::Split": ["/", "a/b/c"]}]}`, "b"},
		{"Select with a string index", `{"Fn::Select": ["0", ["x", "y"]]}`, "x"},
		{"If on a condition", `{"Fn::If": ["Both", "yes", "no"]}`, "yes"},
		{"If on a false condition", `{"Fn::If": ["IsChina", "cn", "global"]}`, "global"},
		{"FindInMap", `{"Fn::FindInMap": ["Names", {"Ref": "Stage"}, "Prefix"]}`, "p"},
		{"UserPool ProviderName", `{"Fn::GetAtt": ["UserPool6BA7E5F2", "ProviderName"]}`, "cognito-idp.us-east-1.amazonaws.com/" + mustRef(t, tpl, "UserPool6BA7E5F2")},
		{"Base64", `{"Fn::Base64": "hi"}`, "aGk="},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tpl.ResolveString(decode(t, tc.in), "X")
			if err != nil {
				t.Fatalf("error: %v", err)
			}
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func mustRef(t *testing.T, tpl *Template, id string) string {
	t.Helper()
	s, err := tpl.Ref(id)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func decode(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("bad JSON %s: %v", s, err)
	}
	return v
}

// Every unresolvable intrinsic is an error that names where it is, never a guess.
func TestResolveErrorsNameThePlace(t *testing.T) {
	tpl := parseCDK(t)
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"import", `{"Fn::ImportValue": "Other:Export"}`, []string{"Resources.P.Statement[0].Resource.Fn::ImportValue", "another stack"}},
		{"unknown resource", `{"Ref": "Nope"}`, []string{"Resources.P.Statement[0].Resource.Ref", "Nope"}},
		{"unknown attribute", `{"Fn::GetAtt": ["Bucket83908E77", "Owner"]}`, []string{"Fn::GetAtt", "Owner", "AWS::S3::Bucket", "not modelled"}},
		{"custom resource attribute", `{"Fn::GetAtt": ["Custom", "Value"]}`, []string{"Custom::Thing"}},
		{"parameter without default", `{"Ref": "NoDefault"}`, []string{"NoDefault", "deploy time"}},
		{"policy variable not escaped in Sub", `{"Fn::Sub": "arn:aws:s3:::b/${cognito-identity.amazonaws.com:sub}/*"}`, []string{"Fn::Sub", "${!cognito-identity.amazonaws.com:sub}"}},
		{"unsupported intrinsic", `{"Fn::Cidr": ["10.0.0.0/16", 2, 8]}`, []string{"Fn::Cidr", "not supported"}},
		{"Join of an object", `{"Fn::Join": ["", [{"a": 1}]]}`, []string{"Fn::Join[1][0]", "expected a string"}},
		{"Select out of range", `{"Fn::Select": [3, ["a"]]}`, []string{"out of range"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tpl.Resolve(decode(t, tc.in), "Resources.P.Statement[0].Resource")
			if err == nil {
				t.Fatal("resolved without error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestResolveNoValueAndConditions(t *testing.T) {
	tpl := parseCDK(t)
	got, err := tpl.Resolve(decode(t, `{"A": {"Ref": "AWS::NoValue"}, "B": ["x", {"Fn::If": ["IsChina", "y", {"Ref": "AWS::NoValue"}]}]}`), "P")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(got)
	if string(b) != `{"B":["x"]}` {
		t.Errorf("got %s, want {\"B\":[\"x\"]}", b)
	}
	if _, ok := tpl.Resource("ChinaOnly"); ok {
		t.Error("resource with a false Condition is still in the template")
	}
}

func TestPseudoParametersAreConfigurable(t *testing.T) {
	tpl, err := ParseTemplate([]byte(cdkTemplate), Env{Partition: "aws-cn", Region: "cn-north-1", AccountID: "210987654321"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := tpl.GetAtt("TableCD117FA1", "Arn")
	if err != nil {
		t.Fatal(err)
	}
	table := mustRef(t, tpl, "TableCD117FA1")
	if want := "arn:aws-cn:dynamodb:cn-north-1:210987654321:table/" + table; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if _, ok := tpl.Resource("ChinaOnly"); !ok {
		t.Error("ChinaOnly should exist in the aws-cn partition")
	}
	pool := mustRef(t, tpl, "IdentityPool")
	if !strings.HasPrefix(pool, "cn-north-1:") {
		t.Errorf("identity pool id %q does not start with the region", pool)
	}
}

// Fake physical IDs are deterministic, so reports and golden outputs are stable.
func TestPhysicalIDsAreDeterministic(t *testing.T) {
	a, b := parseCDK(t), parseCDK(t)
	for _, id := range []string{"Bucket83908E77", "TableCD117FA1", "UserPool6BA7E5F2", "IdentityPool", "AuthRole"} {
		if x, y := mustRef(t, a, id), mustRef(t, b, id); x != y {
			t.Errorf("Ref %s differs between parses: %q vs %q", id, x, y)
		}
	}
	name := mustRef(t, a, "Bucket83908E77")
	if name != strings.ToLower(name) || len(name) > 63 {
		t.Errorf("bucket name %q is not a valid bucket name", name)
	}
}
