package iameval

import (
	"strings"
	"testing"
)

// Assuming a role is decided by the role's trust policy: an identity-based policy alone never
// allows it. The cases follow the structure of the sts:AssumeRole suites of an independent IAM
// simulator (same account, another account, service principals), written anew here.
func TestEvaluateRoleAssumption(t *testing.T) {
	const (
		role    = "arn:aws:iam::111111111111:role/test-role"
		local   = "arn:aws:iam::111111111111:user/test-user"
		foreign = "arn:aws:iam::222222222222:user/test-user"
	)
	allowAssume := `{"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "` + role + `"}]}`
	denyAssume := `{"Statement": [{"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "` + role + `"}]}`
	trust := func(effect, principal string) string {
		return `{"Statement": [{"Effect": "` + effect + `", "Action": "sts:AssumeRole", "Principal": ` + principal + `}]}`
	}
	tests := []struct {
		name      string
		principal Principal
		action    string
		identity  string // "" for none
		trust     string // "" for none
		want      Decision
	}{
		// Same account.
		{"same account: no policies", Principal{"AWS", local}, "sts:AssumeRole", "", "", ImplicitDeny},
		{"same account: identity policy alone", Principal{"AWS", local}, "sts:AssumeRole", allowAssume, "", ImplicitDeny},
		{"same account: trust names another user", Principal{"AWS", local}, "sts:AssumeRole", "",
			trust("Allow", `{"AWS": "arn:aws:iam::111111111111:user/other-user"}`), ImplicitDeny},
		{"same account: identity allows, trust names another user", Principal{"AWS", local}, "sts:AssumeRole", allowAssume,
			trust("Allow", `{"AWS": "arn:aws:iam::111111111111:user/other-user"}`), ImplicitDeny},
		{"same account: trust names the principal", Principal{"AWS", local}, "sts:AssumeRole", "",
			trust("Allow", `{"AWS": "`+local+`"}`), Allowed},
		{"same account: trust names the account root, no identity policy", Principal{"AWS", local}, "sts:AssumeRole", "",
			trust("Allow", `{"AWS": "arn:aws:iam::111111111111:root"}`), ImplicitDeny},
		{"same account: trust names the account ID, no identity policy", Principal{"AWS", local}, "sts:AssumeRole", "",
			trust("Allow", `{"AWS": "111111111111"}`), ImplicitDeny},
		{"same account: trust names the account, identity allows", Principal{"AWS", local}, "sts:AssumeRole", allowAssume,
			trust("Allow", `{"AWS": "arn:aws:iam::111111111111:root"}`), Allowed},
		{"same account: identity denies", Principal{"AWS", local}, "sts:AssumeRole", denyAssume,
			trust("Allow", `{"AWS": "`+local+`"}`), ExplicitDeny},
		{"same account: trust denies the account", Principal{"AWS", local}, "sts:AssumeRole", allowAssume,
			trust("Deny", `{"AWS": "arn:aws:iam::111111111111:root"}`), ExplicitDeny},
		{"same account: trust allows everyone", Principal{"AWS", local}, "sts:AssumeRole", "", trust("Allow", `"*"`), Allowed},

		// Another account: both sides must allow.
		{"other account: no policies", Principal{"AWS", foreign}, "sts:AssumeRole", "", "", ImplicitDeny},
		{"other account: identity policy alone", Principal{"AWS", foreign}, "sts:AssumeRole", allowAssume, "", ImplicitDeny},
		{"other account: trust names another user", Principal{"AWS", foreign}, "sts:AssumeRole", allowAssume,
			trust("Allow", `{"AWS": "arn:aws:iam::222222222222:user/other-user"}`), ImplicitDeny},
		{"other account: trust names the account, no identity policy", Principal{"AWS", foreign}, "sts:AssumeRole", "",
			trust("Allow", `{"AWS": "arn:aws:iam::222222222222:root"}`), ImplicitDeny},
		{"other account: trust names the principal, no identity policy", Principal{"AWS", foreign}, "sts:AssumeRole", "",
			trust("Allow", `{"AWS": "`+foreign+`"}`), ImplicitDeny},
		{"other account: trust names the account ID, no identity policy", Principal{"AWS", foreign}, "sts:AssumeRole", "",
			trust("Allow", `{"AWS": "222222222222"}`), ImplicitDeny},
		{"other account: trust names the account, identity allows", Principal{"AWS", foreign}, "sts:AssumeRole", allowAssume,
			trust("Allow", `{"AWS": "arn:aws:iam::222222222222:root"}`), Allowed},
		{"other account: trust names the principal, identity allows", Principal{"AWS", foreign}, "sts:AssumeRole", allowAssume,
			trust("Allow", `{"AWS": "`+foreign+`"}`), Allowed},
		{"other account: trust allows everyone, no identity policy", Principal{"AWS", foreign}, "sts:AssumeRole", "",
			trust("Allow", `"*"`), ImplicitDeny},
		{"other account: identity denies", Principal{"AWS", foreign}, "sts:AssumeRole", denyAssume,
			trust("Allow", `{"AWS": "arn:aws:iam::222222222222:root"}`), ExplicitDeny},
		{"other account: trust denies", Principal{"AWS", foreign}, "sts:AssumeRole", allowAssume,
			trust("Deny", `{"AWS": "arn:aws:iam::222222222222:root"}`), ExplicitDeny},
		{"other account: trust names this account", Principal{"AWS", foreign}, "sts:AssumeRole", allowAssume,
			trust("Allow", `{"AWS": "arn:aws:iam::111111111111:root"}`), ImplicitDeny},

		// Services and federated principals have no identity-based policies.
		{"service named in the trust policy", Principal{"Service", "lambda.amazonaws.com"}, "sts:AssumeRole", "",
			trust("Allow", `{"Service": "lambda.amazonaws.com"}`), Allowed},
		{"another service", Principal{"Service", "lambda.amazonaws.com"}, "sts:AssumeRole", "",
			trust("Allow", `{"Service": "logs.amazonaws.com"}`), ImplicitDeny},
		{"web identity provider named in the trust policy", Principal{"Federated", "cognito-identity.amazonaws.com"},
			"sts:AssumeRoleWithWebIdentity", "", `{"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
			"Principal": {"Federated": "cognito-identity.amazonaws.com"}}]}`, Allowed},
		{"SAML provider named in the trust policy", Principal{"Federated", "arn:aws:iam::111111111111:saml-provider/idp"},
			"sts:AssumeRoleWithSAML", "", `{"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRoleWithSAML",
			"Principal": {"Federated": "arn:aws:iam::111111111111:saml-provider/idp"}}]}`, Allowed},

		// Every role-assumption action, each allowed by an identity policy alone, is denied.
		{"web identity, identity policy alone", Principal{"AWS", local}, "sts:AssumeRoleWithWebIdentity",
			`{"Statement": [{"Effect": "Allow", "Action": "sts:*", "Resource": "*"}]}`, "", ImplicitDeny},
		{"SAML, identity policy alone", Principal{"AWS", local}, "sts:AssumeRoleWithSAML",
			`{"Statement": [{"Effect": "Allow", "Action": "sts:*", "Resource": "*"}]}`, "", ImplicitDeny},
		{"session tags, identity policy alone", Principal{"AWS", local}, "sts:TagSession",
			`{"Statement": [{"Effect": "Allow", "Action": "sts:*", "Resource": "*"}]}`, "", ImplicitDeny},
		{"source identity, identity policy alone", Principal{"AWS", local}, "sts:SetSourceIdentity",
			`{"Statement": [{"Effect": "Allow", "Action": "sts:*", "Resource": "*"}]}`, "", ImplicitDeny},
		{"action names are case insensitive", Principal{"AWS", local}, "STS:assumeRole",
			`{"Statement": [{"Effect": "Allow", "Action": "sts:*", "Resource": "*"}]}`, "", ImplicitDeny},
		{"session tags allowed by the trust policy", Principal{"AWS", local}, "sts:TagSession", "",
			`{"Statement": [{"Effect": "Allow", "Action": ["sts:AssumeRole", "sts:TagSession"], "Principal": {"AWS": "` + local + `"}}]}`, Allowed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var identity, resource []*Policy
			if tc.identity != "" {
				identity = append(identity, mustPolicy(t, "identity", tc.identity))
			}
			if tc.trust != "" {
				resource = append(resource, mustPolicy(t, "trust", tc.trust))
			}
			got := Evaluate(Request{Principal: tc.principal, Action: tc.action, Resource: role}, identity, resource)
			if got.Decision != tc.want {
				t.Errorf("decision = %v, want %v", got.Decision, tc.want)
			}
		})
	}
}

