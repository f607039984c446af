package isolation

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The leak classes of issue 11, each made by editing the demo stack's golden template into the
// leaking shape. Every one must be a violation that names the statement that allowed it (or, for
// a declared grant the policies dropped, the denied actions).

var demoGolden = filepath.Join("..", "testdata", "ApilessDemo.template.json")

const (
	demoAuth   = "AccessAuthenticatedRole56E2EC25"
	demoBucket = "AccessFiles94368A56"
	demoPolicy = "Resources.AccessAuthenticatedRolePolicyF9DFA21E.Properties.PolicyDocument.Statement"
)

// bucketObjects is an Fn::Join of the demo bucket's ARN and a key pattern.
func bucketObjects(path string) any {
	return map[string]any{"Fn::Join": []any{"", []any{map[string]any{"Fn::GetAtt": []any{demoBucket, "Arn"}}, "/" + path}}}
}

// editManifest replaces text in the string parts of the manifest output's Fn::Join.
func editManifest(t *testing.T, m tmpl, old, new string) {
	t.Helper()
	out := m["Outputs"].(map[string]any)["ApilessManifest"].(map[string]any)
	parts := out["Value"].(map[string]any)["Fn::Join"].([]any)[1].([]any)
	n := 0
	for i, p := range parts {
		if s, ok := p.(string); ok && strings.Contains(s, old) {
			parts[i] = strings.Replace(s, old, new, 1)
			n++
		}
	}
	// The construct also records the manifest in the identity pool's Metadata, which verify
	// reads first: edit it the same way.
	for _, r := range resourcesOf(m) {
		md, ok := r.(map[string]any)["Metadata"].(map[string]any)
		if !ok || md["ApilessManifest"] == nil {
			continue
		}
		b, _ := json.Marshal(md["ApilessManifest"])
		if !strings.Contains(string(b), old) {
			t.Fatalf("the manifest metadata has no %q to edit", old)
		}
		var edited any
		if err := json.Unmarshal([]byte(strings.Replace(string(b), old, new, 1)), &edited); err != nil {
			t.Fatalf("editing the manifest metadata: %v", err)
		}
		md["ApilessManifest"] = edited
	}
	if n == 0 {
		t.Fatalf("the manifest has no %q to edit", old)
	}
}

func statementBySid(t *testing.T, m tmpl, role, sid string) map[string]any {
	t.Helper()
	for _, s := range roleStatements(m, role) {
		if s["Sid"] == sid {
			return s
		}
	}
	t.Fatalf("role %s has no statement %s", role, sid)
	return nil
}

// violation finds a violation on the role whose check contains fragment and that names the
// statement (by Sid or place).
func violation(rep *Report, role, fragment, statement string) (Finding, bool) {
	for _, f := range rep.Violations() {
		if f.Role != role || !strings.Contains(f.Check, fragment) {
			continue
		}
		if statement == "" || slices.ContainsFunc(f.Statements, func(s string) bool { return strings.Contains(s, statement) }) {
			return f, true
		}
	}
	return Finding{}, false
}

