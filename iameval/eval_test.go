package iameval

import (
	"encoding/json"
	"strings"
	"testing"
)

// mustPolicy parses a policy written as JSON text, failing the test on error.
func mustPolicy(t *testing.T, src, doc string) *Policy {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(doc), &v); err != nil {
		t.Fatalf("%s: bad JSON: %v", src, err)
	}
	p, err := ParsePolicy(v, src)
	if err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	return p
}

// The example from AWS's "Policy evaluation for requests within a single account": Carlos's
// identity policy allows s3:* on his own bucket but denies any bucket with "log" in its name; his
// bucket's policy allows him s3:* as well.
func TestEvaluateCarlosExample(t *testing.T) {
	const carlos = "arn:aws:iam::111122223333:user/carlossalazar"
	identity := mustPolicy(t, "identity", `{
	  "Version": "2012-10-17",
	  "Statement": [
	    {"Sid": "AllowS3ListRead", "Effect": "Allow", "Action": ["s3:ListAllMyBuckets", "s3:HeadBucket"], "Resource": "*"},
	    {"Sid": "AllowS3Self", "Effect": "Allow", "Action": "s3:*",
	     "Resource": ["arn:aws:s3:::carlossalazar/*", "arn:aws:s3:::carlossalazar"]},
	    {"Sid": "DenyS3Logs", "Effect": "Deny", "Action": "s3:*",
	     "Resource": ["arn:aws:s3:::*log*", "arn:aws:s3:::*log*/*"]}
	  ]}`)
	bucketPolicy := mustPolicy(t, "bucket", `{
	  "Version": "2012-10-17",
	  "Statement": [{"Effect": "Allow", "Action": "s3:*",
	    "Principal": {"AWS": "arn:aws:iam::111122223333:user/carlossalazar"}, "Resource": "*"}]}`)

	tests := []struct {
		name      string
		resource  string
		identity  []*Policy
		resources []*Policy
		want      Decision
		wantBy    string
	}{
		{"logs bucket is explicitly denied", "arn:aws:s3:::carlossalazar-logs/file.txt",
			[]*Policy{identity}, nil, ExplicitDeny, "DenyS3Logs"},
		{"own bucket allowed by both", "arn:aws:s3:::carlossalazar/file.txt",
			[]*Policy{identity}, []*Policy{bucketPolicy}, Allowed, "AllowS3Self"},
		{"bucket policy alone allows within one account", "arn:aws:s3:::carlossalazar/file.txt",
			nil, []*Policy{bucketPolicy}, Allowed, ""},
		{"identity policy alone allows within one account", "arn:aws:s3:::carlossalazar/file.txt",
			[]*Policy{identity}, nil, Allowed, "AllowS3Self"},
		{"deny still wins over the bucket policy", "arn:aws:s3:::carlossalazar-logs/file.txt",
			[]*Policy{identity}, []*Policy{bucketPolicy}, ExplicitDeny, "DenyS3Logs"},
		{"another bucket is implicitly denied", "arn:aws:s3:::someone-else/file.txt",
			[]*Policy{identity}, nil, ImplicitDeny, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Evaluate(Request{Principal: Principal{Type: "AWS", ID: carlos}, Action: "s3:PutObject",
				Resource: tc.resource}, tc.identity, tc.resources)
			if got.Decision != tc.want {
				t.Fatalf("decision = %v, want %v", got.Decision, tc.want)
			}
			if tc.wantBy != "" {
				by := append(append([]*Statement{}, got.Denies...), got.Allows...)
				if len(by) == 0 || by[0].Sid != tc.wantBy {
					t.Errorf("decided by %v, want Sid %s", by, tc.wantBy)
				}
			}
		})
	}
}