// Other STS actions, and role-assumption actions on what is not a role, are ordinary requests
// that an identity-based policy can allow on its own.
func TestEvaluateNotRoleAssumption(t *testing.T) {
	identity := mustPolicy(t, "identity", `{"Statement": [{"Effect": "Allow", "Action": "sts:*", "Resource": "*"}]}`)
	p := RolePrincipal("arn:aws:iam::111111111111:role/caller")
	for _, tc := range []struct{ action, resource string }{
		{"sts:GetFederationToken", "arn:aws:iam::111111111111:user/target-user"},
		{"sts:GetCallerIdentity", "*"},
		{"sts:AssumeRole", "arn:aws:iam::111111111111:user/not-a-role"},
		{"sts:DecodeAuthorizationMessage", "arn:aws:iam::111111111111:role/r"},
	} {
		got := Evaluate(Request{Principal: p, Action: tc.action, Resource: tc.resource}, []*Policy{identity}, nil)
		if !got.Allowed() {
			t.Errorf("%s on %s: %v, want allowed by the identity policy", tc.action, tc.resource, got.Decision)
		}
	}
}

// AssumeRole has no identity-based policies of the caller: it reports whom the trust policy lets
// in, taking the caller's own account to allow it, so a trust policy open to another account is
// seen as open.
func TestAssumeRoleTakesTheCallerToAllow(t *testing.T) {
	trust := mustPolicy(t, "trust", `{"Statement": [
	  {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": "arn:aws:iam::999999999999:root"}},
	  {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": "arn:aws:iam::111111111111:role/friend"}},
	  {"Effect": "Deny", "Action": "sts:AssumeRole", "Principal": {"AWS": "arn:aws:iam::999999999999:role/blocked"}}]}`)
	role := &Role{ARN: "arn:aws:iam::111111111111:role/target", Trust: trust}
	tests := []struct {
		name string
		p    Principal
		want Decision
	}{
		{"the other account's root", Principal{"AWS", "arn:aws:iam::999999999999:root"}, Allowed},
		{"a role of the other account", Principal{"AWS", "arn:aws:iam::999999999999:role/any"}, Allowed},
		{"a role named in the trust policy", Principal{"AWS", "arn:aws:iam::111111111111:role/friend"}, Allowed},
		{"a role denied by the trust policy", Principal{"AWS", "arn:aws:iam::999999999999:role/blocked"}, ExplicitDeny},
		{"a role of an account not named", Principal{"AWS", "arn:aws:iam::888888888888:role/any"}, ImplicitDeny},
		{"another role of the role's account", Principal{"AWS", "arn:aws:iam::111111111111:role/other"}, ImplicitDeny},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := AssumeRole(role, tc.p, "sts:AssumeRole", nil); got.Decision != tc.want {
				t.Errorf("decision = %v, want %v", got.Decision, tc.want)
			}
		})
	}
}

