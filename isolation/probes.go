package isolation

import (
	"fmt"
	"sort"
	"strings"

	"github.com/apiless/apiless/iameval"
)

// ident is one of the identities the check plays: A (whose role session it is), B (another
// identity, in another tenant) and A's teammate (another identity in A's tenant).
type ident struct {
	sub  string
	tags map[string]string
}

func (w *world) ident(letter, tenantLetter string) ident {
	h := strings.Repeat(letter, 12)
	sub := fmt.Sprintf("%s:%s-%s-4%s-8%s-%s", w.env.Region, h[:8], h[:4], h[:3], h[:3], h)
	tags := map[string]string{}
	for _, t := range w.tagNames {
		tags[t] = t + "-" + tenantLetter
	}
	return ident{sub: sub, tags: tags}
}

func identityA(w *world) ident        { return w.ident("a", "a") }
func identityB(w *world) ident        { return w.ident("b", "b") }
func identityTeammate(w *world) ident { return w.ident("c", "a") }

// identityContext holds the keys that policy variables take per identity.
func (w *world) identityContext(id ident) iameval.Context {
	ctx := iameval.Context{subKey: {id.sub}}
	for t, v := range id.tags {
		ctx["aws:PrincipalTag/"+t] = []string{v}
	}
	return ctx
}

// amr is what Cognito puts in cognito-identity.amazonaws.com:amr for a class of identity.
func (w *world) amr(class string, p *pool, id ident) []string {
	if class == "guest" {
		return []string{"unauthenticated"}
	}
	up := w.env.Region + "_apiless"
	if p != nil && len(p.userPools) > 0 {
		up = p.userPools[0]
	}
	provider := "cognito-idp." + w.env.Region + "." + w.env.URLSuffix + "/" + up
	return []string{"authenticated", provider, provider + ":CognitoSignIn:" + strings.TrimPrefix(id.sub, w.env.Region+":")}
}

// foreignPoolID is the ID of an identity pool that is not the role's.
func (w *world) foreignPoolID() string {
	return w.env.Region + ":ffffffff-ffff-4fff-8fff-ffffffffffff"
}

type expect int

const (
	expectOwn expect = iota
	expectShared
	expectForbidden
	expectAssumable // a trust check that must be allowed
)

type probe struct {
	action    string
	resource  string
	ctx       iameval.Context
	principal *iameval.Principal // set for trust checks
}

type check struct {
	label   string
	expect  expect
	reason  string // why an Allow here is a violation, or a Deny a warning
	request string // the request context that matters, for the report
	probes  []probe
	// warnIfAllowed, when set, adds a warning finding if anything was allowed.
	warnIfAllowed string
	// sharedOnPurpose marks probes into other owners' folders: when every statement that allows
	// them is a deliberate shared grant (a named folder without identity variables, such as a
	// protected/*/* read for everyone), the access is shared, not a violation.
	sharedOnPurpose string // the bucket ARN
}

// gen builds and runs the checks for one role and one class of identity.
type gen struct {
	w      *world
	r      *poolRole
	class  string
	prefix string
	a, b   ident
	mate   ident
	checks []*check
	notes  []Finding // warnings found while building the checks
}

// warn records that part of the check could not be built, so the report never passes silently
// over it.
func (g *gen) warn(check, reason string) {
	g.notes = append(g.notes, Finding{Role: g.r.role.LogicalID, Verdict: VerdictWarning, Check: g.prefix + check,
		Result: "not checked", Reason: reason})
}

func (g *gen) add(c *check) {
	if len(c.probes) == 0 {
		return
	}
	c.label = g.prefix + c.label
	g.checks = append(g.checks, c)
}

// session is the request context of a role session of identity id.
func (g *gen) session(id ident, extra ...string) iameval.Context {
	ctx := g.w.identityContext(id)
	if g.r.pool != nil {
		ctx[audKey] = []string{g.r.pool.id}
	}
	ctx[amrKey] = g.w.amr(g.class, g.r.pool, id)
	// A browser client over HTTPS with TLS 1.3, so the usual enforce-SSL and minimum-TLS bucket
	// policy statements see a compliant request.
	ctx["aws:SecureTransport"] = []string{"true"}
	ctx["s3:TlsVersion"] = []string{"1.3"}
	ctx["aws:PrincipalArn"] = []string{g.r.role.ARN}
	ctx["aws:PrincipalAccount"] = []string{g.w.env.AccountID}
	ctx["aws:PrincipalType"] = []string{"AssumedRole"}
	for i := 0; i+1 < len(extra); i += 2 {
		ctx[extra[i]] = append(ctx[extra[i]], extra[i+1])
	}
	return ctx
}