// "The difference between explicit and implicit denies": an administrator may do anything but
// billing; a user manager may manage users and nothing else.
func TestEvaluateExplicitAndImplicitDeny(t *testing.T) {
	admin := mustPolicy(t, "admin", `{"Statement": [
	  {"Effect": "Allow", "Action": "*", "Resource": "*"},
	  {"Effect": "Deny", "Action": "aws-portal:*", "Resource": "*"}]}`)
	users := mustPolicy(t, "users", `{"Statement": {"Effect": "Allow", "Action": [
	  "iam:AttachUserPolicy", "iam:CreateUser", "iam:DeleteUser", "iam:GetUser", "iam:ListUsers"],
	  "Resource": "*"}}`)
	tests := []struct {
		name   string
		policy *Policy
		action string
		want   Decision
	}{
		{"admin runs instances", admin, "ec2:RunInstances", Allowed},
		{"admin billing is denied", admin, "aws-portal:ViewBilling", ExplicitDeny},
		{"user manager creates a user", users, "iam:CreateUser", Allowed},
		{"user manager creating a group is implicitly denied", users, "iam:CreateGroup", ImplicitDeny},
		{"actions match case-insensitively", users, "IAM:createuser", Allowed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Evaluate(Request{Action: tc.action, Resource: "*"}, []*Policy{tc.policy}, nil)
			if got.Decision != tc.want {
				t.Errorf("%s: decision = %v, want %v", tc.action, got.Decision, tc.want)
			}
		})
	}
}

// The tables of AWS's "Conditions with multiple context keys or values": keys are ANDed, values
// ORed, and a negated operator NORs its values.
func TestEvaluateMultipleKeysAndValues(t *testing.T) {
	const cond = `"StringEquals": {"aws:PrincipalTag/department": ["finance", "hr", "legal"],
	  "aws:PrincipalTag/role": ["audit", "security"]}`
	positive := mustPolicy(t, "positive", `{"Statement": [{"Effect": "Allow", "Action": "s3:ListBucket",
	  "Principal": {"AWS": "arn:aws:iam::222222222222:root"}, "Resource": "arn:aws:s3:::amzn-s3-demo-bucket",
	  "Condition": {`+cond+`, "ArnLike": {"aws:PrincipalArn": [
	    "arn:aws:iam::222222222222:user/Ana", "arn:aws:iam::222222222222:user/Mary"]}}}]}`)
	negated := mustPolicy(t, "negated", `{"Statement": [{"Effect": "Allow", "Action": "s3:ListBucket",
	  "Resource": "arn:aws:s3:::amzn-s3-demo-bucket",
	  "Condition": {`+cond+`, "ArnNotLike": {"aws:PrincipalArn": [
	    "arn:aws:iam::222222222222:user/Ana", "arn:aws:iam::222222222222:user/Mary"]}}}]}`)
	user := func(n string) string { return "arn:aws:iam::222222222222:user/" + n }
	tests := []struct {
		name   string
		policy *Policy
		ctx    Context
		want   bool
	}{
		{"all keys match", positive, Context{"aws:PrincipalTag/department": {"legal"}, "aws:PrincipalTag/role": {"audit"}, "aws:PrincipalArn": {user("Mary")}}, true},
		{"principal not listed", positive, Context{"aws:PrincipalTag/department": {"hr"}, "aws:PrincipalTag/role": {"audit"}, "aws:PrincipalArn": {user("Nikki")}}, false},
		{"role value not listed", positive, Context{"aws:PrincipalTag/department": {"hr"}, "aws:PrincipalTag/role": {"payroll"}, "aws:PrincipalArn": {user("Mary")}}, false},
		{"role tag missing", positive, Context{"aws:PrincipalTag/department": {"hr"}, "aws:PrincipalArn": {user("Mary")}}, false},
		{"no tags at all", positive, Context{"aws:PrincipalArn": {user("Mary")}}, false},
		{"negated: unlisted principal matches", negated, Context{"aws:PrincipalTag/department": {"legal"}, "aws:PrincipalTag/role": {"audit"}, "aws:PrincipalArn": {user("Nikki")}}, true},
		{"negated: listed principal does not", negated, Context{"aws:PrincipalTag/department": {"hr"}, "aws:PrincipalTag/role": {"audit"}, "aws:PrincipalArn": {user("Mary")}}, false},
		{"negated: role value not listed", negated, Context{"aws:PrincipalTag/department": {"hr"}, "aws:PrincipalTag/role": {"payroll"}, "aws:PrincipalArn": {user("Nikki")}}, false},
		{"negated: role tag missing", negated, Context{"aws:PrincipalTag/department": {"hr"}, "aws:PrincipalArn": {user("Nikki")}}, false},
		{"negated: no tags", negated, Context{"aws:PrincipalArn": {user("Nikki")}}, false},
		{"context keys are case-insensitive", negated, Context{"AWS:principaltag/DEPARTMENT": {"hr"}, "aws:PrincipalTag/role": {"audit"}, "aws:principalarn": {user("Nikki")}}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := Principal{Type: "AWS", ID: tc.ctx.first("aws:PrincipalArn")}
			req := Request{Principal: p, Action: "s3:ListBucket", Resource: "arn:aws:s3:::amzn-s3-demo-bucket", Context: tc.ctx}
			var got Result
			if tc.policy == positive {
				// The bucket policy names the account root, which in an Allow only delegates to
				// identity policies; evaluate the same statement as an identity policy instead.
				got = Evaluate(req, []*Policy{stripPrincipal(t, positive)}, nil)
			} else {
				got = Evaluate(req, []*Policy{tc.policy}, nil)
			}
			if got.Allowed() != tc.want {
				t.Errorf("allowed = %v, want %v (context %v)", got.Allowed(), tc.want, tc.ctx)
			}
		})
	}
}

