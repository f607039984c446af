package isolation

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/apiless/apiless/iameval"
)

const (
	cognitoIdentity = "cognito-identity.amazonaws.com"
	subKey          = "cognito-identity.amazonaws.com:sub"
	audKey          = "cognito-identity.amazonaws.com:aud"
	amrKey          = "cognito-identity.amazonaws.com:amr"
	tagKeyPrefix    = "aws:principaltag/"
)

var cognitoPrincipal = iameval.Principal{Type: "Federated", ID: cognitoIdentity}

// pool is an identity pool: one of the template or one its attachments name by ID.
type pool struct {
	logicalID   string // empty when the pool is not defined in the template
	id          string
	userPools   []string          // user pool IDs of its Cognito identity providers
	tags        map[string]string // principal tag -> token claim
	classicFlow bool
}

func (p *pool) label() string {
	if p.logicalID == "" {
		return p.id
	}
	return p.logicalID
}

// audience is why an identity pool hands out a role.
type audience struct {
	kind string // authenticated, guest, group, rule, trusting
	name string // the group name, or the rule
}

func (a audience) String() string {
	switch a.kind {
	case "group":
		return "group " + a.name
	case "rule":
		return "rule " + a.name
	case "trusting":
		return "trusts identity pools, not attached"
	}
	return a.kind
}

// poolRole is a role an identity pool can hand out.
type poolRole struct {
	role      *iameval.Role
	pool      *pool
	audiences []audience
}

// classes returns the kinds of identity that get the role: "guest" (amr unauthenticated) and/or
// "authenticated"; group, rule and unattached roles go to signed-in users.
func (r *poolRole) classes() []string {
	var guest, auth bool
	for _, a := range r.audiences {
		if a.kind == "guest" {
			guest = true
		} else {
			auth = true
		}
	}
	var out []string
	if auth {
		out = append(out, "authenticated")
	}
	if guest {
		out = append(out, "guest")
	}
	return out
}

type indexInfo struct {
	name   string
	pk     string
	global bool
}

// tableInfo is a DynamoDB table of the template and how policies key it.
type tableInfo struct {
	logicalID string
	name      string
	arn       string
	pk        string
	indexes   []indexInfo
	// keyTemplates are the dynamodb:LeadingKeys values with identity variables that some
	// statement on this table requires, e.g. "${cognito-identity.amazonaws.com:sub}".
	keyTemplates []string
}

// bucketInfo is an S3 bucket of the template and the paths policies name in it.
type bucketInfo struct {
	logicalID string
	name      string
	arn       string
	// identityPaths are object paths with an identity variable, e.g. "private/${...:sub}/*".
	identityPaths []string
	// sharedPaths are object paths without one, e.g. "public/*".
	sharedPaths []string
}

// world is everything the check learns from a template before it probes.
type world struct {
	t        *iameval.Template
	env      iameval.Env
	pools    []*pool
	roles    []*poolRole
	tables   []*tableInfo
	buckets  []*bucketInfo
	tagNames []string
}

func discover(t *iameval.Template) (*world, error) {
	w := &world{t: t, env: t.Env()}
	if err := w.findPools(); err != nil {
		return nil, err
	}
	if err := w.findRoles(); err != nil {
		return nil, err
	}
	if err := w.findData(); err != nil {
		return nil, err
	}
	return w, nil
}

func (w *world) poolByID(id string) *pool {
	for _, p := range w.pools {
		if p.id == id {
			return p
		}
	}
	p := &pool{id: id, tags: map[string]string{}}
	w.pools = append(w.pools, p)
	return p
}

