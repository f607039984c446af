package isolation

import (
	"strings"

	"github.com/apiless/apiless/iameval"
	"github.com/apiless/apiless/manifest"
)

func (g *gen) s3() {
	for _, b := range g.w.buckets {
		g.bucket(b)
	}
	g.account("S3", s3Actions)
}

// rulesOf returns the rules the role is judged by on a bucket: the manifest's, or strict mode's.
func (g *gen) rulesOf(b *bucketInfo) []*rule {
	if g.decl != nil {
		return b.decls[g.decl]
	}
	return b.strict
}

// fill gives a rule's folder the token values of an identity.
func (g *gen) fill(r *rule, id ident) string {
	parts := make([]string, len(r.segs))
	for i, s := range r.segs {
		switch s.tok {
		case manifest.IdentityToken:
			parts[i] = id.sub
		case manifest.TenantToken:
			parts[i] = id.tags[g.tenantTag()]
		default:
			parts[i] = s.lit
		}
	}
	return strings.Join(parts, "/")
}

// beforeToken is the folder up to a rule's first token, e.g. "private/" for private/{identity}.
func (r *rule) beforeToken() (string, bool) {
	var parts []string
	for _, s := range r.segs {
		if s.tok != "" {
			return strings.Join(append(parts, ""), "/"), true
		}
		parts = append(parts, s.lit)
	}
	return "", false
}

// target is one object key or listing prefix the check tries, with what it stands for.
type target struct {
	label     string
	key       string
	own       bool
	noPrefix  bool
	delimited bool
}

func addTarget(list []target, t target) []target {
	for _, have := range list {
		if have.key == t.key && have.noPrefix == t.noPrefix && have.delimited == t.delimited {
			return list
		}
	}
	return append(list, t)
}

// objectTargets are the keys to try: in every rule's folder for A, B and A's teammate, beside
// the owner folders, every key a policy names, and outside every rule.
func (g *gen) objectTargets(b *bucketInfo, rules []*rule) []target {
	var out []target
	for _, r := range rules {
		label := b.label() + " " + r.path
		if _, tokens := r.beforeToken(); !tokens {
			out = addTarget(out, target{label: label + ": object in the folder", key: r.folder + "/apiless-probe"})
			continue
		}
		noun := "identity"
		if !r.hasToken(manifest.IdentityToken) {
			noun = "tenant"
		}
		out = addTarget(out, target{label: label + ": own object", key: g.fill(r, g.a) + "/apiless-probe", own: true})
		out = addTarget(out, target{label: label + ": other " + noun + "'s object", key: g.fill(r, g.b) + "/apiless-probe"})
		if r.hasToken(manifest.IdentityToken) && r.hasToken(manifest.TenantToken) {
			out = addTarget(out, target{label: label + ": teammate's object (same tenant, other identity)", key: g.fill(r, g.mate) + "/apiless-probe"})
		}
		root, _ := r.beforeToken()
		out = addTarget(out, target{label: b.label() + " " + root + "*: object beside the owner folders", key: root + "apiless-probe"})
	}
	for _, p := range append(append([]string{}, b.identityPaths...), b.sharedPaths...) {
		s, ok, err := iameval.Substitute(p, g.session(g.a))
		if err != nil || !ok {
			continue
		}
		out = addTarget(out, target{label: b.label() + " " + display(p) + ": object a policy names", key: fillWildcards(s)})
		if o, ok, _ := iameval.Substitute(p, g.session(g.b)); ok && o != s {
			out = addTarget(out, target{label: b.label() + " " + display(p) + ": object a policy names, for another identity", key: fillWildcards(o)})
		}
	}
	out = addTarget(out, target{label: b.label() + ": object outside every rule", key: "apiless-probe-outside/apiless-probe"})
	return addTarget(out, target{label: b.label() + ": object at the bucket root", key: "apiless-probe"})
}

