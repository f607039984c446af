package isolation

import (
	"fmt"
	"slices"
	"strings"

	"github.com/apiless/apiless/iameval"
	"github.com/apiless/apiless/manifest"
)

func (g *gen) dynamo() {
	for _, tb := range g.w.tables {
		g.table(tb)
	}
	g.account("DynamoDB", dynamoActions)
}

// tableTarget is the table itself or one of its indexes.
type tableTarget struct {
	label string
	arn   string
	kind  resKind
	ix    *indexInfo
}

// tableView is what the check knows of one table for one role: the declaration, if any, and the
// operations the role's audiences hold.
type tableView struct {
	tb      *tableInfo
	decl    *manifest.Table
	ops     []string
	limited bool
	shared  bool // strict mode, named in Options.Shared
}

func (g *gen) viewOf(tb *tableInfo) tableView {
	v := tableView{tb: tb, shared: g.decl == nil && tb.shared}
	if g.decl != nil {
		v.decl = tb.decls[g.decl]
	}
	if v.decl != nil {
		for _, aud := range g.audiences() {
			for _, op := range v.decl.Access[aud] {
				if !slices.Contains(v.ops, op) {
					v.ops = append(v.ops, op)
				}
			}
		}
		v.limited = len(v.decl.Attributes) > 0
	}
	return v
}

// ownKeys are the LeadingKeys templates that make a key the caller's own: the declared one, or in
// strict mode every template with an identity variable that a policy requires.
func (g *gen) ownKeys(v tableView) []string {
	if v.decl != nil {
		if v.decl.PartitionKeyValue == "tenant" {
			return []string{"${aws:PrincipalTag/" + g.tenantTag() + "}"}
		}
		return []string{"${" + subKey + "}"}
	}
	if g.decl != nil {
		return nil // declared mode: a table the manifest does not name is nobody's
	}
	var out []string
	for _, kt := range v.tb.keyTemplates {
		if hasIdentityVariable(kt) {
			out = append(out, kt)
		}
	}
	return out
}

func (g *gen) targets(v tableView) []tableTarget {
	name := v.tb.label()
	out := []tableTarget{{name, v.tb.arn, resTable, nil}}
	for i := range v.tb.indexes {
		ix := &v.tb.indexes[i]
		out = append(out, tableTarget{name + " index " + ix.name, v.tb.arn + "/index/" + ix.name, resIndex, ix})
	}
	return out
}

// itemWant is what an item action with the caller's own key must get on a target.
func (g *gen) itemWant(v tableView, tg tableTarget, a action, keyedByIdentity bool) decision {
	if g.class == "guest" && a.cat == catItemWrite && keyedByIdentity {
		return decision{wantDeny, guestWriteReason}
	}
	if v.shared || (g.decl == nil) {
		return decision{wantAny, ""}
	}
	if strings.HasPrefix(a.name, "dynamodb:PartiQL") {
		return decision{wantDeny, "PartiQL is never declared: a statement without a key reads or writes every item"}
	}
	w := tableActionWant(v.ops, v.limited, a.name)
	if tg.ix != nil {
		declared := v.decl != nil && slices.Contains(v.decl.Indexes, tg.ix.name)
		w = allowIf(a.name == "dynamodb:Query" && declared && slices.Contains(v.ops, "read"), wantAllow)
	}
	if w == wantDeny {
		return decision{wantDeny, fmt.Sprintf("%s is not declared for %s on this table (declared: %s)", a.name,
			strings.Join(g.audiences(), "/"), strings.Join(v.ops, ", "))}
	}
	return decision{w, ""}
}

// withinLimit adds to ctx what a request that stays inside an attribute limit carries.
func withinLimit(ctx iameval.Context, attrs []string) iameval.Context {
	out := iameval.Context{}
	for k, v := range ctx {
		out[k] = v
	}
	out["dynamodb:Attributes"] = attrs
	out["dynamodb:Select"] = []string{"SPECIFIC_ATTRIBUTES"}
	out["dynamodb:ReturnValues"] = []string{"NONE"}
	return out
}

