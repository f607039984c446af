package iameval

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A pattern is a policy string (a Resource entry, a condition value) compiled once: literal text,
// the * and ? wildcards, and ${...} policy variables.
type pattern struct {
	raw   string
	parts []part
	// static holds the units of a pattern without variables, computed once: most patterns have
	// none, and evaluation runs thousands of times per template.
	static []unit
	hasVar bool
}

type partKind uint8

const (
	pLit partKind = iota
	pStar
	pAny
	pVar
)

type part struct {
	kind partKind
	text string  // literal text, or the variable's context key in lower case
	def  *string // the variable's default value, written ${key, 'default'}
}

// compilePattern parses a policy string. ${*}, ${?} and ${$} are the literal characters, so that
// a policy can match an asterisk without it being a wildcard.
func compilePattern(s string) (pattern, error) {
	p := pattern{raw: s}
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			p.parts = append(p.parts, part{kind: pLit, text: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); {
		switch {
		case s[i] == '*':
			flush()
			p.parts = append(p.parts, part{kind: pStar})
			i++
		case s[i] == '?':
			flush()
			p.parts = append(p.parts, part{kind: pAny})
			i++
		case strings.HasPrefix(s[i:], "${"):
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				return p, fmt.Errorf("unterminated policy variable in %q", s)
			}
			inner := s[i+2 : i+end]
			i += end + 1
			switch inner {
			case "*", "?", "$":
				lit.WriteString(inner)
				continue
			}
			v, err := parseVariable(inner, s)
			if err != nil {
				return p, err
			}
			flush()
			p.parts = append(p.parts, v)
		default:
			lit.WriteByte(s[i])
			i++
		}
	}
	flush()
	p.hasVar = p.hasVariables()
	if !p.hasVar {
		p.static, _ = p.expand(nil)
	}
	return p, nil
}

// parseVariable reads the inside of ${...}: a context key, optionally followed by a default value
// in single quotes, ${key, 'default'}. s is the whole pattern, for errors.
func parseVariable(inner, s string) (part, error) {
	name, def, hasDef := strings.Cut(inner, ",")
	name = strings.TrimSpace(name)
	if name == "" {
		return part{}, fmt.Errorf("empty policy variable in %q", s)
	}
	v := part{kind: pVar, text: strings.ToLower(name)}
	if hasDef {
		d := strings.TrimSpace(def)
		if len(d) < 2 || d[0] != '\'' || d[len(d)-1] != '\'' {
			return part{}, fmt.Errorf("default value of ${%s} must be in single quotes in %q", name, s)
		}
		d = strings.ReplaceAll(d[1:len(d)-1], "''", "'")
		v.def = &d
	}
	return v, nil
}

// hasVariables reports whether the pattern uses any policy variable.
func (p pattern) hasVariables() bool {
	for _, pt := range p.parts {
		if pt.kind == pVar {
			return true
		}
	}
	return false
}

type unitKind uint8

const (
	uLit unitKind = iota
	uStar
	uAny
)

// unit is one matching step after variables are substituted: a literal rune or a wildcard. Text
// that came from a variable's value is always literal.
type unit struct {
	kind unitKind
	r    rune
}

// expand substitutes policy variables from the request context. It reports false when a variable
// has no single value and no default: AWS then treats the entry as matching nothing.
func (p pattern) expand(ctx *reqContext) ([]unit, bool) {
	if p.static != nil {
		return p.static, true
	}
	var out []unit
	lit := func(s string) {
		for _, r := range s {
			out = append(out, unit{kind: uLit, r: r})
		}
	}
	for _, pt := range p.parts {
		switch pt.kind {
		case pLit:
			lit(pt.text)
		case pStar:
			out = append(out, unit{kind: uStar})
		case pAny:
			out = append(out, unit{kind: uAny})
		case pVar:
			if v, ok := ctx.single(pt.text); ok {
				lit(v)
			} else if pt.def != nil {
				lit(*pt.def)
			} else {
				return nil, false
			}
		}
	}
	return out, true
}

