package isolation

import (
	"fmt"
	"slices"
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

type probe struct {
	action    string
	resource  string
	ctx       iameval.Context
	principal *iameval.Principal // set for trust checks
	want      want
	why       string // why the opposite decision is wrong, when it differs from the check's reason
}

type check struct {
	label   string
	reason  string // why an unexpected Allow is wrong
	request string // the request context that matters, for the report
	probes  []probe
	// kind is the verdict when something is allowed as expected: own or shared data.
	kind Verdict
	// warnOnly makes an unexpected Allow a warning: the probe is not a request AWS receives
	// (an item action without its key), so nothing leaks, but a guard is missing.
	warnOnly bool
	// missVerdict is the verdict of a required Allow that is denied: a violation ("declared but
	// not granted"), or a warning for trust checks.
	missVerdict Verdict
	missReason  string
	// warnIfAllowed, when set, adds a warning finding if anything was allowed.
	warnIfAllowed string
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
	decl   *declaration
	// loose roles (rule-mapped, or only trusting identity pools) are not named by the manifest:
	// what is declared may be allowed, but need not be.
	loose bool
}

func newGen(w *world, r *poolRole, class string) *gen {
	g := &gen{w: w, r: r, class: class, a: identityA(w), b: identityB(w), mate: identityTeammate(w), decl: w.declarationOf(r)}
	g.loose = class != "guest" && !slices.ContainsFunc(r.audiences, func(a audience) bool {
		return a.kind == "authenticated" || a.kind == "group"
	})
	return g
}

func (g *gen) mode() string {
	if g.decl != nil {
		return ModeDeclared
	}
	return ModeStrict
}

// audiences are who the role's holder counts as for the manifest. A group role replaces the
// authenticated role for its members, so it holds every signed-in grant too.
func (g *gen) audiences() []string {
	if g.class == "guest" {
		return []string{"guest"}
	}
	auds := []string{"owner", "authenticated", "tenant"}
	for _, a := range g.r.audiences {
		if a.kind == "group" {
			auds = append(auds, "group:"+a.name)
		}
	}
	return auds
}

func (g *gen) tenantTag() string {
	if g.decl != nil {
		if t := g.decl.tenantTag(g.w); t != "" {
			return strings.ToLower(t)
		}
	}
	if len(g.w.tagNames) > 0 {
		return g.w.tagNames[0]
	}
	return ""
}

func (g *gen) caller() caller {
	return caller{audiences: g.audiences(), sub: g.a.sub, tenant: g.a.tags[g.tenantTag()], guest: g.class == "guest"}
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

// relax turns a required Allow into an optional one for roles the manifest does not name.
func (g *gen) relax(w want) want {
	if g.loose && w == wantAllow {
		return wantAny
	}
	return w
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
		out = append(out, probe{action: a.name, resource: resource, ctx: ctx, want: wantDeny})
	}
	return out
}

// probesWant is probes with each action's expected decision.
func (g *gen) probesWant(actions []action, resource string, ctx iameval.Context, f func(a action) decision) []probe {
	out := make([]probe, 0, len(actions))
	for _, a := range actions {
		d := f(a)
		out = append(out, probe{action: a.name, resource: resource, ctx: ctx, want: g.relax(d.want), why: d.why})
	}
	return out
}

func anyWant(ps []probe) []probe {
	for i := range ps {
		ps[i].want = wantAny
	}
	return ps
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

// account adds the checks for a service's actions that are not on a table or bucket of the
// template: account-wide listings and the other resource types (access points, jobs, ...).
func (g *gen) account(service string, actions []action) {
	meta := &check{label: service + " account: metadata and listings", kind: VerdictShared}
	admin := &check{label: service + " account: administration", reason: "account-wide administration of " + service}
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
				p.want = wantAny
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
	assumable := func(c *check) *check {
		c.probes[0].want = wantAllow
		c.missVerdict, c.missReason = VerdictWarning, c.reason
		c.reason = ""
		return c
	}
	who := "signed-in"
	if g.class == "guest" {
		who = "guest"
	}
	amr := g.w.amr(g.class, p, g.a)
	if p != nil {
		g.add(assumable(&check{label: "trust: " + who + " identity of " + p.label(),
			reason: "the identities the pool hands this role to cannot assume it", request: "aud=" + p.id,
			probes: assume(webIdentity(p.id, amr), "sts:AssumeRoleWithWebIdentity", cognitoPrincipal)}))
	}
	g.add(&check{label: "trust: " + who + " identity of another identity pool",
		reason:  "identities of any identity pool can assume the role (no cognito-identity.amazonaws.com:aud condition)",
		request: "aud=" + g.w.foreignPoolID(),
		probes:  assume(webIdentity(g.w.foreignPoolID(), amr), "sts:AssumeRoleWithWebIdentity", cognitoPrincipal)})
	if g.class == "authenticated" && p != nil {
		g.add(&check{label: "trust: guest identity of " + p.label(),
			reason:  "guest identities can assume a role meant for signed-in users (no amr = authenticated condition)",
			request: "amr=unauthenticated",
			probes:  assume(webIdentity(p.id, []string{"unauthenticated"}), "sts:AssumeRoleWithWebIdentity", cognitoPrincipal)})
	}
	if p != nil && p.classicFlow {
		for _, a := range g.r.audiences {
			if a.kind == "group" || a.kind == "rule" {
				g.add(&check{label: "trust: any " + who + " identity through the classic flow",
					reason:  "AllowClassicFlow is on and the classic flow ignores role mappings, so every identity of the pool can assume this " + a.String() + " role",
					request: "AllowClassicFlow=true",
					probes:  assume(webIdentity(p.id, amr), "sts:AssumeRoleWithWebIdentity", cognitoPrincipal)})
				break
			}
		}
	}
	g.add(&check{label: "trust: another AWS account",
		reason: "principals of another account can assume the role",
		probes: assume(iameval.Context{}, "sts:AssumeRole", iameval.Principal{Type: "AWS", ID: "arn:" + g.w.env.Partition + ":iam::999999999999:root"})})
	g.add(&check{label: "trust: another web identity provider",
		reason: "identities of another OpenID Connect provider can assume the role",
		probes: assume(iameval.Context{"accounts.google.com:aud": {"apiless-probe"}}, "sts:AssumeRoleWithWebIdentity",
			iameval.Principal{Type: "Federated", ID: "accounts.google.com"})})
	// Cognito tags sessions from the claims of a signed-in user's token; guests have none.
	if p != nil && len(p.tags) > 0 && g.class == "authenticated" {
		extra := []string{}
		for _, t := range sortedTagKeys(p.tags) {
			extra = append(extra, "aws:RequestTag/"+t, t+"-a", "aws:TagKeys", t)
		}
		g.add(assumable(&check{label: "trust: principal tags of " + p.label(),
			reason: "Cognito passes principal tags as session tags, which needs sts:TagSession in the trust policy",
			probes: assume(webIdentity(p.id, amr, extra...), "sts:TagSession", cognitoPrincipal)}))
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
		f, err := g.evaluate(c)
		if err != nil {
			return nil, 0, err
		}
		requests += len(c.probes)
		out = append(out, f)
		if c.warnIfAllowed != "" && len(f.Allowed) > 0 {
			out = append(out, Finding{Role: f.Role, Verdict: VerdictWarning, Check: c.label + ": index partition key",
				Result: f.Result, Tried: f.Tried, Resource: f.Resource, Request: f.Request, Allowed: f.Allowed,
				Statements: f.Statements, Reason: c.warnIfAllowed})
		}
	}
	return out, requests, nil
}

// evaluate runs a check's probes and judges them against what each one must get.
func (g *gen) evaluate(c *check) (Finding, error) {
	f := Finding{Role: g.r.role.LogicalID, Check: c.label, Tried: len(c.probes), Resource: c.probes[0].resource, Request: c.request}
	var all, unexpected []string
	seen := map[string]bool{}
	granted := 0
	why := ""
	for _, p := range c.probes {
		res, err := g.decide(p)
		if err != nil {
			return f, err
		}
		if !res.Allowed() {
			if p.want == wantAllow && !slices.Contains(f.Missing, p.action) {
				f.Missing = append(f.Missing, p.action)
			}
			continue
		}
		granted++
		if !slices.Contains(f.Allowed, p.action) {
			f.Allowed = append(f.Allowed, p.action)
		}
		for _, s := range res.Allows {
			if !slices.Contains(all, s.String()) {
				all = append(all, s.String())
			}
			if p.want == wantDeny && !seen[s.String()] {
				seen[s.String()] = true
				unexpected = append(unexpected, s.String())
			}
		}
		if p.want == wantDeny && why == "" {
			why = p.why
		}
	}
	switch {
	case granted == 0:
		f.Result = "denied"
	case granted == len(c.probes):
		f.Result = "allowed"
	default:
		f.Result = fmt.Sprintf("allowed %d of %d", granted, len(c.probes))
	}
	f.Verdict, f.Statements = VerdictOK, all
	switch {
	case len(unexpected) > 0:
		f.Verdict, f.Statements = VerdictViolation, unexpected
		if c.warnOnly {
			f.Verdict = VerdictWarning
		}
		f.Reason = c.reason
		if f.Reason == "" {
			f.Reason = why
		}
	case len(f.Missing) > 0:
		f.Verdict = c.missVerdict
		if f.Verdict == "" {
			f.Verdict = VerdictViolation
		}
		f.Reason = c.missReason
		if f.Reason == "" {
			f.Reason = "declared but not granted: " + strings.Join(f.Missing, " ") + " is denied"
		}
	case granted > 0 && c.kind != "":
		f.Verdict = c.kind
	}
	if granted == 0 {
		f.Statements = nil
	}
	return f, nil
}

func (g *gen) decide(p probe) (iameval.Result, error) {
	if p.principal != nil {
		return iameval.AssumeRole(g.r.role, *p.principal, p.action, p.ctx), nil
	}
	return g.w.t.Authorize(g.r.role, p.action, p.resource, p.ctx)
}