func (g *gen) probes(actions []action, resource string, ctx iameval.Context) []probe {
	out := make([]probe, 0, len(actions))
	for _, a := range actions {
		out = append(out, probe{action: a.name, resource: resource, ctx: ctx})
	}
	return out
}

// instantiate fills a policy string's identity variables with an identity's values and its
// wildcards with probe text, giving a concrete key or path.
func (g *gen) instantiate(template string, id ident) (string, bool) {
	s, ok, err := iameval.Substitute(template, g.session(id))
	if err != nil || !ok {
		return "", false
	}
	return fillWildcards(s), true
}

func fillWildcards(s string) string {
	return strings.NewReplacer("*", "apiless-probe", "?", "x").Replace(s)
}

// display shows a policy string with its identity variables as {identity} and {tag:name}, the
// tokens the manifest uses for storage paths.
func display(s string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		v := s[i+2 : i+j]
		switch l := strings.ToLower(v); {
		case l == subKey:
			b.WriteString("{identity}")
		case strings.HasPrefix(l, tagKeyPrefix):
			b.WriteString("{tag:" + v[len(tagKeyPrefix):] + "}")
		default:
			b.WriteString("${" + v + "}")
		}
		s = s[i+j+1:]
	}
}

// ownerNoun says whose data a key or path template separates: identities, or tenants when only
// principal tags are in it.
func ownerNoun(template string) string {
	if strings.Contains(strings.ToLower(template), "${"+subKey) {
		return "identity"
	}
	return "tenant"
}

func (g *gen) hasTeammate(template string) bool {
	return len(g.w.tagNames) > 0 && strings.Contains(strings.ToLower(template), "${"+subKey) &&
		strings.Contains(strings.ToLower(template), "${"+tagKeyPrefix)
}

func leadingKeys(keys ...string) string {
	if len(keys) == 0 {
		return "no dynamodb:LeadingKeys"
	}
	return "dynamodb:LeadingKeys=[" + strings.Join(keys, ", ") + "]"
}

const guestWriteReason = "guest identity IDs change when the guest signs in, so guests must never write per-identity data"

// ownChecks adds the checks for an identity's own data and returns the one for reading it. A
// guest's writes to per-identity data are forbidden.
func (g *gen) ownChecks(label string, reads, writes []action, resource, request string, ctx iameval.Context) *check {
	if g.class == "guest" {
		own := &check{label: label + " (read)", expect: expectOwn, request: request, probes: g.probes(reads, resource, ctx)}
		g.add(own)
		g.add(&check{label: label + " (guest write)", expect: expectForbidden,
			reason: guestWriteReason, request: request, probes: g.probes(writes, resource, ctx)})
		return own
	}
	own := &check{label: label, expect: expectOwn, request: request,
		probes: g.probes(append(append([]action{}, reads...), writes...), resource, ctx)}
	g.add(own)
	return own
}

func (g *gen) dynamo() {
	for _, tb := range g.w.tables {
		g.table(tb)
	}
	g.account("DynamoDB", dynamoActions)
}

