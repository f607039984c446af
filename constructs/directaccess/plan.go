package directaccess

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// The pieces of the per-role policies, built as plain data so the whole access model can be
// tested without synthesizing. Resources are symbolic (a table or bucket by rule name plus a
// suffix) and become CloudFormation ARNs only in the wiring.

type resourceKind string

const (
	tableResource  resourceKind = "table"
	bucketResource resourceKind = "bucket"
)

// resource is <ARN of the named table or bucket><suffix>.
type resource struct {
	Kind   resourceKind
	Name   string
	Suffix string
}

// conditions is operator -> key -> values, as in an IAM Condition block.
type conditions map[string]map[string][]string

// statement is one IAM policy statement.
type statement struct {
	Sid        string
	Effect     string
	Actions    []string
	Resources  []resource
	Conditions conditions
	// sidBase groups statements that may be merged and names the result.
	sidBase string
}

// roleKind identifies a role the identity pool hands out.
type roleKind string

const (
	roleAuthenticated roleKind = "authenticated"
	roleGuest         roleKind = "guest"
)

func groupRole(name string) roleKind { return roleKind("group:" + name) }

// rolePlan is the statements one role gets.
type rolePlan struct {
	Role       roleKind
	Statements []statement
}

// DynamoDB actions per operation. Every one of them carries dynamodb:LeadingKeys; Scan and the
// PartiQL actions are never granted because a request without a key passes ForAllValues.
var tableActions = map[TableOperation][]string{
	TableRead:   {"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:ConditionCheckItem"},
	TableWrite:  {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:BatchWriteItem"},
	TableDelete: {"dynamodb:DeleteItem"},
}

// attributeLimitedWrite is what TableWrite grants under an attribute limit: PutItem and
// BatchWriteItem replace whole items, UpdateItem can be limited to named attributes.
var attributeLimitedWrite = []string{"dynamodb:UpdateItem"}

var storageObjectActions = map[StorageOperation]string{
	StorageGet:    "s3:GetObject",
	StorageWrite:  "s3:PutObject",
	StorageDelete: "s3:DeleteObject",
}

const listAction = "s3:ListBucket"

// roles lists the roles the spec needs, in a stable order.
func (s *spec) roles() []roleKind {
	roles := []roleKind{roleAuthenticated}
	if s.guests {
		roles = append(roles, roleGuest)
	}
	for _, g := range s.groups {
		roles = append(roles, groupRole(g.name))
	}
	return roles
}

// audiencesOf is who a role's holder counts as. A group role REPLACES the authenticated role
// for its members, so it carries every signed-in and per-identity grant as well.
func (s *spec) audiencesOf(r roleKind) []audience {
	switch r {
	case roleAuthenticated:
		return []audience{audienceOwner, audienceAuthenticated, audienceTenant}
	case roleGuest:
		return []audience{audienceGuest}
	}
	name := strings.TrimPrefix(string(r), "group:")
	return []audience{audienceOwner, audienceAuthenticated, audienceTenant, groupAudience(name)}
}

// buildPlan computes every role's statements.
func buildPlan(s *spec) []rolePlan {
	var plans []rolePlan
	for _, r := range s.roles() {
		plans = append(plans, rolePlan{Role: r, Statements: mergeStatements(roleStatements(s, r))})
	}
	return plans
}

// roleStatements is every statement a role gets, one per grant, before merging.
func roleStatements(s *spec, r roleKind) []statement {
	auds := s.audiencesOf(r)
	var stmts []statement
	for _, t := range s.tables {
		stmts = append(stmts, tableStatements(s, t, auds)...)
	}
	for _, b := range s.buckets {
		stmts = append(stmts, bucketStatements(s, b, auds)...)
	}
	return stmts
}

func tableStatements(s *spec, t tableSpec, auds []audience) []statement {
	var ops []TableOperation
	for _, a := range auds {
		// Table grants are keyed by authenticated/guest/group; owner and tenant scoping comes
		// from the partition key condition, which every table statement carries.
		for _, op := range t.grants[a] {
			if !slices.Contains(ops, op) {
				ops = append(ops, op)
			}
		}
	}
	if len(ops) == 0 {
		return nil
	}
	var actions []string
	for _, op := range allTableOperations {
		if !slices.Contains(ops, op) {
			continue
		}
		if op == TableWrite && t.attributes != nil {
			actions = append(actions, attributeLimitedWrite...)
			continue
		}
		actions = append(actions, tableActions[op]...)
	}
	resources := []resource{{Kind: tableResource, Name: t.name}}
	if slices.Contains(ops, TableRead) {
		for _, ix := range t.indexes {
			resources = append(resources, resource{Kind: tableResource, Name: t.name, Suffix: "/index/" + ix.name})
		}
	}
	keyVar, sidBase := IdentityVariable, "OwnItems"
	cond := conditions{}
	if t.partitionValue == PartitionByTenant {
		keyVar, sidBase = TenantVariable(s.tenantTag), "TenantItems"
		addTenantGuards(cond, s.tenantTag)
	}
	cond.add("ForAllValues:StringEquals", "dynamodb:LeadingKeys", keyVar)
	// Without a key in the request ForAllValues is vacuously true; this makes such a request
	// (a Scan, or any future keyless action) fail instead.
	cond.add("Null", "dynamodb:LeadingKeys", "false")
	if t.attributes != nil {
		sidBase += "Attributes"
		cond.add("ForAllValues:StringEquals", "dynamodb:Attributes", t.attributes...)
		cond.add("StringEqualsIfExists", "dynamodb:Select", "SPECIFIC_ATTRIBUTES")
		cond.add("StringEqualsIfExists", "dynamodb:ReturnValues", "NONE", "UPDATED_OLD", "UPDATED_NEW")
	}
	return []statement{{Effect: "Allow", Actions: actions, Resources: resources, Conditions: cond, sidBase: sidBase}}
}

func bucketStatements(s *spec, b bucketSpec, auds []audience) []statement {
	var allows, denies []statement
	for _, p := range b.paths {
		for _, a := range auds {
			ops := p.grants[a]
			if len(ops) == 0 {
				continue
			}
			folder := p.render(a, s.tenantTag)
			scope := "Shared"
			var cond conditions
			switch {
			case a == audienceOwner:
				scope = "Own"
			case a == audienceTenant:
				scope = "Tenant"
				cond = conditions{}
				addTenantGuards(cond, s.tenantTag)
			}
			if actions := objectActions(ops); len(actions) > 0 {
				allows = append(allows, statement{Effect: "Allow", Actions: actions,
					Resources:  []resource{{Kind: bucketResource, Name: b.name, Suffix: "/" + folder + "/*"}},
					Conditions: cond.clone(), sidBase: scope + "Objects"})
			}
			if slices.Contains(ops, StorageList) {
				lc := cond.clone()
				if lc == nil {
					lc = conditions{}
				}
				lc.add("StringLike", "s3:prefix", folder+"/", folder+"/*")
				allows = append(allows, statement{Effect: "Allow", Actions: []string{listAction},
					Resources:  []resource{{Kind: bucketResource, Name: b.name}},
					Conditions: lc, sidBase: scope + "FolderList"})
			}
		}
		// A rule nested in another takes away what the broader rule grants and it does not.
		for _, parent := range b.paths {
			if !p.isUnder(parent.pathTemplate) {
				continue
			}
			var granted, inherited []StorageOperation
			for _, a := range auds {
				granted = append(granted, p.grants[a]...)
				inherited = append(inherited, parent.grants[a]...)
			}
			var taken []StorageOperation
			for _, op := range allStorageOperations {
				if slices.Contains(inherited, op) && !slices.Contains(granted, op) {
					taken = append(taken, op)
				}
			}
			if actions := objectActions(taken); len(actions) > 0 {
				denies = append(denies, statement{Effect: "Deny", Actions: actions,
					Resources: []resource{{Kind: bucketResource, Name: b.name, Suffix: "/" + p.folder + "/*"}},
					sidBase:   "DenyNestedObjects"})
			}
			if slices.Contains(taken, StorageList) {
				c := conditions{}
				c.add("StringLike", "s3:prefix", p.folder, p.folder+"/", p.folder+"/*")
				denies = append(denies, statement{Effect: "Deny", Actions: []string{listAction},
					Resources: []resource{{Kind: bucketResource, Name: b.name}}, Conditions: c,
					sidBase: "DenyNestedList"})
			}
		}
	}
	return append(allows, denies...)
}

// TenantTagRefusedPatterns are tenant tag values every tenant statement refuses: a value
// with "/" would reach into another tenant's folder ("acme/secret" inside "acme"), and "*" or
// "?" could act as wildcards once substituted into a resource. Written with IAM's ${*} and ${?}
// escapes, so the patterns match those characters literally.
var TenantTagRefusedPatterns = []string{"*/*", "*${*}*", "*${?}*"}

// addTenantGuards makes a tenant statement apply only to callers that carry a usable tenant
// tag: present (a missing tag must never match) and a plain folder-safe value.
func addTenantGuards(c conditions, tag string) {
	c.add("Null", "aws:PrincipalTag/"+tag, "false")
	c.add("StringNotLike", "aws:PrincipalTag/"+tag, TenantTagRefusedPatterns...)
}

func objectActions(ops []StorageOperation) []string {
	var actions []string
	for _, op := range allStorageOperations {
		if a, ok := storageObjectActions[op]; ok && slices.Contains(ops, op) {
			actions = append(actions, a)
		}
	}
	return actions
}

func (c conditions) add(op, key string, values ...string) {
	if c[op] == nil {
		c[op] = map[string][]string{}
	}
	c[op][key] = append(c[op][key], values...)
}

func (c conditions) clone() conditions {
	if c == nil {
		return nil
	}
	out := conditions{}
	for op, kv := range c {
		for k, v := range kv {
			out.add(op, k, v...)
		}
	}
	return out
}

// mergeStatements folds statements that differ only in what can be unioned without widening
// access, then names them. Two rules are used:
//   - same effect, actions, resources and conditions except the values of StringLike s3:prefix:
//     a StringLike with several values matches any of them, so the union is exact;
//   - same effect, actions and conditions: a statement applies to each of its resources
//     independently, so the resource lists can be joined.
func mergeStatements(stmts []statement) []statement {
	stmts = mergeBy(stmts, func(s statement) string {
		c := s.Conditions.clone()
		if c != nil && c["StringLike"] != nil {
			delete(c["StringLike"], "s3:prefix")
		}
		return s.sidBase + "|" + s.Effect + "|" + strings.Join(s.Actions, ",") + "|" + resourcesKey(s.Resources) + "|" + c.key()
	}, func(into *statement, from statement) {
		if from.Conditions["StringLike"] == nil {
			return
		}
		for _, v := range from.Conditions["StringLike"]["s3:prefix"] {
			if !slices.Contains(into.Conditions["StringLike"]["s3:prefix"], v) {
				into.Conditions["StringLike"]["s3:prefix"] = append(into.Conditions["StringLike"]["s3:prefix"], v)
			}
		}
	})
	stmts = mergeBy(stmts, func(s statement) string {
		return s.sidBase + "|" + s.Effect + "|" + strings.Join(s.Actions, ",") + "|" + s.Conditions.key()
	}, func(into *statement, from statement) {
		for _, r := range from.Resources {
			if !slices.Contains(into.Resources, r) {
				into.Resources = append(into.Resources, r)
			}
		}
	})
	count := map[string]int{}
	for _, s := range stmts {
		count[s.sidBase]++
	}
	seen := map[string]int{}
	for i := range stmts {
		base := stmts[i].sidBase
		seen[base]++
		stmts[i].Sid = base
		if count[base] > 1 {
			stmts[i].Sid = fmt.Sprintf("%s%d", base, seen[base])
		}
	}
	return stmts
}

func mergeBy(stmts []statement, key func(statement) string, join func(into *statement, from statement)) []statement {
	var out []statement
	index := map[string]int{}
	for _, s := range stmts {
		k := key(s)
		if i, ok := index[k]; ok {
			join(&out[i], s)
			continue
		}
		index[k] = len(out)
		s.Conditions = s.Conditions.clone()
		s.Resources = slices.Clone(s.Resources)
		out = append(out, s)
	}
	return out
}

func resourcesKey(rs []resource) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = string(r.Kind) + ":" + r.Name + r.Suffix
	}
	return strings.Join(parts, ",")
}

