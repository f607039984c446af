package iameval

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Role is an IAM role of the template with every policy that applies to its sessions.
type Role struct {
	LogicalID string
	Name      string
	ARN       string
	// Trust is the role's trust policy (AssumeRolePolicyDocument).
	Trust *Policy
	// Policies are the identity-based policies: inline Policies, AWS::IAM::Policy,
	// AWS::IAM::RolePolicy and AWS::IAM::ManagedPolicy resources of the template attached to it.
	Policies []*Policy
	// ExternalPolicies are managed policy ARNs attached to the role that the template does not
	// define (AWS managed policies, imports). Their statements cannot be evaluated offline.
	ExternalPolicies []string
}

// Role returns the role with the given logical ID and all its policies, with intrinsics resolved.
func (t *Template) Role(logicalID string) (*Role, error) {
	if r, ok := t.roleCache[logicalID]; ok {
		return r, nil
	}
	res, ok := t.resources[logicalID]
	if !ok || res.Type != "AWS::IAM::Role" {
		return nil, fmt.Errorf("no AWS::IAM::Role %q in the template", logicalID)
	}
	base := "Resources." + logicalID + ".Properties"
	name, err := t.PhysicalName(logicalID)
	if err != nil {
		return nil, err
	}
	arn, err := t.GetAtt(logicalID, "Arn")
	if err != nil {
		return nil, err
	}
	role := &Role{LogicalID: logicalID, Name: name, ARN: arn}
	trustDoc, ok := res.Properties["AssumeRolePolicyDocument"]
	if !ok {
		return nil, fmt.Errorf("%s: role has no AssumeRolePolicyDocument", base)
	}
	if role.Trust, err = t.policyAt(trustDoc, base+".AssumeRolePolicyDocument"); err != nil {
		return nil, err
	}
	if role.Policies, err = t.inlinePolicies(res, base); err != nil {
		return nil, err
	}
	attached := map[string]bool{}
	if role.ExternalPolicies, err = t.managedPolicyArns(res, base, attached); err != nil {
		return nil, err
	}
	if err := t.policiesNaming(name, attached); err != nil {
		return nil, err
	}
	for _, pr := range t.sortedIDs(attached) {
		doc := t.resources[pr].Properties["PolicyDocument"]
		p, err := t.policyAt(doc, "Resources."+pr+".Properties.PolicyDocument")
		if err != nil {
			return nil, err
		}
		role.Policies = append(role.Policies, p)
	}
	t.roleCache[logicalID] = role
	return role, nil
}

// inlinePolicies parses the role's Policies property.
func (t *Template) inlinePolicies(res *Resource, base string) ([]*Policy, error) {
	inline, ok := res.Properties["Policies"]
	if !ok {
		return nil, nil
	}
	list, err := t.resolveList(inline, base+".Policies")
	if err != nil {
		return nil, err
	}
	var out []*Policy
	for i, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s.Policies[%d]: not an object", base, i)
		}
		p, err := ParsePolicy(m["PolicyDocument"], fmt.Sprintf("%s.Policies[%d].PolicyDocument", base, i))
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// managedPolicyArns marks the template's managed policies in the role's ManagedPolicyArns as
// attached and returns the ARNs of the others.
func (t *Template) managedPolicyArns(res *Resource, base string, attached map[string]bool) ([]string, error) {
	arns, ok := res.Properties["ManagedPolicyArns"]
	if !ok {
		return nil, nil
	}
	list, err := t.resolveList(arns, base+".ManagedPolicyArns")
	if err != nil {
		return nil, err
	}
	var external []string
	for i, e := range list {
		a, err := asString(e, fmt.Sprintf("%s.ManagedPolicyArns[%d]", base, i))
		if err != nil {
			return nil, err
		}
		id, err := t.managedPolicyByARN(a)
		if err != nil {
			return nil, err
		}
		if id == "" {
			external = append(external, a)
		} else {
			attached[id] = true
		}
	}
	return external, nil
}