func (g *gen) table(tb *tableInfo) {
	type target struct {
		label string
		arn   string
		kind  resKind
		ix    *indexInfo
	}
	name := "table " + tb.logicalID
	targets := []target{{name, tb.arn, resTable, nil}}
	for i := range tb.indexes {
		ix := &tb.indexes[i]
		targets = append(targets, target{name + " index " + ix.name, tb.arn + "/index/" + ix.name, resIndex, ix})
	}
	keyed := len(tb.keyTemplates) > 0
	for _, tg := range targets {
		reads := actionsIn(dynamoActions, catItemRead, tg.kind)
		writes := actionsIn(dynamoActions, catItemWrite, tg.kind)
		items := append(append([]action{}, reads...), writes...)
		var mixed []action
		for _, a := range items {
			if mixedKeyActions[a.name] {
				mixed = append(mixed, a)
			}
		}
		if !keyed {
			// No statement keys this table by identity, so any item access reaches items that
			// belong to nobody in particular, that is, to everyone.
			key := "apiless-probe"
			g.add(&check{label: tg.label + ": any key (no statement keys this table by identity)", expect: expectForbidden,
				reason: "reaches items that no dynamodb:LeadingKeys condition scopes to an identity", request: leadingKeys(key),
				probes: g.probes(items, tg.arn, g.session(g.a, "dynamodb:LeadingKeys", key))})
			g.add(&check{label: tg.label + ": no key (Scan-like request)", expect: expectForbidden,
				reason: "reaches items that no dynamodb:LeadingKeys condition scopes to an identity", request: leadingKeys(),
				probes: g.probes(items, tg.arn, g.session(g.a))})
			continue
		}
		for _, kt := range tb.keyTemplates {
			label := tg.label
			if len(tb.keyTemplates) > 1 {
				label += " " + display(kt)
			}
			noun := ownerNoun(kt)
			own, ok1 := g.instantiate(kt, g.a)
			other, ok2 := g.instantiate(kt, g.b)
			if !ok1 || !ok2 {
				g.warn(label+": keys "+display(kt), "the key uses a policy variable the check cannot give a per-identity value")
				continue
			}
			c := g.ownChecks(label+": own key", reads, writes, tg.arn, leadingKeys(own), g.session(g.a, "dynamodb:LeadingKeys", own))
			if tg.ix != nil && tg.ix.global && tb.pk != "" && tg.ix.pk != tb.pk {
				c.warnIfAllowed = fmt.Sprintf("index %s is partitioned by %q, not by the table's %q: dynamodb:LeadingKeys on a query of this index checks %q, so the query returns every item whose %q equals the caller's key, whoever wrote it",
					tg.ix.name, tg.ix.pk, tb.pk, tg.ix.pk, tg.ix.pk)
			}
			g.add(&check{label: label + ": other " + noun + "'s key", expect: expectForbidden,
				reason: "reaches another " + noun + "'s items", request: leadingKeys(other),
				probes: g.probes(items, tg.arn, g.session(g.a, "dynamodb:LeadingKeys", other))})
			if g.hasTeammate(kt) {
				if mate, ok := g.instantiate(kt, g.mate); ok && mate != own {
					g.add(&check{label: label + ": teammate's key (same tenant, other identity)", expect: expectForbidden,
						reason: "reaches another identity's items in the same tenant", request: leadingKeys(mate),
						probes: g.probes(items, tg.arn, g.session(g.a, "dynamodb:LeadingKeys", mate))})
				}
			}
			g.add(&check{label: label + ": own and other " + noun + "'s key in one batch", expect: expectForbidden,
				reason:  "a batch that mixes in a foreign key is allowed (ForAnyValue instead of ForAllValues?)",
				request: leadingKeys(own, other),
				probes:  g.probes(mixed, tg.arn, g.session(g.a, "dynamodb:LeadingKeys", own, "dynamodb:LeadingKeys", other))})
		}
		g.add(&check{label: tg.label + ": no key (Scan-like request)", expect: expectForbidden,
			reason:  "a request without dynamodb:LeadingKeys is allowed, so it reaches every identity's items (add Null {\"dynamodb:LeadingKeys\": \"false\"})",
			request: leadingKeys(), probes: g.probes(items, tg.arn, g.session(g.a))})
	}

	arnFor := func(k resKind) []string {
		switch k {
		case resTable:
			return []string{tb.arn}
		case resIndex:
			var out []string
			for _, ix := range tb.indexes {
				out = append(out, tb.arn+"/index/"+ix.name)
			}
			return out
		case resStream:
			return []string{tb.arn + "/stream/2024-01-01T00:00:00.000"}
		case resBackup:
			return []string{tb.arn + "/backup/01700000000000-apiless"}
		case resExport:
			return []string{tb.arn + "/export/01700000000000-apiless"}
		case resImport:
			return []string{tb.arn + "/import/01700000000000-apiless"}
		case resGlobalTable:
			return []string{fmt.Sprintf("arn:%s:dynamodb::%s:global-table/%s", g.w.env.Partition, g.w.env.AccountID, tb.name)}
		}
		return nil
	}
	rows := []struct {
		cat    category
		label  string
		expect expect
		reason string
	}{
		{catBulk, ": whole-table access (Scan, export, streams, replication)", expectForbidden, "reads or writes every identity's items at once"},
		{catMetadata, ": table metadata", expectShared, ""},
		{catAdmin, ": table administration", expectForbidden, "changes the table, its backups or its permissions"},
	}
	for _, row := range rows {
		c := &check{label: name + row.label, expect: row.expect, reason: row.reason}
		ctx := g.session(g.a)
		for _, a := range dynamoActions {
			if a.cat != row.cat {
				continue
			}
			for _, k := range a.res {
				for _, arn := range arnFor(k) {
					c.probes = append(c.probes, probe{action: a.name, resource: arn, ctx: ctx})
				}
			}
		}
		g.add(c)
	}
}