// literalString renders units as plain text, wildcards included as characters: operators such as
// StringEquals do not treat * and ? as wildcards.
func literalString(us []unit) string {
	var b strings.Builder
	for _, u := range us {
		switch u.kind {
		case uStar:
			b.WriteByte('*')
		case uAny:
			b.WriteByte('?')
		default:
			b.WriteRune(u.r)
		}
	}
	return b.String()
}

// glob matches s against units: * matches any run of characters (also none), ? exactly one.
func glob(pat []unit, s string, fold bool) bool {
	pi, si := 0, 0
	starP, starS := -1, 0
	for si < len(s) {
		r, size := rune(s[si]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[si:])
		}
		if pi < len(pat) {
			switch pat[pi].kind {
			case uStar:
				starP, starS = pi, si
				pi++
				continue
			case uAny:
				pi++
				si += size
				continue
			case uLit:
				if pat[pi].r == r || (fold && unicode.ToLower(pat[pi].r) == unicode.ToLower(r)) {
					pi++
					si += size
					continue
				}
			}
		}
		if starP >= 0 {
			// Let the last star swallow one more character and retry from there.
			pi = starP + 1
			_, n := utf8.DecodeRuneInString(s[starS:])
			starS += n
			si = starS
			continue
		}
		return false
	}
	for pi < len(pat) && pat[pi].kind == uStar {
		pi++
	}
	return pi == len(pat)
}

// matchARN matches an ARN the way IAM matches Resource entries and ArnLike values: case
// sensitively, each of the six colon-separated components on its own, the last one (the resource)
// including any further colons. A lone * matches anything, also values that are not ARNs.
func matchARN(pat []unit, s string) bool {
	if len(pat) == 1 && pat[0].kind == uStar {
		return true
	}
	ps := splitUnits(pat, 6)
	ss := strings.SplitN(s, ":", 6)
	if len(ps) != 6 || len(ss) != 6 {
		// Not ARN shaped on one side: fall back to matching the whole string.
		return glob(pat, s, false)
	}
	for i := range ps {
		if !glob(ps[i], ss[i], false) {
			return false
		}
	}
	return true
}

// splitUnits splits units at literal colons into at most n components.
func splitUnits(us []unit, n int) [][]unit {
	var out [][]unit
	start := 0
	for i, u := range us {
		if len(out) == n-1 {
			break
		}
		if u.kind == uLit && u.r == ':' {
			out = append(out, us[start:i])
			start = i + 1
		}
	}
	return append(out, us[start:])
}

// matchAction matches an action name against an Action entry: case insensitively, with wildcards.
func matchAction(pat []unit, action string) bool {
	return glob(pat, action, true)
}

// literalUnits turns a string into units where * and ? are wildcards and nothing else is special,
// which is how Action and NotAction entries are read (they take no policy variables).
func literalUnits(s string) []unit {
	out := make([]unit, 0, len(s))
	for _, r := range s {
		switch r {
		case '*':
			out = append(out, unit{kind: uStar})
		case '?':
			out = append(out, unit{kind: uAny})
		default:
			out = append(out, unit{kind: uLit, r: r})
		}
	}
	return out
}

// Substitute replaces the policy variables of a policy string (a Resource entry, a condition
// value) with their values from ctx, exactly as evaluation does. Wildcards stay in the result as
// * and ?. It reports false when a variable has no single value and no default.
func Substitute(s string, ctx Context) (string, bool, error) {
	p, err := compilePattern(s)
	if err != nil {
		return "", false, err
	}
	us, ok := p.expand(newReqContext(ctx))
	if !ok {
		return "", false, nil
	}
	return literalString(us), true, nil
}

// MatchResource reports whether a Resource entry, with its variables taken from ctx, matches a
// resource ARN, using the same rules as evaluation.
func MatchResource(pattern, resource string, ctx Context) (bool, error) {
	p, err := compilePattern(pattern)
	if err != nil {
		return false, err
	}
	us, ok := p.expand(newReqContext(ctx))
	return ok && matchARN(us, resource), nil
}
