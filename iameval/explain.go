package iameval

// Near is an Allow statement whose action and resource match a request but whose conditions do
// not all hold: the usual reason a request is implicitly denied.
type Near struct {
	Statement *Statement
	// Failed are the conditions that do not hold for the request.
	Failed []*Condition
}

// Explain lists, for a request, the Allow statements of the policies that match its action and
// resource (and, for resource-based policies, name its principal) but whose conditions fail.
// Together with [Result.Denies] it says why a request was denied: an explicit Deny, a failed
// condition of a statement that would have allowed it, or no statement for the action and
// resource at all (Explain returns nothing).
func Explain(req Request, identity, resource []*Policy) []Near {
	ctx := newReqContext(req.Context)
	var out []Near
	visit := func(s *Statement, resourcePolicy bool) {
		if s.Effect != "Allow" || !s.matchesAction(req.Action) || !s.matchesResource(req.Resource, ctx) {
			return
		}
		if resourcePolicy && s.principalHit(req.Principal) == hitNone {
			return
		}
		var failed []*Condition
		for _, c := range s.Conditions {
			if !c.eval(ctx) {
				failed = append(failed, c)
			}
		}
		if len(failed) > 0 {
			out = append(out, Near{Statement: s, Failed: failed})
		}
	}
	for _, p := range identity {
		for _, s := range p.Statements {
			visit(s, false)
		}
	}
	for _, p := range resource {
		for _, s := range p.Statements {
			visit(s, true)
		}
	}
	return out
}
