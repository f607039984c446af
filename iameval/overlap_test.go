package iameval

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

const identityFolder = "private/${cognito-identity.amazonaws.com:sub}/*"

func TestOverlaps(t *testing.T) {
	cases := []struct {
		p, q string
		want bool
	}{
		// ? stands for any character, so a shared folder spelled with ? reaches the identity folder.
		{"privat?/*", identityFolder, true},
		{"org?/*", "orgs/${aws:PrincipalTag/tenant}/*", true},
		// A variable has no length limit: an identity ID is 46 characters, and so can be 45 of them.
		{"private/" + strings.Repeat("?", 45) + "/*", identityFolder, true},
		{"private/" + strings.Repeat("?", 46) + "/x", identityFolder, true},
		// * crosses /.
		{"protected/*/*", "protected/a/b/c", true},
		{"protected/*", "protected/a/b/c", true},
		{"*", "", true},
		{"a*", "a", true},
		{"*a*", "b*b", true}, // bab
		{"*a*", "b?b", true},
		{"*a*", "b/b", false},
		{"*a*", "b*a", true},
		{"public/*", "private/*", false},
		{"public/*", "public/", true},
		{"public/*", "public", false},
		{"a/*", "*/b", true},
		{"?", "", false},
		{"??", "a", false},
		{"??", "*", true},
		// ${*}, ${?} and ${$} are literal characters, not wildcards.
		{"a${*}/*", "ab/*", false},
		{"a${*}/*", "a*/x", true},
		{"a${*}", "a?", true}, // the ? of the right side matches the literal *
		{"a${?}", "ab", false},
		{"a${?}", "a?", true},
		{"${$}{x}", "${x}", true},   // the right side is a variable, which can hold "${x}"
		{"${$}{x/}", "${x}", false}, // but not a /
		{"${$}x", "$x", true},
		{"${$}x", "$?", true},
		// Case sensitive, as S3 keys are.
		{"Private/*", "private/*", false},
		// A variable matches one or more characters, none of which is /.
		{"p/${v}/*", "p/a/b", true}, // v = "a", * = "b"
		{"p/${v}/*", "p/a", false},  // no / after the variable
		{"p/${v}/*", "p//x", false}, // the variable is not empty
		{"p/${v}", "p/a/b", false},  // the variable cannot hold /
		{"p/${v}/x", "p/a/b/x", false},
		{"p/${v}/x", "p/*/x", true},
		{"p/${v}/x", "p/?/x", true},
		{"p/${v}", "p/?", true},
		{"p/${v}", "p/", false},
		{"p/${v}/*", "p/${w}/*", true},
		{"p/${v}${w}", "p/a", false}, // two variables need two characters
		{"p/${v}${w}", "p/ab", true},
		{identityFolder, "private/us-east-1:0a1b/*", true},
		{identityFolder, "private/us-east-1:0a1b", false},
		{identityFolder, "private/*", true},
		{identityFolder, "protected/${cognito-identity.amazonaws.com:sub}/*", false},
		// A default value is used when the key is missing, and it may hold /.
		{"p/${v, 'a/b'}/x", "p/a/b/x", true},
		{"p/${v, ''}x", "p/x", true},
		{"p/${v}x", "p/x", false},
		// An unterminated variable is read as literal text.
		{"p/${v", "p/${v", true},
		{"p/${v", "p/$", false},
		// Multi-byte characters are one character each.
		{"é?", "éa", true},
		{"?", "é", true},
		{"??", "é", false},
	}
	for _, c := range cases {
		if got := Overlaps(c.p, c.q); got != c.want {
			t.Errorf("Overlaps(%q, %q) = %v, want %v", c.p, c.q, got, c.want)
		}
		if got := Overlaps(c.q, c.p); got != c.want {
			t.Errorf("Overlaps(%q, %q) = %v, want %v (not symmetric)", c.q, c.p, got, c.want)
		}
	}
}

