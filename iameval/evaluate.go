package iameval

import (
	"slices"
	"strings"
)

// Principal is who makes a request, as resource-based and trust policies see it.
type Principal struct {
	// Type is "AWS" (an IAM role or user, or an account), "Federated" (a web identity or SAML
	// provider) or "Service".
	Type string
	// ID is the role ARN, the federated provider (cognito-identity.amazonaws.com) or the service.
	ID string
}

// RolePrincipal is the principal of a session of the role with the given ARN.
func RolePrincipal(roleARN string) Principal { return Principal{Type: "AWS", ID: roleARN} }

// Request is one authorization question: may Principal perform Action on Resource, given Context?
type Request struct {
	Principal Principal
	Action    string
	Resource  string
	Context   Context
}

// Decision is the outcome of an evaluation.
type Decision int

const (
	// ImplicitDeny means no statement allows the request (and none denies it).
	ImplicitDeny Decision = iota
	// Allowed means some statement allows the request and none denies it.
	Allowed
	// ExplicitDeny means some statement denies the request; this overrides every Allow.
	ExplicitDeny
)

// String names the decision the way AWS's documentation does.
func (d Decision) String() string {
	switch d {
	case Allowed:
		return "allowed"
	case ExplicitDeny:
		return "explicitly denied"
	}
	return "implicitly denied"
}

// Result is a decision and the statements that produced it.
type Result struct {
	Decision Decision
	// Allows lists the statements that allow the request. For a role assumption an identity-based
	// statement allows only together with the trust policy (see [Evaluate]), so Allows can hold
	// statements while the decision is a deny.
	Allows []*Statement
	Denies []*Statement // statements that deny it
}

// Allowed reports whether the request is allowed.
func (r Result) Allowed() bool { return r.Decision == Allowed }

// Evaluate decides a request: identity-based policies of the principal and the resource-based
// policies of the resource (bucket policy, trust policy) are all consulted, and any applicable Deny
// wins. Otherwise, for most requests, which Evaluate takes to be made inside one account, an Allow
// in either kind allows, and without one the request is implicitly denied.
//
// Assuming a role (sts:AssumeRole, sts:AssumeRoleWithWebIdentity, sts:AssumeRoleWithSAML,
// sts:TagSession, sts:SetSourceIdentity, sts:SetContext on a role ARN) is decided by the role's
// trust policy, passed as the resource policy: an identity-based policy alone never allows it. A
// trust policy that names the principal itself (its ARN, a web identity or SAML provider, a
// service, or *) allows a principal of the role's own account with no identity-based policy; a
// principal of another account, or one whose account the trust policy names instead of the
// principal, needs an identity-based Allow as well.
func Evaluate(req Request, identity, resource []*Policy) Result {
	return evaluate(req, identity, resource, false)
}

// evaluate is Evaluate; callerAllows stands for identity-based policies that are not known but
// taken to allow the request (those of a caller outside the template).
func evaluate(req Request, identity, resource []*Policy, callerAllows bool) Result {
	e := evaluation{req: req, ctx: newReqContext(req.Context), assume: isRoleAssumption(req.Action, req.Resource)}
	e.identityAllows = callerAllows
	for _, p := range identity {
		for _, s := range p.Statements {
			e.identityStatement(s)
		}
	}
	for _, p := range resource {
		for _, s := range p.Statements {
			e.resourceStatement(s)
		}
	}
	res := e.res
	switch {
	case len(res.Denies) > 0:
		res.Decision = ExplicitDeny
	case !e.assume && len(res.Allows) > 0,
		e.assume && e.trustNames && sameAccount(req.Principal, req.Resource),
		e.assume && (e.trustNames || e.trustAccount) && e.identityAllows:
		res.Decision = Allowed
	}
	return res
}

// evaluation collects what the statements of one request say.
type evaluation struct {
	req    Request
	ctx    *reqContext
	assume bool // the request assumes a role, so the trust policy decides
	res    Result

	identityAllows bool // an identity-based statement allows
	trustNames     bool // a resource-based Allow names the principal itself
	trustAccount   bool // a trust policy's Allow names the principal's account
}

func (e *evaluation) identityStatement(s *Statement) {
	if !s.applies(e.req, e.ctx) {
		return
	}
	if s.Effect == "Deny" {
		e.res.Denies = append(e.res.Denies, s)
		return
	}
	e.res.Allows = append(e.res.Allows, s)
	e.identityAllows = true
}

func (e *evaluation) resourceStatement(s *Statement) {
	hit := s.principalHit(e.req.Principal)
	if hit == hitNone || !s.applies(e.req, e.ctx) {
		return
	}
	switch {
	case s.Effect == "Deny":
		// An account named in a Deny denies every principal in it.
		e.res.Denies = append(e.res.Denies, s)
	case hit == hitNamed:
		e.res.Allows = append(e.res.Allows, s)
		e.trustNames = true
	case e.assume:
		// An account named in an Allow only delegates to the identity-based policies of its
		// principals. Other resource policies leave that to the identity side, which Evaluate
		// takes to be in the same account.
		e.res.Allows = append(e.res.Allows, s)
		e.trustAccount = true
	}
}