func (c conditions) key() string {
	b, _ := json.Marshal(c) // maps marshal with sorted keys: a stable key
	return string(b)
}

// IAM quotas that bound the policies (characters, not counting white space).
const (
	managedPolicyMaxChars  = 6144
	managedPoliciesPerRole = 10
)

// Conservative lengths for ARNs that are only known at deploy time.
const (
	estimatedTableArnLen  = len("arn:aws-us-gov:dynamodb:ap-southeast-4:123456789012:table/") + 255 // longest table name
	estimatedBucketArnLen = len("arn:aws-us-gov:s3:::") + 63                                        // longest bucket name
)

// estimatedSize is the JSON length of the statement with every ARN at its estimated length.
func (s statement) estimatedSize() int {
	var res []string
	for _, r := range s.Resources {
		n := estimatedBucketArnLen
		if r.Kind == tableResource {
			n = estimatedTableArnLen
		}
		res = append(res, strings.Repeat("x", n)+r.Suffix)
	}
	b, _ := json.Marshal(map[string]any{"Sid": s.Sid, "Effect": s.Effect, "Action": s.Actions, "Resource": res, "Condition": s.Conditions})
	return len(b)
}

// packPolicies splits a role's statements into managed policies that each stay under IAM's
// size limit, keeping statement order. It returns an error when the role would need more
// managed policies than IAM attaches to one role.
func packPolicies(r rolePlan) ([][]statement, error) {
	const overhead = len(`{"Version":"2012-10-17","Statement":[]}`)
	var packs [][]statement
	var current []statement
	size := overhead
	var stmts []statement
	for _, s := range r.Statements {
		stmts = append(stmts, splitStatement(s, managedPolicyMaxChars-overhead)...)
	}
	for _, s := range stmts {
		n := s.estimatedSize() + 1
		if n+overhead > managedPolicyMaxChars {
			return nil, fmt.Errorf("role %s: statement %s is about %d characters, over IAM's %d for one policy; split the rule", r.Role, s.Sid, n, managedPolicyMaxChars)
		}
		if size+n > managedPolicyMaxChars && len(current) > 0 {
			packs = append(packs, current)
			current, size = nil, overhead
		}
		current = append(current, s)
		size += n
	}
	if len(current) > 0 {
		packs = append(packs, current)
	}
	if len(packs) > managedPoliciesPerRole {
		return nil, fmt.Errorf("role %s: the rules need %d managed policies of up to %d characters; IAM attaches at most %d to a role. Expected fewer or broader rules", r.Role, len(packs), managedPolicyMaxChars, managedPoliciesPerRole)
	}
	return packs, nil
}

