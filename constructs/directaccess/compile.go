package directaccess

import (
	"github.com/apiless/apiless/validation"
)

// ValidateProps checks props the way DirectAccess does at synth and returns every problem at
// once, or nil. The error is a *validation.Error: each problem names the field, the value
// received and what is expected.
func ValidateProps(props *DirectAccessProps) error {
	_, problems := compile(props)
	return problems.Err("DirectAccess: invalid props")
}

// newSpec applies defaults and validates, one prop group at a time in the order the props are
// declared. It never panics on bad input and never calls a brought-in CDK object: every problem
// is collected so the user sees them all in one synth.
func newSpec(props *DirectAccessProps) (*spec, validation.List) {
	if props == nil {
		props = &DirectAccessProps{}
	}
	c := &checker{props: props, s: &spec{guests: props.Guests != nil}, groupNames: map[string]bool{}, groupGranted: map[string]bool{}}
	c.pool()
	c.removal()
	c.guests()
	c.groups()
	c.tenant()
	c.tables()
	c.buckets()
	c.ungrantedGroups()
	c.origins()
	c.identityPoolName()
	c.constructIDs()
	c.accessSwitches()
	c.budget()
	c.signIn()
	if a := props.AuditTrail; a != nil {
		c.s.auditDays = c.wholeNumber("AuditTrail.LogRetentionDays", a.LogRetentionDays, 365, 1, 3650, "days")
	}
	if k := props.EncryptionKey; k != nil {
		c.s.key = &keySpec{existing: k.Key}
	}
	c.s.accessLogs = props.AccessLogsBucket
	c.riskyChoices()
	return c.s, c.problems
}

// compiled is everything the wiring needs: the spec and every role's statements packed into
// managed policies.
type compiled struct {
	*spec
	packs map[roleKind][][]statement
	// guards are the Deny policies beside the grants (block list, maintenance, budget).
	guards []guardPolicy
}

// compile validates props, checks the brought-in resources for one resource under two names,
// plans every role's statements and packs them into policies. The problems include rule sets
// too large for IAM or CloudFormation, which only show once the policies are built.
func compile(props *DirectAccessProps) (*compiled, validation.List) {
	s, problems := newSpec(props)
	out := &compiled{spec: s, packs: map[roleKind][][]statement{}}
	if len(problems) > 0 {
		return out, problems
	}
	problems = append(problems, checkSameResources(s)...)
	for _, p := range buildPlan(s) {
		pk, err := packPolicies(p)
		if err != nil {
			problems.Add("", validation.TooMany, nil, "%v", err)
		}
		out.packs[p.Role] = pk
	}
	out.guards = guardPolicies(s)
	if len(problems) == 0 {
		problems = append(problems, checkResourceCount(out)...)
	}
	return out, problems
}

// cloudFormationMaxResources is CloudFormation's limit of resources in one stack.
const cloudFormationMaxResources = 500

// resourceCount is the number of CloudFormation resources the construct adds to its stack.
func (c *compiled) resourceCount() int {
	n := 2 // identity pool, role attachment
	if c.pool.existing == nil {
		n += 2 // user pool, app client
	}
	if c.tenantTag != "" {
		n++ // principal tag mapping
	}
	for _, r := range c.roles() {
		n += 1 + len(c.packs[r]) // the role and its managed policies
	}
	n += len(c.groups) // one user pool group per group role
	n += len(c.guards)
	if c.key != nil && c.key.existing == nil {
		n++
	}
	if c.auditDays > 0 {
		n += 3 // trail, log bucket and its policy
	}
	if c.rateLimit > 0 {
		n += 2 // web ACL and its association
	}
	if c.topTalkers {
		n += 2 * len(c.tables) // at most two alarms (reads, writes) per table
	}
	if c.budget != nil {
		n += 4 // budget, budget action, execution role and its policy
	}
	for _, t := range c.tables {
		if !t.imported {
			n++
		}
	}
	if c.createsBucket() {
		for _, b := range c.buckets {
			if !b.imported {
				n += 2 // bucket and bucket policy
			}
		}
		if c.accessLogs == nil {
			n += 2
		}
	}
	return n
}

// checkResourceCount refuses a rule set whose resources alone would not fit in one stack, with
// our message rather than CloudFormation's at deploy time.
func checkResourceCount(c *compiled) validation.List {
	var problems validation.List
	if n := c.resourceCount(); n > cloudFormationMaxResources {
		problems.Add("Groups", validation.TooMany, n, "the construct would create %d CloudFormation resources (%d groups, each a role, a group and its policies; %d tables; %d buckets); a stack holds at most %d. Expected fewer groups, tables or buckets, or several stacks",
			n, len(c.groups), len(c.tables), len(c.buckets), cloudFormationMaxResources)
	}
	return problems
}
