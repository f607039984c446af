package directaccess

import (
	"slices"
	"strings"

	"github.com/apiless/apiless/iameval"
	"github.com/apiless/apiless/validation"
)

// buckets validates the bucket rules (nil: one default bucket) and their path rules.
func (c *checker) buckets() {
	rules := c.props.Buckets
	if rules == nil {
		rules = []*BucketRule{{Name: ptr(DefaultBucketName)}}
	}
	if c.props.AccessLogsBucket != nil {
		c.seenBuckets.add(c.props.AccessLogsBucket, "AccessLogsBucket")
	}
	names := map[string]bool{}
	for i, b := range rules {
		where := validation.Index("Buckets", i)
		if b == nil {
			c.add(where, validation.Required, nil, "is nil; expected a BucketRule")
			continue
		}
		if b.Bucket != nil {
			if other, ok := c.seenBuckets.find(b.Bucket); ok {
				c.add(where+".Bucket", validation.Duplicate, nil, "is the same bucket as %s; the path rules of one bucket must be checked together (nesting, neighbours). Expected all its paths in one BucketRule", other)
			}
			c.seenBuckets.add(b.Bucket, where+".Bucket")
		}
		bs := bucketSpec{name: str(b.Name), field: where, existing: b.Bucket, imported: b.Bucket != nil}
		switch {
		case !logicalNamePattern.MatchString(bs.name):
			c.add(where+".Name", validation.Invalid, bs.name, "%q; expected a PascalCase name of letters and digits, e.g. \"Files\"", bs.name)
		case names[bs.name]:
			c.add(where+".Name", validation.Duplicate, bs.name, "%q is declared twice; expected unique bucket names", bs.name)
		}
		names[bs.name] = true
		bs.paths = c.pathRules(where, bs.name, b.Paths)
		c.bucketLifecycle(where, b, &bs)
		c.problems = append(c.problems, checkNesting(where, bs.paths)...)
		c.s.buckets = append(c.s.buckets, bs)
	}
}

// pathRules validates one bucket's path rules (nil: the default owner rule).
func (c *checker) pathRules(where, bucket string, rules []*PathRule) []pathSpec {
	if rules == nil {
		rules = []*PathRule{{Path: ptr(DefaultObjectPath), Owner: &allStorageOperations}}
	}
	if len(rules) == 0 {
		c.add(where+".Paths", validation.Required, nil, "is empty; expected at least one path rule, or nil for the default %q", DefaultObjectPath)
	}
	var paths []pathSpec
	seen := map[string]bool{}
	for j, r := range rules {
		pw := validation.Index(where+".Paths", j)
		if r == nil {
			c.add(pw, validation.Required, nil, "is nil; expected a PathRule")
			continue
		}
		tmpl, problems := parsePath(str(r.Path))
		c.problems.Append(pw+".Path", problems)
		if seen[tmpl.raw] {
			c.add(pw+".Path", validation.Duplicate, tmpl.raw, "%q is declared twice in bucket %q; expected one rule per path", tmpl.raw, bucket)
		}
		seen[tmpl.raw] = true
		ps := pathSpec{pathTemplate: tmpl, grants: map[audience][]StorageOperation{}}
		c.pathAudiences(pw, r, &ps)
		c.pathGroups(pw, r, &ps)
		if !requestsAnything(r) {
			c.add(pw, validation.Required, tmpl.raw, "%q grants nothing to anyone; expected at least one of Owner, Authenticated, Guest, Groups, Tenant", tmpl.raw)
		}
		paths = append(paths, ps)
	}
	return paths
}