func TestDeclaredModeCatchesLeakClasses(t *testing.T) {
	const lookalikeID = "us-east-1:0a1b2c3d-0000-4000-8000-000000000000"
	tests := []struct {
		name      string
		mutate    func(t *testing.T, m tmpl)
		opts      Options
		check     string // fragment of the check that must be a violation
		statement string // fragment of the statement it must name ("" for declared-but-not-granted)
		missing   string // an action that must be reported as declared but denied
	}{
		{"(a) owner statement widened to private/*", func(t *testing.T, m tmpl) {
			statementBySid(t, m, demoAuth, "OwnObjects")["Resource"] = bucketObjects("private/*")
		}, Options{}, "private/{identity}/*: other identity's object", "Sid OwnObjects", ""},
		{"(b) shared privat?/* beside private/{identity}/*, declared as a literal folder", func(t *testing.T, m tmpl) {
			editManifest(t, m, `"paths":{`, `"paths":{"privat?/*":{"authenticated":["get"]},`)
			addStatement(m, demoAuth, map[string]any{"Sid": "Lookalike", "Effect": "Allow", "Action": "s3:GetObject", "Resource": bucketObjects("privat?/*")})
		}, Options{}, "private/{identity}/*: other identity's object", "Sid Lookalike", ""},
		{"(c) shared folder spelled like an identity ID", func(t *testing.T, m tmpl) {
			editManifest(t, m, `"paths":{`, `"paths":{"private/`+lookalikeID+`/*":{"authenticated":["get"]},`)
			addStatement(m, demoAuth, map[string]any{"Sid": "IdentityLookalike", "Effect": "Allow", "Action": "s3:GetObject", "Resource": bucketObjects("private/" + lookalikeID + "/*")})
		}, Options{}, "private/" + lookalikeID + "/*: object in the folder", "Sid IdentityLookalike", ""},
		{"(d) brought-in bucket granted wider than declared", func(t *testing.T, m tmpl) {
			editManifest(t, m, `"buckets":[`, `"buckets":[{"name":"Imported","bucketName":"imported-files","paths":{"private/{identity}/*":{"owner":["get","write"]}}},`)
			addStatement(m, demoAuth, map[string]any{"Sid": "ImportedObjects", "Effect": "Allow", "Action": []any{"s3:GetObject", "s3:PutObject"},
				"Resource": "arn:aws:s3:::imported-files/private/*"})
		}, Options{}, "bucket imported-files (outside the template) private/{identity}/*: other identity's object", "Sid ImportedObjects", ""},
		{"(d') brought-in bucket no manifest names", func(t *testing.T, m tmpl) {
			addStatement(m, demoAuth, map[string]any{"Sid": "ImportedObjects", "Effect": "Allow", "Action": "s3:GetObject",
				"Resource": "arn:aws:s3:::imported-files/private/*"})
		}, Options{}, "bucket imported-files (outside the template)", "Sid ImportedObjects", ""},
		{"(e) a listing prefix that reaches into a nested folder", func(t *testing.T, m tmpl) {
			nestedTeamFolder(t, m)
			delete(statementBySid(t, m, demoAuth, "TeamList")["Condition"].(map[string]any), "StringEquals")
		}, Options{}, "team/locked/*: list a prefix of the nested folder", "Sid TeamList", ""},
		{"(f) a declared grant removed from the policy", func(t *testing.T, m tmpl) {
			statementBySid(t, m, demoAuth, "OwnObjects")["Action"] = []any{"s3:DeleteObject", "s3:GetObject"}
		}, Options{}, "private/{identity}/*: own object", "", "s3:PutObject"},
		{"(f') a declared table operation removed from the policy", func(t *testing.T, m tmpl) {
			statementBySid(t, m, demoAuth, "OwnItems")["Action"] = []any{"dynamodb:PutItem", "dynamodb:DeleteItem"}
		}, Options{}, "table AccessItemsD3D6BB4A: own key", "", "dynamodb:GetItem"},
		{"(g) strict mode: the widened template without its manifest", func(t *testing.T, m tmpl) {
			stripManifest(m)
			statementBySid(t, m, demoAuth, "OwnObjects")["Resource"] = bucketObjects("private/*")
		}, Options{}, "private/{identity}/*: other identity's object", "Sid OwnObjects", ""},
		{"(h) Null guard removed and Scan added", func(t *testing.T, m tmpl) {
			s := statementBySid(t, m, demoAuth, "OwnItems")
			delete(s["Condition"].(map[string]any), "Null")
			s["Action"] = append(anyList(s["Action"]), "dynamodb:Scan")
		}, Options{}, "whole-table access", "Sid OwnItems", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := loadTemplate(t, demoGolden)
			tc.mutate(t, m)
			rep, err := CheckTemplateWith([]byte(jsonOf(m)), tc.opts)
			if err != nil {
				t.Fatalf("could not evaluate: %v", err)
			}
			f, ok := violation(rep, demoAuth, tc.check, tc.statement)
			if !ok {
				t.Fatalf("no violation %q naming %q; violations:\n%s", tc.check, tc.statement, FormatFindings(rep.Violations()))
			}
			if tc.missing != "" && (!slices.Contains(f.Missing, tc.missing) || !strings.Contains(f.Reason, "declared but not granted")) {
				t.Errorf("violation %q: missing %v, reason %q; want %s declared but not granted", f.Check, f.Missing, f.Reason, tc.missing)
			}
		})
	}
}

// nestedTeamFolder adds to the demo a team/* folder every signed-in user reads and lists, and a
// nested team/locked/* that nobody is given: the construct's explicit Denies, and a listing of
// team/ that requires the "/" delimiter, so no prefix lists the keys under team/locked/.
func nestedTeamFolder(t *testing.T, m tmpl) {
	t.Helper()
	editManifest(t, m, `"paths":{`, `"paths":{"team/*":{"authenticated":["get","list"]},"team/locked/*":{},`)
	addStatement(m, demoAuth, map[string]any{"Sid": "TeamObjects", "Effect": "Allow", "Action": "s3:GetObject", "Resource": bucketObjects("team/*")})
	addStatement(m, demoAuth, map[string]any{"Sid": "TeamList", "Effect": "Allow", "Action": "s3:ListBucket",
		"Resource": map[string]any{"Fn::GetAtt": []any{demoBucket, "Arn"}},
		"Condition": map[string]any{"StringLike": map[string]any{"s3:prefix": []any{"team/", "team/*"}},
			"StringEquals": map[string]any{"s3:delimiter": "/"}}})
	addStatement(m, demoAuth, map[string]any{"Sid": "DenyNestedObjects", "Effect": "Deny", "Action": "s3:GetObject", "Resource": bucketObjects("team/locked/*")})
	addStatement(m, demoAuth, map[string]any{"Sid": "DenyNestedList", "Effect": "Deny", "Action": "s3:ListBucket",
		"Resource":  map[string]any{"Fn::GetAtt": []any{demoBucket, "Arn"}},
		"Condition": map[string]any{"StringLike": map[string]any{"s3:prefix": []any{"team/locked", "team/locked/", "team/locked/*"}}}})
}