func (g *gen) s3() {
	for _, b := range g.w.buckets {
		g.bucket(b)
	}
	g.account("S3", s3Actions)
}

// literalPrefix is the part of a path template before its first wildcard or variable.
func literalPrefix(path string) string {
	end := len(path)
	for _, m := range []string{"${", "*", "?"} {
		if i := strings.Index(path, m); i >= 0 && i < end {
			end = i
		}
	}
	return path[:end]
}

// folderOf returns the listing prefix of a concrete key: everything up to its last slash.
func folderOf(key string) string {
	if i := strings.LastIndexByte(key, '/'); i >= 0 {
		return key[:i+1]
	}
	return ""
}

func (g *gen) bucket(b *bucketInfo) {
	name := "bucket " + b.logicalID
	objReads := actionsIn(s3Actions, catObjectRead, resObject)
	objWrites := actionsIn(s3Actions, catObjectWrite, resObject)
	objAll := append(append([]action{}, objReads...), objWrites...)
	lists := actionsIn(s3Actions, catList, resBucket)
	object := func(key string) string { return b.arn + "/" + key }
	// Objects and listings outside every named folder are never shared by accident: the brief
	// of a shared folder is a path with a literal prefix (public/*), not the whole bucket.
	unscoped := expectForbidden

	var roots []string
	for _, p := range b.identityPaths {
		roots = appendUnique(roots, p[:strings.Index(p, "${")])
	}
	for _, p := range b.identityPaths {
		label := name + " " + display(p)
		noun := ownerNoun(p)
		ownPattern, ok1 := g.instantiate(p, g.a)
		otherPattern, ok2 := g.instantiate(p, g.b)
		if !ok1 || !ok2 {
			g.warn(label, "the path uses a policy variable the check cannot give a per-identity value")
			continue
		}
		raw, _, _ := iameval.Substitute(p, g.session(g.a))
		ownDir := folderOf(literalPrefix(raw))
		rawOther, _, _ := iameval.Substitute(p, g.session(g.b))
		otherDir := folderOf(literalPrefix(rawOther))

		g.ownChecks(label+": own object", objReads, objWrites, object(ownPattern), "", g.session(g.a))
		g.add(&check{label: label + ": other " + noun + "'s object", expect: expectForbidden, sharedOnPurpose: b.arn,
			reason: "reaches another " + noun + "'s objects", probes: g.probes(objAll, object(otherPattern), g.session(g.a))})
		if g.hasTeammate(p) {
			if mate, ok := g.instantiate(p, g.mate); ok && mate != ownPattern {
				g.add(&check{label: label + ": teammate's object (same tenant, other identity)", expect: expectForbidden, sharedOnPurpose: b.arn,
					reason: "reaches another identity's objects in the same tenant", probes: g.probes(objAll, object(mate), g.session(g.a))})
			}
		}
		if ownDir != "" {
			g.add(&check{label: label + ": list own folder", expect: expectOwn, request: "s3:prefix=" + ownDir,
				probes: g.probes(lists, b.arn, g.session(g.a, "s3:prefix", ownDir))})
		}
		if otherDir != "" {
			g.add(&check{label: label + ": list other " + noun + "'s folder", expect: expectForbidden, sharedOnPurpose: b.arn,
				reason: "lists another " + noun + "'s object keys", request: "s3:prefix=" + otherDir,
				probes: g.probes(lists, b.arn, g.session(g.a, "s3:prefix", otherDir))})
		}
	}
	for _, root := range roots {
		label := name + " " + root + "*"
		g.add(&check{label: label + ": object beside the owner folders", expect: expectForbidden, sharedOnPurpose: b.arn,
			reason: "reaches objects that belong to nobody, next to every owner's folder",
			probes: g.probes(objAll, object(root+"apiless-probe"), g.session(g.a))})
		if root != "" {
			g.add(&check{label: label + ": list every owner's folder", expect: expectForbidden, sharedOnPurpose: b.arn,
				reason: "lists the object keys of every owner", request: "s3:prefix=" + root,
				probes: g.probes(lists, b.arn, g.session(g.a, "s3:prefix", root))})
		}
	}
	for _, p := range b.sharedPaths {
		lp := literalPrefix(p)
		if lp == "" {
			continue // bucket-wide: the "outside every rule" checks cover it
		}
		label := name + " " + display(p)
		g.add(&check{label: label + ": shared object", expect: expectShared, probes: g.probes(objAll, object(fillWildcards(p)), g.session(g.a))})
		if dir := folderOf(lp); dir != "" {
			g.add(&check{label: label + ": list shared folder", expect: expectShared, request: "s3:prefix=" + dir,
				probes: g.probes(lists, b.arn, g.session(g.a, "s3:prefix", dir))})
		}
	}
	g.add(&check{label: name + ": object outside every rule", expect: unscoped,
		reason: "reaches objects no rule assigns to anyone", probes: g.probes(objAll, object("apiless-probe-outside/apiless-probe"), g.session(g.a))})
	g.add(&check{label: name + ": object at the bucket root", expect: unscoped,
		reason: "reaches objects no rule assigns to anyone", probes: g.probes(objAll, object("apiless-probe"), g.session(g.a))})
	g.add(&check{label: name + ": list without a prefix", expect: unscoped,
		reason: "lists every object key in the bucket", request: "no s3:prefix", probes: g.probes(lists, b.arn, g.session(g.a))})
	g.add(&check{label: name + ": list outside every rule", expect: unscoped,
		reason: "lists object keys no rule assigns to anyone", request: "s3:prefix=apiless-probe-outside/",
		probes: g.probes(lists, b.arn, g.session(g.a, "s3:prefix", "apiless-probe-outside/"))})
	g.add(&check{label: name + ": list in-progress uploads", expect: unscoped,
		reason: "lists the keys of every identity's unfinished uploads (IAM has no prefix key for it)",
		probes: g.probes(actionsIn(s3Actions, catUploads, resBucket), b.arn, g.session(g.a))})
	g.add(&check{label: name + ": bucket metadata", expect: expectShared,
		probes: g.probes(actionsIn(s3Actions, catMetadata, resBucket), b.arn, g.session(g.a))})
	g.add(&check{label: name + ": bucket administration", expect: expectForbidden,
		reason: "changes the bucket or its permissions", probes: g.probes(actionsIn(s3Actions, catAdmin, resBucket), b.arn, g.session(g.a))})
}