// pathAudiences reads the Owner, Authenticated, Guest and Tenant grants, each checked against
// what the kind of path allows.
func (c *checker) pathAudiences(pw string, r *PathRule, ps *pathSpec) {
	raw := ps.raw
	set := func(a audience, field string, ops *[]StorageOperation, allowed []StorageOperation, why string) {
		if ops == nil {
			return
		}
		got := c.storageOps(pw+"."+field, ops)
		for _, op := range got {
			if allowed != nil && !slices.Contains(allowed, op) {
				c.add(pw+"."+field, validation.Forbidden, string(op), "%q on %q; %s", op, raw, why)
			}
		}
		ps.grants[a] = got
	}
	switch ps.token {
	case identityToken:
		set(audienceOwner, "Owner", r.Owner, nil, "")
		set(audienceAuthenticated, "Authenticated", r.Authenticated, readStorage, "other users may only get and list an identity's folder, never change it")
		set(audienceGuest, "Guest", r.Guest, readStorage, "guests may never write to a per-identity folder")
	case tenantToken:
		if c.s.tenantTag == "" {
			c.add(pw+".Path", validation.Conflict, raw, "%q uses %s but Tenant is nil; expected Tenant to map a tenant claim to a principal tag", raw, tenantToken)
		}
		set(audienceTenant, "Tenant", r.Tenant, nil, "")
		if r.Authenticated != nil || r.Guest != nil {
			c.add(pw, validation.Forbidden, raw, "Authenticated or Guest on tenant path %q would reach every tenant's folder; expected Tenant (or a named group)", raw)
		}
	default:
		set(audienceAuthenticated, "Authenticated", r.Authenticated, nil, "")
		set(audienceGuest, "Guest", r.Guest, readStorage, "guests are anyone on the internet and may only get and list")
	}
	if ps.token != identityToken && r.Owner != nil {
		c.add(pw+".Owner", validation.Forbidden, raw, "set on %q, which has no %s folder; expected Owner only on per-identity paths", raw, identityToken)
	}
	if ps.token != tenantToken && r.Tenant != nil {
		c.add(pw+".Tenant", validation.Forbidden, raw, "set on %q, which has no %s folder; expected Tenant only on per-tenant paths", raw, tenantToken)
	}
	if ps.grants[audienceGuest] != nil && !c.s.guests {
		c.add(pw+".Guest", validation.Conflict, raw, "grants on %q but Guests is nil; expected Guests to be enabled first", raw)
	}
}

func (c *checker) pathGroups(pw string, r *PathRule, ps *pathSpec) {
	for _, g := range sortedKeys(r.Groups) {
		gw := validation.Key(pw+".Groups", g)
		if !c.groupNames[g] {
			c.add(gw, validation.NotSupported, g, "group %q is not declared in Groups", g)
		}
		ops := r.Groups[g]
		ps.grants[groupAudience(g)] = c.storageOps(gw, &ops)
		if len(ops) > 0 {
			c.groupGranted[g] = true
		}
	}
}

// requestsAnything reports whether a rule grants at least one operation. Empty operation lists
// grant nothing either; misplaced or unknown operations are reported on their own.
func requestsAnything(r *PathRule) bool {
	for _, ops := range []*[]StorageOperation{r.Owner, r.Authenticated, r.Guest, r.Tenant} {
		if ops != nil && len(*ops) > 0 {
			return true
		}
	}
	for _, ops := range r.Groups {
		if len(ops) > 0 {
			return true
		}
	}
	return false
}

func (c *checker) storageOps(where string, ops *[]StorageOperation) []StorageOperation {
	var out []StorageOperation
	for _, op := range *ops {
		if !slices.Contains(allStorageOperations, op) {
			c.add(where, validation.NotSupported, string(op), "unknown operation %q; expected one of %q, %q, %q, %q", op, StorageGet, StorageList, StorageWrite, StorageDelete)
			continue
		}
		out = appendNew(out, op)
	}
	return out
}

// checkNesting refuses path layouts whose access could not be expressed exactly: owner or
// tenant folders nested under another rule (the broader rule would cover every identity), and
// more than one level of nesting.
func checkNesting(where string, paths []pathSpec) validation.List {
	var problems validation.List
	field := where + ".Paths"
	reported := pairs{}
	for _, p := range paths {
		var parents []string
		for _, q := range paths {
			if p.isUnder(q.pathTemplate) {
				parents = append(parents, q.raw)
				if p.token != "" {
					reported.add(p.raw, q.raw)
				}
			}
		}
		slices.Sort(parents)
		if len(parents) > 1 {
			problems.Add(field, validation.Forbidden, p.raw, "%q is nested under %d rules (%s); expected at most one enclosing rule", p.raw, len(parents), strings.Join(parents, ", "))
		}
		if len(parents) > 0 && p.token != "" {
			noun := strings.Trim(p.token, "{}")
			problems.Add(field, validation.Forbidden, p.raw, "%q is a per-%s folder under %q; a broader rule would cover every %s's folder. Expected %s paths outside other rules' folders", p.raw, noun, parents[0], noun, p.token)
		}
	}
	problems = append(problems, checkBeside(field, paths, reported)...)
	problems = append(problems, checkOverlaps(field, paths, reported)...)
	return problems
}