func (w *world) findPools() error {
	t := w.t
	for _, r := range t.ResourcesOfType("AWS::Cognito::IdentityPool") {
		id, err := t.Ref(r.LogicalID)
		if err != nil {
			return err
		}
		p := &pool{logicalID: r.LogicalID, id: id, tags: map[string]string{}}
		base := "Resources." + r.LogicalID + ".Properties"
		if v, ok := r.Properties["CognitoIdentityProviders"]; ok {
			res, err := t.Resolve(v, base+".CognitoIdentityProviders")
			if err != nil {
				return err
			}
			list, _ := res.([]any)
			for _, e := range list {
				m, _ := e.(map[string]any)
				if name, ok := m["ProviderName"].(string); ok {
					p.userPools = append(p.userPools, name[strings.LastIndex(name, "/")+1:])
				}
			}
		}
		if v, ok := r.Properties["AllowClassicFlow"]; ok {
			s, err := t.ResolveString(v, base+".AllowClassicFlow")
			if err != nil {
				return err
			}
			p.classicFlow = strings.EqualFold(s, "true")
		}
		w.pools = append(w.pools, p)
	}
	for _, r := range t.ResourcesOfType("AWS::Cognito::IdentityPoolPrincipalTag") {
		base := "Resources." + r.LogicalID + ".Properties"
		id, err := t.ResolveString(r.Properties["IdentityPoolId"], base+".IdentityPoolId")
		if err != nil {
			return err
		}
		p := w.poolByID(id)
		if v, ok := r.Properties["PrincipalTags"]; ok {
			res, err := t.Resolve(v, base+".PrincipalTags")
			if err != nil {
				return err
			}
			m, _ := res.(map[string]any)
			for tag, claim := range m {
				if s, ok := claim.(string); ok {
					p.tags[tag] = s
				}
			}
		}
		if v, ok := r.Properties["UseDefaults"]; ok && len(p.tags) == 0 {
			if s, err := t.ResolveString(v, base+".UseDefaults"); err == nil && strings.EqualFold(s, "true") {
				// Cognito's default mapping for user pools.
				p.tags["username"] = "sub"
				p.tags["client"] = "aud"
			}
		}
	}
	return nil
}

func (w *world) addRole(role *iameval.Role, p *pool, a audience) {
	for _, r := range w.roles {
		if r.role.LogicalID == role.LogicalID {
			if r.pool == nil {
				r.pool = p
			}
			for _, have := range r.audiences {
				if have == a {
					return
				}
			}
			r.audiences = append(r.audiences, a)
			return
		}
	}
	w.roles = append(w.roles, &poolRole{role: role, pool: p, audiences: []audience{a}})
}

func (w *world) roleByARN(arn, path string) (*iameval.Role, error) {
	role, err := w.t.RoleByARN(arn)
	if err != nil {
		return nil, err
	}
	if role == nil {
		return nil, fmt.Errorf("%s: role %s is not defined in this template, so its policies cannot be checked", path, arn)
	}
	return role, nil
}

