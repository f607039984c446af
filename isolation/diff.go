package isolation

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"path"
	"slices"
	"strings"

	"github.com/apiless/apiless/iameval"
)

// Change is one difference between two templates, for one audience and one check: the actions
// that became allowed (a gain) or denied (a loss).
type Change struct {
	// Audience is who holds the role: authenticated, guest, group <name>, rule <...>; a check on
	// tenant-keyed data is reported for "tenant members (<audience>)".
	Audience string `json:"audience"`
	// Kind is trust (who can assume the role), table, index, bucket or account.
	Kind string `json:"kind"`
	// Check is the isolation check whose requests changed, e.g.
	// "bucket AccessFiles94368A56 public/*: object in the folder".
	Check string `json:"check"`
	// Request is the request context that matters, when the check names one.
	Request string `json:"request,omitempty"`
	// Actions are the actions whose decision changed.
	Actions []string `json:"actions"`
	// Allowed says whether an allow-list entry (or --allow-gain) accepted a gain.
	Allowed bool `json:"allowed,omitempty"`
}

// Key is the change's allow-list form: "audience | check | action". An allow-list line is this,
// with * matching any run of characters in each part.
func (c Change) Key(action string) string {
	return c.Audience + " | " + c.Check + " | " + action
}

// AudienceDiff is what one audience gains and loses between two templates. Roles are matched by
// audience, never by logical ID: renaming a role changes nothing here.
type AudienceDiff struct {
	Audience string   `json:"audience"`
	OldRoles []string `json:"oldRoles,omitempty"`
	NewRoles []string `json:"newRoles,omitempty"`
	Gained   []Change `json:"gained"`
	Lost     []Change `json:"lost"`
}

// Diff is the permission difference between two templates.
type Diff struct {
	Audiences []AudienceDiff `json:"audiences"`
	// Requests is the number of authorization requests evaluated, on both templates.
	Requests int `json:"requests"`
}

// Gains returns every gained change, in report order.
func (d *Diff) Gains() []Change { return d.collect(func(a AudienceDiff) []Change { return a.Gained }) }

// Losses returns every lost change, in report order.
func (d *Diff) Losses() []Change { return d.collect(func(a AudienceDiff) []Change { return a.Lost }) }

func (d *Diff) collect(f func(AudienceDiff) []Change) []Change {
	var out []Change
	for _, a := range d.Audiences {
		out = append(out, f(a)...)
	}
	return out
}

// Empty reports whether no audience gains or loses anything.
func (d *Diff) Empty() bool { return len(d.Gains())+len(d.Losses()) == 0 }

// Unallowed returns the gains no allow-list entry accepted.
func (d *Diff) Unallowed() []Change {
	var out []Change
	for _, c := range d.Gains() {
		if !c.Allowed {
			out = append(out, c)
		}
	}
	return out
}

// DiffTemplates evaluates two synthesized templates with the same requests and returns, per
// audience, what it gains and loses from old to new. Every check of both templates' isolation
// proofs runs on both, so a check that only the new template gives rise to (a new folder, a
// policy naming a new path) is still compared with what the old template allowed. Templates that
// say the same in another order (statements, actions, resources) give an empty diff.
func DiffTemplates(oldJSON, newJSON []byte, opts Options) (*Diff, error) {
	oldW, err := diffWorld(oldJSON, opts)
	if err != nil {
		return nil, fmt.Errorf("old template: %w", err)
	}
	newW, err := diffWorld(newJSON, opts)
	if err != nil {
		return nil, fmt.Errorf("new template: %w", err)
	}
	oldRoles, newRoles := rolesByAudience(oldW), rolesByAudience(newW)
	audiences := maps.Clone(oldRoles)
	maps.Copy(audiences, newRoles)
	d := &Diff{Audiences: []AudienceDiff{}}
	for _, k := range slices.Sorted(maps.Keys(audiences)) {
		ad, n, err := diffAudience(k, side{oldW, oldRoles[k]}, side{newW, newRoles[k]})
		if err != nil {
			return nil, err
		}
		d.Requests += n
		if len(ad.Gained)+len(ad.Lost) > 0 {
			d.Audiences = append(d.Audiences, ad)
		}
	}
	return d, nil
}

func diffWorld(raw []byte, opts Options) (*world, error) {
	t, err := iameval.ParseTemplate(raw, iameval.Env{})
	if err != nil {
		return nil, err
	}
	return discover(t, raw, opts)
}