// policiesNaming marks as attached the policy resources that name the role: AWS::IAM::Policy and
// AWS::IAM::ManagedPolicy by their Roles, AWS::IAM::RolePolicy by its RoleName.
func (t *Template) policiesNaming(role string, attached map[string]bool) error {
	for _, typ := range []string{"AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"} {
		for _, pr := range t.ResourcesOfType(typ) {
			v, ok := pr.Properties["Roles"]
			if !ok || attached[pr.LogicalID] {
				continue
			}
			path := "Resources." + pr.LogicalID + ".Properties.Roles"
			names, err := t.resolveList(v, path)
			if err != nil {
				return err
			}
			for i, n := range names {
				s, err := asString(n, fmt.Sprintf("%s[%d]", path, i))
				if err != nil {
					return err
				}
				attached[pr.LogicalID] = attached[pr.LogicalID] || s == role
			}
		}
	}
	for _, pr := range t.ResourcesOfType("AWS::IAM::RolePolicy") {
		n, err := t.ResolveString(pr.Properties["RoleName"], "Resources."+pr.LogicalID+".Properties.RoleName")
		if err != nil {
			return err
		}
		attached[pr.LogicalID] = attached[pr.LogicalID] || n == role
	}
	return nil
}

// sortedIDs orders the attached policy resources as reports show them: by type, then logical ID.
func (t *Template) sortedIDs(set map[string]bool) []string {
	var ids []string
	for _, typ := range []string{"AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::RolePolicy"} {
		for _, r := range t.ResourcesOfType(typ) {
			if set[r.LogicalID] {
				ids = append(ids, r.LogicalID)
			}
		}
	}
	return ids
}

// managedPolicyByARN returns the logical ID of the template's managed policy with the given ARN,
// or "" when the ARN names a policy outside the template.
func (t *Template) managedPolicyByARN(arn string) (string, error) {
	for _, r := range t.ResourcesOfType("AWS::IAM::ManagedPolicy") {
		a, err := t.Ref(r.LogicalID)
		if err != nil {
			return "", err
		}
		if a == arn {
			return r.LogicalID, nil
		}
	}
	return "", nil
}

// policyAt resolves and parses a policy document once; path names it in the template.
func (t *Template) policyAt(doc any, path string) (*Policy, error) {
	if p, ok := t.policyCache[path]; ok {
		return p, nil
	}
	if doc == nil {
		return nil, fmt.Errorf("%s: missing policy document", path)
	}
	r, err := t.Resolve(doc, path)
	if err != nil {
		return nil, err
	}
	p, err := ParsePolicy(r, path)
	if err != nil {
		return nil, err
	}
	t.policyCache[path] = p
	return p, nil
}

// RoleByARN returns the template's role with the given ARN, or nil if there is none.
func (t *Template) RoleByARN(arn string) (*Role, error) {
	for _, r := range t.ResourcesOfType("AWS::IAM::Role") {
		a, err := t.GetAtt(r.LogicalID, "Arn")
		if err != nil {
			return nil, err
		}
		if a == arn {
			return t.Role(r.LogicalID)
		}
	}
	return nil, nil
}

// TrustsPrincipal reports whether some Allow statement of the role's trust policy names the
// principal, whatever its conditions.
func (r *Role) TrustsPrincipal(p Principal) bool {
	for _, s := range r.Trust.Statements {
		if s.Effect == "Allow" && s.Principal != nil && principalMatches(s.Principal, p, false) {
			return true
		}
	}
	return false
}

// ResourcePolicies returns the resource-based policies of the template that apply to a resource:
// the bucket policy of the bucket an S3 ARN belongs to, the resource policy of the DynamoDB table
// an ARN belongs to (the table itself, its indexes and streams), and the trust policy of a role.
func (t *Template) ResourcePolicies(resourceARN string) ([]*Policy, error) {
	if ps, ok := t.resPolicyMemo[resourceARN]; ok {
		return ps, nil
	}
	ps, err := t.resourcePolicies(resourceARN)
	if err != nil {
		return nil, err
	}
	t.resPolicyMemo[resourceARN] = ps
	return ps, nil
}

func (t *Template) resourcePolicies(resourceARN string) ([]*Policy, error) {
	var out []*Policy
	if strings.Contains(resourceARN, ":role/") {
		// A role's trust policy is its resource-based policy.
		role, err := t.RoleByARN(resourceARN)
		if err != nil {
			return nil, err
		}
		if role != nil {
			out = append(out, role.Trust)
		}
	}
	buckets, err := t.bucketPolicies(resourceARN)
	if err != nil {
		return nil, err
	}
	tables, err := t.tablePolicies(resourceARN)
	if err != nil {
		return nil, err
	}
	return slices.Concat(out, buckets, tables), nil
}

