package iameval

// Pattern intersection: can two policy patterns match a common string? Each pattern is turned into
// a small nondeterministic automaton over characters, and the product of the two automata is
// searched for a pair of states that both accept. No string prefix comparison is involved, so
// wildcards in the middle of a pattern, ? standing for /, and variables of any length are all
// accounted for.

// charClass is the set of characters one automaton step consumes.
type charClass uint8

const (
	cLit      charClass = iota // exactly one rune
	cAny                       // any one character, / included (?, and each step of *)
	cNonSlash                  // any one character except / (each step of a policy variable)
)

type nfaEdge struct {
	class charClass
	r     rune // for cLit
	to    int
}

// nfa is an automaton whose state 0 is the start and whose last state is the only accepting one.
// Every state can reach the accepting state, since every step of a pattern can be satisfied.
type nfa struct {
	edges [][]nfaEdge // consuming edges out of each state
	eps   [][]int     // empty moves out of each state
}

func (a *nfa) newState() int {
	a.edges = append(a.edges, nil)
	a.eps = append(a.eps, nil)
	return len(a.edges) - 1
}

func (a *nfa) edge(from int, c charClass, r rune, to int) {
	a.edges[from] = append(a.edges[from], nfaEdge{class: c, r: r, to: to})
}

func (a *nfa) literal(from int, s string) int {
	for _, r := range s {
		next := a.newState()
		a.edge(from, cLit, r, next)
		from = next
	}
	return from
}

func (a *nfa) accept() int { return len(a.edges) - 1 }

// patternNFA builds the automaton of a policy pattern: * is any run of characters (/ included,
// also none), ? one character, ${*} ${?} ${$} the literal characters, and any other variable one or
// more characters other than / (or its default value, written ${key, 'default'}, when it has one).
// A string that does not parse as a pattern (an unterminated ${) is read as literal text with the
// * and ? wildcards.
func patternNFA(s string) *nfa {
	p, err := compilePattern(s)
	if err != nil {
		p = pattern{raw: s}
		for _, u := range literalUnits(s) {
			switch u.kind {
			case uStar:
				p.parts = append(p.parts, part{kind: pStar})
			case uAny:
				p.parts = append(p.parts, part{kind: pAny})
			default:
				p.parts = append(p.parts, part{kind: pLit, text: string(u.r)})
			}
		}
	}
	a := &nfa{}
	cur := a.newState()
	for _, pt := range p.parts {
		switch pt.kind {
		case pLit:
			cur = a.literal(cur, pt.text)
		case pAny:
			next := a.newState()
			a.edge(cur, cAny, 0, next)
			cur = next
		case pStar:
			// A fresh state for the loop, so that the loop cannot be taken again after a later
			// step has been made from the same state.
			loop := a.newState()
			a.eps[cur] = append(a.eps[cur], loop)
			a.edge(loop, cAny, 0, loop)
			cur = loop
		case pVar:
			start := cur
			run := a.newState()
			a.edge(start, cNonSlash, 0, run)
			a.edge(run, cNonSlash, 0, run)
			end := a.newState()
			a.eps[run] = append(a.eps[run], end)
			if pt.def != nil {
				last := a.literal(start, *pt.def)
				a.eps[last] = append(a.eps[last], end)
			}
			cur = end
		}
	}
	// The last state must be the accepting one; add an empty move if a branch ended elsewhere.
	if cur != a.accept() {
		end := a.newState()
		a.eps[cur] = append(a.eps[cur], end)
	}
	return a
}

// meet reports whether two character classes share a character. The alphabet is unbounded, so two
// wildcard classes always do.
func meet(x, y nfaEdge) bool {
	switch {
	case x.class == cLit && y.class == cLit:
		return x.r == y.r
	case x.class == cLit:
		return y.class == cAny || x.r != '/'
	case y.class == cLit:
		return x.class == cAny || y.r != '/'
	}
	return true
}

// intersect searches the product of a and b for a reachable pair of states accepted by done.
func intersect(a, b *nfa, done func(sa, sb int) bool) bool {
	type pair struct{ a, b int }
	seen := map[pair]bool{{0, 0}: true}
	queue := []pair{{0, 0}}
	push := func(p pair) {
		if !seen[p] {
			seen[p] = true
			queue = append(queue, p)
		}
	}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if done(p.a, p.b) {
			return true
		}
		for _, e := range a.eps[p.a] {
			push(pair{e, p.b})
		}
		for _, e := range b.eps[p.b] {
			push(pair{p.a, e})
		}
		for _, x := range a.edges[p.a] {
			for _, y := range b.edges[p.b] {
				if meet(x, y) {
					push(pair{x.to, y.to})
				}
			}
		}
	}
	return false
}

// Overlaps reports whether some string is matched by both policy patterns p and q, as they appear
// in a Resource ARN or a StringLike value: * matches any run of characters, / included and also
// none; ? matches exactly one character; ${*}, ${?} and ${$} are the literal characters *, ? and $;
// any other policy variable, such as ${cognito-identity.amazonaws.com:sub} or
// ${aws:PrincipalTag/tenant}, matches one or more characters none of which is / (or its default
// value, when written ${key, 'default'}). Matching is case sensitive, as S3 keys are.
//
// The variable rule is an assumption about the values: an identity ID (region:GUID) and a tenant
// tag guarded against / never contain /, and a variable with no value makes IAM match nothing, so
// the empty string is not a value either. A pattern whose variables can hold / would need a
// different rule.
//
// A Resource ARN is matched by IAM component by component (a * in the service or region does not
// cross a colon); Overlaps matches the whole string, so for ARNs it may report an overlap that IAM's
// component rule rules out, never miss one.
func Overlaps(p, q string) bool {
	a, b := patternNFA(p), patternNFA(q)
	return intersect(a, b, func(sa, sb int) bool { return sa == a.accept() && sb == b.accept() })
}

// OverlapsPrefix reports whether some string matched by p is a prefix of some string matched by q,
// or the other way round, with the pattern rules of [Overlaps]. It tells whether an s3:prefix
// listing pattern (team/lock) can reach into a folder pattern (team/locked/*): the listing names
// every key that starts with the prefix.
func OverlapsPrefix(p, q string) bool {
	a, b := patternNFA(p), patternNFA(q)
	// Every state of these automata can still reach acceptance, so a run that has finished one
	// pattern anywhere inside the other has matched a prefix of some string of the other.
	return intersect(a, b, func(sa, sb int) bool { return sa == a.accept() || sb == b.accept() })
}
