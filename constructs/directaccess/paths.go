package directaccess

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/apiless/apiless/validation"
)

// S3 keys are at most 1,024 bytes of UTF-8; an identity ID is "<region>:<GUID>", at most this long.
const (
	maxKeyBytes       = 1024
	longestIdentityID = "ap-southeast-4:00000000-0000-0000-0000-000000000000"
)

// pathTemplate is a validated storage path such as "private/{identity}/*".
type pathTemplate struct {
	raw string
	// folder is the path without the trailing "/*", e.g. "private/{identity}".
	folder string
	// token is identityToken, tenantToken or "" for a shared path.
	token string
}

// parsePath checks a storage path against the rules Amplify Gen 2 proved out and returns the
// problems found, each naming the path.
func parsePath(path string) (pathTemplate, validation.List) {
	var problems validation.List
	bad := func(format string, args ...any) {
		problems.Add("", validation.Invalid, path, "path %q: %s", path, fmt.Sprintf(format, args...))
	}
	if path == "" {
		problems.Add("", validation.Required, path, `path "": is empty; expected a folder ending in "/*", e.g. "private/{identity}/*"`)
		return pathTemplate{}, problems
	}
	checkPathShape(path, bad)
	checkPathAlphabet(path, bad)
	folder := strings.TrimSuffix(path, "/*")
	token := checkPathTokens(folder, bad)
	return pathTemplate{raw: path, folder: folder, token: token}, problems
}

// checkPathShape: Amplify Gen 2's rules for where slashes and the wildcard go.
func checkPathShape(path string, bad func(string, ...any)) {
	if strings.HasPrefix(path, "/") {
		bad(`starts with "/"; S3 keys have no leading slash, expected e.g. "private/{identity}/*"`)
	}
	if !strings.HasSuffix(path, "/*") {
		bad(`does not end with "/*"; a rule covers a whole folder`)
	}
	if strings.Contains(path, "//") {
		bad(`contains "//"; empty folder names are not allowed`)
	}
	if i := strings.Index(path, "*"); i >= 0 && i != len(path)-1 {
		bad(`has "*" before the end; a wildcard is allowed only as the final "/*"`)
	}
	if n := len(strings.NewReplacer(identityToken, longestIdentityID, tenantToken, "").Replace(path)); n > maxKeyBytes-1 {
		bad("is %d bytes long with an identity ID in place of %s; an S3 key holds at most %d bytes, so no object could be stored under it. Expected a shorter path", n, identityToken, maxKeyBytes)
	}
}

// checkPathAlphabet refuses every character IAM reads as a pattern or a variable ("*" is
// checked with the shape, "$" and braces with the tokens) and what S3 keys cannot hold
// sensibly: folder names are literal, so a rule can never hide a wildcard.
func checkPathAlphabet(path string, bad func(string, ...any)) {
	if strings.Contains(path, "?") {
		bad(`contains "?", which IAM matches as any one character (so "privat?/*" would also reach "private/<every identity>/"); expected literal folder names`)
	}
	if i := strings.IndexFunc(path, unicode.IsControl); i >= 0 {
		bad("contains the control character %U; expected printable characters", []rune(path[i:])[0])
	}
	if !utf8.ValidString(path) {
		bad("is not valid UTF-8; S3 keys are UTF-8")
	}
}

// checkPathTokens checks where {identity} and {tenant} stand and returns the one used.
func checkPathTokens(folder string, bad func(string, ...any)) string {
	segments := strings.Split(folder, "/")
	token := ""
	tokens := 0
	for i, seg := range segments {
		for _, tok := range []string{identityToken, tenantToken} {
			if !strings.Contains(seg, tok) {
				continue
			}
			tokens += strings.Count(seg, tok)
			token = tok
			switch {
			case seg != tok:
				bad("%s must be a whole folder name, found in %q", tok, seg)
			case i == 0:
				bad("%s is the first folder; put it under a named folder, e.g. \"private/%s/*\", so other rules can never cover every identity's folder", tok, tok)
			case i != len(segments)-1:
				bad("%s must be the last folder before \"/*\"", tok)
			}
		}
		// Known tokens are checked above; only braces left after removing them are unknown.
		if rest := strings.NewReplacer(identityToken, "", tenantToken, "").Replace(seg); strings.ContainsAny(rest, "{}") {
			bad("unknown token in %q; the only tokens are %s and %s", seg, identityToken, tenantToken)
		}
		if strings.Contains(seg, "$") {
			bad(`contains "$"; IAM would read it as a policy variable`)
		}
	}
	if tokens > 1 {
		bad("has %d identity/tenant tokens; at most one is allowed", tokens)
	}
	return token
}

// isUnder reports whether p is nested inside the folder of other (strictly).
func (p pathTemplate) isUnder(other pathTemplate) bool {
	return strings.HasPrefix(p.folder+"/", other.folder+"/") && p.folder != other.folder
}

// render returns the folder with its token replaced for the given audience: the caller's own
// variable for the owner (or tenant), and "*" for everybody else (who then reaches every
// identity's folder, which is only ever granted read-only to non-owners).
func (p pathTemplate) render(a audience, tenantTag string) string {
	switch p.token {
	case identityToken:
		if a == audienceOwner {
			return strings.Replace(p.folder, identityToken, IdentityVariable, 1)
		}
		return strings.Replace(p.folder, identityToken, "*", 1)
	case tenantToken:
		if a == audienceTenant {
			return strings.Replace(p.folder, tenantToken, TenantVariable(tenantTag), 1)
		}
		return strings.Replace(p.folder, tenantToken, "*", 1)
	}
	return p.folder
}

// identityIDPattern is every identity pool identity ID ("<region>:<GUID>") as a pattern for
// iameval.Overlaps, which reads a policy variable as one or more characters other than "/". It
// is wider than the real format, which can only refuse more, never less.
const identityIDPattern = "${region}:${guid}"

// escapeIAM writes a literal folder name as an IAM pattern that matches exactly it.
func escapeIAM(s string) string {
	return strings.NewReplacer("$", "${$}", "*", "${*}", "?", "${?}").Replace(s)
}

// keysPattern is the IAM pattern of every object key the rule declares, over every identity or
// tenant its token can stand for.
func (p pathTemplate) keysPattern() string {
	folder := escapeIAM(p.folder)
	switch p.token {
	case identityToken:
		folder = strings.Replace(folder, identityToken, identityIDPattern, 1)
	case tenantToken:
		// A tenant tag is any non-empty value without "/" (the tenant guards refuse the rest),
		// which is what iameval.Overlaps assumes of a policy variable.
		folder = strings.Replace(folder, tenantToken, TenantVariable("tag"), 1)
	}
	return folder + "/*"
}