// rolesByAudience keys the roles identity pools hand out by who gets them. With several
// identity pools in one template the pool's logical ID tells them apart.
func rolesByAudience(w *world) map[string]*poolRole {
	out := map[string]*poolRole{}
	for _, r := range w.roles {
		var auds []string
		for _, a := range r.audiences {
			auds = append(auds, a.String())
		}
		slices.Sort(auds)
		k := strings.Join(auds, ", ")
		if len(w.pools) > 1 && r.pool != nil {
			k += " of identity pool " + r.pool.label()
		}
		out[k] = r
	}
	return out
}

// side is one template and the role it gives an audience (nil when it gives none).
type side struct {
	w *world
	r *poolRole
}

// translate rewrites a probe built for one side into the other side's terms: the role's ARN, the
// identity pool's ID and its user pool, which the templates may name differently.
func translate(from, to side) func(string) string {
	if from.r == nil || to.r == nil {
		return func(s string) string { return s }
	}
	var pairs []string
	add := func(a, b string) {
		if a != "" && b != "" && a != b {
			pairs = append(pairs, a, b)
		}
	}
	add(from.r.role.ARN, to.r.role.ARN)
	if from.r.pool != nil && to.r.pool != nil {
		add(from.r.pool.id, to.r.pool.id)
		if len(from.r.pool.userPools) > 0 && len(to.r.pool.userPools) > 0 {
			add(from.r.pool.userPools[0], to.r.pool.userPools[0])
		}
	}
	rep := strings.NewReplacer(pairs...)
	return rep.Replace
}

func translateProbe(p probe, tr func(string) string) probe {
	out := p
	out.resource = tr(p.resource)
	out.ctx = iameval.Context{}
	for k, vs := range p.ctx {
		for _, v := range vs {
			out.ctx[k] = append(out.ctx[k], tr(v))
		}
	}
	return out
}

// diffCheck is one check with the probes of both sides, each kept in both sides' terms.
type diffCheck struct {
	label, request string
	old, new       []probe
}

// sideChecks builds the checks one side's isolation proof runs for a role and a class.
func sideChecks(s side, class string) []*check {
	if s.r == nil || !slices.Contains(s.r.classes(), class) {
		return nil
	}
	g := newGen(s.w, s.r, class)
	g.trust()
	g.dynamo()
	g.s3()
	return g.checks
}

func diffAudience(key string, o, n side) (AudienceDiff, int, error) {
	ad := AudienceDiff{Audience: key, Gained: []Change{}, Lost: []Change{}}
	if o.r != nil {
		ad.OldRoles = []string{o.r.role.LogicalID}
	}
	if n.r != nil {
		ad.NewRoles = []string{n.r.role.LogicalID}
	}
	classes := []string{}
	for _, s := range []side{o, n} {
		if s.r != nil {
			for _, c := range s.r.classes() {
				if !slices.Contains(classes, c) {
					classes = append(classes, c)
				}
			}
		}
	}
	requests := 0
	for _, class := range classes {
		aud := key
		if len(classes) > 1 && class == "guest" {
			aud += " [as guest]"
		}
		checks := mergeChecks(o, n, class)
		for _, c := range checks {
			gained, lost, err := c.compare(o, n)
			if err != nil {
				return ad, 0, err
			}
			requests += 2 * len(c.new)
			ch := Change{Audience: changeAudience(aud, c, tenantValues(o, n)), Kind: checkKind(c.label), Check: c.label, Request: c.request}
			if len(gained) > 0 {
				ch.Actions = gained
				ad.Gained = append(ad.Gained, ch)
			}
			if len(lost) > 0 {
				ch.Actions = lost
				ad.Lost = append(ad.Lost, ch)
			}
		}
	}
	return ad, requests, nil
}

// mergeChecks joins the checks of both sides by label and request, and gives each probe in
// both sides' terms.
func mergeChecks(o, n side, class string) []*diffCheck {
	var out []*diffCheck
	byKey := map[string]*diffCheck{}
	seen := map[string]map[string]bool{}
	add := func(from side, checks []*check, toOld, toNew func(string) string) {
		for _, c := range checks {
			k := c.label + "\x00" + c.request
			dc, ok := byKey[k]
			if !ok {
				dc = &diffCheck{label: c.label, request: c.request}
				byKey[k] = dc
				seen[k] = map[string]bool{}
				out = append(out, dc)
			}
			for _, p := range c.probes {
				pn := translateProbe(p, toNew)
				id := probeID(pn)
				if seen[k][id] {
					continue
				}
				seen[k][id] = true
				dc.old = append(dc.old, translateProbe(p, toOld))
				dc.new = append(dc.new, pn)
			}
		}
	}
	ident := func(s string) string { return s }
	add(o, sideChecks(o, class), ident, translate(o, n))
	add(n, sideChecks(n, class), translate(n, o), ident)
	return out
}