// under reports whether an ARN is base itself or a sub-resource of it (an object of a bucket, an
// index or stream of a table).
func under(arn, base string) bool {
	return arn == base || strings.HasPrefix(arn, base+"/")
}

// bucketPolicies are the policies of the bucket an S3 ARN belongs to.
func (t *Template) bucketPolicies(resourceARN string) ([]*Policy, error) {
	var out []*Policy
	for _, bp := range t.ResourcesOfType("AWS::S3::BucketPolicy") {
		base := "Resources." + bp.LogicalID + ".Properties"
		bucket, err := t.ResolveString(bp.Properties["Bucket"], base+".Bucket")
		if err != nil {
			return nil, err
		}
		if !under(resourceARN, fmt.Sprintf("arn:%s:s3:::%s", t.env.Partition, bucket)) {
			continue
		}
		p, err := t.policyAt(bp.Properties["PolicyDocument"], base+".PolicyDocument")
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// tablePolicies are the resource policies of the DynamoDB table an ARN belongs to.
func (t *Template) tablePolicies(resourceARN string) ([]*Policy, error) {
	var out []*Policy
	for _, typ := range []string{"AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable"} {
		for _, tb := range t.ResourcesOfType(typ) {
			docs := t.tableResourcePolicies(tb)
			if len(docs) == 0 {
				continue
			}
			arn, err := t.GetAtt(tb.LogicalID, "Arn")
			if err != nil {
				return nil, err
			}
			if !under(resourceARN, arn) {
				continue
			}
			for _, path := range slices.Sorted(maps.Keys(docs)) {
				p, err := t.policyAt(docs[path], path)
				if err != nil {
					return nil, err
				}
				out = append(out, p)
			}
		}
	}
	return out, nil
}

// tableResourcePolicies finds the ResourcePolicy documents of a table (AWS::DynamoDB::Table) or of
// the replicas of a global table (TableV2).
func (t *Template) tableResourcePolicies(tb *Resource) map[string]any {
	docs := map[string]any{}
	base := "Resources." + tb.LogicalID + ".Properties"
	if rp, ok := tb.Properties["ResourcePolicy"].(map[string]any); ok {
		if d, ok := rp["PolicyDocument"]; ok {
			docs[base+".ResourcePolicy.PolicyDocument"] = d
		}
	}
	if reps, ok := tb.Properties["Replicas"].([]any); ok {
		for i, r := range reps {
			rm, _ := r.(map[string]any)
			if rp, ok := rm["ResourcePolicy"].(map[string]any); ok {
				if d, ok := rp["PolicyDocument"]; ok {
					docs[fmt.Sprintf("%s.Replicas[%d].ResourcePolicy.PolicyDocument", base, i)] = d
				}
			}
		}
	}
	return docs
}

// Authorize evaluates a request made with a session of the role: its identity-based policies and
// the resource policies of the target resource.
func (t *Template) Authorize(role *Role, action, resource string, ctx Context) (Result, error) {
	rps, err := t.ResourcePolicies(resource)
	if err != nil {
		return Result{}, err
	}
	req := Request{Principal: RolePrincipal(role.ARN), Action: action, Resource: resource, Context: ctx}
	return Evaluate(req, role.Policies, rps), nil
}

// AssumeRole evaluates the role's trust policy for a principal asking to assume it, e.g.
// cognito-identity.amazonaws.com calling sts:AssumeRoleWithWebIdentity on behalf of an identity
// whose aud and amr are in the context.
//
// The caller's own identity-based policies are not in the template, so AssumeRole takes them to
// allow the request, the most the caller's account can grant: the result is whom the trust policy
// lets in, a principal it names or any principal of an account it names, also in another account.
// To decide a request with the caller's policies known, use [Evaluate] with the role's trust policy
// as the resource policy.
func AssumeRole(role *Role, p Principal, action string, ctx Context) Result {
	req := Request{Principal: p, Action: action, Resource: role.ARN, Context: ctx}
	return evaluate(req, nil, []*Policy{role.Trust}, true)
}
