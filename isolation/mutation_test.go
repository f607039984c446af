package isolation

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// The mutation tests break one isolation property at a time in a copy of a template and require
// the check to catch exactly that break. Mutations work on the parsed JSON by meaning (the
// statement that carries dynamodb:LeadingKeys, the trust condition on aud, ...), not by text, so
// they keep working as the construct's templates evolve; a mutation that finds nothing to change
// fails the test instead of passing vacuously.

// goldenTemplates are the templates the lead's construct tests write; the mutation tests run on
// each one that exists, besides the hand-written fixtures.
var goldenTemplates = []string{
	filepath.Join("..", "testdata", "ApilessShowcase.template.json"),
	filepath.Join("..", "testdata", "ApilessDemo.template.json"),
}

var fixtureTemplates = []string{
	filepath.Join("testdata", "demo.template.json"),
	filepath.Join("testdata", "tenant.template.json"),
}

// mutationTemplates returns every template to mutate: the golden ones that exist, then the
// fixtures.
func mutationTemplates(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, p := range goldenTemplates {
		if _, err := os.Stat(p); err == nil {
			out = append(out, p)
		} else {
			t.Logf("golden template %s does not exist yet; mutating the fixtures only", p)
		}
	}
	return append(out, fixtureTemplates...)
}

// violations returns the violations of a report on a template.
func violations(t *testing.T, path string, rep *Report) []Finding {
	t.Helper()
	return rep.Violations()
}

type tmpl = map[string]any

func loadTemplate(t *testing.T, path string) tmpl {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m tmpl
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return m
}

func resourcesOf(m tmpl) map[string]any {
	r, _ := m["Resources"].(map[string]any)
	return r
}

func propsOf(res any) map[string]any {
	rm, _ := res.(map[string]any)
	p, _ := rm["Properties"].(map[string]any)
	return p
}

func typeOf(res any) string {
	rm, _ := res.(map[string]any)
	s, _ := rm["Type"].(string)
	return s
}

// getAttTarget returns X of {"Fn::GetAtt": [X, "Arn"]} or {"Fn::GetAtt": "X.Arn"}.
func getAttTarget(v any) string {
	m, _ := v.(map[string]any)
	switch x := m["Fn::GetAtt"].(type) {
	case []any:
		if len(x) == 2 {
			s, _ := x[0].(string)
			return s
		}
	case string:
		id, _, _ := strings.Cut(x, ".")
		return id
	}
	return ""
}

// attachedRole returns the role an identity pool attachment gives "authenticated" or
// "unauthenticated" identities.
func attachedRole(m tmpl, key string) string {
	for _, r := range resourcesOf(m) {
		if typeOf(r) != "AWS::Cognito::IdentityPoolRoleAttachment" {
			continue
		}
		roles, _ := propsOf(r)["Roles"].(map[string]any)
		if id := getAttTarget(roles[key]); id != "" {
			return id
		}
	}
	return ""
}

func groupRole(m tmpl) string {
	var ids []string
	for _, r := range resourcesOf(m) {
		if typeOf(r) == "AWS::Cognito::UserPoolGroup" {
			if id := getAttTarget(propsOf(r)["RoleArn"]); id != "" {
				ids = append(ids, id)
			}
		}
	}
	if len(ids) == 0 {
		return ""
	}
	sort.Strings(ids)
	return ids[0]
}

// policyDocs returns the identity policy documents of a role: its AWS::IAM::Policy resources
// and its inline policies.
func policyDocs(m tmpl, role string) []map[string]any {
	var docs []map[string]any
	for _, r := range resourcesOf(m) {
		if typeOf(r) != "AWS::IAM::Policy" && typeOf(r) != "AWS::IAM::ManagedPolicy" {
			continue
		}
		p := propsOf(r)
		roles, _ := p["Roles"].([]any)
		for _, ref := range roles {
			if rm, ok := ref.(map[string]any); ok && rm["Ref"] == role {
				if d, ok := p["PolicyDocument"].(map[string]any); ok {
					docs = append(docs, d)
				}
			}
		}
	}
	inline, _ := propsOf(resourcesOf(m)[role])["Policies"].([]any)
	for _, p := range inline {
		if d, ok := p.(map[string]any)["PolicyDocument"].(map[string]any); ok {
			docs = append(docs, d)
		}
	}
	return docs
}

