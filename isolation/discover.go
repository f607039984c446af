package isolation

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/apiless/apiless/iameval"
	"github.com/apiless/apiless/manifest"
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

// tableInfo is a DynamoDB table the check probes: one of the template, or one a policy or the
// manifest names (brought in, or any other table a wildcard reaches).
type tableInfo struct {
	logicalID string // empty for a table outside the template
	name      string
	arn       string
	pk        string
	indexes   []indexInfo
	// keyTemplates are the dynamodb:LeadingKeys values with identity variables that some
	// statement on this table requires, e.g. "${cognito-identity.amazonaws.com:sub}".
	keyTemplates []string
	// decls is what each manifest declares for the table.
	decls map[*declaration]*manifest.Table
	// shared says that strict mode was told (Options.Shared) to treat the table as shared.
	shared bool
}

func (tb *tableInfo) label() string {
	if tb.logicalID != "" {
		return "table " + tb.logicalID
	}
	return "table " + tb.name + " (outside the template)"
}

// bucketInfo is an S3 bucket the check probes, of the template or outside it.
type bucketInfo struct {
	logicalID string
	name      string
	arn       string
	// identityPaths are object paths with an identity variable, e.g. "private/${...:sub}/*".
	identityPaths []string
	// sharedPaths are object paths without one, e.g. "public/*".
	sharedPaths []string
	// prefixes are the s3:prefix values of listing statements on the bucket.
	prefixes []string
	// decls is each manifest's rules for the bucket.
	decls map[*declaration][]*rule
	// strict is the rules of strict mode: the identity folders the policies name, and the
	// folders named in Options.Shared.
	strict []*rule
}

func (b *bucketInfo) label() string {
	if b.logicalID != "" {
		return "bucket " + b.logicalID
	}
	return "bucket " + b.name + " (outside the template)"
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
	// decls maps each identity pool to its manifest; a pool without one is checked in strict
	// mode.
	decls map[*pool]*declaration
	opts  Options
}

func discover(t *iameval.Template, raw []byte, opts Options) (*world, error) {
	w := &world{t: t, env: t.Env(), opts: opts, decls: map[*pool]*declaration{}}
	if err := w.findPools(); err != nil {
		return nil, err
	}
	if err := w.findRoles(); err != nil {
		return nil, err
	}
	if err := w.findDeclarations(raw); err != nil {
		return nil, err
	}
	if err := w.findData(); err != nil {
		return nil, err
	}
	return w, nil
}

// findDeclarations binds each manifest to its identity pool: the one whose Metadata holds it,
// or for the output form the pool whose ID it names (the only pool, when it names none).
func (w *world) findDeclarations(raw []byte) error {
	byPool, fromOutput, err := readDeclarations(raw, w.t)
	if err != nil {
		return err
	}
	for _, p := range w.pools {
		if d, ok := byPool[p.logicalID]; ok && p.logicalID != "" {
			w.decls[p] = d
		}
	}
	if fromOutput == nil {
		return nil
	}
	for _, p := range w.pools {
		if _, ok := w.decls[p]; !ok && (fromOutput.m.IdentityPoolID == p.id || len(w.pools) == 1) {
			w.decls[p] = fromOutput
		}
	}
	return nil
}

// declarationOf returns the manifest that governs a role, nil in strict mode.
func (w *world) declarationOf(r *poolRole) *declaration {
	if r.pool != nil {
		return w.decls[r.pool]
	}
	if len(w.pools) == 1 {
		return w.decls[w.pools[0]]
	}
	return nil
}