func TestOverlapsPrefix(t *testing.T) {
	cases := []struct {
		p, q string
		want bool
	}{
		// A listing prefix that is a prefix of the folder name lists the keys under the folder.
		{"team/lock", "team/locked/*", true},
		{"team/lock*", "team/locked/*", true},
		{"team/locks", "team/locked/*", false},
		{"team/locked/", "team/locked/*", true},
		{"team/locked/a/b", "team/locked/*", true}, // a key inside the folder
		{"team/other/", "team/locked/*", false},
		{"", "anything", true},
		{"p", "q", false},
		{"t?am/", "team/locked/*", true},
		// Listing under one's own folder does not reach another identity's folder, whatever the
		// identity ID is, but an open prefix does.
		{"private/${cognito-identity.amazonaws.com:sub}/", "private/us-east-1:0a1b/*", true},
		{"private/${cognito-identity.amazonaws.com:sub}/", "protected/x/*", false},
		{"private/", identityFolder, true},
		{"priv", identityFolder, true},
		{"private/a/b/", "private/${v}/", true},    // private/a/ is a prefix of the left side
		{"private/ab", "private/${v}/", true},      // private/ab/
		{"private/a/b/c", "private/${v}/x", false}, // the variable cannot hold /
		{"private/a/b", "p/${v}/", false},
		{"private/a/b/", "private/${v}/*", true},
		{"a${*}", "ab", false},
		{"a${*}", "a*b", true},
	}
	for _, c := range cases {
		if got := OverlapsPrefix(c.p, c.q); got != c.want {
			t.Errorf("OverlapsPrefix(%q, %q) = %v, want %v", c.p, c.q, got, c.want)
		}
		if got := OverlapsPrefix(c.q, c.p); got != c.want {
			t.Errorf("OverlapsPrefix(%q, %q) = %v, want %v (not symmetric)", c.q, c.p, got, c.want)
		}
	}
	// An overlap is a prefix overlap.
	for _, pq := range [][2]string{{"privat?/*", identityFolder}, {"a/*", "*/b"}} {
		if !OverlapsPrefix(pq[0], pq[1]) {
			t.Errorf("OverlapsPrefix(%q, %q) = false, though the patterns overlap", pq[0], pq[1])
		}
	}
}

// TestOverlapsAgainstEnumeration checks Overlaps and OverlapsPrefix on random short patterns
// against brute force: every string over a small alphabet up to a length that bounds the shortest
// witness of such patterns, matched by a regular expression written independently of the automata.
func TestOverlapsAgainstEnumeration(t *testing.T) {
	const maxTokens, maxLen = 3, 2 * 3
	tokens := []string{"a", "/", "*", "?", "${v}", "${*}"}
	// "x" is a character no pattern names, standing for all such characters.
	alphabet := []string{"a", "/", "*", "x"}
	strs := []string{""}
	for prev := []string{""}; len(prev[0]) < maxLen; {
		var next []string
		for _, s := range prev {
			for _, c := range alphabet {
				next = append(next, s+c)
			}
		}
		strs = append(strs, next...)
		prev = next
	}
	index := map[string]int{}
	for i, s := range strs {
		index[s] = i
	}
	toRegexp := func(p string) *regexp.Regexp {
		var b strings.Builder
		b.WriteString(`^(?s)`)
		for p != "" {
			switch {
			case strings.HasPrefix(p, "${*}"):
				b.WriteString(`\*`)
				p = p[4:]
			case strings.HasPrefix(p, "${v}"):
				b.WriteString(`[^/]+`)
				p = p[4:]
			case p[0] == '*':
				b.WriteString(`.*`)
				p = p[1:]
			case p[0] == '?':
				b.WriteString(`.`)
				p = p[1:]
			default:
				b.WriteString(regexp.QuoteMeta(p[:1]))
				p = p[1:]
			}
		}
		b.WriteString(`$`)
		return regexp.MustCompile(b.String())
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var pats []string
	seen := map[string]bool{}
	for len(pats) < 150 {
		var b strings.Builder
		for range rng.IntN(maxTokens + 1) {
			b.WriteString(tokens[rng.IntN(len(tokens))])
		}
		if p := b.String(); !seen[p] {
			seen[p] = true
			pats = append(pats, p)
		}
	}
	matched := make([][]bool, len(pats))
	for i, p := range pats {
		re := toRegexp(p)
		matched[i] = make([]bool, len(strs))
		for j, s := range strs {
			matched[i][j] = re.MatchString(s)
		}
	}
	// prefixed[i][j]: strs[j] is a prefix of some string pats[i] matches (within the bound).
	prefixed := make([][]bool, len(pats))
	for i := range pats {
		prefixed[i] = make([]bool, len(strs))
		for j, s := range strs {
			if matched[i][j] {
				for k := 0; k <= len(s); k++ {
					prefixed[i][index[s[:k]]] = true
				}
			}
		}
	}
	for i, p := range pats {
		for k, q := range pats {
			overlap, prefix := false, false
			for j := range strs {
				overlap = overlap || (matched[i][j] && matched[k][j])
				prefix = prefix || (matched[i][j] && prefixed[k][j]) || (matched[k][j] && prefixed[i][j])
			}
			if got := Overlaps(p, q); got != overlap {
				t.Errorf("Overlaps(%q, %q) = %v, enumeration says %v", p, q, got, overlap)
			}
			if got := OverlapsPrefix(p, q); got != prefix {
				t.Errorf("OverlapsPrefix(%q, %q) = %v, enumeration says %v", p, q, got, prefix)
			}
		}
	}
}
