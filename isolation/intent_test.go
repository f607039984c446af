package isolation

import "testing"

// A listing of a shared folder beside {identity} folders reaches no identity's keys when its
// folder name can never be an identity ID; one that could be (or that stops short) is decided by
// the identity folders too.
func TestListDecisionBesideIdentityFolders(t *testing.T) {
	shared, err := parseRule("public/adm/*", map[string][]string{"authenticated": {"list"}})
	if err != nil {
		t.Fatal(err)
	}
	own, err := parseRule("public/{identity}/*", map[string][]string{"owner": {"write"}})
	if err != nil {
		t.Fatal(err)
	}
	rules := []*rule{shared, own}
	c := caller{audiences: []string{"owner", "authenticated"}, sub: "us-east-1:aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"}
	if d := listDecision(rules, c, "public/adm/", false); d.want != wantAllow {
		t.Errorf("listing public/adm/: %+v, want allowed (adm is no identity ID)", d)
	}
	other := "public/us-east-1:bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb/"
	if d := listDecision(rules, c, other, false); d.want != wantDeny {
		t.Errorf("listing %s: %+v, want denied (another identity's folder)", other, d)
	}
}