// The good shapes the mutations start from verify clean, so each violation above is the
// mutation's doing.
func TestDeclaredModeGoodShapes(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(t *testing.T, m tmpl)
		opts   Options
		mode   string
	}{
		{"the demo golden template", func(t *testing.T, m tmpl) {}, Options{}, ModeDeclared},
		{"a nested folder whose parent listing needs the delimiter", nestedTeamFolder, Options{}, ModeDeclared},
		{"strict mode: the widened template, with --shared naming the folder", func(t *testing.T, m tmpl) {
			stripManifest(m)
			statementBySid(t, m, demoAuth, "OwnObjects")["Resource"] = bucketObjects("private/*")
		}, Options{Shared: []string{demoBucket + "/private/*"}}, ModeStrict},
		{"strict mode: the demo without its manifest", func(t *testing.T, m tmpl) { stripManifest(m) }, Options{}, ModeStrict},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := loadTemplate(t, demoGolden)
			tc.mutate(t, m)
			rep, err := CheckTemplateWith([]byte(jsonOf(m)), tc.opts)
			if err != nil {
				t.Fatalf("could not evaluate: %v", err)
			}
			if rep.Mode != tc.mode {
				t.Errorf("mode = %q, want %q", rep.Mode, tc.mode)
			}
			if v := rep.Violations(); len(v) > 0 {
				t.Errorf("got %d violations, want none:\n%s", len(v), FormatFindings(v))
			}
		})
	}
}

// No crying wolf: without the Null guard, a statement that grants only item actions leaks
// nothing (AWS always sends their key), so it is a warning, not a violation.
func TestMissingNullGuardIsAWarning(t *testing.T) {
	m := loadTemplate(t, demoGolden)
	delete(statementBySid(t, m, demoAuth, "OwnItems")["Condition"].(map[string]any), "Null")
	rep, err := CheckTemplate([]byte(jsonOf(m)))
	if err != nil {
		t.Fatal(err)
	}
	if v := rep.Violations(); len(v) > 0 {
		t.Errorf("got violations, want none:\n%s", FormatFindings(v))
	}
	found := false
	for _, w := range rep.Warnings() {
		if strings.Contains(w.Check, "item action without a key") && slices.ContainsFunc(w.Statements, func(s string) bool { return strings.Contains(s, "Sid OwnItems") }) {
			found = true
		}
	}
	if !found {
		t.Errorf("no warning on the missing guard naming Sid OwnItems; warnings:\n%s", FormatFindings(rep.Warnings()))
	}
}

// The report says what was checked: tables and buckets, brought-in ones included.
func TestCounts(t *testing.T) {
	m := loadTemplate(t, demoGolden)
	addStatement(m, demoAuth, map[string]any{"Effect": "Allow", "Action": "dynamodb:GetItem",
		"Resource": "arn:aws:dynamodb:us-east-1:123456789012:table/Imported"})
	rep, err := CheckTemplate([]byte(jsonOf(m)))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Tables != 2 || rep.Buckets != 2 || len(rep.Roles) != 1 {
		t.Errorf("checked %d tables, %d buckets, %d roles; want 2, 2, 1", rep.Tables, rep.Buckets, len(rep.Roles))
	}
	if _, ok := violation(rep, demoAuth, "table Imported (outside the template)", demoPolicy); !ok {
		t.Errorf("the brought-in table was not probed; violations:\n%s", FormatFindings(rep.Violations()))
	}
}

// A template whose policies grant data actions on nothing the check can identify is refused.
func TestNothingToCheckIsAnError(t *testing.T) {
	const tpl = `{"Resources": {
 "Pool": {"Type": "AWS::Cognito::IdentityPool", "Properties": {"AllowUnauthenticatedIdentities": false}},
 "Att": {"Type": "AWS::Cognito::IdentityPoolRoleAttachment", "Properties": {"IdentityPoolId": {"Ref": "Pool"}, "Roles": {"authenticated": {"Fn::GetAtt": ["Role", "Arn"]}}}},
 "Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity", "Principal": {"Federated": "cognito-identity.amazonaws.com"}}]},
   "Policies": [{"PolicyName": "p", "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "arn:aws:dynamodb:us-east-1:123456789012:stream/x"}]}}]}}}}`
	if _, err := CheckTemplate([]byte(tpl)); err == nil || !strings.Contains(err.Error(), "nothing could be checked") {
		t.Errorf("err = %v, want one saying nothing could be checked", err)
	}
}
