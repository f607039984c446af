// Package isolation proves, offline, that the roles a Cognito identity pool hands out keep every
// identity to its own data.
//
// [CheckTemplate] reads a synthesized CloudFormation template and finds every role an identity
// pool can give out: the authenticated and guest roles of its role attachments, the roles of user
// pool groups and role-mapping rules, and any other role that trusts cognito-identity.amazonaws.com.
// For each role it plays an identity A and tries, with the [iameval] evaluator, every DynamoDB and
// S3 action AWS defines against A's own keys and folders, another identity B's, a batch mixing
// both, requests without a key (Scan-like), every index, the bucket itself, objects and listings
// outside any rule, shared folders, and the table, bucket and account administration. It also
// tries the role's trust policy with an identity of another pool, a guest identity, another AWS
// account and another web identity provider.
//
// What A must and must not reach comes from declared intent: the manifest the DirectAccess
// construct records on its identity pool (declared mode), or, without one, the strict default that
// only A's own key and folder and what [Options.Shared] names may be reached (strict mode). An
// allow nothing declared is a violation, and in declared mode so is a declared grant the policies
// deny. [AssertIsolated] turns that into a one-line test.
package isolation

import (
	"fmt"
	"strings"
	"testing"

	"github.com/apiless/apiless/iameval"
)

// CheckTemplate runs the isolation check on a synthesized CloudFormation template (JSON) with
// the default options. It returns an error when the template cannot be evaluated offline (an
// intrinsic it cannot resolve, a role outside the template, a managed policy it cannot read):
// the check never passes what it could not evaluate.
func CheckTemplate(templateJSON []byte) (*Report, error) {
	return CheckTemplateWith(templateJSON, Options{})
}

// CheckTemplateWith runs the isolation check with options. A template whose identity pool
// carries the construct's manifest is checked in declared mode, any other in strict mode.
func CheckTemplateWith(templateJSON []byte, opts Options) (*Report, error) {
	t, err := iameval.ParseTemplate(templateJSON, iameval.Env{})
	if err != nil {
		return nil, err
	}
	w, err := discover(t, templateJSON, opts)
	if err != nil {
		return nil, err
	}
	if err := w.checkable(); err != nil {
		return nil, err
	}
	rep := &Report{IdentityPools: []PoolReport{}, Roles: []RoleReport{}, Tables: len(w.tables), Buckets: len(w.buckets)}
	modes := map[string]bool{}
	for _, p := range w.pools {
		fs, err := w.poolFindings(p)
		if err != nil {
			return nil, err
		}
		modes[w.modeOf(p)] = true
		rep.IdentityPools = append(rep.IdentityPools, PoolReport{LogicalID: p.logicalID, ID: p.id, Mode: w.modeOf(p), Findings: fs})
	}
	for _, r := range w.roles {
		rr, n, err := w.checkRole(r)
		if err != nil {
			return nil, err
		}
		modes[rr.Mode] = true
		rep.Roles = append(rep.Roles, rr)
		rep.Requests += n
	}
	rep.Mode = ModeStrict
	if modes[ModeDeclared] {
		rep.Mode = ModeDeclared
		if modes[ModeStrict] {
			rep.Mode = "declared and strict"
		}
	}
	return rep, nil
}

func (w *world) checkRole(r *poolRole) (RoleReport, int, error) {
	rr := RoleReport{LogicalID: r.role.LogicalID, ARN: r.role.ARN, Findings: []Finding{}}
	for _, a := range r.audiences {
		rr.Audiences = append(rr.Audiences, a.String())
	}
	if r.pool != nil {
		rr.IdentityPool = r.pool.id
	}
	requests := 0
	classes := r.classes()
	for _, class := range classes {
		g := newGen(w, r, class)
		rr.Mode = g.mode()
		if len(classes) > 1 {
			g.prefix = "[" + class + "] "
		}
		g.trust()
		g.dynamo()
		g.s3()
		fs, n, err := g.run()
		if err != nil {
			return rr, 0, fmt.Errorf("role %s: %w", r.role.LogicalID, err)
		}
		rr.Findings = append(rr.Findings, fs...)
		requests += n
	}
	return rr, requests, nil
}

// checkable refuses a template on which the check would prove nothing: policies that grant
// DynamoDB or S3 actions while no table or bucket could be identified to probe.
func (w *world) checkable() error {
	if len(w.tables)+len(w.buckets) > 0 {
		return nil
	}
	for _, r := range w.roles {
		for _, p := range r.role.Policies {
			for _, s := range p.Statements {
				if s.Effect != "Allow" {
					continue
				}
				for _, a := range append(append([]string{}, s.Action...), s.NotAction...) {
					l := strings.ToLower(a)
					if l == "*" || strings.HasPrefix(l, "dynamodb:") || strings.HasPrefix(l, "s3:") || len(s.NotAction) > 0 {
						return fmt.Errorf("%s grants %s, but no table or bucket it reaches could be identified, so nothing could be checked", s, a)
					}
				}
			}
		}
	}
	return nil
}

// AssertIsolated fails the test unless the template's identity-pool roles keep every identity to
// its own data. It also fails when the template cannot be evaluated or has no identity-pool role,
// so a broken discovery never passes silently:
//
//	isolation.AssertIsolated(t, templateJSON)
func AssertIsolated(t testing.TB, templateJSON []byte) {
	t.Helper()
	rep, err := CheckTemplate(templateJSON)
	if err != nil {
		t.Fatalf("isolation: could not evaluate the template: %v", err)
		return
	}
	if len(rep.Roles) == 0 {
		t.Fatalf("isolation: the template has no role an identity pool can hand out, so nothing was checked")
		return
	}
	if v := rep.Violations(); len(v) > 0 {
		t.Errorf("isolation: %s\n%s\nfull report:\n%s", plural(len(v), "violation"), FormatFindings(v), rep)
	}
}