// roleAssumptionActions are the actions that a role's trust policy decides.
var roleAssumptionActions = []string{
	"sts:assumerole", "sts:assumerolewithwebidentity", "sts:assumerolewithsaml",
	"sts:tagsession", "sts:setsourceidentity", "sts:setcontext",
}

// isRoleAssumption reports whether a request asks to assume a role (or to tag or name the session
// while doing so): an action of roleAssumptionActions on an IAM role ARN.
func isRoleAssumption(action, resource string) bool {
	parts := strings.SplitN(resource, ":", 6)
	return len(parts) == 6 && parts[0] == "arn" && parts[2] == "iam" && strings.HasPrefix(parts[5], "role/") &&
		slices.Contains(roleAssumptionActions, strings.ToLower(action))
}

// sameAccount reports whether a principal needs no identity-based policy to use a resource-based
// Allow that names it: web identity and SAML providers and services have none, and an IAM
// principal needs none in the resource's own account.
func sameAccount(p Principal, resource string) bool {
	if !strings.EqualFold(p.Type, "AWS") {
		return true
	}
	acct := principalAccount(p)
	return acct != "" && acct == arnAccount(resource)
}

// principalAccount is the account of an IAM principal, given by ARN or as a bare account ID.
func principalAccount(p Principal) string {
	if a := arnAccount(p.ID); a != "" {
		return a
	}
	if len(p.ID) == 12 && strings.Trim(p.ID, "0123456789") == "" {
		return p.ID
	}
	return ""
}

// applies reports whether the statement's action, resource and conditions match the request. The
// principal is checked apart, by principalHit, for resource-based policies.
func (s *Statement) applies(req Request, ctx *reqContext) bool {
	if !s.matchesAction(req.Action) || !s.matchesResource(req.Resource, ctx) {
		return false
	}
	for _, c := range s.Conditions {
		if !c.eval(ctx) {
			return false
		}
	}
	return true
}

// principalHit tells how a resource-based statement names the requester.
func (s *Statement) principalHit(p Principal) principalHit {
	deny := s.Effect == "Deny"
	switch {
	case s.Principal != nil:
		return principalMatch(s.Principal, p)
	case s.NotPrincipal != nil:
		if principalMatches(s.NotPrincipal, p, deny) {
			return hitNone
		}
		return hitNamed
	}
	// A resource-based statement without a principal applies to nobody.
	return hitNone
}

func (s *Statement) matchesAction(action string) bool {
	if s.hasNotAction {
		for _, a := range s.notActions {
			if matchAction(a, action) {
				return false
			}
		}
		return true
	}
	for _, a := range s.actions {
		if matchAction(a, action) {
			return true
		}
	}
	return false
}

// matchesResource applies Resource or NotResource. An entry whose policy variable has no value
// matches no resource (AWS documents this for both elements).
func (s *Statement) matchesResource(resource string, ctx *reqContext) bool {
	switch {
	case s.hasResource:
		for _, p := range s.resources {
			if us, ok := p.expand(ctx); ok && matchARN(us, resource) {
				return true
			}
		}
		return false
	case s.hasNotResource:
		for _, p := range s.notResources {
			if us, ok := p.expand(ctx); ok && matchARN(us, resource) {
				return false
			}
		}
		return true
	}
	// Resource-based policies (bucket and trust policies) may leave the resource implicit: it is
	// the resource the policy is attached to.
	return true
}

// principalHit is how a Principal element names a requester.
type principalHit uint8

const (
	hitNone    principalHit = iota
	hitAccount              // the requester's account, by its ID or its root ARN
	hitNamed                // the requester itself, or everyone
)

// principalMatch decides how a Principal element names the requester: by itself (or as everyone),
// by its account, or not at all.
func principalMatch(spec map[string][]string, p Principal) principalHit {
	best := hitNone
	for typ, ids := range spec {
		if typ == "*" {
			return hitNamed
		}
		for _, id := range ids {
			if id == "*" && (typ == "AWS" || strings.EqualFold(typ, p.Type)) {
				return hitNamed
			}
			if !strings.EqualFold(typ, p.Type) {
				continue
			}
			switch typ {
			case "AWS":
				if id == p.ID {
					return hitNamed
				}
				if acct := arnAccount(p.ID); acct != "" && (id == acct || (strings.HasPrefix(id, "arn:") && strings.HasSuffix(id, ":iam::"+acct+":root"))) {
					best = hitAccount
				}
			default:
				if strings.EqualFold(id, p.ID) {
					return hitNamed
				}
			}
		}
	}
	return best
}

// principalMatches decides whether a Principal element names the requester. An account (its ID or
// its root ARN) names every principal in it, but in an Allow that only delegates to the
// principal's identity-based policies, so it matches for Deny statements only.
func principalMatches(spec map[string][]string, p Principal, deny bool) bool {
	h := principalMatch(spec, p)
	return h == hitNamed || deny && h == hitAccount
}

func arnAccount(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" {
		return ""
	}
	return parts[4]
}