// first returns the first value of a context key, looked up case-insensitively.
func (c Context) first(key string) string {
	for k, v := range c {
		if len(v) > 0 && strings.EqualFold(k, key) {
			return v[0]
		}
	}
	return ""
}

func stripPrincipal(t *testing.T, p *Policy) *Policy {
	t.Helper()
	cp := &Policy{Source: p.Source}
	for _, s := range p.Statements {
		c := *s
		c.Principal = nil
		cp.Statements = append(cp.Statements, &c)
	}
	return cp
}

// The tables of AWS's "Multivalued context key examples": ForAllValues with a negated operator in
// a Deny, and ForAnyValue, including what happens when the key is missing.
func TestEvaluateSetOperators(t *testing.T) {
	denyOne := mustPolicy(t, "deny-one", `{"Statement": [
	  {"Effect": "Allow", "Action": "*", "Resource": "*"},
	  {"Effect": "Deny", "Action": ["iam:Tag*", "iam:UnTag*"], "Resource": ["*"],
	   "Condition": {"ForAllValues:StringNotLike": {"aws:TagKeys": "key1*"}}}]}`)
	denyTwo := mustPolicy(t, "deny-two", `{"Statement": [
	  {"Effect": "Allow", "Action": "*", "Resource": "*"},
	  {"Effect": "Deny", "Action": ["iam:Tag*", "iam:UnTag*"], "Resource": ["*"],
	   "Condition": {"ForAllValues:StringNotLike": {"aws:TagKeys": ["key1*", "key2*"]}}}]}`)
	denyAny := mustPolicy(t, "deny-any", `{"Statement": [
	  {"Effect": "Allow", "Action": "*", "Resource": "*"},
	  {"Effect": "Deny", "Action": ["ec2:CreateSnapshot", "ec2:CreateSnapshots"], "Resource": "arn:aws:ec2:us-west-2::snapshot/*",
	   "Condition": {"ForAnyValue:StringEquals": {"aws:TagKeys": "webserver"}}}]}`)
	tests := []struct {
		name     string
		policy   *Policy
		action   string
		resource string
		tagKeys  []string
		denied   bool
	}{
		{"ForAllValues not-like: key1 only", denyOne, "iam:TagUser", "*", []string{"key1:legal"}, false},
		{"ForAllValues not-like: two key1 values", denyOne, "iam:TagUser", "*", []string{"key1:hr", "key1:personnel"}, false},
		{"ForAllValues not-like: key2", denyOne, "iam:TagUser", "*", []string{"key2:audit"}, true},
		{"ForAllValues not-like: no tag keys matches", denyOne, "iam:TagUser", "*", nil, true},
		{"two prefixes: key1 only", denyTwo, "iam:TagUser", "*", []string{"key1:legal"}, false},
		{"two prefixes: key1 twice", denyTwo, "iam:TagUser", "*", []string{"key1:hr", "key1:personnel"}, false},
		{"two prefixes: key1 and key2", denyTwo, "iam:TagUser", "*", []string{"key1:hr", "key2:audit"}, false},
		{"two prefixes: key3", denyTwo, "iam:TagUser", "*", []string{"key3:legal"}, true},
		{"two prefixes: no tag keys matches", denyTwo, "iam:TagUser", "*", nil, true},
		{"ForAnyValue: webserver", denyAny, "ec2:CreateSnapshot", "arn:aws:ec2:us-west-2::snapshot/snap-1", []string{"webserver"}, true},
		{"ForAnyValue: webserver among others", denyAny, "ec2:CreateSnapshot", "arn:aws:ec2:us-west-2::snapshot/snap-1", []string{"environment", "webserver", "test"}, true},
		{"ForAnyValue: other keys", denyAny, "ec2:CreateSnapshot", "arn:aws:ec2:us-west-2::snapshot/snap-1", []string{"environment", "test"}, false},
		{"ForAnyValue: no tag keys does not match", denyAny, "ec2:CreateSnapshot", "arn:aws:ec2:us-west-2::snapshot/snap-1", nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := Context{}.With("aws:TagKeys", tc.tagKeys...)
			got := Evaluate(Request{Action: tc.action, Resource: tc.resource, Context: ctx}, []*Policy{tc.policy}, nil)
			if (got.Decision == ExplicitDeny) != tc.denied {
				t.Errorf("tag keys %v: decision = %v, want denied=%v", tc.tagKeys, got.Decision, tc.denied)
			}
		})
	}
}

