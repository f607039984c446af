package directaccess

import (
	"fmt"
	"strings"

	"github.com/apiless/apiless/manifest"
)

// IAM policy variables the generated statements are keyed on. Every statement that scopes
// data to a caller takes the variable from here, so the template, the cdk-nag suppressions and
// the tests cannot drift apart (a typo such as "amazon.com:sub" would silently deny everyone).
const (
	// IdentityVariable is the caller's identity pool identity ID (region:GUID), NOT the user
	// pool's JWT sub.
	IdentityVariable = "${cognito-identity.amazonaws.com:sub}"
	// IdentityNagToken is how cdk-nag prints IdentityVariable inside a finding.
	IdentityNagToken = "<cognito-identity.amazonaws.com:sub>"
)

// TenantVariable is the IAM policy variable holding the caller's tenant principal tag.
func TenantVariable(tagKey string) string { return "${aws:PrincipalTag/" + tagKey + "}" }

// pathTemplate is a validated storage path such as "private/{identity}/*".
type pathTemplate struct {
	raw string
	// folder is the path without the trailing "/*", e.g. "private/{identity}".
	folder string
	// token is manifest.IdentityToken, manifest.TenantToken or "" for a shared path.
	token string
}

// parsePath checks a storage path against the rules Amplify Gen 2 proved out and returns the
// problems found, each naming the path.
func parsePath(path string) (pathTemplate, []string) {
	var problems []string
	bad := func(format string, args ...any) {
		problems = append(problems, fmt.Sprintf("path %q: ", path)+fmt.Sprintf(format, args...))
	}
	if path == "" {
		return pathTemplate{}, []string{`path "": is empty; expected a folder ending in "/*", e.g. "private/{identity}/*"`}
	}
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
	folder := strings.TrimSuffix(path, "/*")
	segments := strings.Split(folder, "/")
	token := ""
	tokens := 0
	for i, seg := range segments {
		for _, tok := range []string{manifest.IdentityToken, manifest.TenantToken} {
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
		if rest := strings.NewReplacer(manifest.IdentityToken, "", manifest.TenantToken, "").Replace(seg); strings.ContainsAny(rest, "{}") {
			bad("unknown token in %q; the only tokens are %s and %s", seg, manifest.IdentityToken, manifest.TenantToken)
		}
		if strings.Contains(seg, "$") {
			bad(`contains "$"; IAM would read it as a policy variable`)
		}
	}
	if tokens > 1 {
		bad("has %d identity/tenant tokens; at most one is allowed", tokens)
	}
	return pathTemplate{raw: path, folder: folder, token: token}, problems
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
	case manifest.IdentityToken:
		if a == audienceOwner {
			return strings.Replace(p.folder, manifest.IdentityToken, IdentityVariable, 1)
		}
		return strings.Replace(p.folder, manifest.IdentityToken, "*", 1)
	case manifest.TenantToken:
		if a == audienceTenant {
			return strings.Replace(p.folder, manifest.TenantToken, TenantVariable(tenantTag), 1)
		}
		return strings.Replace(p.folder, manifest.TenantToken, "*", 1)
	}
	return p.folder
}