func (g *gen) table(tb *tableInfo) {
	v := g.viewOf(tb)
	own := g.ownKeys(v)
	for _, tg := range g.targets(v) {
		items := append(actionsIn(dynamoActions, catItemRead, tg.kind), actionsIn(dynamoActions, catItemWrite, tg.kind)...)
		if len(own) == 0 {
			g.unkeyed(v, tg, items)
		}
		for _, kt := range own {
			g.keyed(v, tg, items, kt)
		}
		g.keyless(v, tg, items)
	}
	if v.limited {
		g.attributeChecks(v, own)
	}
	g.tableWide(v)
}

// unkeyed: no key makes an item anybody's own, so any item access reaches items nobody was
// given.
func (g *gen) unkeyed(v tableView, tg tableTarget, items []action) {
	why := "no statement keys this table by identity"
	if g.decl != nil {
		why = "the manifest declares no access to this table"
	}
	key := "apiless-probe"
	c := &check{label: tg.label + ": any key (" + why + ")",
		reason: "reaches items that no dynamodb:LeadingKeys condition scopes to an identity", request: leadingKeys(key),
		probes: g.probes(items, tg.arn, g.session(g.a, "dynamodb:LeadingKeys", key))}
	if v.shared {
		c.kind, c.probes = VerdictShared, anyWant(c.probes)
	}
	g.add(c)
}

func (g *gen) keyed(v tableView, tg tableTarget, items []action, kt string) {
	label := tg.label
	if len(g.ownKeys(v)) > 1 {
		label += " " + display(kt)
	}
	noun := ownerNoun(kt)
	own, ok1 := g.instantiate(kt, g.a)
	other, ok2 := g.instantiate(kt, g.b)
	if !ok1 || !ok2 {
		g.warn(label+": keys "+display(kt), "the key uses a policy variable the check cannot give a per-identity value")
		return
	}
	byIdentity := noun == "identity"
	ctx := g.session(g.a, "dynamodb:LeadingKeys", own)
	if v.limited && tg.kind == resTable {
		ctx = withinLimit(ctx, v.decl.Attributes)
	}
	for _, c := range g.ownChecks(label+": own key", items, tg, leadingKeys(own), ctx, func(a action) decision {
		return g.itemWant(v, tg, a, byIdentity)
	}) {
		if tg.ix != nil && tg.ix.global && v.tb.pk != "" && tg.ix.pk != "" && tg.ix.pk != v.tb.pk {
			c.warnIfAllowed = fmt.Sprintf("index %s is partitioned by %q, not by the table's %q: dynamodb:LeadingKeys on a query of this index checks %q, so the query returns every item whose %q equals the caller's key, whoever wrote it",
				tg.ix.name, tg.ix.pk, v.tb.pk, tg.ix.pk, tg.ix.pk)
		}
	}
	foreign := func(label, reason, request string, keys ...string) {
		ctx := g.session(g.a)
		for _, k := range keys {
			ctx["dynamodb:LeadingKeys"] = append(ctx["dynamodb:LeadingKeys"], k)
		}
		c := &check{label: label, reason: reason, request: request, probes: g.probes(items, tg.arn, ctx)}
		if len(keys) > 1 {
			c.probes = g.probes(mixedOnly(items), tg.arn, ctx)
		}
		if v.shared {
			c.kind, c.probes = VerdictShared, anyWant(c.probes)
		}
		g.add(c)
	}
	foreign(label+": other "+noun+"'s key", "reaches another "+noun+"'s items", leadingKeys(other), other)
	if g.hasTeammate(kt) {
		if mate, ok := g.instantiate(kt, g.mate); ok && mate != own {
			foreign(label+": teammate's key (same tenant, other identity)", "reaches another identity's items in the same tenant", leadingKeys(mate), mate)
		}
	}
	foreign(label+": own and other "+noun+"'s key in one batch",
		"a batch that mixes in a foreign key is allowed (ForAnyValue instead of ForAllValues?)", leadingKeys(own, other), own, other)
	// Keys the policies name that are not the caller's own (a tenant key on an identity table).
	for _, named := range v.tb.keyTemplates {
		k, ok := g.instantiate(named, g.a)
		if !ok || k == own || slices.Contains(g.ownKeys(v), named) {
			continue
		}
		foreign(label+": key named by a policy "+display(named), "reaches items whose key is not the caller's own", leadingKeys(k), k)
	}
}