func (w *world) findRoles() error {
	t := w.t
	for _, r := range t.ResourcesOfType("AWS::Cognito::IdentityPoolRoleAttachment") {
		base := "Resources." + r.LogicalID + ".Properties"
		id, err := t.ResolveString(r.Properties["IdentityPoolId"], base+".IdentityPoolId")
		if err != nil {
			return err
		}
		p := w.poolByID(id)
		if v, ok := r.Properties["Roles"]; ok {
			res, err := t.Resolve(v, base+".Roles")
			if err != nil {
				return err
			}
			m, _ := res.(map[string]any)
			for _, k := range sortedKeys(m) {
				arn, _ := m[k].(string)
				role, err := w.roleByARN(arn, base+".Roles."+k)
				if err != nil {
					return err
				}
				kind := "authenticated"
				if k == "unauthenticated" {
					kind = "guest"
				}
				w.addRole(role, p, audience{kind: kind})
			}
		}
		if v, ok := r.Properties["RoleMappings"]; ok {
			res, err := t.Resolve(v, base+".RoleMappings")
			if err != nil {
				return err
			}
			m, _ := res.(map[string]any)
			for _, k := range sortedKeys(m) {
				mapping, _ := m[k].(map[string]any)
				rc, _ := mapping["RulesConfiguration"].(map[string]any)
				rules, _ := rc["Rules"].([]any)
				for i, rule := range rules {
					rm, _ := rule.(map[string]any)
					arn, _ := rm["RoleARN"].(string)
					role, err := w.roleByARN(arn, fmt.Sprintf("%s.RoleMappings.%s.RulesConfiguration.Rules[%d]", base, k, i))
					if err != nil {
						return err
					}
					w.addRole(role, p, audience{kind: "rule", name: fmt.Sprintf("%v %v %v", rm["Claim"], rm["MatchType"], rm["Value"])})
				}
			}
		}
	}
	for _, g := range t.ResourcesOfType("AWS::Cognito::UserPoolGroup") {
		v, ok := g.Properties["RoleArn"]
		if !ok {
			continue
		}
		base := "Resources." + g.LogicalID + ".Properties"
		arn, err := t.ResolveString(v, base+".RoleArn")
		if err != nil {
			return err
		}
		role, err := w.roleByARN(arn, base+".RoleArn")
		if err != nil {
			return err
		}
		name, err := t.PhysicalName(g.LogicalID)
		if err != nil {
			return err
		}
		var p *pool
		if up, err := t.ResolveString(g.Properties["UserPoolId"], base+".UserPoolId"); err == nil {
			for _, cand := range w.pools {
				for _, id := range cand.userPools {
					if id == up {
						p = cand
					}
				}
			}
		}
		if p == nil && len(w.pools) == 1 {
			p = w.pools[0]
		}
		w.addRole(role, p, audience{kind: "group", name: name})
	}
	// Any other role that trusts identity pools can be assumed through the classic flow or a
	// custom mapping, so it is checked too.
	handedOut := map[string]bool{}
	for _, r := range w.roles {
		handedOut[r.role.LogicalID] = true
	}
	for _, r := range t.ResourcesOfType("AWS::IAM::Role") {
		if handedOut[r.LogicalID] {
			continue
		}
		role, err := t.Role(r.LogicalID)
		if err != nil {
			// A role that cannot be resolved but never mentions identity pools is not ours to check.
			raw, _ := json.Marshal(r.Properties["AssumeRolePolicyDocument"])
			if strings.Contains(string(raw), cognitoIdentity) {
				return err
			}
			continue
		}
		if role.TrustsPrincipal(cognitoPrincipal) {
			var p *pool
			if len(w.pools) == 1 {
				p = w.pools[0]
			}
			w.addRole(role, p, audience{kind: "trusting"})
		}
	}
	for _, r := range w.roles {
		if len(r.role.ExternalPolicies) > 0 {
			return fmt.Errorf("role %s attaches managed policies that are not in the template (%s): their permissions cannot be checked offline",
				r.role.LogicalID, strings.Join(r.role.ExternalPolicies, ", "))
		}
	}
	return nil
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// hasIdentityVariable reports whether a policy string uses a variable that differs per identity:
// the identity ID or a principal tag (the tenant).
func hasIdentityVariable(s string) bool {
	l := strings.ToLower(s)
	return strings.Contains(l, "${"+subKey) || strings.Contains(l, "${"+tagKeyPrefix)
}

func (w *world) findData() error {
	t := w.t
	for _, typ := range []string{"AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable"} {
		for _, r := range t.ResourcesOfType(typ) {
			tb, err := w.tableInfo(r)
			if err != nil {
				return err
			}
			w.tables = append(w.tables, tb)
		}
	}
	sort.Slice(w.tables, func(i, j int) bool { return w.tables[i].logicalID < w.tables[j].logicalID })
	for _, r := range t.ResourcesOfType("AWS::S3::Bucket") {
		name, err := t.Ref(r.LogicalID)
		if err != nil {
			return err
		}
		arn, err := t.GetAtt(r.LogicalID, "Arn")
		if err != nil {
			return err
		}
		w.buckets = append(w.buckets, &bucketInfo{logicalID: r.LogicalID, name: name, arn: arn})
	}

	// Every statement the identity-pool roles are subject to tells which keys and paths are
	// per identity.
	var stmts []*iameval.Statement
	for _, r := range w.roles {
		for _, p := range r.role.Policies {
			stmts = append(stmts, p.Statements...)
		}
	}
	for _, arn := range w.dataARNs() {
		rps, err := t.ResourcePolicies(arn)
		if err != nil {
			return err
		}
		for _, p := range rps {
			stmts = append(stmts, p.Statements...)
		}
	}
	tags := map[string]bool{}
	for _, p := range w.pools {
		for tag := range p.tags {
			tags[strings.ToLower(tag)] = true
		}
	}
	for _, s := range stmts {
		for _, v := range s.Variables() {
			if tag, ok := strings.CutPrefix(v, tagKeyPrefix); ok {
				tags[tag] = true
			}
		}
	}
	for tag := range tags {
		w.tagNames = append(w.tagNames, tag)
	}
	sort.Strings(w.tagNames)
	for _, s := range stmts {
		resources := append(append([]string{}, s.Resource...), s.NotResource...)
		for _, b := range w.buckets {
			var paths []string
			for _, r := range resources {
				if path, ok := strings.CutPrefix(r, b.arn+"/"); ok {
					paths = append(paths, path)
				}
				// A listing condition names folders too: s3:prefix "private/${sub}/" means the
				// folder private/${sub}/*, even when no object statement mentions it.
				if r == b.arn {
					for _, c := range s.Conditions {
						if !strings.EqualFold(c.Key, "s3:prefix") {
							continue
						}
						for _, v := range c.Values {
							if strings.HasSuffix(v, "/") {
								paths = append(paths, v+"*")
							} else if strings.HasSuffix(v, "/*") {
								paths = append(paths, v)
							}
						}
					}
				}
			}
			for _, path := range paths {
				if hasIdentityVariable(path) {
					b.identityPaths = appendUnique(b.identityPaths, path)
				} else {
					b.sharedPaths = appendUnique(b.sharedPaths, path)
				}
			}
		}
		for _, tb := range w.tables {
			if !w.coversTable(resources, tb) {
				continue
			}
			for _, c := range s.Conditions {
				if !strings.EqualFold(c.Key, "dynamodb:LeadingKeys") {
					continue
				}
				for _, v := range c.Values {
					if hasIdentityVariable(v) {
						tb.keyTemplates = appendUnique(tb.keyTemplates, v)
					}
				}
			}
		}
	}
	return nil
}

func (w *world) dataARNs() []string {
	var out []string
	for _, tb := range w.tables {
		out = append(out, tb.arn)
	}
	for _, b := range w.buckets {
		out = append(out, b.arn)
	}
	return out
}

// coversTable reports whether any Resource entry matches the table or one of its indexes.
func (w *world) coversTable(resources []string, tb *tableInfo) bool {
	ctx := w.identityContext(identityA(w))
	for _, r := range resources {
		for _, target := range []string{tb.arn, tb.arn + "/index/apiless-probe"} {
			if ok, _ := iameval.MatchResource(r, target, ctx); ok {
				return true
			}
		}
	}
	return false
}

func appendUnique(list []string, s string) []string {
	for _, have := range list {
		if have == s {
			return list
		}
	}
	return append(list, s)
}

func (w *world) tableInfo(r *iameval.Resource) (*tableInfo, error) {
	t := w.t
	name, err := t.Ref(r.LogicalID)
	if err != nil {
		return nil, err
	}
	arn, err := t.GetAtt(r.LogicalID, "Arn")
	if err != nil {
		return nil, err
	}
	base := "Resources." + r.LogicalID + ".Properties"
	tb := &tableInfo{logicalID: r.LogicalID, name: name, arn: arn}
	// Only the key schema matters here; other properties (encryption keys, replicas) may hold
	// intrinsics that need not resolve for the check.
	pm := map[string]any{}
	for _, k := range []string{"KeySchema", "GlobalSecondaryIndexes", "LocalSecondaryIndexes"} {
		v, ok := r.Properties[k]
		if !ok {
			continue
		}
		res, err := t.Resolve(v, base+"."+k)
		if err != nil {
			return nil, err
		}
		pm[k] = res
	}
	tb.pk = hashKey(pm["KeySchema"])
	for _, k := range []string{"GlobalSecondaryIndexes", "LocalSecondaryIndexes"} {
		list, _ := pm[k].([]any)
		for _, e := range list {
			m, _ := e.(map[string]any)
			n, _ := m["IndexName"].(string)
			ix := indexInfo{name: n, pk: hashKey(m["KeySchema"]), global: k == "GlobalSecondaryIndexes"}
			if !ix.global {
				ix.pk = tb.pk
			}
			tb.indexes = append(tb.indexes, ix)
		}
	}
	return tb, nil
}

func hashKey(ks any) string {
	list, _ := ks.([]any)
	for _, e := range list {
		m, _ := e.(map[string]any)
		if m["KeyType"] == "HASH" {
			s, _ := m["AttributeName"].(string)
			return s
		}
	}
	return ""
}