// A role of the template asking to assume another: Authorize takes the target's trust policy as its
// resource policy, so the caller's identity policy allows only where the trust policy lets it.
func TestAuthorizeRoleAssumption(t *testing.T) {
	tpl, err := ParseTemplate([]byte(`{"Resources": {
	  "Caller": {"Type": "AWS::IAM::Role", "Properties": {
	    "AssumeRolePolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "lambda.amazonaws.com"}}]},
	    "Policies": [{"PolicyName": "p", "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}}]}},
	  "Trusting": {"Type": "AWS::IAM::Role", "Properties": {
	    "AssumeRolePolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
	      "Principal": {"AWS": {"Fn::GetAtt": ["Caller", "Arn"]}}}]}}},
	  "Delegating": {"Type": "AWS::IAM::Role", "Properties": {
	    "AssumeRolePolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
	      "Principal": {"AWS": {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::", {"Ref": "AWS::AccountId"}, ":root"]]}}}]}}},
	  "Closed": {"Type": "AWS::IAM::Role", "Properties": {
	    "AssumeRolePolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "ec2.amazonaws.com"}}]}}}
	}}`), Env{})
	if err != nil {
		t.Fatal(err)
	}
	caller, err := tpl.Role("Caller")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		target string
		want   Decision
	}{
		{"Trusting", Allowed},
		{"Delegating", Allowed}, // the account delegates, and the caller's identity policy allows
		{"Closed", ImplicitDeny},
	} {
		target, err := tpl.Role(tc.target)
		if err != nil {
			t.Fatal(err)
		}
		got, err := tpl.Authorize(caller, "sts:AssumeRole", target.ARN, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got.Decision != tc.want {
			t.Errorf("Caller assuming %s: %v, want %v", tc.target, got.Decision, tc.want)
		}
	}
	// A role outside the template has no trust policy to consult: the identity policy alone does
	// not allow assuming it.
	got, err := tpl.Authorize(caller, "sts:AssumeRole", "arn:aws:iam::123456789012:role/elsewhere", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.Decision != ImplicitDeny {
		t.Errorf("assuming a role outside the template: %v, want implicitly denied", got.Decision)
	}
	if len(got.Allows) != 1 || !strings.Contains(got.Allows[0].Source, "Caller") {
		t.Errorf("Allows = %v, want the caller's identity statement, listed though it does not allow alone", got.Allows)
	}
}