func mixedOnly(items []action) []action {
	var out []action
	for _, a := range items {
		if mixedKeyActions[a.name] {
			out = append(out, a)
		}
	}
	return out
}

// ownChecks adds the checks on the caller's own key: one, or for guests reads and writes apart.
func (g *gen) ownChecks(label string, items []action, tg tableTarget, request string, ctx iameval.Context, f func(a action) decision) []*check {
	var reads, writes []action
	for _, a := range items {
		if a.cat == catItemWrite {
			writes = append(writes, a)
		} else {
			reads = append(reads, a)
		}
	}
	var out []*check
	if g.class == "guest" {
		out = append(out, &check{label: label + " (read)", kind: VerdictOwn, request: request, probes: g.probesWant(reads, tg.arn, ctx, f)},
			&check{label: label + " (guest write)", reason: guestWriteReason, request: request, probes: g.probesWant(writes, tg.arn, ctx, f)})
	} else {
		out = append(out, &check{label: label, kind: VerdictOwn, request: request, probes: g.probesWant(items, tg.arn, ctx, f)})
	}
	for _, c := range out {
		g.add(c)
	}
	return out
}

// keylessActions are the item actions AWS can receive without dynamodb:LeadingKeys: PartiQL
// statements that name no key. GetItem and the other item actions always carry the key.
func keylessActions(items []action) (keyless, keyed []action) {
	for _, a := range items {
		if strings.HasPrefix(a.name, "dynamodb:PartiQL") {
			keyless = append(keyless, a)
		} else {
			keyed = append(keyed, a)
		}
	}
	return keyless, keyed
}

func (g *gen) keyless(v tableView, tg tableTarget, items []action) {
	keyless, keyed := keylessActions(items)
	c := &check{label: tg.label + ": no key (PartiQL without a key)",
		reason:  "a request without dynamodb:LeadingKeys is allowed, so it reaches every identity's items",
		request: leadingKeys(), probes: g.probes(keyless, tg.arn, g.session(g.a))}
	guard := &check{label: tg.label + ": item action without a key (not a real request: the Null guard)", warnOnly: true,
		reason:  "a statement lacks the Null {\"dynamodb:LeadingKeys\": \"false\"} guard: AWS always sends the key of these actions, so nothing leaks today, but a keyless action (Scan, PartiQL) added to the statement would reach every identity's items",
		request: leadingKeys(), probes: g.probes(keyed, tg.arn, g.session(g.a))}
	if v.shared {
		c.kind, c.probes = VerdictShared, anyWant(c.probes)
		guard.probes = anyWant(guard.probes)
	}
	g.add(c)
	g.add(guard)
}