// The per-identity DynamoDB statement and the empty-set leak: ForAllValues holds when the request
// has no dynamodb:LeadingKeys (Scan), so Scan under it reads every user's items unless a Null guard
// requires the key; ForAnyValue lets a batch with one own and one foreign key through.
func TestEvaluateLeadingKeysEmptySet(t *testing.T) {
	const table = "arn:aws:dynamodb:us-east-1:123456789012:table/Items"
	const sub = "${cognito-identity.amazonaws.com:sub}"
	stmt := func(setOp string, null bool) *Policy {
		guard := ""
		if null {
			guard = `, "Null": {"dynamodb:LeadingKeys": "false"}`
		}
		return mustPolicy(t, setOp, `{"Statement": [{"Effect": "Allow",
		  "Action": ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:Scan"],
		  "Resource": ["`+table+`", "`+table+`/index/*"],
		  "Condition": {"`+setOp+`:StringEquals": {"dynamodb:LeadingKeys": ["`+sub+`"]}`+guard+`}}]}`)
	}
	const a, b = "us-east-1:aaaaaaaa-0000-4000-8000-000000000001", "us-east-1:bbbbbbbb-0000-4000-8000-000000000002"
	tests := []struct {
		name   string
		policy *Policy
		action string
		keys   []string
		want   bool
	}{
		{"own key", stmt("ForAllValues", true), "dynamodb:GetItem", []string{a}, true},
		{"foreign key", stmt("ForAllValues", true), "dynamodb:GetItem", []string{b}, false},
		{"own and foreign key in one batch", stmt("ForAllValues", true), "dynamodb:BatchGetItem", []string{a, b}, false},
		{"Scan is blocked by the Null guard", stmt("ForAllValues", true), "dynamodb:Scan", nil, false},
		{"Scan leaks without the Null guard (empty set)", stmt("ForAllValues", false), "dynamodb:Scan", nil, true},
		{"ForAnyValue lets a mixed batch through", stmt("ForAnyValue", true), "dynamodb:BatchGetItem", []string{a, b}, true},
		{"ForAnyValue still refuses a foreign key alone", stmt("ForAnyValue", true), "dynamodb:BatchGetItem", []string{b}, false},
		{"ForAnyValue refuses Scan (empty set)", stmt("ForAnyValue", false), "dynamodb:Scan", nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := Context{"cognito-identity.amazonaws.com:sub": {a}}.With("dynamodb:LeadingKeys", tc.keys...)
			got := Evaluate(Request{Action: tc.action, Resource: table, Context: ctx}, []*Policy{tc.policy}, nil)
			if got.Allowed() != tc.want {
				t.Errorf("%s with keys %v: allowed = %v, want %v", tc.action, tc.keys, got.Allowed(), tc.want)
			}
		})
	}
}

