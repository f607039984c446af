package directaccess

import (
	"strings"
	"testing"

	"github.com/apiless/apiless/validation"
)

// Issue 11's classes of accepted-but-leaking rule sets, each refused by name, decided on pure
// data (no jsii).

func refusedWith(t *testing.T, props *DirectAccessProps, field string, typ validation.Type, phrase string) {
	t.Helper()
	_, problems := newSpec(props)
	for _, p := range problems {
		if p.Field == field && p.Type == typ && strings.Contains(p.Detail, phrase) {
			return
		}
	}
	t.Errorf("want a %s problem on %s containing %q; got:\n  %s", typ, field, phrase, strings.Join(problems.Strings(), "\n  "))
}

func accepted(t *testing.T, props *DirectAccessProps) {
	t.Helper()
	if _, problems := compile(props); len(problems) > 0 {
		t.Errorf("want the props accepted; got:\n  %s", strings.Join(problems.Strings(), "\n  "))
	}
}

func files(paths ...*PathRule) *DirectAccessProps {
	return &DirectAccessProps{Buckets: []*BucketRule{bucket("Files", paths...)}}
}

const lookalikeID = "us-east-1:0a1b2c3d-0000-4000-8000-000000000000"

// Class 1: IAM pattern characters. Folder names are literal; "?" would match any character.
func TestPathsRefusePatternCharacters(t *testing.T) {
	own := &PathRule{Path: ptr("private/{identity}/*"), Owner: sops(allS...)}
	for _, tt := range []struct{ name, path, phrase string }{
		{"question mark beside identity folders", "privat?/*", `contains "?"`},
		{"question marks as long as an identity ID", "private/" + strings.Repeat("?", len(lookalikeID)) + "/*", `contains "?"`},
		{"question mark beside tenant folders", "org?/*", `contains "?"`},
		{"star in the middle", "pri*/x/*", `has "*" before the end`},
		{"dollar", "p$x/*", `contains "$"`},
		{"policy variable", "p/${aws:username}/*", `contains "$"`},
		{"unknown token", "p/{user}/*", "unknown token"},
		{"NUL", "p/a\x00b/*", "control character U+0000"},
		{"newline", "p/a\nb/*", "control character U+000A"},
		{"over S3's key limit", "p/" + strings.Repeat("x", 1100) + "/*", "an S3 key holds at most 1024 bytes"},
		{"over the limit once an identity ID stands in", "p/" + strings.Repeat("x", 980) + "/{identity}/*", "an S3 key holds at most 1024 bytes"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			refusedWith(t, files(own, &PathRule{Path: ptr(tt.path), Authenticated: sops(readS...)}), "Buckets[0].Paths[1].Path", validation.Invalid, tt.phrase)
		})
	}
}

// Class 3: a shared folder spelled like an identity ID, or any rule whose keys IAM can match
// together with another rule's, is refused by pattern intersection; a sibling that can never be
// an identity ID is fine beside owner-only identity folders.
func TestOverlappingRulesAreRefused(t *testing.T) {
	own := &PathRule{Path: ptr("private/{identity}/*"), Owner: sops(allS...)}
	refusedWith(t, files(own, &PathRule{Path: ptr("private/" + lookalikeID + "/*"), Authenticated: sops(readS...)}),
		"Buckets[0].Paths", validation.Forbidden, "can reach the same object keys")
	accepted(t, files(own, &PathRule{Path: ptr("private/shared/*"), Authenticated: sops(readS...)}))
	// A literal folder nested in another literal folder is the one overlap allowed: the nested
	// rule's Deny takes away what it does not grant.
	accepted(t, files(&PathRule{Path: ptr("team/*"), Authenticated: sops(allS...)}, &PathRule{Path: ptr("team/locked/*"), Authenticated: sops(StorageGet)}))
}

// Class 4: a nested rule takes away the listings that lead into it: its own prefixes always, and
// every shorter prefix from the parent's folder on unless keys are grouped by "/".
func TestNestedListingPrefixes(t *testing.T) {
	if got, want := prefixesInto("team", "team/locked"), []string{"team/", "team/l", "team/lo", "team/loc", "team/lock", "team/locke", "team/locked"}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("prefixesInto = %q, want %q", got, want)
	}
	// Multi-byte names are cut on character boundaries only.
	if got := prefixesInto("a", "a/é"); strings.Join(got, ",") != "a/,a/é" {
		t.Errorf("prefixesInto(a, a/é) = %q", got)
	}
}

