package isolation

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func checkMutated(t *testing.T, m tmpl) *Report {
	t.Helper()
	rep, err := CheckTemplate([]byte(jsonOf(m)))
	if err != nil {
		t.Fatalf("CheckTemplate: %v", err)
	}
	return rep
}

// findingsFor returns the findings of a role (by the attachment key or logical ID) whose check
// contains a fragment.
func findingsFor(rep *Report, role, fragment string) []Finding {
	var out []Finding
	for _, r := range rep.Roles {
		if r.LogicalID != role {
			continue
		}
		for _, f := range r.Findings {
			if strings.Contains(f.Check, fragment) {
				out = append(out, f)
			}
		}
	}
	return out
}

// Every template the project ships, and every golden template the construct tests write, is
// isolated: no violation and no warning.
func TestTemplatesAreIsolated(t *testing.T) {
	for _, path := range mutationTemplates(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			rep, err := CheckTemplate(readFile(t, path))
			if err != nil {
				t.Fatalf("could not evaluate: %v", err)
			}
			if len(rep.Roles) == 0 {
				t.Fatal("no identity-pool role found")
			}
			if rep.Mode != ModeDeclared {
				t.Errorf("mode = %q, want %q: every shipped template carries its manifest", rep.Mode, ModeDeclared)
			}
			if v := violations(t, path, rep); len(v) > 0 {
				t.Errorf("got %d violations, want none:\n%s", len(v), FormatFindings(v))
			}
			if w := rep.Warnings(); len(w) > 0 {
				t.Errorf("got %d warnings, want none:\n%s", len(w), FormatFindings(w))
			}
		})
	}
}

func TestRolesAreDiscovered(t *testing.T) {
	tests := []struct {
		path string
		want map[string]string // logical ID -> audiences
	}{
		{"testdata/demo.template.json", map[string]string{
			"DataAuthenticatedRole5A6B7C8D": "authenticated",
			"DataGuestRole9E0F1A2B":         "guest",
			"DataAdminsRole3A4B5C6D":        "group admins",
		}},
		{"testdata/tenant.template.json", map[string]string{"TenantsAuthenticatedRole12CD34EF": "authenticated"}},
	}
	for _, tc := range tests {
		t.Run(filepath.Base(tc.path), func(t *testing.T) {
			rep, err := CheckTemplate(readFile(t, tc.path))
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, r := range rep.Roles {
				got[r.LogicalID] = strings.Join(r.Audiences, ", ")
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("roles = %v, want %v", got, tc.want)
			}
		})
	}
}