// Policy variables: substituted from the context in Resource and condition values; a variable with
// no value makes its Resource entry match nothing, positive conditions fail and negated ones hold;
// defaults and the ${*} ${?} ${$} escapes.
func TestEvaluatePolicyVariables(t *testing.T) {
	home := mustPolicy(t, "home", `{"Statement": [
	  {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::docs/home/${aws:username}/*"},
	  {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::docs",
	   "Condition": {"StringLike": {"s3:prefix": ["home/${aws:username}/*"]}}}]}`)
	team := mustPolicy(t, "team", `{"Statement": [
	  {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket-${aws:PrincipalTag/team, 'company-wide'}/*"}]}`)
	tagDeny := mustPolicy(t, "tag-deny", `{"Statement": [
	  {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
	  {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::amzn-s3-demo-bucket/*",
	   "Condition": {"StringNotEquals": {"s3:ExistingObjectTag/Team": "${aws:PrincipalTag/Team}"}}}]}`)
	tagAllow := mustPolicy(t, "tag-allow", `{"Statement": [
	  {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
	   "Condition": {"StringEquals": {"s3:ExistingObjectTag/Team": "${aws:PrincipalTag/Team}"}}}]}`)
	special := mustPolicy(t, "special", `{"Statement": [
	  {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/literal${*}star${?}q${$}d"}]}`)
	notRes := mustPolicy(t, "notresource", `{"Statement": [
	  {"Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::docs/home/${aws:username}/*"}]}`)

	tests := []struct {
		name     string
		policy   *Policy
		action   string
		resource string
		ctx      Context
		want     bool
	}{
		{"own home folder", home, "s3:GetObject", "arn:aws:s3:::docs/home/ana/a.txt", Context{"aws:username": {"ana"}}, true},
		{"someone else's home folder", home, "s3:GetObject", "arn:aws:s3:::docs/home/bob/a.txt", Context{"aws:username": {"ana"}}, false},
		{"no username: the Resource entry matches nothing", home, "s3:GetObject", "arn:aws:s3:::docs/home//a.txt", Context{}, false},
		{"list own prefix", home, "s3:ListBucket", "arn:aws:s3:::docs", Context{"aws:username": {"ana"}, "s3:prefix": {"home/ana/"}}, true},
		{"list someone else's prefix", home, "s3:ListBucket", "arn:aws:s3:::docs", Context{"aws:username": {"ana"}, "s3:prefix": {"home/bob/"}}, false},
		{"list with no username", home, "s3:ListBucket", "arn:aws:s3:::docs", Context{"s3:prefix": {"home//"}}, false},
		{"tag value used", team, "s3:GetObject", "arn:aws:s3:::bucket-yellow/x", Context{"aws:PrincipalTag/team": {"yellow"}}, true},
		{"default when the tag is missing", team, "s3:GetObject", "arn:aws:s3:::bucket-company-wide/x", Context{}, true},
		{"tag present: default not used", team, "s3:GetObject", "arn:aws:s3:::bucket-company-wide/x", Context{"aws:PrincipalTag/team": {"yellow"}}, false},
		{"deny when teams differ", tagDeny, "s3:GetObject", "arn:aws:s3:::amzn-s3-demo-bucket/x", Context{"aws:PrincipalTag/Team": {"red"}, "s3:ExistingObjectTag/Team": {"blue"}}, false},
		{"no deny when teams match", tagDeny, "s3:GetObject", "arn:aws:s3:::amzn-s3-demo-bucket/x", Context{"aws:PrincipalTag/Team": {"red"}, "s3:ExistingObjectTag/Team": {"red"}}, true},
		{"negated operator matches a variable with no value", tagDeny, "s3:GetObject", "arn:aws:s3:::amzn-s3-demo-bucket/x", Context{"s3:ExistingObjectTag/Team": {"red"}}, false},
		{"positive operator fails on a variable with no value", tagAllow, "s3:GetObject", "arn:aws:s3:::x/y", Context{"s3:ExistingObjectTag/Team": {"red"}}, false},
		{"a multivalued key is not a variable", tagAllow, "s3:GetObject", "arn:aws:s3:::x/y", Context{"aws:PrincipalTag/Team": {"red", "blue"}, "s3:ExistingObjectTag/Team": {"red"}}, false},
		{"${*} ${?} ${$} are literal", special, "s3:GetObject", "arn:aws:s3:::b/literal*star?q$d", nil, true},
		{"${*} is not a wildcard", special, "s3:GetObject", "arn:aws:s3:::b/literalXstar?q$d", nil, false},
		{"NotResource with own folder excluded", notRes, "s3:GetObject", "arn:aws:s3:::docs/home/ana/x", Context{"aws:username": {"ana"}}, false},
		{"NotResource allows elsewhere", notRes, "s3:GetObject", "arn:aws:s3:::docs/other/x", Context{"aws:username": {"ana"}}, true},
		{"NotResource entry with no value excludes nothing", notRes, "s3:GetObject", "arn:aws:s3:::docs/home/ana/x", Context{}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Evaluate(Request{Action: tc.action, Resource: tc.resource, Context: tc.ctx}, []*Policy{tc.policy}, nil)
			if got.Allowed() != tc.want {
				t.Errorf("%s on %s with %v: allowed = %v, want %v", tc.action, tc.resource, tc.ctx, got.Allowed(), tc.want)
			}
		})
	}
}