func statementsOf(doc map[string]any) []map[string]any {
	var out []map[string]any
	switch s := doc["Statement"].(type) {
	case []any:
		for _, e := range s {
			if m, ok := e.(map[string]any); ok {
				out = append(out, m)
			}
		}
	case map[string]any:
		out = append(out, s)
	}
	return out
}

func roleStatements(m tmpl, role string) []map[string]any {
	var out []map[string]any
	for _, d := range policyDocs(m, role) {
		out = append(out, statementsOf(d)...)
	}
	return out
}

// addStatement appends a statement to the role's first policy document, or to a new inline
// policy when the role has none.
func addStatement(m tmpl, role string, stmt map[string]any) {
	docs := policyDocs(m, role)
	if len(docs) > 0 {
		list, _ := docs[0]["Statement"].([]any)
		docs[0]["Statement"] = append(list, stmt)
		return
	}
	p := propsOf(resourcesOf(m)[role])
	inline, _ := p["Policies"].([]any)
	p["Policies"] = append(inline, map[string]any{"PolicyName": "mutation",
		"PolicyDocument": map[string]any{"Version": "2012-10-17", "Statement": []any{stmt}}})
}

func actionsOf(stmt map[string]any) []string {
	switch a := stmt["Action"].(type) {
	case string:
		return []string{a}
	case []any:
		var out []string
		for _, e := range a {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func hasAction(stmt map[string]any, pred func(string) bool) bool {
	for _, a := range actionsOf(stmt) {
		if pred(a) {
			return true
		}
	}
	return false
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// mentionsIdentity reports whether JSON mentions an identity variable: the identity ID or a
// principal tag.
func mentionsIdentity(v any) bool {
	s := strings.ToLower(jsonOf(v))
	return strings.Contains(s, "${cognito-identity.amazonaws.com:sub}") || strings.Contains(s, "${aws:principaltag/")
}

func deepCopy(v any) any {
	var out any
	if err := json.Unmarshal([]byte(jsonOf(v)), &out); err != nil {
		panic(err)
	}
	return out
}

// leadingKeyStatements returns the statements that scope DynamoDB access with dynamodb:LeadingKeys.
func leadingKeyStatements(stmts []map[string]any) []map[string]any {
	var out []map[string]any
	for _, s := range stmts {
		if s["Effect"] == "Allow" && strings.Contains(jsonOf(s["Condition"]), "dynamodb:LeadingKeys") {
			out = append(out, s)
		}
	}
	return out
}

var errNothingToMutate = errors.New("nothing to mutate")

func nothing(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{errNothingToMutate}, args...)...)
}

var objectAction = regexp.MustCompile(`(?i)^s3:(Get|Put|Delete)Object`)

type mutation struct {
	name string
	// needs names the feature the template must have for the mutation to apply ("guest",
	// "group"); templates without it are skipped, not failed.
	needs string
	// role picks the role the violation must be reported on.
	role  func(m tmpl) string
	apply func(m tmpl) error
	// want is a fragment of the check that must become a violation.
	want string
}

func authRole(m tmpl) string  { return attachedRole(m, "authenticated") }
func guestRole(m tmpl) string { return attachedRole(m, "unauthenticated") }

var mutations = []mutation{
	{
		name: "object resource widened to bucket/*",
		role: authRole,
		want: "'s object",
		apply: func(m tmpl) error {
			changed := 0
			for _, s := range roleStatements(m, authRole(m)) {
				if s["Effect"] != "Allow" || !hasAction(s, objectAction.MatchString) || !mentionsIdentity(s["Resource"]) {
					continue
				}
				res := s["Resource"]
				list, isList := res.([]any)
				if !isList {
					list = []any{res}
				}
				for i, r := range list {
					if !mentionsIdentity(r) {
						continue
					}
					join, _ := r.(map[string]any)["Fn::Join"].([]any)
					if len(join) != 2 {
						return fmt.Errorf("object resource %s is not an Fn::Join", jsonOf(r))
					}
					parts, _ := join[1].([]any)
					if len(parts) == 0 {
						return fmt.Errorf("object resource %s has no parts", jsonOf(r))
					}
					list[i] = map[string]any{"Fn::Join": []any{"", []any{parts[0], "/*"}}}
					changed++
				}
				if isList {
					s["Resource"] = list
				} else {
					s["Resource"] = list[0]
				}
			}
			if changed == 0 {
				return nothing("no Allow statement of the authenticated role puts an identity in an object ARN")
			}
			return nil
		},
	},
	{
		name: "Scan granted beside the per-identity statement",
		role: authRole,
		want: "whole-table access",
		apply: func(m tmpl) error {
			stmts := leadingKeyStatements(roleStatements(m, authRole(m)))
			if len(stmts) == 0 {
				return nothing("the authenticated role has no statement scoped by dynamodb:LeadingKeys")
			}
			addStatement(m, authRole(m), map[string]any{"Effect": "Allow", "Action": "dynamodb:Scan", "Resource": deepCopy(stmts[0]["Resource"])})
			return nil
		},
	},
	{
		name: "ForAnyValue instead of ForAllValues",
		role: authRole,
		want: "key in one batch",
		apply: func(m tmpl) error {
			changed := 0
			for _, s := range leadingKeyStatements(roleStatements(m, authRole(m))) {
				cond, _ := s["Condition"].(map[string]any)
				for op, v := range cond {
					if rest, ok := strings.CutPrefix(op, "ForAllValues:"); ok && strings.Contains(jsonOf(v), "dynamodb:LeadingKeys") {
						delete(cond, op)
						cond["ForAnyValue:"+rest] = v
						changed++
					}
				}
			}
			if changed == 0 {
				return nothing("no ForAllValues condition on dynamodb:LeadingKeys in the authenticated role")
			}
			return nil
		},
	},
	{
		name: "Null guard removed and Scan added",
		role: authRole,
		want: "whole-table access",
		apply: func(m tmpl) error {
			changed := 0
			for _, s := range leadingKeyStatements(roleStatements(m, authRole(m))) {
				cond, _ := s["Condition"].(map[string]any)
				null, _ := cond["Null"].(map[string]any)
				if _, ok := null["dynamodb:LeadingKeys"]; !ok {
					continue
				}
				delete(null, "dynamodb:LeadingKeys")
				if len(null) == 0 {
					delete(cond, "Null")
				}
				s["Action"] = append(anyList(s["Action"]), "dynamodb:Scan")
				changed++
			}
			if changed == 0 {
				return nothing("no Null guard on dynamodb:LeadingKeys in the authenticated role")
			}
			return nil
		},
	},
	{
		name:  "aud trust condition removed",
		role:  authRole,
		want:  "identity of another identity pool",
		apply: func(m tmpl) error { return removeTrustCondition(m, authRole(m), "cognito-identity.amazonaws.com:aud") },
	},
	{
		name:  "amr trust condition removed",
		role:  authRole,
		want:  "trust: guest identity of",
		apply: func(m tmpl) error { return removeTrustCondition(m, authRole(m), "cognito-identity.amazonaws.com:amr") },
	},
	{
		name: "ListBucket without a prefix condition",
		role: authRole,
		want: "list without a prefix",
		apply: func(m tmpl) error {
			changed := 0
			for _, s := range roleStatements(m, authRole(m)) {
				if hasAction(s, func(a string) bool { return strings.EqualFold(a, "s3:ListBucket") }) &&
					strings.Contains(jsonOf(s["Condition"]), "s3:prefix") && mentionsIdentity(s["Condition"]) {
					delete(s, "Condition")
					changed++
				}
			}
			if changed == 0 {
				return nothing("no s3:ListBucket statement with a per-identity s3:prefix condition in the authenticated role")
			}
			return nil
		},
	},
	{
		name:  "group role with an unconditioned item grant",
		needs: "group",
		role:  groupRole,
		want:  "'s key",
		apply: func(m tmpl) error {
			stmts := leadingKeyStatements(roleStatements(m, authRole(m)))
			if len(stmts) == 0 {
				return nothing("the authenticated role has no statement scoped by dynamodb:LeadingKeys to copy the table from")
			}
			addStatement(m, groupRole(m), map[string]any{"Effect": "Allow",
				"Action": []any{"dynamodb:GetItem", "dynamodb:Query"}, "Resource": deepCopy(stmts[0]["Resource"])})
			return nil
		},
	},
	{
		name:  "guest write on an owner path",
		needs: "guest",
		role:  guestRole,
		want:  "(guest write)",
		apply: func(m tmpl) error {
			for _, s := range roleStatements(m, authRole(m)) {
				if s["Effect"] == "Allow" && hasAction(s, objectAction.MatchString) && mentionsIdentity(s["Resource"]) {
					addStatement(m, guestRole(m), map[string]any{"Effect": "Allow", "Action": "s3:PutObject", "Resource": deepCopy(s["Resource"])})
					return nil
				}
			}
			return nothing("the authenticated role has no per-identity object statement to copy")
		},
	},
}

// stripManifest removes the construct's manifest from a template (the identity pool's Metadata
// and the output), so the template is checked in strict mode.
func stripManifest(m tmpl) {
	for _, r := range resourcesOf(m) {
		if md, ok := r.(map[string]any)["Metadata"].(map[string]any); ok {
			delete(md, "ApilessManifest")
		}
	}
	if outs, ok := m["Outputs"].(map[string]any); ok {
		delete(outs, "ApilessManifest")
	}
}

func anyList(v any) []any {
	switch x := v.(type) {
	case []any:
		return x
	case nil:
		return nil
	}
	return []any{v}
}

// removeTrustCondition deletes a condition key from every statement of a role's trust policy.
func removeTrustCondition(m tmpl, role, key string) error {
	doc, _ := propsOf(resourcesOf(m)[role])["AssumeRolePolicyDocument"].(map[string]any)
	changed := 0
	for _, s := range statementsOf(doc) {
		cond, _ := s["Condition"].(map[string]any)
		for op, v := range cond {
			keys, _ := v.(map[string]any)
			if _, ok := keys[key]; ok {
				delete(keys, key)
				changed++
				if len(keys) == 0 {
					delete(cond, op)
				}
			}
		}
		if cond != nil && len(cond) == 0 {
			delete(s, "Condition")
		}
	}
	if changed == 0 {
		return nothing("the trust policy of %s has no %s condition", role, key)
	}
	return nil
}

func hasFeature(m tmpl, feature string) bool {
	switch feature {
	case "guest":
		return guestRole(m) != ""
	case "group":
		return groupRole(m) != ""
	}
	return true
}

func TestMutationsAreCaught(t *testing.T) {
	for _, path := range mutationTemplates(t) {
		for _, mu := range mutations {
			t.Run(filepath.Base(path)+"/"+mu.name, func(t *testing.T) {
				m := loadTemplate(t, path)
				if !hasFeature(m, mu.needs) {
					t.Skipf("%s has no %s role; this mutation does not apply", path, mu.needs)
				}
				role := mu.role(m)
				if role == "" {
					t.Fatalf("%s: found no role to mutate", path)
				}
				if err := mu.apply(m); err != nil {
					t.Fatalf("%s: %v", path, err)
				}
				rep, err := CheckTemplate([]byte(jsonOf(m)))
				if err != nil {
					t.Fatalf("mutated template could not be evaluated: %v", err)
				}
				var hits []string
				for _, v := range rep.Violations() {
					if v.Role == role && strings.Contains(v.Check, mu.want) {
						hits = append(hits, v.Check)
					}
				}
				if len(hits) == 0 {
					t.Errorf("mutation not caught: got violations\n%s\nwant one on role %s whose check contains %q",
						FormatFindings(rep.Violations()), role, mu.want)
				}
			})
		}
	}
}

// Scan added inside the per-identity statement is not a leak: the Null guard makes AWS deny it.
// The check must agree with AWS here, not flag the text.
func TestScanUnderNullGuardIsDenied(t *testing.T) {
	for _, path := range mutationTemplates(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			m := loadTemplate(t, path)
			stmts := leadingKeyStatements(roleStatements(m, authRole(m)))
			guarded := 0
			for _, s := range stmts {
				cond, _ := s["Condition"].(map[string]any)
				if strings.Contains(jsonOf(cond["Null"]), "dynamodb:LeadingKeys") {
					s["Action"] = append(anyList(s["Action"]), "dynamodb:Scan")
					guarded++
				}
			}
			if guarded == 0 {
				t.Fatalf("%s: no per-identity statement with a Null guard", path)
			}
			rep, err := CheckTemplate([]byte(jsonOf(m)))
			if err != nil {
				t.Fatal(err)
			}
			if v := violations(t, path, rep); len(v) > 0 {
				t.Errorf("Scan under the Null guard reported as a leak:\n%s", FormatFindings(v))
			}
		})
	}
}