// splitStatement cuts a statement too large for one policy (limit characters, with its comma)
// into statements with the same effect, actions and conditions over parts of its resources,
// then of its s3:prefix values. Both cuts are exact: a statement applies to each resource
// independently, and a StringLike with several values matches any of them. Merging can join
// many tables or folders into one statement; this keeps such a rule set packable. A statement
// that cannot be cut is returned as is, for packPolicies to report.
func splitStatement(s statement, limit int) []statement {
	fits := func(p statement) bool { return p.estimatedSize()+1 <= limit }
	if fits(s) {
		return []statement{s}
	}
	var parts []statement
	// chunk grows each part item by item while it fits, so parts come out nearly full.
	chunk := func(p statement, n int, take func(from, to int) statement, emit func(statement)) {
		for from := 0; from < n; {
			to := from + 1
			for to < n && fits(take(from, to+1)) {
				to++
			}
			emit(take(from, to))
			from = to
		}
	}
	byPrefix := func(p statement) {
		prefixes := p.Conditions["StringLike"]["s3:prefix"]
		if fits(p) || len(prefixes) < 2 {
			parts = append(parts, p) // a part that still does not fit is reported by packPolicies
			return
		}
		chunk(p, len(prefixes), func(from, to int) statement {
			q := p
			q.Conditions = p.Conditions.clone()
			q.Conditions["StringLike"]["s3:prefix"] = slices.Clone(prefixes[from:to])
			return q
		}, func(q statement) { parts = append(parts, q) })
	}
	measured := s
	measured.Sid = s.Sid + "Part000" // the longest name a part gets
	if len(s.Resources) > 1 {
		chunk(measured, len(s.Resources), func(from, to int) statement {
			q := measured
			q.Resources = slices.Clone(s.Resources[from:to])
			q.Conditions = s.Conditions.clone()
			return q
		}, byPrefix)
	} else {
		byPrefix(measured)
	}
	for i := range parts {
		parts[i].Sid = s.Sid
		if i > 0 {
			parts[i].Sid = fmt.Sprintf("%sPart%d", s.Sid, i+1)
		}
	}
	return parts
}