// account adds the checks for a service's actions that are not on a table or bucket of the
// template: account-wide listings and the other resource types (access points, jobs, ...).
func (g *gen) account(service string, actions []action) {
	meta := &check{label: service + " account: metadata and listings", expect: expectShared}
	admin := &check{label: service + " account: administration", expect: expectForbidden,
		reason: "account-wide administration of " + service}
	ctx := g.session(g.a)
	for _, a := range actions {
		for _, k := range a.res {
			arn, ok := g.accountARN(k)
			if !ok {
				continue
			}
			p := probe{action: a.name, resource: arn, ctx: ctx}
			switch a.cat {
			case catMetadata:
				meta.probes = append(meta.probes, p)
			case catAdmin:
				admin.probes = append(admin.probes, p)
			}
		}
	}
	g.add(meta)
	g.add(admin)
}

func (g *gen) accountARN(k resKind) (string, bool) {
	e := g.w.env
	s3arn := func(region, account, res string) string {
		return fmt.Sprintf("arn:%s:s3:%s:%s:%s", e.Partition, region, account, res)
	}
	switch k {
	case resNone:
		return "*", true
	case resAccessPoint:
		return s3arn(e.Region, e.AccountID, "accesspoint/apiless-probe"), true
	case resObjectLambdaAccessPoint:
		return fmt.Sprintf("arn:%s:s3-object-lambda:%s:%s:accesspoint/apiless-probe", e.Partition, e.Region, e.AccountID), true
	case resJob:
		return s3arn(e.Region, e.AccountID, "job/apiless-probe"), true
	case resStorageLens:
		return s3arn(e.Region, e.AccountID, "storage-lens/apiless-probe"), true
	case resStorageLensGroup:
		return s3arn(e.Region, e.AccountID, "storage-lens-group/apiless-probe"), true
	case resMultiRegionAccessPoint:
		return s3arn("", e.AccountID, "accesspoint/apiless-probe.mrap"), true
	case resMultiRegionRequest:
		return s3arn(e.Region, e.AccountID, "async-request/mrap/apiless-probe"), true
	case resAccessGrantsInstance:
		return s3arn(e.Region, e.AccountID, "access-grants/default"), true
	case resAccessGrantsLocation:
		return s3arn(e.Region, e.AccountID, "access-grants/default/location/apiless-probe"), true
	case resAccessGrant:
		return s3arn(e.Region, e.AccountID, "access-grants/default/grant/apiless-probe"), true
	}
	return "", false
}