// The verdicts of the demo fixture, check by check: what an identity may do with its own data,
// what is shared, and what is denied.
func TestDemoVerdicts(t *testing.T) {
	rep, err := CheckTemplate(readFile(t, "testdata/demo.template.json"))
	if err != nil {
		t.Fatal(err)
	}
	const auth, guest, admins = "DataAuthenticatedRole5A6B7C8D", "DataGuestRole9E0F1A2B", "DataAdminsRole3A4B5C6D"
	tests := []struct {
		role, check string
		want        Verdict
		allowed     []string // actions that must be among the allowed ones
		notAllowed  []string // actions that must not be
	}{
		{auth, "trust: signed-in identity of DataIdentityPool7E8F9A0B", VerdictOK, []string{"sts:AssumeRoleWithWebIdentity"}, nil},
		{auth, "trust: signed-in identity of another identity pool", VerdictOK, nil, nil},
		{auth, "trust: guest identity of", VerdictOK, nil, nil},
		{auth, "table DataTable7D8E9F0A: own key", VerdictOwn, []string{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:BatchWriteItem"}, []string{"dynamodb:PartiQLSelect"}},
		{auth, "table DataTable7D8E9F0A index byUpdated: own key", VerdictOwn, []string{"dynamodb:Query"}, nil},
		{auth, "table DataTable7D8E9F0A: other identity's key", VerdictOK, nil, nil},
		{auth, "table DataTable7D8E9F0A: own and other identity's key in one batch", VerdictOK, nil, nil},
		{auth, "table DataTable7D8E9F0A: no key (PartiQL without a key)", VerdictOK, nil, nil},
		{auth, "private/{identity}/*: own object", VerdictOwn, []string{"s3:GetObject", "s3:PutObject"}, nil},
		// The explicit Deny on the read-only sub-folder holds.
		{auth, "private/{identity}/readonly/*: own object", VerdictOwn, []string{"s3:GetObject"}, []string{"s3:PutObject", "s3:DeleteObject"}},
		{auth, "private/{identity}/*: list own folder", VerdictOwn, []string{"s3:ListBucket"}, nil},
		{auth, "private/{identity}/*: other identity's object", VerdictOK, nil, nil},
		{auth, "public/*: object in the folder", VerdictShared, []string{"s3:GetObject"}, []string{"s3:PutObject"}},
		{auth, "bucket DataBucket1B2C3D4E: list without a prefix", VerdictOK, nil, nil},
		{guest, "trust: guest identity of DataIdentityPool7E8F9A0B", VerdictOK, []string{"sts:AssumeRoleWithWebIdentity"}, nil},
		{guest, "private/{identity}/*: own object (guest write)", VerdictOK, nil, nil},
		{guest, "public/*: object in the folder", VerdictShared, []string{"s3:GetObject"}, nil},
		{admins, "public/*: object in the folder", VerdictShared, []string{"s3:PutObject", "s3:DeleteObject"}, nil},
		{admins, "table DataTable7D8E9F0A: own key", VerdictOwn, []string{"dynamodb:Query"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.role+"/"+tc.check, func(t *testing.T) {
			fs := findingsFor(rep, tc.role, tc.check)
			if len(fs) == 0 {
				t.Fatalf("no finding %q for %s", tc.check, tc.role)
			}
			f := fs[0]
			if f.Verdict != tc.want {
				t.Errorf("verdict = %s (%s), want %s", f.Verdict, f.Result, tc.want)
			}
			for _, a := range tc.allowed {
				if !contains(f.Allowed, a) {
					t.Errorf("allowed = %v, want it to include %s", f.Allowed, a)
				}
			}
			for _, a := range tc.notAllowed {
				if contains(f.Allowed, a) {
					t.Errorf("allowed = %v, want it without %s", f.Allowed, a)
				}
			}
		})
	}
}

// Changes that are not among the mutation tests' but that the check must also get right.
// usersFolder turns the tenant fixture's tenant folder into per-identity folders inside the
// tenant: tenants/{tag:tenant}/users/{identity}/*.
func usersFolder(m tmpl) {
	for _, s := range roleStatements(m, tenantRole) {
		if strings.Contains(jsonOf(s), "/tenants/${aws:PrincipalTag/tenant}/*") {
			s["Resource"] = deepCopy(s["Resource"])
			b, _ := json.Marshal(s["Resource"])
			var v any
			_ = json.Unmarshal([]byte(strings.ReplaceAll(string(b), "/tenants/${aws:PrincipalTag/tenant}/*",
				"/tenants/${aws:PrincipalTag/tenant}/users/${cognito-identity.amazonaws.com:sub}/*")), &v)
			s["Resource"] = v
		}
		if cond, ok := s["Condition"].(map[string]any); ok && strings.Contains(jsonOf(cond), "s3:prefix") {
			s["Condition"] = map[string]any{"StringLike": map[string]any{"s3:prefix": []any{
				"tenants/${aws:PrincipalTag/tenant}/users/${cognito-identity.amazonaws.com:sub}/",
				"tenants/${aws:PrincipalTag/tenant}/users/${cognito-identity.amazonaws.com:sub}/*"}}}
		}
	}
}

const tenantRole = "TenantsAuthenticatedRole12CD34EF"

// strict wraps a mutation so that it also removes the manifest: the template is then checked in
// strict mode.
func strict(mutate func(m tmpl)) func(m tmpl) {
	return func(m tmpl) {
		stripManifest(m)
		mutate(m)
	}
}

func TestMoreBreaks(t *testing.T) {
	const demo = "testdata/demo.template.json"
	const tenant = "testdata/tenant.template.json"
	const auth, admins = "DataAuthenticatedRole5A6B7C8D", "DataAdminsRole3A4B5C6D"
	tests := []struct {
		name   string
		path   string
		mutate func(m tmpl)
		role   string
		check  string
		want   Verdict
	}{
		{"public read in the bucket policy", demo, func(m tmpl) {
			doc := propsOf(resourcesOf(m)["DataBucketPolicy5F6A7B8C"])["PolicyDocument"].(map[string]any)
			doc["Statement"] = append(doc["Statement"].([]any), map[string]any{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
				"Resource": map[string]any{"Fn::Join": []any{"", []any{map[string]any{"Fn::GetAtt": []any{"DataBucket1B2C3D4E", "Arn"}}, "/*"}}}})
		}, auth, "other identity's object", VerdictViolation},
		{"condition on LeadingKeys dropped everywhere", demo, func(m tmpl) {
			for _, role := range []string{auth, admins} {
				for _, s := range leadingKeyStatements(roleStatements(m, role)) {
					delete(s, "Condition")
				}
			}
		}, auth, "other identity's key", VerdictViolation},
		{"dynamodb:* granted on the table", demo, func(m tmpl) {
			s := leadingKeyStatements(roleStatements(m, auth))[0]
			addStatement(m, auth, map[string]any{"Effect": "Allow", "Action": "dynamodb:*", "Resource": deepCopy(s["Resource"])})
		}, auth, "table administration", VerdictViolation},
		// The guard keeps even a wildcard contained: DeleteTable carries no dynamodb:LeadingKeys,
		// so the Null condition fails and AWS denies it.
		{"dynamodb:* under the LeadingKeys guard", demo, func(m tmpl) {
			for _, s := range leadingKeyStatements(roleStatements(m, auth)) {
				s["Action"] = "dynamodb:*"
			}
		}, auth, "table administration", VerdictOK},
		{"classic flow on: group role open to every user", demo, func(m tmpl) {
			propsOf(resourcesOf(m)["DataIdentityPool7E8F9A0B"])["AllowClassicFlow"] = true
		}, admins, "classic flow", VerdictViolation},
		{"index partitioned by another attribute", demo, func(m tmpl) {
			gsi := propsOf(resourcesOf(m)["DataTable7D8E9F0A"])["GlobalSecondaryIndexes"].([]any)[0].(map[string]any)
			gsi["KeySchema"] = []any{map[string]any{"AttributeName": "updatedAt", "KeyType": "HASH"}}
		}, auth, "index partition key", VerdictWarning},
		{"trust without TagSession while tenants are tagged", "testdata/tenant.template.json", func(m tmpl) {
			doc := propsOf(resourcesOf(m)["TenantsAuthenticatedRole12CD34EF"])["AssumeRolePolicyDocument"].(map[string]any)
			statementsOf(doc)[0]["Action"] = "sts:AssumeRoleWithWebIdentity"
		}, "TenantsAuthenticatedRole12CD34EF", "trust: principal tags", VerdictWarning},
		// Strict mode (no manifest): the policies' own identity folders are what an identity owns.
		{"per-identity folders inside a tenant", tenant, strict(usersFolder), tenantRole, "teammate's object", VerdictOK},
		{"a key the check cannot instantiate is reported, not skipped", tenant, strict(func(m tmpl) {
			s := leadingKeyStatements(roleStatements(m, tenantRole))[0]
			s["Condition"].(map[string]any)["ForAllValues:StringEquals"] = map[string]any{
				"dynamodb:LeadingKeys": []any{"${aws:PrincipalTag/tenant}-${aws:username}"}}
		}), tenantRole, "keys {tag:tenant}-${aws:username}", VerdictWarning},
		{"a tenant-wide grant over per-identity folders", tenant, strict(func(m tmpl) {
			usersFolder(m)
			addStatement(m, tenantRole, map[string]any{"Effect": "Allow", "Action": "s3:GetObject",
				"Resource": map[string]any{"Fn::Join": []any{"", []any{map[string]any{"Fn::GetAtt": []any{"TenantsBucket78CD90EF", "Arn"}}, "/tenants/${aws:PrincipalTag/tenant}/*"}}}})
		}), tenantRole, "teammate's object", VerdictViolation},
		{"trust open to another account", demo, func(m tmpl) {
			doc := propsOf(resourcesOf(m)[auth])["AssumeRolePolicyDocument"].(map[string]any)
			doc["Statement"] = append(doc["Statement"].([]any), map[string]any{"Effect": "Allow", "Action": "sts:AssumeRole",
				"Principal": map[string]any{"AWS": "arn:aws:iam::999999999999:root"}})
		}, auth, "trust: another AWS account", VerdictViolation},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := loadTemplate(t, tc.path)
			tc.mutate(m)
			rep := checkMutated(t, m)
			fs := findingsFor(rep, tc.role, tc.check)
			for _, f := range fs {
				if f.Verdict == tc.want {
					return
				}
			}
			t.Errorf("no %s finding %q on %s; got:\n%s", tc.want, tc.check, tc.role, FormatFindings(fs))
		})
	}
}

// A tenant tag is only as strong as the claim behind it: users must not be able to set it.
func TestTenantClaimMustNotBeWritable(t *testing.T) {
	const client, pool = "TenantsUserPoolWebClientEF56AB78", "TenantsUserPoolAB12CD34"
	tests := []struct {
		name   string
		mutate func(m tmpl)
		want   Verdict
	}{
		{"admin-set immutable attribute, client cannot write it", func(m tmpl) {}, VerdictOK},
		{"client lists the claim, but it is immutable and users are created by admins", func(m tmpl) {
			propsOf(resourcesOf(m)[client])["WriteAttributes"] = []any{"email", "custom:tenant"}
		}, VerdictOK},
		{"client lists the claim and it is mutable", func(m tmpl) {
			propsOf(resourcesOf(m)[client])["WriteAttributes"] = []any{"email", "custom:tenant"}
			propsOf(resourcesOf(m)[pool])["Schema"] = []any{map[string]any{"Name": "tenant", "AttributeDataType": "String", "Mutable": true}}
		}, VerdictViolation},
		{"no WriteAttributes, immutable, admin-created users only", func(m tmpl) {
			delete(propsOf(resourcesOf(m)[client]), "WriteAttributes")
		}, VerdictOK},
		{"no WriteAttributes and self sign-up", func(m tmpl) {
			delete(propsOf(resourcesOf(m)[client]), "WriteAttributes")
			propsOf(resourcesOf(m)[pool])["AdminCreateUserConfig"] = map[string]any{"AllowAdminCreateUserOnly": false}
		}, VerdictViolation},
		{"no WriteAttributes and a mutable attribute", func(m tmpl) {
			delete(propsOf(resourcesOf(m)[client]), "WriteAttributes")
			propsOf(resourcesOf(m)[pool])["Schema"] = []any{map[string]any{"Name": "tenant", "AttributeDataType": "String", "Mutable": true}}
		}, VerdictViolation},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := loadTemplate(t, "testdata/tenant.template.json")
			tc.mutate(m)
			rep := checkMutated(t, m)
			if len(rep.IdentityPools) != 1 || len(rep.IdentityPools[0].Findings) != 1 {
				t.Fatalf("pool findings = %+v, want one", rep.IdentityPools)
			}
			if f := rep.IdentityPools[0].Findings[0]; f.Verdict != tc.want {
				t.Errorf("verdict = %s (%s: %s), want %s", f.Verdict, f.Result, f.Reason, tc.want)
			}
		})
	}
}