// modeOf names the mode a pool is checked in.
func (w *world) modeOf(p *pool) string {
	if p != nil && w.decls[p] != nil {
		return ModeDeclared
	}
	return ModeStrict
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

	// Every statement the identity-pool roles are subject to tells which tables and buckets
	// they reach and which keys and paths are per identity.
	var stmts []*iameval.Statement
	for _, r := range w.roles {
		for _, p := range r.role.Policies {
			stmts = append(stmts, p.Statements...)
		}
	}
	w.broughtIn(stmts)
	if err := w.declaredData(); err != nil {
		return err
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
	w.findTags(stmts)
	for _, s := range stmts {
		w.namedPaths(s)
	}
	for _, b := range w.buckets {
		for _, p := range b.identityPaths {
			if r := policyRule(p); r != nil {
				b.strict = append(b.strict, r)
			}
		}
	}
	return w.applyShared()
}

func (w *world) findTags(stmts []*iameval.Statement) {
	tags := map[string]bool{}
	for _, p := range w.pools {
		for tag := range p.tags {
			tags[strings.ToLower(tag)] = true
		}
	}
	for _, d := range w.decls {
		if tag := d.tenantTag(w); tag != "" {
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
	w.tagNames = nil
	for tag := range tags {
		w.tagNames = append(w.tagNames, tag)
	}
	sort.Strings(w.tagNames)
}

// namedPaths records the folders and keys a statement names on each table and bucket.
func (w *world) namedPaths(s *iameval.Statement) {
	resources := append(append([]string{}, s.Resource...), s.NotResource...)
	for _, b := range w.buckets {
		var paths []string
		for _, r := range resources {
			if path, ok := strings.CutPrefix(r, b.arn+"/"); ok {
				paths = append(paths, path)
			}
			// A listing condition names folders too: s3:prefix "private/${sub}/" means the
			// folder private/${sub}/*, even when no object statement mentions it.
			if r != b.arn && r != "*" {
				continue
			}
			for _, c := range s.Conditions {
				if !strings.EqualFold(c.Key, "s3:prefix") {
					continue
				}
				for _, v := range c.Values {
					b.prefixes = appendUnique(b.prefixes, v)
					if strings.HasSuffix(v, "/") {
						paths = append(paths, v+"*")
					} else if strings.HasSuffix(v, "/*") {
						paths = append(paths, v)
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
				tb.keyTemplates = appendUnique(tb.keyTemplates, v)
			}
		}
	}
}

const (
	otherTableName  = "apiless-probe-other-table"
	otherBucketName = "apiless-probe-other-bucket"
)

// broughtIn adds the tables and buckets that policies name by ARN but the template does not
// define, so a brought-in resource is probed like a created one. A wildcard in the name adds a
// stand-in for every other table or bucket of the account.
func (w *world) broughtIn(stmts []*iameval.Statement) {
	for _, s := range stmts {
		if s.Effect != "Allow" {
			continue
		}
		for _, r := range s.Resource {
			w.broughtInARN(r)
		}
		if len(s.NotResource) > 0 {
			w.addTable(otherTableName, "")
			w.addBucket(otherBucketName)
		}
	}
}

func (w *world) broughtInARN(r string) {
	if r == "*" {
		w.addTable(otherTableName, "")
		w.addBucket(otherBucketName)
		return
	}
	parts := strings.SplitN(r, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" {
		return
	}
	service, res := parts[2], parts[5]
	if service == "dynamodb" || wild(service) {
		rest, ok := strings.CutPrefix(res, "table/")
		name, index, _ := strings.Cut(rest, "/")
		switch {
		case !ok && wild(res), ok && wild(name):
			w.addTable(otherTableName, "")
		case ok:
			ix := ""
			if n, ok := strings.CutPrefix(index, "index/"); ok && !wild(n) {
				ix = n
			}
			w.addTable(name, ix)
		}
	}
	if service == "s3" || wild(service) {
		name, _, _ := strings.Cut(res, "/")
		if wild(name) {
			w.addBucket(otherBucketName)
		} else if name != "" && parts[3] == "" && parts[4] == "" {
			w.addBucket(name)
		}
	}
}

func wild(s string) bool { return strings.ContainsAny(s, "*?") || strings.Contains(s, "${") }

func (w *world) addTable(name, index string) *tableInfo {
	i := slices.IndexFunc(w.tables, func(tb *tableInfo) bool { return tb.name == name })
	if i < 0 {
		e := w.env
		w.tables = append(w.tables, &tableInfo{name: name,
			arn: fmt.Sprintf("arn:%s:dynamodb:%s:%s:table/%s", e.Partition, e.Region, e.AccountID, name)})
		i = len(w.tables) - 1
	}
	tb := w.tables[i]
	if index != "" && !slices.ContainsFunc(tb.indexes, func(ix indexInfo) bool { return ix.name == index }) {
		tb.indexes = append(tb.indexes, indexInfo{name: index, global: true})
	}
	return tb
}

func (w *world) addBucket(name string) *bucketInfo {
	i := slices.IndexFunc(w.buckets, func(b *bucketInfo) bool { return b.name == name })
	if i < 0 {
		w.buckets = append(w.buckets, &bucketInfo{name: name, arn: fmt.Sprintf("arn:%s:s3:::%s", w.env.Partition, name)})
		i = len(w.buckets) - 1
	}
	return w.buckets[i]
}

// declaredData attaches every manifest's tables and path rules to the tables and buckets they
// name, by physical name: a template resource's (fake) name, or a brought-in literal one.
func (w *world) declaredData() error {
	for _, d := range w.declarationList() {
		for i := range d.m.Tables {
			mt := &d.m.Tables[i]
			if mt.TableName == "" {
				return fmt.Errorf("%s: table %q has no tableName", d.source, mt.Name)
			}
			tb := w.addTable(mt.TableName, "")
			if tb.decls == nil {
				tb.decls = map[*declaration]*manifest.Table{}
			}
			tb.decls[d] = mt
			if tb.pk == "" {
				tb.pk = mt.PartitionKey
			}
			for _, ix := range mt.Indexes {
				w.addTable(mt.TableName, ix)
			}
		}
		for i := range d.m.Buckets {
			mb := &d.m.Buckets[i]
			if mb.BucketName == "" {
				return fmt.Errorf("%s: bucket %q has no bucketName", d.source, mb.Name)
			}
			b := w.addBucket(mb.BucketName)
			if b.decls == nil {
				b.decls = map[*declaration][]*rule{}
			}
			for _, path := range sortedKeys2(mb.Paths) {
				r, err := parseRule(path, mb.Paths[path])
				if err != nil {
					return fmt.Errorf("%s: bucket %q: %v", d.source, mb.Name, err)
				}
				r.origin = "manifest"
				b.decls[d] = append(b.decls[d], r)
			}
		}
	}
	return nil
}

func (w *world) declarationList() []*declaration {
	var out []*declaration
	for _, p := range w.pools {
		if d := w.decls[p]; d != nil && !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	return out
}

func sortedKeys2[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// tenantTag is the principal tag {tenant} stands for: the manifest's, else the pool's tag fed
// by the manifest's tenant claim, else the pool's only tag.
func (d *declaration) tenantTag(w *world) string {
	if d.m.TenantTag != "" {
		return d.m.TenantTag
	}
	for p, pd := range w.decls {
		if pd != d {
			continue
		}
		for _, tag := range sortedTagKeys(p.tags) {
			if p.tags[tag] == d.m.TenantClaim && d.m.TenantClaim != "" {
				return tag
			}
		}
		if len(p.tags) == 1 {
			for tag := range p.tags {
				return tag
			}
		}
	}
	return ""
}

// policyRule reads a per-identity policy path (private/${...:sub}/*) as a strict-mode owner rule:
// only whole-folder variables and literal folders, ending in /*. Anything else gives nil and is
// probed through the other checks.
func policyRule(p string) *rule {
	t := subVariable.ReplaceAllString(p, manifest.IdentityToken)
	t = tagVariable.ReplaceAllString(t, manifest.TenantToken)
	folder, ok := strings.CutSuffix(t, "/*")
	if !ok || folder == "" {
		return nil
	}
	for _, s := range strings.Split(folder, "/") {
		if s != manifest.IdentityToken && s != manifest.TenantToken && (s == "" || strings.ContainsAny(s, "*?${}")) {
			return nil
		}
	}
	r, err := parseRule(t, map[string][]string{"owner": allStorageOps})
	if err != nil {
		return nil
	}
	r.loose, r.origin = true, "policy"
	return r
}

var (
	subVariable = regexp.MustCompile(`(?i)\$\{cognito-identity\.amazonaws\.com:sub\}`)
	tagVariable = regexp.MustCompile(`(?i)\$\{aws:PrincipalTag/[^${}*?/]+\}`)
)

// applyShared reads Options.Shared: "<bucket>/<path>" or "<table>", each naming a template
// resource by logical ID or name (or a manifest's name for it).
func (w *world) applyShared() error {
	for _, s := range w.opts.Shared {
		bucket, path, isPath := strings.Cut(s, "/")
		if !isPath {
			i := slices.IndexFunc(w.tables, func(tb *tableInfo) bool { return tb.logicalID == s || tb.name == s || tb.declaredName(s) })
			if i < 0 {
				return fmt.Errorf("--shared %q names no table of the template (give a table's logical ID or name, or <bucket>/<path> for a folder)", s)
			}
			w.tables[i].shared = true
			continue
		}
		i := slices.IndexFunc(w.buckets, func(b *bucketInfo) bool {
			return b.logicalID == bucket || b.name == bucket || w.bucketDeclaredAs(b, bucket)
		})
		if i < 0 {
			return fmt.Errorf("--shared %q names no bucket of the template (give the bucket's logical ID or name before the path)", s)
		}
		r, err := parseRule(path, map[string][]string{"*": allStorageOps})
		if err != nil {
			return fmt.Errorf("--shared %q: %v (write a folder path such as public/*)", s, err)
		}
		r.loose, r.origin = true, "--shared"
		w.buckets[i].strict = append(w.buckets[i].strict, r)
	}
	return nil
}

func (tb *tableInfo) declaredName(name string) bool {
	for _, mt := range tb.decls {
		if mt.Name == name {
			return true
		}
	}
	return false
}

func (w *world) bucketDeclaredAs(b *bucketInfo, name string) bool {
	for _, d := range w.declarationList() {
		for _, mb := range d.m.Buckets {
			if mb.Name == name && mb.BucketName == b.name {
				return true
			}
		}
	}
	return false
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