// pairs is a set of unordered pairs of paths already reported together.
type pairs map[[2]string]bool

func (ps pairs) add(a, b string) { ps[[2]string{min(a, b), max(a, b)}] = true }
func (ps pairs) has(a, b string) bool {
	return ps[[2]string{min(a, b), max(a, b)}]
}

// checkOverlaps is the general rule behind the nesting and "beside" checks, decided on the IAM
// patterns the rules render to rather than on their spelling: two rules of a bucket may reach a
// common object key only when one is a literal folder nested in the other's literal folder (the
// nested rule's explicit Deny then takes away what it does not grant). Anything else (a folder
// spelled like an identity ID beside the identity folders, a neighbour of a wildcard grant)
// would hand one rule's objects to the other rule's audiences.
func checkOverlaps(field string, paths []pathSpec, reported pairs) validation.List {
	var problems validation.List
	for i, p := range paths {
		for _, q := range paths[i+1:] {
			if p.raw == q.raw || reported.has(p.raw, q.raw) || literalNesting(p, q) || !rulesOverlap(p, q) {
				continue
			}
			reported.add(p.raw, q.raw)
			problems.Add(field, validation.Forbidden, q.raw, "%q and %q can reach the same object keys once IAM matches them (%s and %s): the grants of each would reach the other's objects. Expected rules whose folders cannot overlap, or a literal folder nested in another literal folder",
				p.raw, q.raw, p.reachPatterns()[0], q.reachPatterns()[0])
		}
	}
	return problems
}

// literalNesting reports whether one of two rules is a literal folder inside the other's
// literal folder.
func literalNesting(p, q pathSpec) bool {
	return p.token == "" && q.token == "" && (p.isUnder(q.pathTemplate) || q.isUnder(p.pathTemplate))
}

func rulesOverlap(p, q pathSpec) bool {
	for _, rp := range p.reachPatterns() {
		for _, rq := range q.reachPatterns() {
			if iameval.Overlaps(rp, rq) {
				return true
			}
		}
	}
	return false
}

// checkBeside: a token folder granted to anyone but its owner (or tenant) is rendered with "*"
// in place of the token, and IAM's "*" also matches "/": that grant reaches every folder beside
// the token folders, so no other rule may live there.
func checkBeside(field string, paths []pathSpec, reported pairs) validation.List {
	var problems validation.List
	for _, q := range paths {
		slash := strings.LastIndex(q.folder, "/")
		if q.token == "" || slash < 0 {
			continue
		}
		parent := q.folder[:slash+1]
		noun := strings.Trim(q.token, "{}")
		for _, p := range paths {
			if p.raw == q.raw || !strings.HasPrefix(p.folder, parent) {
				continue
			}
			if q.grantsBeyondOwner() || q.token == tenantToken {
				reported.add(p.raw, q.raw)
			}
			switch {
			case q.grantsBeyondOwner():
				problems.Add(field, validation.Forbidden, p.raw, "%q is beside the per-%s folders of %q, whose grants to others read %q in IAM, where \"*\" also matches \"/\": they would reach %q too. Expected other rules outside %q, or %q granted to its %s only", p.raw, noun, q.raw, q.render(audienceAuthenticated, "")+"/*", p.raw, parent, q.raw, noun)
			case q.token == tenantToken:
				// Tenant IDs are chosen by people: a tenant named like the folder beside it
				// (or like an identity ID) would own that folder.
				problems.Add(field, validation.Forbidden, p.raw, "%q is beside the per-tenant folders of %q: a tenant whose ID is the name of that folder would reach it. Expected other rules outside %q", p.raw, q.raw, parent)
			}
		}
	}
	return problems
}