// What cannot be evaluated is an error that says where, never a pass.
func TestCannotEvaluate(t *testing.T) {
	const auth = "DataAuthenticatedRole5A6B7C8D"
	tests := []struct {
		name   string
		mutate func(m tmpl)
		raw    string
		want   []string
	}{
		{name: "not JSON", raw: "{", want: []string{"not a JSON object"}},
		{name: "import in a policy", mutate: func(m tmpl) {
			s := roleStatements(m, auth)[0]
			s["Resource"] = map[string]any{"Fn::ImportValue": "Other:TableArn"}
		}, want: []string{"Resources.DataAuthenticatedRoleDefaultPolicy3C4D5E6F.Properties.PolicyDocument.Statement[0].Resource", "Fn::ImportValue"}},
		{name: "attached role outside the template", mutate: func(m tmpl) {
			roles := propsOf(resourcesOf(m)["DataIdentityPoolRoleAttachment1C2D3E4F"])["Roles"].(map[string]any)
			roles["authenticated"] = "arn:aws:iam::123456789012:role/Elsewhere"
		}, want: []string{"Roles.authenticated", "not defined in this template"}},
		{name: "AWS managed policy on a pool role", mutate: func(m tmpl) {
			propsOf(resourcesOf(m)[auth])["ManagedPolicyArns"] = []any{"arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"}
		}, want: []string{auth, "AmazonS3ReadOnlyAccess", "cannot be checked offline"}},
		{name: "unknown condition operator", mutate: func(m tmpl) {
			roleStatements(m, auth)[0]["Condition"] = map[string]any{"StringAlmostEquals": map[string]any{"k": "v"}}
		}, want: []string{"Statement[0]", "unknown condition operator"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data := []byte(tc.raw)
			if tc.mutate != nil {
				m := loadTemplate(t, "testdata/demo.template.json")
				tc.mutate(m)
				data = []byte(jsonOf(m))
			}
			_, err := CheckTemplate(data)
			if err == nil {
				t.Fatal("CheckTemplate succeeded, want an error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestReportForms(t *testing.T) {
	m := loadTemplate(t, "testdata/demo.template.json")
	if err := mutations[2].apply(m); err != nil { // ForAnyValue
		t.Fatal(err)
	}
	rep := checkMutated(t, m)

	text := rep.String()
	for _, want := range []string{
		"identity pool us-east-1:", "role DataAuthenticatedRole5A6B7C8D (authenticated; declared mode)", "VERDICT", "CHECK", "RESULT", "DETAIL",
		"VIOLATION", "own and other identity's key in one batch", "allowed by Resources.DataAuthenticatedRoleDefaultPolicy3C4D5E6F",
		"1 violation, 0 warnings;",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("text report lacks %q:\n%s", want, text)
		}
	}

	b, err := rep.JSON()
	if err != nil {
		t.Fatal(err)
	}
	var back Report
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatalf("JSON report does not parse: %v", err)
	}
	if got, want := len(back.Violations()), len(rep.Violations()); got != want || got != 1 {
		t.Errorf("violations after a JSON round trip = %d, want %d (= 1)", got, want)
	}
	v := back.Violations()[0]
	if v.Role != "DataAuthenticatedRole5A6B7C8D" || !strings.Contains(v.Request, "dynamodb:LeadingKeys=[") ||
		len(v.Statements) == 0 || !contains(v.Allowed, "dynamodb:BatchGetItem") {
		t.Errorf("violation lacks role, request, statements or actions: %+v", v)
	}
	if back.Requests != rep.Requests || rep.Requests < 1000 {
		t.Errorf("requests = %d (round trip %d), want the same and over 1000", rep.Requests, back.Requests)
	}
}

// fakeTB records what AssertIsolated reports instead of failing the real test.
type fakeTB struct {
	testing.TB
	errors, fatals []string
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Errorf(format string, args ...any) {
	f.errors = append(f.errors, fmt.Sprintf(format, args...))
}
func (f *fakeTB) Fatalf(format string, args ...any) {
	f.fatals = append(f.fatals, fmt.Sprintf(format, args...))
}

func TestAssertIsolated(t *testing.T) {
	broken := loadTemplate(t, "testdata/demo.template.json")
	if err := mutations[0].apply(broken); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		data       []byte
		wantErrors string
		wantFatal  string
	}{
		{"isolated template passes", readFile(t, "testdata/demo.template.json"), "", ""},
		{"a leak fails with the violations", []byte(jsonOf(broken)), "other identity's object", ""},
		{"no identity pool fails", []byte(`{"Resources": {"B": {"Type": "AWS::S3::Bucket"}}}`), "", "no role an identity pool can hand out"},
		{"unevaluable template fails", []byte(`{"Resources": {}`), "", "could not evaluate"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tb := &fakeTB{TB: t}
			AssertIsolated(tb, tc.data)
			got := strings.Join(tb.errors, "\n")
			if (tc.wantErrors == "") != (got == "") || !strings.Contains(got, tc.wantErrors) {
				t.Errorf("Errorf = %q, want one containing %q", got, tc.wantErrors)
			}
			gotFatal := strings.Join(tb.fatals, "\n")
			if (tc.wantFatal == "") != (gotFatal == "") || !strings.Contains(gotFatal, tc.wantFatal) {
				t.Errorf("Fatalf = %q, want one containing %q", gotFatal, tc.wantFatal)
			}
		})
	}
}

// The catalogue covers the services' actions once each, in the right groups.
func TestCatalogue(t *testing.T) {
	for _, list := range [][]action{dynamoActions, s3Actions} {
		seen := map[string]bool{}
		for _, a := range list {
			if seen[a.name] {
				t.Errorf("%s listed twice", a.name)
			}
			seen[a.name] = true
			if len(a.res) == 0 {
				t.Errorf("%s has no resource type", a.name)
			}
		}
	}
	d, s := ActionCount()
	if d < 75 || s < 150 {
		t.Errorf("catalogue has %d DynamoDB and %d S3 actions, want at least 75 and 150", d, s)
	}
	want := map[string]category{
		"dynamodb:GetItem": catItemRead, "dynamodb:PartiQLSelect": catItemRead, "dynamodb:BatchWriteItem": catItemWrite,
		"dynamodb:Scan": catBulk, "dynamodb:GetRecords": catBulk, "dynamodb:ExportTableToPointInTime": catBulk,
		"dynamodb:DescribeTable": catMetadata, "dynamodb:DeleteTable": catAdmin, "dynamodb:PutResourcePolicy": catAdmin,
		"s3:GetObject": catObjectRead, "s3:PutObject": catObjectWrite, "s3:ListBucket": catList,
		"s3:ListBucketMultipartUploads": catUploads, "s3:PutBucketPolicy": catAdmin, "s3:GetDataAccess": catAdmin,
		"s3:ListAllMyBuckets": catMetadata,
	}
	for name, cat := range want {
		found := false
		for _, a := range append(append([]action{}, dynamoActions...), s3Actions...) {
			if a.name == name {
				found = true
				if a.cat != cat {
					t.Errorf("%s is in category %d, want %d", name, a.cat, cat)
				}
			}
		}
		if !found {
			t.Errorf("%s is missing from the catalogue", name)
		}
	}
}

func BenchmarkCheckTemplate(b *testing.B) {
	data, err := os.ReadFile("testdata/demo.template.json")
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		if _, err := CheckTemplate(data); err != nil {
			b.Fatal(err)
		}
	}
}