// listTargets are the listing prefixes to try: each folder (own, another's, a teammate's), the
// folder above the owner folders, prefixes that stop inside a nested rule's folder name, every
// prefix a policy names, a prefix outside every rule and no prefix.
func (g *gen) listTargets(b *bucketInfo, rules []*rule) []target {
	var out []target
	both := func(t target) {
		out = addTarget(out, t)
		t.label += " (delimiter /)"
		t.delimited = true
		out = addTarget(out, t)
	}
	for _, r := range rules {
		label := b.label() + " " + r.path
		root, tokens := r.beforeToken()
		if !tokens {
			both(target{label: label + ": list the folder", key: r.folder + "/"})
		} else {
			both(target{label: label + ": list own folder", key: g.fill(r, g.a) + "/", own: true})
			out = addTarget(out, target{label: label + ": list another's folder", key: g.fill(r, g.b) + "/"})
			if r.hasToken(manifest.IdentityToken) && r.hasToken(manifest.TenantToken) {
				out = addTarget(out, target{label: label + ": list teammate's folder", key: g.fill(r, g.mate) + "/"})
			}
			out = addTarget(out, target{label: b.label() + " " + root + "*: list every owner's folder", key: root})
		}
		for _, parent := range rules {
			if !r.under(parent) || tokens {
				continue
			}
			start := len(parent.folder) + 1
			for _, end := range []int{start + 1, len(r.folder) - 1, len(r.folder)} {
				if end > start && end <= len(r.folder) {
					out = addTarget(out, target{label: label + ": list a prefix of the nested folder", key: r.folder[:end]})
				}
			}
		}
	}
	for _, p := range b.prefixes {
		s, ok, err := iameval.Substitute(p, g.session(g.a))
		if err != nil || !ok {
			continue
		}
		for _, fill := range []string{"", "apiless-probe"} {
			k := strings.NewReplacer("*", fill, "?", "x").Replace(s)
			out = addTarget(out, target{label: b.label() + ": list a prefix a policy names", key: k})
		}
	}
	out = addTarget(out, target{label: b.label() + ": list outside every rule", key: "apiless-probe-outside/"})
	return addTarget(out, target{label: b.label() + ": list without a prefix", noPrefix: true})
}

func (g *gen) bucket(b *bucketInfo) {
	rules := g.rulesOf(b)
	c := g.caller()
	objAll := append(actionsIn(s3Actions, catObjectRead, resObject), actionsIn(s3Actions, catObjectWrite, resObject)...)
	reads, writes := actionsIn(s3Actions, catObjectRead, resObject), actionsIn(s3Actions, catObjectWrite, resObject)
	for _, t := range g.objectTargets(b, rules) {
		key := t.key
		f := func(a action) decision {
			op, primary := storageOp(a)
			d := objectDecision(rules, c, key, op)
			if d.want == wantAllow && !primary {
				d.want = wantAny
			}
			return d
		}
		kind := VerdictShared
		if t.own {
			kind = VerdictOwn
		}
		if g.class == "guest" && t.own {
			g.add(&check{label: t.label + " (read)", kind: kind, probes: g.probesWant(reads, b.arn+"/"+key, g.session(g.a), f)})
			g.add(&check{label: t.label + " (guest write)", probes: g.probesWant(writes, b.arn+"/"+key, g.session(g.a), f)})
			continue
		}
		g.add(&check{label: t.label, kind: kind, probes: g.probesWant(objAll, b.arn+"/"+key, g.session(g.a), f)})
	}
	lists := actionsIn(s3Actions, catList, resBucket)
	for _, t := range g.listTargets(b, rules) {
		var extra []string
		request := "no s3:prefix"
		if !t.noPrefix {
			extra = append(extra, "s3:prefix", t.key)
			request = "s3:prefix=" + t.key
		}
		if t.delimited {
			extra = append(extra, "s3:delimiter", "/")
			request += ", s3:delimiter=/"
		}
		d := decision{wantDeny, "lists every object key in the bucket"}
		if !t.noPrefix {
			d = listDecision(rules, c, t.key, t.delimited)
		}
		// A declared listing must work as folder browsers ask for it, with the "/" delimiter;
		// without one it may be refused (a parent whose nested folder is not listed must be).
		if !t.delimited && d.want == wantAllow {
			d.want = wantAny
		}
		chk := &check{label: t.label, kind: VerdictShared, request: request}
		if t.own {
			chk.kind = VerdictOwn
		}
		chk.probes = g.probesWant(lists, b.arn, g.session(g.a, extra...), func(a action) decision {
			if _, primary := storageOp(a); d.want == wantAllow && !primary {
				return decision{wantAny, ""}
			}
			return d
		})
		g.add(chk)
	}
	name := b.label()
	g.add(&check{label: name + ": list in-progress uploads",
		reason: "lists the keys of every identity's unfinished uploads (IAM has no prefix key for it)",
		probes: g.probes(actionsIn(s3Actions, catUploads, resBucket), b.arn, g.session(g.a))})
	g.add(&check{label: name + ": bucket metadata", kind: VerdictShared,
		probes: anyWant(g.probes(actionsIn(s3Actions, catMetadata, resBucket), b.arn, g.session(g.a)))})
	g.add(&check{label: name + ": bucket administration",
		reason: "changes the bucket or its permissions", probes: g.probes(actionsIn(s3Actions, catAdmin, resBucket), b.arn, g.session(g.a))})
}