// FormatFindings renders findings one per line, with what was allowed and by which statement.
func FormatFindings(fs []Finding) string {
	var b strings.Builder
	for _, f := range fs {
		who := f.Role
		if who == "" {
			who = "identity pool"
		}
		fmt.Fprintf(&b, "  %s: %s: %s", who, f.Check, f.Result)
		if f.Reason != "" {
			fmt.Fprintf(&b, " (%s)", f.Reason)
		}
		if len(f.Allowed) > 0 {
			fmt.Fprintf(&b, "\n      actions: %s", strings.Join(f.Allowed, " "))
		}
		if f.Resource != "" {
			fmt.Fprintf(&b, "\n      resource: %s", f.Resource)
		}
		if f.Request != "" {
			fmt.Fprintf(&b, "\n      request: %s", f.Request)
		}
		for _, s := range f.Statements {
			fmt.Fprintf(&b, "\n      allowed by %s", s)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// unwritableClaims are token claims a user cannot set on themselves.
var unwritableClaims = map[string]bool{
	"sub": true, "aud": true, "iss": true, "client_id": true, "token_use": true, "auth_time": true,
	"cognito:username": true, "cognito:groups": true, "username": true,
}

// poolFindings checks where the pool's principal tags come from: a tag that isolates tenants must
// be fed by a claim users cannot change, or a user moves into another tenant by editing a profile
// attribute.
func (w *world) poolFindings(p *pool) ([]Finding, error) {
	out := []Finding{}
	t := w.t
	for _, tag := range sortedTagKeys(p.tags) {
		claim := p.tags[tag]
		check := fmt.Sprintf("principal tag %s from claim %s", tag, claim)
		if unwritableClaims[claim] {
			out = append(out, Finding{Verdict: VerdictOK, Check: check, Result: "not writable by users"})
			continue
		}
		attr := strings.TrimPrefix(claim, "custom:")
		found := false
		for _, up := range t.ResourcesOfType("AWS::Cognito::UserPool") {
			id, err := t.Ref(up.LogicalID)
			if err != nil {
				return nil, err
			}
			if len(p.userPools) > 0 && !contains(p.userPools, id) {
				continue
			}
			found = true
			mutable, selfSignUp, err := w.attributeRules(up, attr)
			if err != nil {
				return nil, err
			}
			for _, c := range t.ResourcesOfType("AWS::Cognito::UserPoolClient") {
				base := "Resources." + c.LogicalID + ".Properties"
				upID, err := t.ResolveString(c.Properties["UserPoolId"], base+".UserPoolId")
				if err != nil {
					return nil, err
				}
				if upID != id {
					continue
				}
				f := Finding{Check: check + " (app client " + c.LogicalID + ")", Tried: 1}
				writable, how := true, "no WriteAttributes, so every writable attribute"
				if v, ok := c.Properties["WriteAttributes"]; ok {
					res, err := t.Resolve(v, base+".WriteAttributes")
					if err != nil {
						return nil, err
					}
					list, _ := res.([]any)
					writable, how = false, ""
					for _, e := range list {
						if e == claim {
							writable, how = true, "WriteAttributes lists "+claim
						}
					}
				}
				switch {
				case !writable:
					f.Verdict, f.Result = VerdictOK, "not writable by users"
				case mutable || selfSignUp:
					f.Verdict, f.Result = VerdictViolation, "writable by users"
					var when []string
					if mutable {
						when = append(when, "the attribute is mutable")
					}
					if selfSignUp {
						when = append(when, "users sign themselves up")
					}
					f.Reason = fmt.Sprintf("%s (%s) and %s: a user can set their own %s and reach another tenant's data",
						c.LogicalID, how, strings.Join(when, " and "), tag)
				default:
					f.Verdict, f.Result = VerdictOK, "immutable and set by administrators only"
				}
				out = append(out, f)
			}
		}
		if !found {
			out = append(out, Finding{Verdict: VerdictWarning, Check: check, Result: "unknown",
				Reason: "the user pool is not in this template, so who can write the claim is not checked"})
		}
	}
	return out, nil
}

// attributeRules reads from a user pool whether an attribute is mutable and whether users can
// sign themselves up (and so choose its first value).
func (w *world) attributeRules(up *iameval.Resource, attr string) (mutable, selfSignUp bool, err error) {
	base := "Resources." + up.LogicalID + ".Properties"
	props := map[string]any{}
	for _, k := range []string{"Schema", "AdminCreateUserConfig"} {
		if v, ok := up.Properties[k]; ok {
			r, err := w.t.Resolve(v, base+"."+k)
			if err != nil {
				return false, false, err
			}
			props[k] = r
		}
	}
	mutable = true // standard attributes are mutable unless the schema says otherwise
	schema, _ := props["Schema"].([]any)
	for _, e := range schema {
		m, _ := e.(map[string]any)
		if m["Name"] != attr {
			continue
		}
		// CloudFormation's default for Mutable is true.
		if v, ok := m["Mutable"]; ok {
			mutable = fmt.Sprint(v) == "true"
		}
	}
	selfSignUp = true
	if ac, ok := props["AdminCreateUserConfig"].(map[string]any); ok {
		if fmt.Sprint(ac["AllowAdminCreateUserOnly"]) == "true" {
			selfSignUp = false
		}
	}
	return mutable, selfSignUp, nil
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}