// attributeChecks probe an attribute-limited table: within the limit what is declared must be
// allowed; reading, writing, projecting or returning anything else must be denied.
func (g *gen) attributeChecks(v tableView, own []string) {
	if len(own) == 0 || len(v.ops) == 0 {
		return
	}
	key, ok := g.instantiate(own[0], g.a)
	if !ok {
		return
	}
	attrs := v.decl.Attributes
	name := v.tb.label()
	base := func(extra ...string) iameval.Context {
		return g.session(g.a, append([]string{"dynamodb:LeadingKeys", key}, extra...)...)
	}
	with := func(ctx iameval.Context, k string, vals ...string) iameval.Context {
		ctx[k] = vals
		return ctx
	}
	reads := []string{"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"}
	read, write := slices.Contains(v.ops, "read"), slices.Contains(v.ops, "write")
	var within []probe
	for _, a := range reads {
		ctx := with(with(base(), "dynamodb:Attributes", attrs...), "dynamodb:Select", "SPECIFIC_ATTRIBUTES")
		w := allowIf(read, wantAllow)
		if read && a == "dynamodb:BatchGetItem" {
			w = wantAny
		}
		within = append(within, probe{action: a, resource: v.tb.arn, ctx: ctx, want: g.relax(w)})
	}
	for _, rv := range []string{"NONE", "UPDATED_NEW"} {
		ctx := with(with(base(), "dynamodb:Attributes", attrs...), "dynamodb:ReturnValues", rv)
		within = append(within, probe{action: "dynamodb:UpdateItem", resource: v.tb.arn, ctx: ctx, want: g.relax(allowIf(write && g.class != "guest", wantAllow))})
	}
	g.add(&check{label: name + ": own key within the attribute limit", kind: VerdictOwn,
		request: "dynamodb:Attributes=[" + strings.Join(attrs, ", ") + "]", probes: within})

	undeclared := append(append([]string{}, attrs...), "apiless-undeclared")
	var outside []probe
	for _, a := range append(append([]string{}, reads...), "dynamodb:UpdateItem") {
		outside = append(outside, probe{action: a, resource: v.tb.arn, ctx: with(with(base(), "dynamodb:Attributes", undeclared...), "dynamodb:Select", "SPECIFIC_ATTRIBUTES")})
	}
	g.add(&check{label: name + ": own key, an attribute outside the limit", reason: "reads or writes an attribute the manifest does not list",
		request: "dynamodb:Attributes=[..., apiless-undeclared]", probes: outside})

	var whole []probe
	for _, a := range reads {
		// A read without a projection returns every attribute: DynamoDB sends Select ALL_ATTRIBUTES.
		whole = append(whole, probe{action: a, resource: v.tb.arn, ctx: with(base(), "dynamodb:Select", "ALL_ATTRIBUTES")})
	}
	whole = append(whole, probe{action: "dynamodb:Query", resource: v.tb.arn, ctx: with(base(), "dynamodb:Select", "ALL_PROJECTED_ATTRIBUTES")})
	for _, rv := range []string{"ALL_OLD", "ALL_NEW"} {
		whole = append(whole, probe{action: "dynamodb:UpdateItem", resource: v.tb.arn, ctx: with(with(base(), "dynamodb:Attributes", attrs...), "dynamodb:ReturnValues", rv)})
	}
	// These act on or return whole items whatever the limit: PutItem and BatchWriteItem replace
	// them, DeleteItem removes them, and ConditionCheckItem with
	// ReturnValuesOnConditionCheckFailure=ALL_OLD returns them, with no condition key to stop it.
	for _, a := range []string{"dynamodb:PutItem", "dynamodb:BatchWriteItem", "dynamodb:DeleteItem", "dynamodb:ConditionCheckItem"} {
		whole = append(whole, probe{action: a, resource: v.tb.arn, ctx: with(with(base(), "dynamodb:Attributes", attrs...), "dynamodb:ReturnValues", "NONE")})
	}
	g.add(&check{label: name + ": own key, whole items past the attribute limit", reason: "reads, returns or replaces attributes the manifest does not list",
		request: "Select=ALL_ATTRIBUTES, ReturnValues=ALL_*, PutItem, DeleteItem, ConditionCheckItem", probes: whole})
}

// tableWide adds the whole-table, metadata and administration checks.
func (g *gen) tableWide(v tableView) {
	tb := v.tb
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
		kind   Verdict
		reason string
		w      want
	}{
		{catBulk, ": whole-table access (Scan, export, streams, replication)", "", "reads or writes every identity's items at once", wantDeny},
		{catMetadata, ": table metadata", VerdictShared, "", wantAny},
		{catAdmin, ": table administration", "", "changes the table, its backups or its permissions", wantDeny},
	}
	for _, row := range rows {
		c := &check{label: tb.label() + row.label, kind: row.kind, reason: row.reason}
		w := row.w
		if row.cat == catBulk && v.shared {
			c.kind, w = VerdictShared, wantAny
		}
		ctx := g.session(g.a)
		for _, a := range dynamoActions {
			if a.cat != row.cat {
				continue
			}
			for _, k := range a.res {
				for _, arn := range arnFor(k) {
					c.probes = append(c.probes, probe{action: a.name, resource: arn, ctx: ctx, want: w})
				}
			}
		}
		g.add(c)
	}
}
