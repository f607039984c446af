package iameval

import "testing"

// ${*}, ${?} and ${$} are the literal characters in Resource and in every string condition value;
// a value substituted for a variable is literal too, whatever it holds; and a variable whose key
// the request lacks voids its Resource entry, fails positive conditions and satisfies negated ones
// (AWS: "there is no equal or like value"), unless it has a default.
func TestEvaluateEscapesAndMissingVariables(t *testing.T) {
	cond := func(op, key, value string) *Policy {
		return mustPolicy(t, op, `{"Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::b",
		  "Condition": {"`+op+`": {"`+key+`": "`+value+`"}}}]}`)
	}
	resource := func(rs ...string) *Policy {
		list := ""
		for i, r := range rs {
			if i > 0 {
				list += ", "
			}
			list += `"` + r + `"`
		}
		return mustPolicy(t, "resource", `{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": [`+list+`]}]}`)
	}
	ana := Context{"aws:username": {"ana"}}
	tests := []struct {
		name     string
		policy   *Policy
		resource string
		ctx      Context
		want     bool
	}{
		// Escapes in StringLike.
		{"StringLike ${*} matches a star", cond("StringLike", "s3:prefix", "home/${*}/*"), "", Context{"s3:prefix": {"home/*/x"}}, true},
		{"StringLike ${*} is not a wildcard", cond("StringLike", "s3:prefix", "home/${*}/*"), "", Context{"s3:prefix": {"home/a/x"}}, false},
		{"StringLike ${?} matches a question mark", cond("StringLike", "s3:prefix", "file${?}"), "", Context{"s3:prefix": {"file?"}}, true},
		{"StringLike ${?} is not a wildcard", cond("StringLike", "s3:prefix", "file${?}"), "", Context{"s3:prefix": {"fileA"}}, false},
		{"StringLike ${$} is a dollar", cond("StringLike", "s3:prefix", "cost${$}*"), "", Context{"s3:prefix": {"cost$1"}}, true},
		{"StringNotLike ${*} excludes only the star", cond("StringNotLike", "s3:prefix", "${*}"), "", Context{"s3:prefix": {"anything"}}, true},
		// StringEquals never has wildcards, escaped or not.
		{"StringEquals ${*} is a star", cond("StringEquals", "s3:prefix", "a${*}"), "", Context{"s3:prefix": {"a*"}}, true},
		{"StringEquals * is a star", cond("StringEquals", "s3:prefix", "a*"), "", Context{"s3:prefix": {"ab"}}, false},
		// Escapes in Resource.
		{"Resource ${?} is not a wildcard", resource("arn:aws:s3:::b/f${?}"), "arn:aws:s3:::b/fX", nil, false},
		{"Resource ${?} matches a question mark", resource("arn:aws:s3:::b/f${?}"), "arn:aws:s3:::b/f?", nil, true},
		{"Resource ${$}{x} is the text ${x}", resource("arn:aws:s3:::b/${$}{x}"), "arn:aws:s3:::b/${x}", nil, true},
		// A substituted value is literal: a username of * does not widen the statement.
		{"Resource: a * in a value is literal", resource("arn:aws:s3:::b/home/${aws:username}/*"), "arn:aws:s3:::b/home/bob/x", Context{"aws:username": {"*"}}, false},
		{"Resource: the literal * folder itself", resource("arn:aws:s3:::b/home/${aws:username}/*"), "arn:aws:s3:::b/home/*/x", Context{"aws:username": {"*"}}, true},
		{"StringLike: a ? in a value is literal", cond("StringLike", "s3:prefix", "home/${aws:username}/*"), "", Context{"aws:username": {"an?"}, "s3:prefix": {"home/ana/x"}}, false},
		// A variable the request lacks.
		{"Resource: missing variable voids the entry", resource("arn:aws:s3:::b/home/${aws:username}/*"), "arn:aws:s3:::b/home/ana/x", nil, false},
		{"Resource: only that entry", resource("arn:aws:s3:::b/home/${aws:username}/*", "arn:aws:s3:::b/public/*"), "arn:aws:s3:::b/public/x", nil, true},
		{"Resource: a default stands in", resource("arn:aws:s3:::b/home/${aws:username, 'guest'}/*"), "arn:aws:s3:::b/home/guest/x", nil, true},
		{"StringLike: missing variable matches nothing", cond("StringLike", "s3:prefix", "home/${aws:username}/*"), "", Context{"s3:prefix": {"home//x"}}, false},
		{"StringLike: even a bare variable", cond("StringLike", "s3:prefix", "${aws:username}"), "", Context{"s3:prefix": {""}}, false},
		{"StringNotLike: missing variable holds", cond("StringNotLike", "s3:prefix", "home/${aws:username}/*"), "", Context{"s3:prefix": {"home/ana/x"}}, true},
		{"StringEquals: missing variable matches nothing", cond("StringEquals", "s3:prefix", "${aws:username}"), "", Context{"s3:prefix": {"ana"}}, false},
		{"StringNotEquals: missing variable holds", cond("StringNotEquals", "s3:prefix", "${aws:username}"), "", Context{"s3:prefix": {"ana"}}, true},
		{"ForAllValues:StringLike: missing variable fails for a present key", cond("ForAllValues:StringLike", "s3:prefix", "${aws:username}/*"), "", Context{"s3:prefix": {"ana/x"}}, false},
		{"StringLikeIfExists: missing variable fails for a present key", cond("StringLikeIfExists", "s3:prefix", "${aws:username}/*"), "", Context{"s3:prefix": {"ana/x"}}, false},
		{"StringLike: a default stands in", cond("StringLike", "s3:prefix", "home/${aws:username, 'guest'}/*"), "", Context{"s3:prefix": {"home/guest/x"}}, true},
		{"StringLike: the variable when present", cond("StringLike", "s3:prefix", "home/${aws:username}/*"), "", ana.With("s3:prefix", "home/ana/x"), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			action, res := "s3:GetObject", tc.resource
			if res == "" {
				action, res = "s3:ListBucket", "arn:aws:s3:::b"
			}
			got := Evaluate(Request{Action: action, Resource: res, Context: tc.ctx}, []*Policy{tc.policy}, nil)
			if got.Allowed() != tc.want {
				t.Errorf("allowed = %v, want %v", got.Allowed(), tc.want)
			}
		})
	}
}