// Resource matching: case-sensitive, wildcards per ARN component, NotAction.
func TestEvaluateResourceAndActionMatching(t *testing.T) {
	p := mustPolicy(t, "p", `{"Statement": [
	  {"Effect": "Allow", "Action": "s3:Get*", "Resource": "arn:aws:s3:::Bucket/doc-?.txt"},
	  {"Effect": "Allow", "Action": "dynamodb:Query", "Resource": "arn:aws:dynamodb:*:*:table/T/index/*"},
	  {"Effect": "Allow", "NotAction": "iam:*", "Resource": "arn:aws:sqs:us-east-1:123456789012:q"}]}`)
	tests := []struct {
		action, resource string
		want             bool
	}{
		{"s3:GetObject", "arn:aws:s3:::Bucket/doc-1.txt", true},
		{"s3:getobject", "arn:aws:s3:::Bucket/doc-1.txt", true},
		{"s3:GetObject", "arn:aws:s3:::bucket/doc-1.txt", false},
		{"s3:GetObject", "arn:aws:s3:::Bucket/doc-12.txt", false},
		{"s3:PutObject", "arn:aws:s3:::Bucket/doc-1.txt", false},
		{"dynamodb:Query", "arn:aws:dynamodb:eu-west-1:999999999999:table/T/index/ByDate", true},
		{"dynamodb:Query", "arn:aws:dynamodb:eu-west-1:999999999999:table/T", false},
		{"dynamodb:Query", "arn:aws:dynamodb:eu-west-1:999999999999:table/T2/index/X", false},
		{"sqs:SendMessage", "arn:aws:sqs:us-east-1:123456789012:q", true},
		{"iam:PassRole", "arn:aws:sqs:us-east-1:123456789012:q", false},
	}
	for _, tc := range tests {
		got := Evaluate(Request{Action: tc.action, Resource: tc.resource}, []*Policy{p}, nil)
		if got.Allowed() != tc.want {
			t.Errorf("%s on %s: allowed = %v, want %v", tc.action, tc.resource, got.Allowed(), tc.want)
		}
	}
}

// Resource-based statements apply only to the principals they name.
func TestEvaluatePrincipals(t *testing.T) {
	const role = "arn:aws:iam::123456789012:role/App"
	bucket := mustPolicy(t, "bucket", `{"Statement": [
	  {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "s3:*", "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
	   "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
	  {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:role/Other"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"},
	  {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "s3:PutObject", "Resource": "arn:aws:s3:::b/*"},
	  {"Effect": "Deny", "Principal": {"AWS": "123456789012"}, "Action": "s3:DeleteObject", "Resource": "arn:aws:s3:::b/*"},
	  {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObjectTagging", "Resource": "arn:aws:s3:::b/public/*"}]}`)
	identity := mustPolicy(t, "identity", `{"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"}]}`)
	tests := []struct {
		name     string
		identity []*Policy
		action   string
		resource string
		secure   string
		want     Decision
	}{
		{"insecure transport denied for everyone", []*Policy{identity}, "s3:GetObject", "arn:aws:s3:::b/x", "false", ExplicitDeny},
		{"secure transport allowed by identity policy", []*Policy{identity}, "s3:GetObject", "arn:aws:s3:::b/x", "true", Allowed},
		{"another role's grant does not apply", nil, "s3:GetObject", "arn:aws:s3:::b/x", "true", ImplicitDeny},
		{"account root in an Allow only delegates", nil, "s3:PutObject", "arn:aws:s3:::b/x", "true", ImplicitDeny},
		{"account in a Deny applies to its roles", []*Policy{identity}, "s3:DeleteObject", "arn:aws:s3:::b/x", "true", ExplicitDeny},
		{"Principal * grants anyone", nil, "s3:GetObjectTagging", "arn:aws:s3:::b/public/x", "true", Allowed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Evaluate(Request{Principal: RolePrincipal(role), Action: tc.action, Resource: tc.resource,
				Context: Context{"aws:SecureTransport": {tc.secure}}}, tc.identity, []*Policy{bucket})
			if got.Decision != tc.want {
				t.Errorf("decision = %v, want %v", got.Decision, tc.want)
			}
		})
	}
}