func probeID(p probe) string {
	var b strings.Builder
	b.WriteString(p.action + "\x00" + p.resource)
	if p.principal != nil {
		b.WriteString("\x00" + p.principal.Type + "=" + p.principal.ID)
	}
	for _, k := range slices.Sorted(maps.Keys(p.ctx)) {
		b.WriteString("\x00" + k + "=" + strings.Join(p.ctx[k], ","))
	}
	return b.String()
}

// compare evaluates every probe on both sides and returns the actions of the probes only the
// new side allows and of those only the old side allows.
func (c *diffCheck) compare(o, n side) (gained, lost []string, err error) {
	for i := range c.new {
		before, err := allowedOn(o, c.old[i])
		if err != nil {
			return nil, nil, fmt.Errorf("old template: %w", err)
		}
		after, err := allowedOn(n, c.new[i])
		if err != nil {
			return nil, nil, fmt.Errorf("new template: %w", err)
		}
		a := c.new[i].action
		switch {
		case after && !before && !slices.Contains(gained, a):
			gained = append(gained, a)
		case before && !after && !slices.Contains(lost, a):
			lost = append(lost, a)
		}
	}
	slices.Sort(gained)
	slices.Sort(lost)
	return gained, lost, nil
}

func allowedOn(s side, p probe) (bool, error) {
	if s.r == nil {
		return false, nil
	}
	if p.principal != nil {
		return iameval.AssumeRole(s.r.role, *p.principal, p.action, p.ctx).Allowed(), nil
	}
	res, err := s.w.t.Authorize(s.r.role, p.action, p.resource, p.ctx)
	if err != nil {
		return false, fmt.Errorf("role %s: %w", s.r.role.LogicalID, err)
	}
	return res.Allowed(), nil
}

func checkKind(label string) string {
	switch {
	case strings.HasPrefix(label, "trust:"):
		return "trust"
	case strings.HasPrefix(label, "table ") && strings.Contains(strings.SplitN(label, ":", 2)[0], " index "):
		return "index"
	case strings.HasPrefix(label, "table "):
		return "table"
	case strings.HasPrefix(label, "bucket "):
		return "bucket"
	}
	return "account"
}

// changeAudience names tenant members for checks on tenant-keyed folders and keys: a {tenant}
// or {tag:...} path, or a request keyed by the tenant the check plays.
func changeAudience(aud string, c *diffCheck, tenants []string) string {
	tenant := strings.Contains(c.label, "{tenant}") || strings.Contains(c.label, "{tag:")
	for _, v := range tenants {
		tenant = tenant || strings.Contains(c.request, "["+v+"]") || strings.Contains(c.request, "/"+v+"/")
	}
	if tenant {
		return "tenant members (" + aud + ")"
	}
	return aud
}

// tenantValues are the principal tag values of identity A, the tenant the checks play.
func tenantValues(sides ...side) []string {
	var out []string
	for _, s := range sides {
		for _, v := range identityA(s.w).tags {
			if !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
	}
	return out
}

// AllowList is a reviewed list of gains that are intended: one "audience | check | action" entry
// per line, * matching any run of characters within a part; # starts a comment.
type AllowList struct {
	entries [][3]string
}

// ParseAllowList reads an allow-list file's content. A line that is not three parts separated by
// " | " is an error naming the line.
func ParseAllowList(data []byte) (*AllowList, error) {
	al := &AllowList{}
	var problems []string
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.Split(line, " | ")
		if len(parts) != 3 {
			problems = append(problems, fmt.Sprintf("line %d: %q is not \"audience | check | action\"", i+1, line))
			continue
		}
		var e [3]string
		for j, p := range parts {
			e[j] = strings.TrimSpace(p)
			if _, err := path.Match(globPattern(e[j]), ""); err != nil {
				problems = append(problems, fmt.Sprintf("line %d: bad pattern %q", i+1, e[j]))
			}
		}
		al.entries = append(al.entries, e)
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("allow-list: %s", strings.Join(problems, "; "))
	}
	return al, nil
}

