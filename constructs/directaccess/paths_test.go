package directaccess

import (
	"github.com/apiless/apiless/validation"
	"strings"
	"testing"

	"github.com/apiless/apiless/manifest"
)

func TestPathValid(t *testing.T) {
	tests := []struct {
		path       string
		wantFolder string
		wantToken  string
	}{
		{"private/{identity}/*", "private/{identity}", manifest.IdentityToken},
		{"protected/{identity}/*", "protected/{identity}", manifest.IdentityToken},
		{"public/*", "public", ""},
		{"public/admin/*", "public/admin", ""},
		{"media/photos/2024/*", "media/photos/2024", ""},
		{"tenants/{tenant}/*", "tenants/{tenant}", manifest.TenantToken},
		{"apps/web/{identity}/*", "apps/web/{identity}", manifest.IdentityToken},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			got, problems := parsePath(tt.path)
			if len(problems) != 0 {
				t.Fatalf("parsePath(%q) problems = %q, want none", tt.path, problems)
			}
			if got.raw != tt.path || got.folder != tt.wantFolder || got.token != tt.wantToken {
				t.Errorf("parsePath(%q) = {raw %q, folder %q, token %q}, want {raw %q, folder %q, token %q}",
					tt.path, got.raw, got.folder, got.token, tt.path, tt.wantFolder, tt.wantToken)
			}
		})
	}
}