// The trust policy of an identity-pool role, evaluated for Cognito's AssumeRoleWithWebIdentity.
func TestEvaluateWebIdentityTrust(t *testing.T) {
	const pool = "us-east-1:11111111-2222-4333-8444-555555555555"
	trust := mustPolicy(t, "trust", `{"Statement": [{"Effect": "Allow",
	  "Principal": {"Federated": "cognito-identity.amazonaws.com"},
	  "Action": ["sts:AssumeRoleWithWebIdentity", "sts:TagSession"],
	  "Condition": {"StringEquals": {"cognito-identity.amazonaws.com:aud": "`+pool+`"},
	    "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "authenticated"}}}]}`)
	cognito := Principal{Type: "Federated", ID: "cognito-identity.amazonaws.com"}
	tests := []struct {
		name      string
		principal Principal
		action    string
		aud       string
		amr       []string
		want      bool
	}{
		{"signed-in identity of the pool", cognito, "sts:AssumeRoleWithWebIdentity", pool, []string{"authenticated", "cognito-idp.us-east-1.amazonaws.com/us-east-1_x"}, true},
		{"session tags for the same identity", cognito, "sts:TagSession", pool, []string{"authenticated"}, true},
		{"guest identity of the pool", cognito, "sts:AssumeRoleWithWebIdentity", pool, []string{"unauthenticated"}, false},
		{"identity of another pool", cognito, "sts:AssumeRoleWithWebIdentity", "us-east-1:ffffffff-0000-4000-8000-000000000000", []string{"authenticated"}, false},
		{"another federated provider", Principal{Type: "Federated", ID: "accounts.google.com"}, "sts:AssumeRoleWithWebIdentity", pool, []string{"authenticated"}, false},
		{"an AWS account", Principal{Type: "AWS", ID: "arn:aws:iam::999999999999:root"}, "sts:AssumeRole", pool, []string{"authenticated"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := Context{"cognito-identity.amazonaws.com:aud": {tc.aud}, "cognito-identity.amazonaws.com:amr": tc.amr}
			got := AssumeRole(&Role{ARN: "arn:aws:iam::123456789012:role/R", Trust: trust}, tc.principal, tc.action, ctx)
			if got.Allowed() != tc.want {
				t.Errorf("allowed = %v, want %v", got.Allowed(), tc.want)
			}
		})
	}
}

func TestParsePolicyErrors(t *testing.T) {
	tests := []struct{ name, doc, want string }{
		{"bad effect", `{"Statement": [{"Effect": "Maybe", "Action": "*", "Resource": "*"}]}`, "neither Allow nor Deny"},
		{"unknown operator", `{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"StringSortOf": {"k": "v"}}}]}`, "unknown condition operator"},
		{"unknown set operator", `{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"ForSome:StringEquals": {"k": "v"}}}]}`, "unknown condition set operator"},
		{"Null with IfExists", `{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"NullIfExists": {"k": "true"}}}]}`, "Null takes neither"},
		{"no action", `{"Statement": [{"Effect": "Allow", "Resource": "*"}]}`, "exactly one of Action and NotAction"},
		{"unknown element", `{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Resources": "*"}]}`, "unknown policy element"},
		{"unterminated variable", `{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::b/${aws:username"}]}`, "unterminated policy variable"},
		{"numeric value", `{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"NumericLessThan": {"k": "ten"}}}]}`, "not a number"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var v any
			if err := json.Unmarshal([]byte(tc.doc), &v); err != nil {
				t.Fatal(err)
			}
			_, err := ParsePolicy(v, "doc")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v, want one containing %q", err, tc.want)
			}
		})
	}
}