// trust adds the checks on who can assume the role.
func (g *gen) trust() {
	p := g.r.pool
	webIdentity := func(aud string, amr []string, extra ...string) iameval.Context {
		ctx := iameval.Context{audKey: {aud}, amrKey: amr, subKey: {g.a.sub}}
		for i := 0; i+1 < len(extra); i += 2 {
			ctx[extra[i]] = append(ctx[extra[i]], extra[i+1])
		}
		return ctx
	}
	assume := func(ctx iameval.Context, action string, pr iameval.Principal) []probe {
		return []probe{{action: action, resource: g.r.role.ARN, ctx: ctx, principal: &pr}}
	}
	who := "signed-in"
	if g.class == "guest" {
		who = "guest"
	}
	amr := g.w.amr(g.class, p, g.a)
	if p != nil {
		g.add(&check{label: "trust: " + who + " identity of " + p.label(), expect: expectAssumable,
			reason: "the identities the pool hands this role to cannot assume it", request: "aud=" + p.id,
			probes: assume(webIdentity(p.id, amr), "sts:AssumeRoleWithWebIdentity", cognitoPrincipal)})
	}
	g.add(&check{label: "trust: " + who + " identity of another identity pool", expect: expectForbidden,
		reason:  "identities of any identity pool can assume the role (no cognito-identity.amazonaws.com:aud condition)",
		request: "aud=" + g.w.foreignPoolID(),
		probes:  assume(webIdentity(g.w.foreignPoolID(), amr), "sts:AssumeRoleWithWebIdentity", cognitoPrincipal)})
	if g.class == "authenticated" && p != nil {
		g.add(&check{label: "trust: guest identity of " + p.label(), expect: expectForbidden,
			reason:  "guest identities can assume a role meant for signed-in users (no amr = authenticated condition)",
			request: "amr=unauthenticated",
			probes:  assume(webIdentity(p.id, []string{"unauthenticated"}), "sts:AssumeRoleWithWebIdentity", cognitoPrincipal)})
	}
	if p != nil && p.classicFlow {
		for _, a := range g.r.audiences {
			if a.kind == "group" || a.kind == "rule" {
				g.add(&check{label: "trust: any " + who + " identity through the classic flow", expect: expectForbidden,
					reason:  "AllowClassicFlow is on and the classic flow ignores role mappings, so every identity of the pool can assume this " + a.String() + " role",
					request: "AllowClassicFlow=true",
					probes:  assume(webIdentity(p.id, amr), "sts:AssumeRoleWithWebIdentity", cognitoPrincipal)})
				break
			}
		}
	}
	g.add(&check{label: "trust: another AWS account", expect: expectForbidden,
		reason: "principals of another account can assume the role",
		probes: assume(iameval.Context{}, "sts:AssumeRole", iameval.Principal{Type: "AWS", ID: "arn:" + g.w.env.Partition + ":iam::999999999999:root"})})
	g.add(&check{label: "trust: another web identity provider", expect: expectForbidden,
		reason: "identities of another OpenID Connect provider can assume the role",
		probes: assume(iameval.Context{"accounts.google.com:aud": {"apiless-probe"}}, "sts:AssumeRoleWithWebIdentity",
			iameval.Principal{Type: "Federated", ID: "accounts.google.com"})})
	// Cognito tags sessions from the claims of a signed-in user's token; guests have none.
	if p != nil && len(p.tags) > 0 && g.class == "authenticated" {
		extra := []string{}
		for _, t := range sortedTagKeys(p.tags) {
			extra = append(extra, "aws:RequestTag/"+t, t+"-a", "aws:TagKeys", t)
		}
		g.add(&check{label: "trust: principal tags of " + p.label(), expect: expectAssumable,
			reason: "Cognito passes principal tags as session tags, which needs sts:TagSession in the trust policy",
			probes: assume(webIdentity(p.id, amr, extra...), "sts:TagSession", cognitoPrincipal)})
	}
}

func sortedTagKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// run evaluates every check and turns it into findings.
func (g *gen) run() ([]Finding, int, error) {
	out := append([]Finding{}, g.notes...)
	requests := 0
	for _, c := range g.checks {
		var allowed []string
		seenAction := map[string]bool{}
		var statements []string
		seenStmt := map[string]bool{}
		granted := 0
		deliberate := c.sharedOnPurpose != ""
		for _, p := range c.probes {
			requests++
			var res iameval.Result
			if p.principal != nil {
				res = iameval.AssumeRole(g.r.role, *p.principal, p.action, p.ctx)
			} else {
				var err error
				res, err = g.w.t.Authorize(g.r.role, p.action, p.resource, p.ctx)
				if err != nil {
					return nil, 0, err
				}
			}
			if !res.Allowed() {
				continue
			}
			granted++
			if !seenAction[p.action] {
				seenAction[p.action] = true
				allowed = append(allowed, p.action)
			}
			for _, s := range res.Allows {
				if deliberate && !deliberateShare(s, c.sharedOnPurpose, p) {
					deliberate = false
				}
				if !seenStmt[s.String()] {
					seenStmt[s.String()] = true
					statements = append(statements, s.String())
				}
			}
		}
		f := Finding{Role: g.r.role.LogicalID, Check: c.label, Tried: len(c.probes), Allowed: allowed,
			Resource: c.probes[0].resource, Request: c.request, Statements: statements}
		switch {
		case granted == 0:
			f.Result = "denied"
		case granted == len(c.probes):
			f.Result = "allowed"
		default:
			f.Result = fmt.Sprintf("allowed %d of %d", granted, len(c.probes))
		}
		switch c.expect {
		case expectAssumable:
			f.Verdict = VerdictOK
			if granted == 0 {
				f.Verdict, f.Reason = VerdictWarning, c.reason
			}
		case expectOwn:
			f.Verdict = VerdictOK
			if granted > 0 {
				f.Verdict = VerdictOwn
			}
		case expectShared:
			f.Verdict = VerdictOK
			if granted > 0 {
				f.Verdict = VerdictShared
			}
		case expectForbidden:
			f.Verdict = VerdictOK
			if granted > 0 {
				f.Verdict, f.Reason = VerdictViolation, c.reason
				if deliberate {
					f.Verdict, f.Reason = VerdictShared, "shared on purpose: granted by a named folder without identity variables"
				}
			}
		}
		if granted == 0 {
			f.Statements = nil
		}
		out = append(out, f)
		if c.warnIfAllowed != "" && granted > 0 {
			out = append(out, Finding{Role: f.Role, Verdict: VerdictWarning, Check: c.label + ": index partition key",
				Result: f.Result, Tried: f.Tried, Resource: f.Resource, Request: f.Request, Allowed: allowed,
				Statements: statements, Reason: c.warnIfAllowed})
		}
	}
	return out, requests, nil
}

// deliberateShare reports whether an allowing statement is a deliberate shared grant on the
// bucket: no identity variable anywhere, no NotResource, and every entry that matches the probed
// resource names a folder with a literal prefix (protected/*/*, public/*), not the whole bucket;
// for a listing, the s3:prefix condition must name such folders too.
func deliberateShare(s *iameval.Statement, bucketARN string, p probe) bool {
	if len(s.NotResource) > 0 || len(s.Resource) == 0 {
		return false
	}
	for _, r := range s.Resource {
		if hasIdentityVariable(r) {
			return false
		}
	}
	for _, c := range s.Conditions {
		for _, v := range c.Values {
			if hasIdentityVariable(v) {
				return false
			}
		}
	}
	for _, r := range s.Resource {
		if ok, _ := iameval.MatchResource(r, p.resource, p.ctx); !ok {
			continue
		}
		if r == bucketARN {
			// A listing: the folders come from the s3:prefix condition.
			named := false
			for _, c := range s.Conditions {
				if !strings.EqualFold(c.Key, "s3:prefix") {
					continue
				}
				named = true
				for _, v := range c.Values {
					if literalPrefix(v) == "" {
						return false
					}
				}
			}
			if !named {
				return false
			}
			continue
		}
		path, ok := strings.CutPrefix(r, bucketARN+"/")
		if !ok || literalPrefix(path) == "" {
			return false
		}
	}
	return true
}
