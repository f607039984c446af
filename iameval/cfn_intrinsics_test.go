package iameval

import (
	"errors"
	"strings"
	"testing"
)

// Every list-taking intrinsic checks its argument's shape through one helper: a list of the wrong
// length, or no list, is a ResolveError at the function's place that names the expected shape.
func TestIntrinsicArgumentShapes(t *testing.T) {
	tpl := parseCDK(t)
	tests := []struct{ in, want string }{
		{`{"Fn::Join": ["-"]}`, "Fn::Join takes [delimiter, list], got a list"},
		{`{"Fn::Join": "a-b"}`, "Fn::Join takes [delimiter, list], got string"},
		{`{"Fn::Select": [0, ["a"], "extra"]}`, "Fn::Select takes [index, list]"},
		{`{"Fn::Split": {"a": 1}}`, `Fn::Split takes [delimiter, string], got object {"a":1}`},
		{`{"Fn::If": ["IsProd", "a"]}`, "Fn::If takes [condition, value if true, value if false]"},
		{`{"Fn::FindInMap": ["Names", "prod"]}`, "Fn::FindInMap takes [map, top-level key, second-level key]"},
		{`{"Fn::Sub": ["${A}"]}`, "Fn::Sub takes [string, variables]"},
		{`{"Fn::Sub": [1, {}]}`, "Fn::Sub template must be a string"},
		{`{"Fn::Sub": ["x", "y"]}`, "Fn::Sub variables must be an object"},
		{`{"Fn::GetAtt": ["Bucket83908E77"]}`, "Fn::GetAtt takes [resource, attribute]"},
		{`{"Ref": ["Bucket83908E77"]}`, "Ref takes a name"},
		{`{"Fn::If": [1, "a", "b"]}`, "Fn::If needs a condition name"},
		{`{"Fn::Select": ["one", ["a"]]}`, `index "one" is not a number`},
		{`{"Fn::FindInMap": ["Nope", "a", "b"]}`, `no mapping "Nope"`},
		{`{"Fn::FindInMap": ["Names", "dev", "Prefix"]}`, `mapping "Names" has no key "dev"`},
		{`{"Fn::FindInMap": ["Names", "prod", "Suffix"]}`, `mapping "Names"."prod" has no key "Suffix"`},
		{`{"Fn::Length": "abc"}`, "expected a list, got string"},
		{`{"Fn::Sub": "${Unterminated"}`, "unterminated ${"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			_, err := tpl.Resolve(decode(t, tc.in), "Resources.P.Properties.V")
			var re *ResolveError
			if !errors.As(err, &re) {
				t.Fatalf("error %v is not a ResolveError", err)
			}
			if !strings.HasPrefix(re.Path, "Resources.P.Properties.V.") {
				t.Errorf("path %q does not name the place", re.Path)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
		})
	}
}

// The functions without a test of their own in TestResolveIntrinsics.
func TestResolveMoreIntrinsics(t *testing.T) {
	tpl := parseCDK(t)
	tests := []struct{ in, want string }{
		{`{"Fn::Select": [2, {"Fn::GetAZs": ""}]}`, "us-east-1c"},
		{`{"Fn::ToJsonString": {"a": [{"Ref": "AWS::Region"}]}}`, `{"a":["us-east-1"]}`},
		{`{"Fn::Length": [1, 2, {"Ref": "AWS::NoValue"}]}`, "2"},
		{`{"Fn::Join": [",", {"Fn::Split": [",", "a,b"]}]}`, "a,b"},
	}
	for _, tc := range tests {
		got, err := tpl.ResolveString(decode(t, tc.in), "X")
		if err != nil || got != tc.want {
			t.Errorf("%s = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

// Template conditions: every condition function, and the errors of a malformed one.
func TestTemplateConditions(t *testing.T) {
	tpl, err := ParseTemplate([]byte(`{
	  "Parameters": {"Stage": {"Type": "String", "Default": "prod"}},
	  "Conditions": {
	    "IsProd": {"Fn::Equals": [{"Ref": "Stage"}, "prod"]},
	    "IsDev": {"Fn::Equals": ["dev", {"Ref": "Stage"}]},
	    "Either": {"Fn::Or": [{"Condition": "IsDev"}, {"Condition": "IsProd"}]},
	    "Neither": {"Fn::Not": [{"Fn::Or": [{"Condition": "IsDev"}, {"Fn::Equals": ["a", "b"]}]}]},
	    "All": {"Fn::And": [{"Condition": "Either"}, {"Condition": "Neither"}, {"Condition": "IsProd"}]},
	    "Loop": {"Condition": "Loop"},
	    "Bad": {"Fn::Maybe": ["a"]},
	    "BadNot": {"Fn::Not": [{"Condition": "IsProd"}, {"Condition": "IsDev"}]},
	    "EmptyOr": {"Fn::Or": []}
	  },
	  "Resources": {"B": {"Type": "AWS::S3::Bucket"}}}`), Env{})
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]bool{"IsProd": true, "IsDev": false, "Either": true, "Neither": true, "All": true} {
		got, err := tpl.condition(name, "X")
		if err != nil || got != want {
			t.Errorf("%s = %v, %v; want %v", name, got, err, want)
		}
	}
	for name, want := range map[string]string{
		"Loop":    "refers to itself",
		"Bad":     "Fn::Maybe is not a condition function",
		"BadNot":  "Fn::Not takes [condition]",
		"EmptyOr": "Fn::Or takes a list of conditions",
		"Missing": `no condition "Missing"`,
	} {
		if _, err := tpl.condition(name, "X"); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want one containing %q", name, err, want)
		}
	}
}