// TestPathRefused checks every path rule of Amplify Gen 2 storage (and apiless's own) refuses
// what it should, with exactly the problems expected and messages that name the path and the
// expectation.
func TestPathRefused(t *testing.T) {
	tests := []struct {
		name string
		path string
		// want holds, per expected problem, substrings the problem must contain.
		want [][]string
	}{
		{"empty", "", [][]string{{`path ""`, "is empty", `expected a folder ending in "/*"`}}},
		{"leading slash", "/private/{identity}/*", [][]string{{`path "/private/{identity}/*"`, `starts with "/"`, "expected"}}},
		{"leading slash shared", "/public/*", [][]string{{`starts with "/"`}}},
		{"no trailing /*", "private/{identity}", [][]string{{`path "private/{identity}"`, `does not end with "/*"`}}},
		{"trailing slash only", "public/", [][]string{{`does not end with "/*"`}}},
		{"bare wildcard", "public*", [][]string{{`does not end with "/*"`}}},
		{"double slash", "public//docs/*", [][]string{{`path "public//docs/*"`, `contains "//"`}}},
		{"wildcard before end", "public/*/docs/*", [][]string{{`path "public/*/docs/*"`, `"*" before the end`, `only as the final "/*"`}}},
		{"wildcard in segment", "public/doc*/x/*", [][]string{{`"*" before the end`}}},
		{"identity first", "{identity}/*", [][]string{{`path "{identity}/*"`, "{identity} is the first folder", `"private/{identity}/*"`}}},
		{"tenant first", "{tenant}/*", [][]string{{"{tenant} is the first folder"}}},
		{"identity not last", "private/{identity}/docs/*", [][]string{{`path "private/{identity}/docs/*"`, `{identity} must be the last folder before "/*"`}}},
		{"tenant not last", "tenants/{tenant}/docs/*", [][]string{{`{tenant} must be the last folder before "/*"`}}},
		{"identity not whole segment", "private/user-{identity}/*", [][]string{{`path "private/user-{identity}/*"`, `{identity} must be a whole folder name, found in "user-{identity}"`}}},
		{"identity suffix of segment", "private/{identity}x/*", [][]string{{`{identity} must be a whole folder name, found in "{identity}x"`}}},
		{"identity twice", "private/{identity}/{identity}/*", [][]string{
			{"{identity} must be the last folder"},
			{`path "private/{identity}/{identity}/*"`, "has 2 identity/tenant tokens; at most one is allowed"},
		}},
		{"identity twice in one segment", "private/{identity}{identity}/*", [][]string{
			{`{identity} must be a whole folder name, found in "{identity}{identity}"`},
			{"has 2 identity/tenant tokens"},
		}},
		{"identity and tenant", "t/{tenant}/{identity}/*", [][]string{
			{"{tenant} must be the last folder"},
			{"has 2 identity/tenant tokens"},
		}},
		{"unknown token", "private/{user}/*", [][]string{{`path "private/{user}/*"`, `unknown token in "{user}"`, "the only tokens are {identity} and {tenant}"}}},
		{"amplify token", "private/{entity_id}/*", [][]string{{`unknown token in "{entity_id}"`}}},
		{"unbalanced brace", "private/{identity/*", [][]string{{`unknown token in "{identity"`}}},
		{"dollar", "private/$x/*", [][]string{{`path "private/$x/*"`, `contains "$"`, "policy variable"}}},
		{"policy variable", "private/${aws:username}/*", [][]string{
			{`unknown token in "${aws:username}"`},
			{`contains "$"`},
		}},
		{"several at once", "/a//{identity}/b*/c", [][]string{
			{`starts with "/"`},
			{`does not end with "/*"`},
			{`contains "//"`},
			{`"*" before the end`},
			{"{identity} must be the last folder"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, got := parsePath(tt.path)
			checkProblems(t, "parsePath("+quote(tt.path)+")", got, tt.want)
		})
	}
}

func TestPathRender(t *testing.T) {
	tests := []struct {
		path     string
		audience audience
		want     string
	}{
		{"private/{identity}/*", audienceOwner, "private/" + IdentityVariable},
		{"private/{identity}/*", audienceAuthenticated, "private/*"},
		{"private/{identity}/*", audienceGuest, "private/*"},
		{"private/{identity}/*", groupAudience("admins"), "private/*"},
		{"tenants/{tenant}/*", audienceTenant, "tenants/${aws:PrincipalTag/org}"},
		{"tenants/{tenant}/*", audienceOwner, "tenants/*"},
		{"tenants/{tenant}/*", groupAudience("admins"), "tenants/*"},
		{"public/admin/*", audienceAuthenticated, "public/admin"},
		{"public/admin/*", audienceOwner, "public/admin"},
	}
	for _, tt := range tests {
		t.Run(tt.path+"/"+string(tt.audience), func(t *testing.T) {
			p, problems := parsePath(tt.path)
			if len(problems) > 0 {
				t.Fatalf("parsePath(%q): %q", tt.path, problems)
			}
			if got := p.render(tt.audience, "org"); got != tt.want {
				t.Errorf("render(%q, %s) = %q, want %q", tt.path, tt.audience, got, tt.want)
			}
		})
	}
	if IdentityVariable != "${cognito-identity.amazonaws.com:sub}" {
		t.Errorf("IdentityVariable = %q, want %q", IdentityVariable, "${cognito-identity.amazonaws.com:sub}")
	}
	if got, want := TenantVariable("tenant"), "${aws:PrincipalTag/tenant}"; got != want {
		t.Errorf("TenantVariable(%q) = %q, want %q", "tenant", got, want)
	}
}

func TestPathIsUnder(t *testing.T) {
	tests := []struct {
		inner, outer string
		want         bool
	}{
		{"public/admin/*", "public/*", true},
		{"public/a/b/*", "public/*", true},
		{"public/a/b/*", "public/a/*", true},
		{"public/*", "public/*", false},
		{"public/*", "public/admin/*", false},
		{"publicity/*", "public/*", false},
		{"private/{identity}/*", "private/*", true},
		{"private/*", "private/{identity}/*", false},
		{"protected/{identity}/*", "private/{identity}/*", false},
	}
	for _, tt := range tests {
		t.Run(tt.inner+" in "+tt.outer, func(t *testing.T) {
			inner, _ := parsePath(tt.inner)
			outer, _ := parsePath(tt.outer)
			if got := inner.isUnder(outer); got != tt.want {
				t.Errorf("%q.isUnder(%q) = %v, want %v", tt.inner, tt.outer, got, tt.want)
			}
		})
	}
}

// checkProblems asserts got holds exactly one problem per want entry, each containing every
// substring of its entry (in any order of problems).
func checkProblems(t *testing.T, what string, problems validation.List, want [][]string) {
	t.Helper()
	got := problems.Strings()
	used := make([]bool, len(got))
	var missing [][]string
	for _, w := range want {
		found := false
		for i, g := range got {
			if !used[i] && containsAll(g, w) {
				used[i], found = true, true
				break
			}
		}
		if !found {
			missing = append(missing, w)
		}
	}
	var extra []string
	for i, g := range got {
		if !used[i] {
			extra = append(extra, g)
		}
	}
	if len(missing) > 0 || len(extra) > 0 {
		t.Errorf("%s problems:\n  got  %d:\n    %s\n  want %d, each containing:\n    %s\n  missing: %q\n  unexpected: %q",
			what, len(got), strings.Join(got, "\n    "), len(want), joinWant(want), missing, extra)
	}
}

func containsAll(s string, subs []string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

func joinWant(want [][]string) string {
	var lines []string
	for _, w := range want {
		lines = append(lines, strings.Join(w, " ... "))
	}
	return strings.Join(lines, "\n    ")
}

func quote(s string) string { return `"` + s + `"` }