// globPattern turns an allow-list part into a path.Match pattern where only * is special and
// matches across "/".
func globPattern(s string) string {
	s = strings.NewReplacer(`\`, `\\`, "?", `\?`, "[", `\[`, "/", "\x01").Replace(s)
	return s
}

func globMatch(pattern, s string) bool {
	ok, _ := path.Match(globPattern(pattern), strings.ReplaceAll(s, "/", "\x01"))
	return ok
}

// Allows reports whether the list accepts gaining action in change c.
func (al *AllowList) Allows(c Change, action string) bool {
	if al == nil {
		return false
	}
	for _, e := range al.entries {
		if globMatch(e[0], c.Audience) && globMatch(e[1], c.Check) && globMatch(e[2], action) {
			return true
		}
	}
	return false
}

// Apply marks every gain whose actions the list all accepts (or every gain, with all) as allowed.
func (d *Diff) Apply(al *AllowList, all bool) {
	for i := range d.Audiences {
		for j, c := range d.Audiences[i].Gained {
			ok := all
			if !ok && al != nil {
				ok = true
				for _, a := range c.Actions {
					ok = ok && al.Allows(c, a)
				}
			}
			d.Audiences[i].Gained[j].Allowed = ok
		}
	}
}

// JSON returns the diff as indented JSON.
func (d *Diff) JSON() ([]byte, error) { return json.MarshalIndent(d, "", "  ") }

// WriteText writes the diff per audience: every gain (+) and loss (-) with its actions.
func (d *Diff) WriteText(w io.Writer) error {
	var b bytes.Buffer
	for i, a := range d.Audiences {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "%s (%s)\n", a.Audience, roleNames(a))
		for _, c := range a.Gained {
			mark := "+ gains"
			if c.Allowed {
				mark = "+ gains (allowed)"
			}
			writeChange(&b, mark, c)
		}
		for _, c := range a.Lost {
			writeChange(&b, "- loses", c)
		}
	}
	g, l, u := len(d.Gains()), len(d.Losses()), len(d.Unallowed())
	if len(d.Audiences) > 0 {
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "%s gained (%d not allowed), %s lost; %d requests evaluated\n",
		plural(g, "check"), u, plural(l, "check"), d.Requests)
	_, err := w.Write(b.Bytes())
	return err
}

func writeChange(b *bytes.Buffer, mark string, c Change) {
	fmt.Fprintf(b, "  %s %s", mark, c.Check)
	if c.Audience != "" && strings.HasPrefix(c.Audience, "tenant members") {
		fmt.Fprintf(b, " [%s]", c.Audience)
	}
	if c.Request != "" {
		fmt.Fprintf(b, " (%s)", c.Request)
	}
	fmt.Fprintf(b, ": %s\n", strings.Join(c.Actions, " "))
}

func roleNames(a AudienceDiff) string {
	switch {
	case len(a.OldRoles) == 0:
		return "new role " + strings.Join(a.NewRoles, ", ")
	case len(a.NewRoles) == 0:
		return "role " + strings.Join(a.OldRoles, ", ") + " removed"
	case slices.Equal(a.OldRoles, a.NewRoles):
		return "role " + strings.Join(a.NewRoles, ", ")
	}
	return "role " + strings.Join(a.OldRoles, ", ") + " -> " + strings.Join(a.NewRoles, ", ")
}

// WriteMarkdown writes a short summary for a pull-request comment: one table row per audience
// with the number of checks gained and lost, then the gains that are not allowed.
func (d *Diff) WriteMarkdown(w io.Writer) error {
	var b bytes.Buffer
	u := d.Unallowed()
	switch {
	case d.Empty():
		b.WriteString("**apiless diff**: no audience gains or loses any permission.\n")
	case len(u) == 0:
		fmt.Fprintf(&b, "**apiless diff**: %s gained (all allowed), %s lost.\n", plural(len(d.Gains()), "check"), plural(len(d.Losses()), "check"))
	default:
		fmt.Fprintf(&b, "**apiless diff**: :warning: %s gained without approval, %s lost.\n", plural(len(u), "check"), plural(len(d.Losses()), "check"))
	}
	if !d.Empty() {
		b.WriteString("\n| Audience | Gained | Lost |\n|---|---|---|\n")
		for _, a := range d.Audiences {
			fmt.Fprintf(&b, "| %s | %d | %d |\n", mdEscape(a.Audience), len(a.Gained), len(a.Lost))
		}
	}
	if len(u) > 0 {
		b.WriteString("\nGained without approval:\n\n")
		for i, c := range u {
			if i == markdownGains {
				fmt.Fprintf(&b, "- and %d more (run `apiless diff` for all)\n", len(u)-i)
				break
			}
			fmt.Fprintf(&b, "- **%s**: %s: `%s`\n", mdEscape(c.Audience), mdEscape(c.Check), strings.Join(c.Actions, " "))
		}
	}
	_, err := w.Write(b.Bytes())
	return err
}

// markdownGains is how many unallowed gains the Markdown summary lists.
const markdownGains = 10

func mdEscape(s string) string {
	return strings.NewReplacer("|", `\|`, "*", `\*`, "_", `\_`).Replace(s)
}