// Class 8: inputs AWS or CDK would refuse later, refused here with the field named.
func TestInputsThatCouldNeverDeploy(t *testing.T) {
	refusedWith(t, &DirectAccessProps{Tables: []*TableRule{table("Data", "userId")}, Buckets: []*BucketRule{bucket("Data")}},
		"Tables[0].Name", validation.Duplicate, "tables and buckets share one construct namespace")
	// The defaults count: a bucket named like the default table, a table like the default bucket.
	refusedWith(t, &DirectAccessProps{Buckets: []*BucketRule{bucket("Items")}}, "Tables[0].Name", validation.Duplicate, "share one construct namespace")
	refusedWith(t, &DirectAccessProps{Tables: []*TableRule{table("Files", "userId")}}, "Tables[0].Name", validation.Duplicate, "share one construct namespace")
	refusedWith(t, &DirectAccessProps{Buckets: []*BucketRule{bucket("AccessLogs")}}, "Buckets[0].Name", validation.Forbidden, "construct ID")
	refusedWith(t, &DirectAccessProps{Tables: []*TableRule{table("UserPool", "userId")}}, "Tables[0].Name", validation.Forbidden, "construct ID")
	refusedWith(t, &DirectAccessProps{IdentityPoolName: ptr(strings.Repeat("n", 129))}, "IdentityPoolName", validation.Invalid, "129 characters")
	refusedWith(t, &DirectAccessProps{IdentityPoolName: ptr("pool/name")}, "IdentityPoolName", validation.Invalid, "expected 1-128 letters")
	accepted(t, &DirectAccessProps{IdentityPoolName: ptr("My pool_1.prod@x+=,-")})
	refusedWith(t, &DirectAccessProps{Tenant: &TenantIsolation{Claim: ptr("custom:tenant"), TagKey: ptr("aws:tenant")}}, "Tenant.TagKey", validation.Invalid, `reserves`)

	// Duplicate group names: one problem, not the same line twice.
	dup := &DirectAccessProps{Groups: []*GroupRule{group("admins", 1), group("admins", 2)},
		Buckets: []*BucketRule{bucket("Files", &PathRule{Path: ptr("p/*"), Groups: map[string][]StorageOperation{"admins": readS}})}}
	_, problems := newSpec(dup)
	if len(problems) != 1 || !problems.Has("Groups[1].Name", validation.Duplicate) {
		t.Errorf("duplicate groups: got\n  %s\nwant one Duplicate problem on Groups[1].Name", strings.Join(problems.Strings(), "\n  "))
	}
}

// So many groups that the construct alone would exceed CloudFormation's 500 resources.
func TestTooManyResourcesForOneStack(t *testing.T) {
	props := &DirectAccessProps{}
	grants := map[string][]StorageOperation{}
	for i := range 170 {
		name := "g" + strings.Repeat("x", i%3) + string(rune('a'+i%26)) + string(rune('a'+i/26))
		props.Groups = append(props.Groups, group(name, float64(i)))
		grants[name] = readS
	}
	props.Buckets = []*BucketRule{bucket("Files", &PathRule{Path: ptr("p/*"), Groups: grants})}
	_, problems := compile(props)
	if !problems.Has("Groups", validation.TooMany) {
		t.Fatalf("want a TooMany problem on Groups; got:\n  %s", strings.Join(problems.Strings(), "\n  "))
	}
}

// Class 2 on pure data: what two brought-in objects name, whatever ARN spelling they used.
func TestResourceIdentity(t *testing.T) {
	for _, tt := range []struct {
		name string
		a, b resourceIdentity
		same bool
	}{
		{"same bucket name", resourceIdentity{service: "s3", names: []string{"x"}}, resourceIdentity{service: "s3", names: []string{"x"}}, true},
		{"other bucket", resourceIdentity{service: "s3", names: []string{"x"}}, resourceIdentity{service: "s3", names: []string{"y"}}, false},
		{"table and bucket of one name", resourceIdentity{service: "s3", names: []string{"x"}}, resourceIdentity{service: "dynamodb", names: []string{"x"}}, false},
		{"table in the stack's account (token) and by literal ARN", resourceIdentity{service: "dynamodb", names: []string{"t"}, account: "${Token[AWS.AccountId.1]}", region: "${Token[AWS.Region.2]}"},
			resourceIdentity{service: "dynamodb", names: []string{"t"}, account: "123456789012", region: "us-east-1"}, true},
		{"tables of one name in two accounts", resourceIdentity{service: "dynamodb", names: []string{"t"}, account: "111111111111"}, resourceIdentity{service: "dynamodb", names: []string{"t"}, account: "222222222222"}, false},
		{"tables of one name in two regions", resourceIdentity{service: "dynamodb", names: []string{"t"}, region: "us-east-1"}, resourceIdentity{service: "dynamodb", names: []string{"t"}, region: "eu-west-1"}, false},
		{"unknown names never match", resourceIdentity{service: "s3"}, resourceIdentity{service: "s3"}, false},
	} {
		if got := tt.a.sameAs(tt.b); got != tt.same || tt.b.sameAs(tt.a) != tt.same {
			t.Errorf("%s: sameAs = %v, want %v (both ways)", tt.name, got, tt.same)
		}
	}
}

// ConditionCheckItem returns the whole item when its condition fails with
// ReturnValuesOnConditionCheckFailure=ALL_OLD: never granted under an attribute limit.
func TestNoConditionCheckUnderAttributeLimit(t *testing.T) {
	props := &DirectAccessProps{Tables: []*TableRule{{Name: ptr("Profiles"), Attributes: strs("displayName")}}}
	c, problems := compile(props)
	if len(problems) > 0 {
		t.Fatal(problems.Strings())
	}
	for _, pack := range c.packs[roleAuthenticated] {
		for _, s := range pack {
			for _, a := range s.Actions {
				if a == "dynamodb:ConditionCheckItem" || a == "dynamodb:PutItem" || a == "dynamodb:BatchWriteItem" || a == "dynamodb:DeleteItem" {
					t.Errorf("statement %s grants %s under an attribute limit", s.Sid, a)
				}
			}
		}
	}
}