// Substitute and MatchResource, which isolation uses to build probes, read escapes and missing
// variables the way evaluation does.
func TestSubstituteAndMatchResource(t *testing.T) {
	ctx := Context{"aws:username": {"ana"}}
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"home/${aws:username}/*", "home/ana/*", true},
		{"home/${aws:userid}/*", "", false},
		{"home/${aws:userid, 'x'}/*", "home/x/*", true},
		{"a${*}b${?}c${$}", "a*b?c$", true},
	} {
		got, ok, err := Substitute(tc.in, ctx)
		if err != nil || ok != tc.ok || got != tc.want {
			t.Errorf("Substitute(%q) = %q, %v, %v; want %q, %v", tc.in, got, ok, err, tc.want, tc.ok)
		}
	}
	if _, _, err := Substitute("${unterminated", ctx); err == nil {
		t.Error("Substitute accepted an unterminated variable")
	}
	for _, tc := range []struct {
		pattern, resource string
		want              bool
	}{
		{"arn:aws:s3:::b/home/${aws:username}/*", "arn:aws:s3:::b/home/ana/x", true},
		{"arn:aws:s3:::b/home/${aws:userid}/*", "arn:aws:s3:::b/home/ana/x", false},
		{"arn:aws:s3:::b/${*}", "arn:aws:s3:::b/x", false},
		{"arn:aws:s3:::b/${*}", "arn:aws:s3:::b/*", true},
	} {
		if got, err := MatchResource(tc.pattern, tc.resource, ctx); err != nil || got != tc.want {
			t.Errorf("MatchResource(%q, %q) = %v, %v; want %v", tc.pattern, tc.resource, got, err, tc.want)
		}
	}
}

// NotPrincipal in resource-based policies: a Deny spares the principals it names (and, when it
// names an account, that account's principals); an Allow applies to everyone else.
func TestEvaluateNotPrincipal(t *testing.T) {
	const me, other = "arn:aws:iam::111111111111:role/me", "arn:aws:iam::111111111111:role/other"
	bucket := mustPolicy(t, "bucket", `{"Statement": [
	  {"Effect": "Deny", "NotPrincipal": {"AWS": "`+me+`"}, "Action": "s3:DeleteObject", "Resource": "arn:aws:s3:::b/*"},
	  {"Effect": "Deny", "NotPrincipal": {"AWS": "111111111111"}, "Action": "s3:PutObject", "Resource": "arn:aws:s3:::b/*"},
	  {"Effect": "Allow", "NotPrincipal": {"AWS": "`+other+`"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}`)
	identity := mustPolicy(t, "identity", `{"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}`)
	for _, tc := range []struct {
		who      string
		identity []*Policy
		action   string
		want     Decision
	}{
		{me, []*Policy{identity}, "s3:DeleteObject", Allowed},
		{other, []*Policy{identity}, "s3:DeleteObject", ExplicitDeny},
		{other, []*Policy{identity}, "s3:PutObject", Allowed},
		{"arn:aws:iam::222222222222:role/x", []*Policy{identity}, "s3:PutObject", ExplicitDeny},
		{me, nil, "s3:GetObject", Allowed},
		{other, nil, "s3:GetObject", ImplicitDeny},
	} {
		got := Evaluate(Request{Principal: RolePrincipal(tc.who), Action: tc.action, Resource: "arn:aws:s3:::b/k"}, tc.identity, []*Policy{bucket})
		if got.Decision != tc.want {
			t.Errorf("%s %s: %v, want %v", tc.who, tc.action, got.Decision, tc.want)
		}
	}
}
