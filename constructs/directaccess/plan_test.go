package directaccess

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

var (
	readActions = []string{"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:ConditionCheckItem"}
	// Under an attribute limit: a failed ConditionCheckItem can return the whole item.
	limitedReadActions = []string{"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"}
	writeActions       = []string{"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:BatchWriteItem"}
	deleteActions      = []string{"dynamodb:DeleteItem"}
	objectAll          = []string{"s3:GetObject", "s3:PutObject", "s3:DeleteObject"}
	ownItemConds       = conditions{
		"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": {IdentityVariable}},
		"Null":                      {"dynamodb:LeadingKeys": {"false"}},
		"Bool":                      {"aws:SecureTransport": {"true"}},
	}
	// presignedDeny is the statement every role gets for the bucket Files by default.
	presignedDeny = statement{
		Sid: "DenyPresigned", sidBase: "DenyPresigned", Effect: "Deny",
		Actions:    []string{"s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket"},
		Resources:  []resource{bucketRes("Files", ""), bucketRes("Files", "/*")},
		Conditions: conditions{"StringEquals": {"s3:authType": {"REST-QUERY-STRING", "POST"}}},
	}
)

func concat(lists ...[]string) []string { return slices.Concat(lists...) }

func tableRes(name, suffix string) resource {
	return resource{Kind: tableResource, Name: name, Suffix: suffix}
}
func bucketRes(name, suffix string) resource {
	return resource{Kind: bucketResource, Name: name, Suffix: suffix}
}

// plan validates props (failing the test on any problem) and returns each role's statements.
// plan is every role's statements without the signing-method denies every role ends with,
// after checking that they are there, exactly as presignedDenies makes them.
func plan(t *testing.T, props *DirectAccessProps) map[roleKind][]statement {
	t.Helper()
	s, _ := newSpec(props)
	want := mergeStatements(presignedDenies(s))
	out := fullPlan(t, props)
	for r, stmts := range out {
		n := len(stmts) - len(want)
		if n < 0 || (len(want) > 0 && !reflect.DeepEqual(stmts[n:], want)) {
			t.Fatalf("role %s does not end with the presigned denies:\n got  %s\n want %s", r, dump(stmts), dump(want))
		}
		out[r] = stmts[:n]
	}
	return out
}

func fullPlan(t *testing.T, props *DirectAccessProps) map[roleKind][]statement {
	t.Helper()
	s, problems := newSpec(props)
	if len(problems) > 0 {
		t.Fatalf("newSpec problems, want none:\n  %s", strings.Join(problems.Strings(), "\n  "))
	}
	out := map[roleKind][]statement{}
	for _, p := range buildPlan(s) {
		if _, dup := out[p.Role]; dup {
			t.Fatalf("role %s planned twice", p.Role)
		}
		out[p.Role] = p.Statements
	}
	return out
}

// TestPlanDefault pins the exact statements of the zero-props construct: one table "Items"
// keyed "userId" and the path "private/{identity}/*".
func TestPlanDefault(t *testing.T) {
	got := fullPlan(t, &DirectAccessProps{})
	want := map[roleKind][]statement{roleAuthenticated: {
		{
			Sid: "OwnItems", sidBase: "OwnItems", Effect: "Allow",
			Actions: []string{
				"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:ConditionCheckItem",
				"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:BatchWriteItem", "dynamodb:DeleteItem",
			},
			Resources: []resource{tableRes("Items", "")},
			Conditions: conditions{
				"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": {"${cognito-identity.amazonaws.com:sub}"}},
				"Null":                      {"dynamodb:LeadingKeys": {"false"}},
				"Bool":                      {"aws:SecureTransport": {"true"}},
			},
		},
		{
			Sid: "OwnObjects", sidBase: "OwnObjects", Effect: "Allow",
			Actions:   []string{"s3:GetObject", "s3:PutObject", "s3:DeleteObject"},
			Resources: []resource{bucketRes("Files", "/private/${cognito-identity.amazonaws.com:sub}/*")},
		},
		{
			Sid: "OwnFolderList", sidBase: "OwnFolderList", Effect: "Allow",
			Actions:   []string{"s3:ListBucket"},
			Resources: []resource{bucketRes("Files", "")},
			Conditions: conditions{"StringLike": {"s3:prefix": {
				"private/${cognito-identity.amazonaws.com:sub}/", "private/${cognito-identity.amazonaws.com:sub}/*",
			}}},
		},
		presignedDeny,
	}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("default plan:\n got  %s\n want %s", dump(got), dump(want))
	}
	checkSafe(t, got, true)

	// What the statements mean, evaluated the way IAM does.
	alice, bob := caller{identity: "us-east-1:alice"}, caller{identity: "us-east-1:bob"}
	role := got[roleAuthenticated]
	checkAccess(t, role, []accessCase{
		{"own item", alice, itemReq("dynamodb:GetItem", "Items", "", "us-east-1:alice"), true},
		{"own item put", alice, itemReq("dynamodb:PutItem", "Items", "", "us-east-1:alice"), true},
		{"other's item", alice, itemReq("dynamodb:GetItem", "Items", "", "us-east-1:bob"), false},
		{"batch with a foreign key", alice, itemReq("dynamodb:BatchGetItem", "Items", "", "us-east-1:alice", "us-east-1:bob"), false},
		{"composite key", alice, itemReq("dynamodb:PutItem", "Items", "", "us-east-1:alice#x"), false},
		{"keyless query", alice, itemReq("dynamodb:Query", "Items", ""), false},
		{"scan", alice, itemReq("dynamodb:Scan", "Items", ""), false},
		{"partiql", alice, itemReq("dynamodb:PartiQLSelect", "Items", "", "us-east-1:alice"), false},
		{"own object", alice, objectReq("s3:PutObject", "Files", "private/us-east-1:alice/a.txt"), true},
		{"own nested object", bob, objectReq("s3:GetObject", "Files", "private/us-east-1:bob/x/y.png"), true},
		{"other's object", alice, objectReq("s3:GetObject", "Files", "private/us-east-1:bob/a.txt"), false},
		{"object outside the folder", alice, objectReq("s3:GetObject", "Files", "public/a.txt"), false},
		{"list own folder", alice, listReq("Files", "private/us-east-1:alice/"), true},
		{"list own subfolder", alice, listReq("Files", "private/us-east-1:alice/photos/"), true},
		{"list private", alice, listReq("Files", "private/"), false},
		{"list other's folder", alice, listReq("Files", "private/us-east-1:bob/"), false},
		{"list whole bucket", alice, listReq("Files", ""), false},
		{"own item over plain HTTP", alice, insecure(itemReq("dynamodb:GetItem", "Items", "", "us-east-1:alice")), false},
		{"own object by a presigned URL", alice, withCtx(objectReq("s3:GetObject", "Files", "private/us-east-1:alice/a.txt"), "s3:authType", "REST-QUERY-STRING"), false},
		{"own object by a POST form", alice, withCtx(objectReq("s3:PutObject", "Files", "private/us-east-1:alice/a.txt"), "s3:authType", "POST"), false},
		{"own object with header signing", alice, withCtx(objectReq("s3:GetObject", "Files", "private/us-east-1:alice/a.txt"), "s3:authType", "REST-HEADER"), true},
	})
}

// TestPlanGroupRolesKeepOwnData: a group role replaces the authenticated role for its members,
// so it must hold every grant of the authenticated role plus the group's own.
func TestPlanGroupRolesKeepOwnData(t *testing.T) {
	props := &DirectAccessProps{
		Groups: []*GroupRule{group("admins", 1), group("editors", 2)},
		Tables: []*TableRule{
			{Name: ptr("Notes"), SortKey: ptr("noteId"), Indexes: []*IndexRule{{Name: ptr("byDate"), SortKey: ptr("date")}}},
			{Name: ptr("Reports"), Authenticated: tops(), Groups: map[string][]TableOperation{"admins": {TableRead, TableWrite}}},
			{Name: ptr("Profiles"), Authenticated: tops(TableRead), Attributes: strs("name"), Groups: map[string][]TableOperation{"editors": {TableWrite}}},
		},
		Buckets: []*BucketRule{bucket("Files", append(PublicProtectedPrivate(false),
			&PathRule{Path: ptr("reports/*"), Groups: map[string][]StorageOperation{"admins": allS, "editors": readS}},
			&PathRule{Path: ptr("public/admin/*"), Groups: map[string][]StorageOperation{"admins": allS}},
		)...)},
	}
	roles := plan(t, props)
	if got, want := roleNames(roles), []string{"authenticated", "group:admins", "group:editors"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("roles = %v, want %v", got, want)
	}
	checkSafe(t, roles, false)
	auth := allowTuples(roles[roleAuthenticated])
	for _, g := range []string{"admins", "editors"} {
		t.Run(g, func(t *testing.T) {
			have := allowTuples(roles[groupRole(g)])
			for _, tup := range auth {
				if !slices.Contains(have, tup) {
					t.Errorf("group:%s lacks the authenticated grant %s", g, tup)
				}
			}
			if len(have) <= len(auth) {
				t.Errorf("group:%s has %d allow tuples, want more than the authenticated role's %d (its own grants)", g, len(have), len(auth))
			}
		})
	}

	me := caller{identity: "us-east-1:me"}
	ownData := []accessCase{
		{"own note", me, itemReq("dynamodb:PutItem", "Notes", "", "us-east-1:me"), true},
		{"own note by index", me, itemReq("dynamodb:Query", "Notes", "/index/byDate", "us-east-1:me"), true},
		{"own private object", me, objectReq("s3:DeleteObject", "Files", "private/us-east-1:me/a"), true},
		{"own protected object", me, objectReq("s3:PutObject", "Files", "protected/us-east-1:me/a"), true},
		{"list own private folder", me, listReq("Files", "private/us-east-1:me/"), true},
		{"others' private object", me, objectReq("s3:GetObject", "Files", "private/us-east-1:you/a"), false},
		{"others' protected object", me, objectReq("s3:GetObject", "Files", "protected/us-east-1:you/a"), true},
		{"write others' protected object", me, objectReq("s3:PutObject", "Files", "protected/us-east-1:you/a"), false},
		{"others' note", me, itemReq("dynamodb:GetItem", "Notes", "", "us-east-1:you"), false},
	}
	t.Run("authenticated", func(t *testing.T) {
		checkAccess(t, roles[roleAuthenticated], append(ownData,
			accessCase{"reports table", me, itemReq("dynamodb:GetItem", "Reports", "", "us-east-1:me"), false},
			accessCase{"reports folder", me, objectReq("s3:GetObject", "Files", "reports/q1.pdf"), false},
			accessCase{"admin folder", me, objectReq("s3:GetObject", "Files", "public/admin/a"), false},
			accessCase{"public folder", me, objectReq("s3:PutObject", "Files", "public/a"), true},
			accessCase{"profile update", me, itemReq("dynamodb:UpdateItem", "Profiles", "", "us-east-1:me"), false},
		))
	})
	t.Run("admins", func(t *testing.T) {
		checkAccess(t, roles[groupRole("admins")], append(ownData,
			accessCase{"reports table, own items", me, itemReq("dynamodb:PutItem", "Reports", "", "us-east-1:me"), true},
			accessCase{"reports table, others' items", me, itemReq("dynamodb:GetItem", "Reports", "", "us-east-1:you"), false},
			accessCase{"reports table delete", me, itemReq("dynamodb:DeleteItem", "Reports", "", "us-east-1:me"), false},
			accessCase{"reports folder write", me, objectReq("s3:PutObject", "Files", "reports/q1.pdf"), true},
			accessCase{"admin folder", me, objectReq("s3:DeleteObject", "Files", "public/admin/a"), true},
			accessCase{"profile update", me, itemReq("dynamodb:UpdateItem", "Profiles", "", "us-east-1:me"), false},
		))
	})
	t.Run("editors", func(t *testing.T) {
		checkAccess(t, roles[groupRole("editors")], append(ownData,
			accessCase{"reports table", me, itemReq("dynamodb:GetItem", "Reports", "", "us-east-1:me"), false},
			accessCase{"reports folder read", me, objectReq("s3:GetObject", "Files", "reports/q1.pdf"), true},
			accessCase{"reports folder write", me, objectReq("s3:PutObject", "Files", "reports/q1.pdf"), false},
			accessCase{"admin folder", me, objectReq("s3:GetObject", "Files", "public/admin/a"), false},
			accessCase{"profile update", me, itemReq("dynamodb:UpdateItem", "Profiles", "", "us-east-1:me"), true},
			accessCase{"profile put", me, itemReq("dynamodb:PutItem", "Profiles", "", "us-east-1:me"), false},
		))
	})
}

// TestPlanGuestRole: guests get exactly what is declared for guests, nothing of the
// signed-in grants.
func TestPlanGuestRole(t *testing.T) {
	t.Run("declared guest grants", func(t *testing.T) {
		roles := plan(t, &DirectAccessProps{
			Guests: guests(),
			Tables: []*TableRule{
				{Name: ptr("Notes"), SortKey: ptr("id"), Guest: tops(TableRead), Indexes: []*IndexRule{{Name: ptr("byDate"), SortKey: ptr("date")}}},
				{Name: ptr("Private")},
			},
			Buckets: []*BucketRule{bucket("Files", append(PublicProtectedPrivate(true),
				&PathRule{Path: ptr("catalog/*"), Authenticated: &readS, Guest: sops(StorageGet)},
			)...)},
		})
		checkSafe(t, roles, false)
		want := []statement{
			{Sid: "OwnItems", sidBase: "OwnItems", Effect: "Allow", Actions: readActions,
				Resources: []resource{tableRes("Notes", ""), tableRes("Notes", "/index/byDate")}, Conditions: ownItemConds},
			{Sid: "SharedObjects", sidBase: "SharedObjects", Effect: "Allow", Actions: []string{"s3:GetObject"},
				Resources: []resource{bucketRes("Files", "/public/*"), bucketRes("Files", "/protected/*/*"), bucketRes("Files", "/catalog/*")}},
			{Sid: "SharedFolderList", sidBase: "SharedFolderList", Effect: "Allow", Actions: []string{"s3:ListBucket"},
				Resources:  []resource{bucketRes("Files", "")},
				Conditions: conditions{"StringLike": {"s3:prefix": {"public/", "public/*", "protected/*/", "protected/*/*"}}}},
		}
		if got := roles[roleGuest]; !reflect.DeepEqual(got, want) {
			t.Errorf("guest role:\n got  %s\n want %s", dump(got), dump(want))
		}
		guest := caller{identity: "us-east-1:guest"}
		checkAccess(t, roles[roleGuest], []accessCase{
			{"own note", guest, itemReq("dynamodb:GetItem", "Notes", "", "us-east-1:guest"), true},
			{"own note write", guest, itemReq("dynamodb:PutItem", "Notes", "", "us-east-1:guest"), false},
			{"private table", guest, itemReq("dynamodb:GetItem", "Private", "", "us-east-1:guest"), false},
			{"public read", guest, objectReq("s3:GetObject", "Files", "public/a"), true},
			{"public write", guest, objectReq("s3:PutObject", "Files", "public/a"), false},
			{"protected read", guest, objectReq("s3:GetObject", "Files", "protected/us-east-1:x/a"), true},
			{"private read", guest, objectReq("s3:GetObject", "Files", "private/us-east-1:guest/a"), false},
			{"catalog list", guest, listReq("Files", "catalog/"), false},
		})
	})
	t.Run("guests on, nothing granted", func(t *testing.T) {
		roles := plan(t, &DirectAccessProps{Guests: guests()})
		if got, ok := roles[roleGuest]; !ok || len(got) != 0 {
			t.Errorf("guest role = %s (planned %v), want a planned role with no statements", dump(got), ok)
		}
	})
	t.Run("guests off", func(t *testing.T) {
		roles := plan(t, &DirectAccessProps{Buckets: []*BucketRule{bucket("Files", PublicProtectedPrivate(false)...)}})
		if _, ok := roles[roleGuest]; ok {
			t.Errorf("roles = %v, want no guest role", roleNames(roles))
		}
	})
}

// TestPlanNestedPathDenies: a rule nested in a broader one takes away, with explicit Deny
// statements, what the broader rule grants and the nested rule does not; nothing for the
// audiences it does grant.
func TestPlanNestedPathDenies(t *testing.T) {
	props := &DirectAccessProps{
		Guests: guests(),
		Groups: []*GroupRule{group("admins", 1), group("editors", 2)},
		Buckets: []*BucketRule{bucket("Files",
			&PathRule{Path: ptr("public/*"), Authenticated: &allS, Guest: &readS},
			&PathRule{Path: ptr("public/admin/*"), Groups: map[string][]StorageOperation{"admins": allS}},
			&PathRule{Path: ptr("public/team/*"), Authenticated: sops(StorageGet), Groups: map[string][]StorageOperation{"editors": {StorageGet, StorageWrite}}},
			&PathRule{Path: ptr("public/open/*"), Authenticated: &allS, Guest: &readS},
		)},
	}
	roles := plan(t, props)
	checkSafe(t, roles, false)
	denyAll := func(folder string, ops ...string) []string {
		var out []string
		for _, op := range ops {
			if op == "list" {
				for _, p := range []string{folder + "/", folder + "/*"} {
					out = append(out, "Deny s3:ListBucket bucket:Files prefix="+p)
				}
				// Every shorter prefix from the parent "public/" on, unless keys are grouped by "/".
				for i := len("public/"); i <= len(folder); i++ {
					out = append(out, "Deny s3:ListBucket bucket:Files prefix="+folder[:i]+` if {"StringNotEquals":{"s3:delimiter":["/"]}}`)
				}
				continue
			}
			out = append(out, "Deny "+op+" bucket:Files/"+folder+"/*")
		}
		return out
	}
	want := map[roleKind][]string{
		roleAuthenticated: concat(
			denyAll("public/admin", "s3:GetObject", "s3:PutObject", "s3:DeleteObject", "list"),
			denyAll("public/team", "s3:PutObject", "s3:DeleteObject", "list")),
		roleGuest: concat(
			denyAll("public/admin", "s3:GetObject", "list"),
			denyAll("public/team", "s3:GetObject", "list")),
		groupRole("admins"): denyAll("public/team", "s3:PutObject", "s3:DeleteObject", "list"),
		groupRole("editors"): concat(
			denyAll("public/admin", "s3:GetObject", "s3:PutObject", "s3:DeleteObject", "list"),
			denyAll("public/team", "s3:DeleteObject", "list")),
	}
	for role, w := range want {
		t.Run(string(role), func(t *testing.T) {
			got := denyTuples(roles[role])
			sort.Strings(w)
			w = slices.Compact(w) // two nested folders share the leading prefix public/
			if !reflect.DeepEqual(got, w) {
				t.Errorf("deny statements of %s:\n got  %q\n want %q", role, got, w)
			}
			for _, tup := range got {
				if strings.Contains(tup, "public/open") {
					t.Errorf("%s denies %s, but public/open/* grants everything public/* does", role, tup)
				}
			}
		})
	}
	u := caller{identity: "us-east-1:u"}
	checkAccess(t, roles[roleAuthenticated], []accessCase{
		{"public", u, objectReq("s3:PutObject", "Files", "public/a"), true},
		{"open", u, objectReq("s3:PutObject", "Files", "public/open/a"), true},
		{"team read", u, objectReq("s3:GetObject", "Files", "public/team/a"), true},
		{"team write", u, objectReq("s3:PutObject", "Files", "public/team/a"), false},
		{"admin read", u, objectReq("s3:GetObject", "Files", "public/admin/a"), false},
		{"admin list", u, listReq("Files", "public/admin/"), false},
		// Without a delimiter a listing of public/ would show the keys under public/admin/.
		{"public list", u, listReq("Files", "public/"), false},
		{"public list by folder", u, listReq("Files", "public/", "s3:delimiter", "/"), true},
		{"leading into admin", u, listReq("Files", "public/adm"), false},
		{"leading into admin by folder", u, listReq("Files", "public/adm", "s3:delimiter", "/"), true},
		{"beside admin", u, listReq("Files", "public/b"), true},
	})
	checkAccess(t, roles[groupRole("admins")], []accessCase{
		{"admin write", u, objectReq("s3:PutObject", "Files", "public/admin/a"), true},
		{"admin list", u, listReq("Files", "public/admin/"), true},
		{"team write", u, objectReq("s3:PutObject", "Files", "public/team/a"), false},
	})
	checkAccess(t, roles[groupRole("editors")], []accessCase{
		{"team write", u, objectReq("s3:PutObject", "Files", "public/team/a"), true},
		{"team delete", u, objectReq("s3:DeleteObject", "Files", "public/team/a"), false},
		{"admin read", u, objectReq("s3:GetObject", "Files", "public/admin/a"), false},
	})
	checkAccess(t, roles[roleGuest], []accessCase{
		{"public read", u, objectReq("s3:GetObject", "Files", "public/a"), true},
		{"open read", u, objectReq("s3:GetObject", "Files", "public/open/a"), true},
		{"admin read", u, objectReq("s3:GetObject", "Files", "public/admin/a"), false},
		{"team read", u, objectReq("s3:GetObject", "Files", "public/team/a"), false},
	})
}

// TestPlanAttributeLimits: UpdateItem is the only write, every key attribute (table and index
// keys) is in dynamodb:Attributes, and Select/ReturnValues are pinned.
func TestPlanAttributeLimits(t *testing.T) {
	limited := func(ops *[]TableOperation) *DirectAccessProps {
		return &DirectAccessProps{
			Tables: []*TableRule{{
				Name: ptr("Profiles"), SortKey: ptr("sk"), Authenticated: ops,
				Attributes: strs("displayName", "avatarKey"),
				Indexes: []*IndexRule{
					{Name: ptr("byName"), PartitionKey: ptr("userId"), SortKey: ptr("displayName")},
					{Name: ptr("byDate"), SortKey: ptr("updatedAt")},
				},
			}},
			Buckets: []*BucketRule{},
		}
	}
	conds := conditions{
		"ForAllValues:StringEquals": {
			"dynamodb:LeadingKeys": {IdentityVariable},
			"dynamodb:Attributes":  {"avatarKey", "displayName", "sk", "updatedAt", "userId"},
		},
		"Null":                 {"dynamodb:LeadingKeys": {"false"}},
		"Bool":                 {"aws:SecureTransport": {"true"}},
		"StringEqualsIfExists": {"dynamodb:Select": {"SPECIFIC_ATTRIBUTES"}, "dynamodb:ReturnValues": {"NONE", "UPDATED_OLD", "UPDATED_NEW"}},
	}
	tests := []struct {
		name      string
		ops       *[]TableOperation
		actions   []string
		resources []resource
	}{
		{"default operations", nil, concat(limitedReadActions, []string{"dynamodb:UpdateItem"}),
			[]resource{tableRes("Profiles", ""), tableRes("Profiles", "/index/byName"), tableRes("Profiles", "/index/byDate")}},
		{"read and write", tops(TableRead, TableWrite), concat(limitedReadActions, []string{"dynamodb:UpdateItem"}),
			[]resource{tableRes("Profiles", ""), tableRes("Profiles", "/index/byName"), tableRes("Profiles", "/index/byDate")}},
		{"write only", tops(TableWrite), []string{"dynamodb:UpdateItem"}, []resource{tableRes("Profiles", "")}},
		{"read only", tops(TableRead), limitedReadActions,
			[]resource{tableRes("Profiles", ""), tableRes("Profiles", "/index/byName"), tableRes("Profiles", "/index/byDate")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			roles := plan(t, limited(tt.ops))
			want := []statement{{Sid: "OwnItemsAttributes", sidBase: "OwnItemsAttributes", Effect: "Allow",
				Actions: tt.actions, Resources: tt.resources, Conditions: conds}}
			if got := roles[roleAuthenticated]; !reflect.DeepEqual(got, want) {
				t.Errorf("statements:\n got  %s\n want %s", dump(got), dump(want))
			}
			checkSafe(t, roles, true)
			for _, s := range roles[roleAuthenticated] {
				for _, a := range []string{"dynamodb:PutItem", "dynamodb:BatchWriteItem", "dynamodb:DeleteItem"} {
					if slices.Contains(s.Actions, a) {
						t.Errorf("statement %s grants %s under an attribute limit", s.Sid, a)
					}
				}
			}
		})
	}
}

// TestPlanIndexArns: index ARNs appear only in statements that grant read.
func TestPlanIndexArns(t *testing.T) {
	roles := plan(t, &DirectAccessProps{
		Guests: guests(),
		Tables: []*TableRule{{
			Name: ptr("Notes"), SortKey: ptr("id"), Authenticated: tops(TableWrite, TableDelete), Guest: tops(TableRead),
			Indexes: []*IndexRule{{Name: ptr("byDate"), SortKey: ptr("date")}, {Name: ptr("byTitle"), PartitionKey: ptr("userId"), SortKey: ptr("title")}},
		}},
		Buckets: []*BucketRule{},
	})
	want := map[roleKind][]statement{
		roleAuthenticated: {{Sid: "OwnItems", sidBase: "OwnItems", Effect: "Allow", Actions: concat(writeActions, deleteActions),
			Resources: []resource{tableRes("Notes", "")}, Conditions: ownItemConds}},
		roleGuest: {{Sid: "OwnItems", sidBase: "OwnItems", Effect: "Allow", Actions: readActions,
			Resources:  []resource{tableRes("Notes", ""), tableRes("Notes", "/index/byDate"), tableRes("Notes", "/index/byTitle")},
			Conditions: ownItemConds}},
	}
	if !reflect.DeepEqual(roles, want) {
		t.Errorf("plan:\n got  %s\n want %s", dump(roles), dump(want))
	}
	checkSafe(t, roles, true)
}

// TestPlanTenants: tenant-keyed tables and folders use ${aws:PrincipalTag/<tag>} with a Null
// guard, so a caller without the tag matches nothing.
func TestPlanTenants(t *testing.T) {
	roles := plan(t, &DirectAccessProps{
		Tenant: &TenantIsolation{Claim: ptr("custom:org"), TagKey: ptr("org")},
		Groups: []*GroupRule{group("auditors", 1)},
		Tables: []*TableRule{{Name: ptr("Docs"), PartitionKey: ptr("orgId"), SortKey: ptr("docId"),
			PartitionValue: PartitionByTenant, Authenticated: tops(TableRead)}},
		Buckets: []*BucketRule{bucket("Files",
			&PathRule{Path: ptr("orgs/{tenant}/*"), Tenant: &allS, Groups: map[string][]StorageOperation{"auditors": readS}},
		)},
	})
	tag := "${aws:PrincipalTag/org}"
	guard := map[string][]string{"aws:PrincipalTag/org": {"false"}}
	// A tenant tag with "/", "*" or "?" would reach into other folders once substituted.
	plain := map[string][]string{"aws:PrincipalTag/org": {"*/*", "*${*}*", "*${?}*"}}
	tenantStatements := []statement{
		{Sid: "TenantItems", sidBase: "TenantItems", Effect: "Allow", Actions: readActions,
			Resources: []resource{tableRes("Docs", "")},
			Conditions: conditions{
				"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": {tag}},
				"Null":                      {"aws:PrincipalTag/org": {"false"}, "dynamodb:LeadingKeys": {"false"}},
				"Bool":                      {"aws:SecureTransport": {"true"}},
				"StringNotLike":             plain,
			}},
		{Sid: "TenantObjects", sidBase: "TenantObjects", Effect: "Allow", Actions: objectAll,
			Resources: []resource{bucketRes("Files", "/orgs/"+tag+"/*")}, Conditions: conditions{"Null": guard, "StringNotLike": plain}},
		{Sid: "TenantFolderList", sidBase: "TenantFolderList", Effect: "Allow", Actions: []string{"s3:ListBucket"},
			Resources:  []resource{bucketRes("Files", "")},
			Conditions: conditions{"Null": guard, "StringNotLike": plain, "StringLike": {"s3:prefix": {"orgs/" + tag + "/", "orgs/" + tag + "/*"}}}},
	}
	if got := roles[roleAuthenticated]; !reflect.DeepEqual(got, tenantStatements) {
		t.Errorf("authenticated role:\n got  %s\n want %s", dump(got), dump(tenantStatements))
	}
	auditors := concat2(tenantStatements,
		statement{Sid: "SharedObjects", sidBase: "SharedObjects", Effect: "Allow", Actions: []string{"s3:GetObject"},
			Resources: []resource{bucketRes("Files", "/orgs/*/*")}},
		statement{Sid: "SharedFolderList", sidBase: "SharedFolderList", Effect: "Allow", Actions: []string{"s3:ListBucket"},
			Resources: []resource{bucketRes("Files", "")}, Conditions: conditions{"StringLike": {"s3:prefix": {"orgs/*/", "orgs/*/*"}}}},
	)
	if got := roles[groupRole("auditors")]; !reflect.DeepEqual(got, auditors) {
		t.Errorf("auditors role:\n got  %s\n want %s", dump(got), dump(auditors))
	}
	checkSafe(t, roles, false)

	acme := caller{identity: "us-east-1:u", tagKey: "org", tenant: "acme"}
	untagged := caller{identity: "us-east-1:u", tagKey: "org"}
	checkAccess(t, roles[roleAuthenticated], []accessCase{
		{"own tenant item", acme, itemReq("dynamodb:Query", "Docs", "", "acme"), true},
		{"other tenant item", acme, itemReq("dynamodb:Query", "Docs", "", "globex"), false},
		{"identity as tenant", acme, itemReq("dynamodb:GetItem", "Docs", "", "us-east-1:u"), false},
		{"item write", acme, itemReq("dynamodb:PutItem", "Docs", "", "acme"), false},
		{"keyless", acme, itemReq("dynamodb:Query", "Docs", ""), false},
		{"untagged item", untagged, itemReq("dynamodb:GetItem", "Docs", "", ""), false},
		{"own tenant folder", acme, objectReq("s3:PutObject", "Files", "orgs/acme/a"), true},
		{"other tenant folder", acme, objectReq("s3:GetObject", "Files", "orgs/globex/a"), false},
		{"untagged folder", untagged, objectReq("s3:GetObject", "Files", "orgs//a"), false},
		{"untagged list", untagged, listReq("Files", "orgs//"), false},
		{"list own tenant", acme, listReq("Files", "orgs/acme/"), true},
		{"list other tenant", acme, listReq("Files", "orgs/globex/"), false},
	})
	checkAccess(t, roles[groupRole("auditors")], []accessCase{
		{"other tenant folder", acme, objectReq("s3:GetObject", "Files", "orgs/globex/a"), true},
		{"other tenant write", acme, objectReq("s3:PutObject", "Files", "orgs/globex/a"), false},
		{"other tenant item", acme, itemReq("dynamodb:GetItem", "Docs", "", "globex"), false},
	})
}

func concat2(a []statement, more ...statement) []statement { return append(slices.Clone(a), more...) }

// TestMergeStatements: merging joins only what can be joined without widening access.
func TestMergeStatements(t *testing.T) {
	tenantConds := conditions{
		"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": {TenantVariable("t")}},
		"Null":                      {"aws:PrincipalTag/t": {"false"}, "dynamodb:LeadingKeys": {"false"}},
		"Bool":                      {"aws:SecureTransport": {"true"}},
	}
	list := func(base, bucket string, extra conditions, prefixes ...string) statement {
		c := extra.clone()
		if c == nil {
			c = conditions{}
		}
		c.add("StringLike", "s3:prefix", prefixes...)
		return statement{sidBase: base, Effect: "Allow", Actions: []string{"s3:ListBucket"}, Resources: []resource{bucketRes(bucket, "")}, Conditions: c}
	}
	items := func(base string, actions []string, conds conditions, tables ...string) statement {
		var rs []resource
		for _, tb := range tables {
			rs = append(rs, tableRes(tb, ""))
		}
		return statement{sidBase: base, Effect: "Allow", Actions: actions, Resources: rs, Conditions: conds.clone()}
	}
	objects := func(base, effect string, actions []string, suffixes ...string) statement {
		var rs []resource
		for _, s := range suffixes {
			rs = append(rs, bucketRes("Files", s))
		}
		return statement{sidBase: base, Effect: effect, Actions: actions, Resources: rs}
	}
	named := func(s statement, sid string) statement { s.Sid = sid; return s }
	guard := conditions{"Null": {"aws:PrincipalTag/t": {"false"}}}

	tests := []struct {
		name string
		in   []statement
		want []statement
	}{
		{"same actions and conditions join resources",
			[]statement{items("OwnItems", readActions, ownItemConds, "A"), items("OwnItems", readActions, ownItemConds, "B"), items("OwnItems", readActions, ownItemConds, "A")},
			[]statement{named(items("OwnItems", readActions, ownItemConds, "A", "B"), "OwnItems")}},
		{"list prefixes union on one bucket",
			[]statement{list("OwnFolderList", "Files", nil, "a/", "a/*"), list("OwnFolderList", "Files", nil, "b/", "b/*", "a/")},
			[]statement{named(list("OwnFolderList", "Files", nil, "a/", "a/*", "b/", "b/*"), "OwnFolderList")}},
		{"same prefixes on two buckets join resources",
			[]statement{list("OwnFolderList", "Files", nil, "a/"), list("OwnFolderList", "Media", nil, "a/")},
			[]statement{{Sid: "OwnFolderList", sidBase: "OwnFolderList", Effect: "Allow", Actions: []string{"s3:ListBucket"},
				Resources: []resource{bucketRes("Files", ""), bucketRes("Media", "")}, Conditions: conditions{"StringLike": {"s3:prefix": {"a/"}}}}}},
		{"different prefixes on two buckets stay apart",
			[]statement{list("SharedFolderList", "Files", nil, "a/"), list("SharedFolderList", "Media", nil, "b/")},
			[]statement{named(list("SharedFolderList", "Files", nil, "a/"), "SharedFolderList1"), named(list("SharedFolderList", "Media", nil, "b/"), "SharedFolderList2")}},
		{"different conditions stay apart",
			[]statement{items("Items", readActions, ownItemConds, "A"), items("Items", readActions, tenantConds, "B")},
			[]statement{named(items("Items", readActions, ownItemConds, "A"), "Items1"), named(items("Items", readActions, tenantConds, "B"), "Items2")}},
		{"a guarded list never takes an unguarded prefix",
			[]statement{list("FolderList", "Files", guard, "t/"), list("FolderList", "Files", nil, "public/")},
			[]statement{named(list("FolderList", "Files", guard, "t/"), "FolderList1"), named(list("FolderList", "Files", nil, "public/"), "FolderList2")}},
		{"different actions on different resources stay apart",
			[]statement{objects("SharedObjects", "Allow", []string{"s3:GetObject"}, "/public/*"), objects("SharedObjects", "Allow", objectAll, "/team/*")},
			[]statement{named(objects("SharedObjects", "Allow", []string{"s3:GetObject"}, "/public/*"), "SharedObjects1"), named(objects("SharedObjects", "Allow", objectAll, "/team/*"), "SharedObjects2")}},
		{"allow and deny never merge",
			[]statement{objects("X", "Allow", objectAll, "/a/*"), objects("X", "Deny", objectAll, "/b/*")},
			[]statement{named(objects("X", "Allow", objectAll, "/a/*"), "X1"), named(objects("X", "Deny", objectAll, "/b/*"), "X2")}},
		{"different sid bases never merge",
			[]statement{objects("OwnObjects", "Allow", objectAll, "/a/*"), objects("SharedObjects", "Allow", objectAll, "/b/*")},
			[]statement{named(objects("OwnObjects", "Allow", objectAll, "/a/*"), "OwnObjects"), named(objects("SharedObjects", "Allow", objectAll, "/b/*"), "SharedObjects")}},
		{"attribute-limited and unlimited items stay apart",
			func() []statement {
				lim := ownItemConds.clone()
				lim.add("ForAllValues:StringEquals", "dynamodb:Attributes", "a", "userId")
				return []statement{items("OwnItems", readActions, ownItemConds, "A"), items("OwnItems", readActions, lim, "B")}
			}(),
			func() []statement {
				lim := ownItemConds.clone()
				lim.add("ForAllValues:StringEquals", "dynamodb:Attributes", "a", "userId")
				return []statement{named(items("OwnItems", readActions, ownItemConds, "A"), "OwnItems1"), named(items("OwnItems", readActions, lim, "B"), "OwnItems2")}
			}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := dump(tt.in)
			got := mergeStatements(tt.in)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("mergeStatements:\n got  %s\n want %s", dump(got), dump(tt.want))
			}
			if after := dump(tt.in); after != before {
				t.Errorf("mergeStatements changed its input:\n before %s\n after  %s", before, after)
			}
			if g, w := accessTuples(got), accessTuples(tt.in); !reflect.DeepEqual(g, w) {
				t.Errorf("merge changed what is allowed:\n got  %q\n want %q", g, w)
			}
		})
	}
}

// TestMergePreservesAccess: for every role of several rule sets, the merged statements allow
// and deny exactly what the unmerged ones do (a merge that widens access fails here).
func TestMergePreservesAccess(t *testing.T) {
	for name, props := range ruleSets() {
		t.Run(name, func(t *testing.T) {
			s, problems := newSpec(props)
			if len(problems) > 0 {
				t.Fatalf("newSpec: %q", problems)
			}
			for _, r := range s.roles() {
				raw := roleStatements(s, r)
				merged := mergeStatements(raw)
				if g, w := accessTuples(merged), accessTuples(raw); !reflect.DeepEqual(g, w) {
					t.Errorf("role %s: merged access differs:\n got  %q\n want %q", r, g, w)
				}
				if len(merged) > len(raw) {
					t.Errorf("role %s: %d statements after merging, %d before", r, len(merged), len(raw))
				}
			}
		})
	}
}

// TestPlanInvariants runs the safety checks over every rule set: no Scan, PartiQL or "*"
// action, per-identity conditions on every table grant, no bucket-wide object resource, unique
// Sids.
func TestPlanInvariants(t *testing.T) {
	for name, props := range ruleSets() {
		t.Run(name, func(t *testing.T) {
			checkSafe(t, plan(t, props), name == "default")
		})
	}
}

// TestPlanSiblingOfIdentityFolder: a non-owner grant on "protected/{identity}/*" is rendered
// "protected/*/*", and IAM's "*" also matches "/", so it reaches every folder beside the
// identity folders. Such layouts must be refused, not synthesized.
func TestPlanSiblingOfIdentityFolder(t *testing.T) {
	props := &DirectAccessProps{
		Groups: []*GroupRule{group("hr", 1)},
		Buckets: []*BucketRule{bucket("Files",
			&PathRule{Path: ptr("protected/{identity}/*"), Owner: &allS, Authenticated: &readS},
			&PathRule{Path: ptr("protected/hr/*"), Groups: map[string][]StorageOperation{"hr": allS}},
		)},
	}
	// What the plan would grant if it were built: every signed-in user reads HR's folder.
	s, problems := newSpec(props)
	var auth []statement
	for _, p := range buildPlan(s) {
		if p.Role == roleAuthenticated {
			auth = p.Statements
		}
	}
	leaks := evaluate(auth, objectReq("s3:GetObject", "Files", "protected/hr/salaries.csv"), caller{identity: "us-east-1:u"})
	if !leaks {
		t.Fatalf("expected the unrefused plan to let every user read protected/hr/ (the reason for the refusal); it does not: %s", dump(auth))
	}
	checkProblems(t, "newSpec", problems, [][]string{{`Buckets[0].Paths: "protected/hr/*" is beside the per-identity folders of "protected/{identity}/*"`}})

	for _, tt := range []struct {
		name  string
		props *DirectAccessProps
		want  [][]string
	}{
		{"owner-only identity folder allows siblings", &DirectAccessProps{Buckets: []*BucketRule{bucket("Files",
			&PathRule{Path: ptr("users/{identity}/*"), Owner: &allS},
			&PathRule{Path: ptr("users/shared/*"), Authenticated: &allS},
		)}}, nil},
		{"guest read on identity folder", &DirectAccessProps{Guests: guests(), Buckets: []*BucketRule{bucket("Files",
			&PathRule{Path: ptr("users/{identity}/*"), Owner: &allS, Guest: &readS},
			&PathRule{Path: ptr("users/shared/*"), Authenticated: &readS},
		)}}, [][]string{{`"users/shared/*" is beside the per-identity folders of "users/{identity}/*"`}}},
		{"group read on tenant folder beside identity folders", &DirectAccessProps{
			Tenant: tenant("t"), Groups: []*GroupRule{group("ops", 1)},
			Buckets: []*BucketRule{bucket("Files",
				&PathRule{Path: ptr("data/{tenant}/*"), Tenant: &allS, Groups: map[string][]StorageOperation{"ops": readS}},
				&PathRule{Path: ptr("data/{identity}/*"), Owner: &allS},
			)},
		}, [][]string{{`"data/{identity}/*" is beside the per-tenant folders of "data/{tenant}/*"`}}},
		{"deeper sibling", &DirectAccessProps{Buckets: []*BucketRule{bucket("Files",
			&PathRule{Path: ptr("a/b/{identity}/*"), Owner: &allS, Authenticated: &readS},
			&PathRule{Path: ptr("a/b/c/d/*"), Authenticated: sops(StorageGet)},
			&PathRule{Path: ptr("a/x/*"), Authenticated: sops(StorageGet)},
		)}}, [][]string{{`"a/b/c/d/*" is beside the per-identity folders of "a/b/{identity}/*"`}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, got := newSpec(tt.props)
			checkProblems(t, "newSpec", got, tt.want)
		})
	}
}

// TestPackScale: 20 tables (some with indexes) and 50 storage path rules across buckets, with
// guests, tenants and 2 groups, fit every role into IAM's managed policy limits.
func TestPackScale(t *testing.T) {
	for name, props := range map[string]*DirectAccessProps{
		"20 tables and 50 paths":             scaleProps(20, 5, 0),
		"20 tables each with indexes":        scaleProps(20, 1, 2),
		"40 tables with indexes, 100 paths":  scaleProps(40, 10, 1),
		"one bucket with 50 paths":           onePathHeavyBucket(50),
		"20 attribute-limited tables 2 each": attributeTables(20, 2),
	} {
		t.Run(name, func(t *testing.T) {
			roles := plan(t, props)
			if len(roles) < 2 {
				t.Fatalf("roles = %v, want several", roleNames(roles))
			}
			for _, role := range roleNames(roles) {
				r := rolePlan{Role: roleKind(role), Statements: roles[roleKind(role)]}
				packs, err := packPolicies(r)
				if err != nil {
					t.Errorf("packPolicies(%s) error = %v, want nil", role, err)
					continue
				}
				if len(packs) > managedPoliciesPerRole {
					t.Errorf("role %s: %d managed policies, want <= %d", role, len(packs), managedPoliciesPerRole)
				}
				var flat []statement
				sids := map[string]bool{}
				for i, pack := range packs {
					if len(pack) == 0 {
						t.Errorf("role %s: pack %d is empty", role, i)
					}
					if n := packEstimate(pack); n > managedPolicyMaxChars {
						t.Errorf("role %s: pack %d estimated at %d characters, want <= %d", role, i, n, managedPolicyMaxChars)
					}
					if n := policyDocumentSize(pack); n > managedPolicyMaxChars {
						t.Errorf("role %s: pack %d renders to %d characters with the longest assumed ARNs, want <= %d", role, i, n, managedPolicyMaxChars)
					}
					for _, s := range pack {
						if sids[s.Sid] {
							t.Errorf("role %s: Sid %q used twice", role, s.Sid)
						}
						sids[s.Sid] = true
					}
					flat = append(flat, pack...)
				}
				if g, w := accessTuples(flat), accessTuples(r.Statements); !reflect.DeepEqual(g, w) {
					t.Errorf("role %s: packing changed what is allowed:\n got  %q\n want %q", role, g, w)
				}
				t.Logf("role %s: %d statements in %d managed policies", role, len(r.Statements), len(packs))
			}
			checkSafe(t, roles, false)
		})
	}
}

// TestPackSplitsOversizedStatements: merging can join more tables or folders into one
// statement than one policy holds; packing cuts such a statement (by resources, then by
// s3:prefix values) into parts that fit, named <Sid>, <Sid>Part2, ..., granting exactly the
// same access.
func TestPackSplitsOversizedStatements(t *testing.T) {
	manyTables := &DirectAccessProps{Buckets: []*BucketRule{}}
	for i := 0; i < 60; i++ {
		manyTables.Tables = append(manyTables.Tables, &TableRule{Name: ptr(fmt.Sprintf("Table%02d", i))})
	}
	ownerFolders := func(buckets, folders int) *DirectAccessProps {
		props := &DirectAccessProps{Tables: []*TableRule{}}
		for b := 0; b < buckets; b++ {
			br := bucket(fmt.Sprintf("Bucket%d", b))
			for i := 0; i < folders; i++ {
				br.Paths = append(br.Paths, &PathRule{Path: ptr(fmt.Sprintf("users%02d/{identity}/*", i)), Owner: &allS})
			}
			props.Buckets = append(props.Buckets, br)
		}
		return props
	}
	tests := []struct {
		name  string
		props *DirectAccessProps
		split []string // Sids of the statements that must be cut
	}{
		{"60 tables in one statement", manyTables, []string{"OwnItems"}},
		{"80 owner folders in one bucket", ownerFolders(1, 80), []string{"OwnObjects", "OwnFolderList"}},
		{"70 owner folders in each of 2 buckets", ownerFolders(2, 70), []string{"OwnObjects", "OwnFolderList"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := rolePlan{Role: roleAuthenticated, Statements: plan(t, tt.props)[roleAuthenticated]}
			packs, err := packPolicies(r)
			if err != nil {
				t.Fatalf("packPolicies error = %v, want nil", err)
			}
			var flat []statement
			for i, pack := range packs {
				if n := packEstimate(pack); n > managedPolicyMaxChars {
					t.Errorf("pack %d estimated at %d characters, want <= %d", i, n, managedPolicyMaxChars)
				}
				flat = append(flat, pack...)
			}
			if g, w := accessTuples(flat), accessTuples(r.Statements); !reflect.DeepEqual(g, w) {
				t.Errorf("splitting changed what is allowed:\n got  %q\n want %q", g, w)
			}
			var sids []string
			for _, s := range flat {
				sids = append(sids, s.Sid)
			}
			if len(slices.Compact(slices.Sorted(slices.Values(sids)))) != len(sids) {
				t.Errorf("Sids not unique: %q", sids)
			}
			for _, base := range tt.split {
				i := slices.Index(sids, base)
				if i < 0 || i+1 >= len(sids) || sids[i+1] != base+"Part2" {
					t.Errorf("Sids = %q, want %q followed by %q", sids, base, base+"Part2")
				}
			}
			t.Logf("%d statements became %d in %d managed policies", len(r.Statements), len(flat), len(packs))
		})
	}
}

// TestPackTooLarge: rule sets that cannot fit are refused with a clear error.
func TestPackTooLarge(t *testing.T) {
	longAttrs := make([]string, 40)
	for i := range longAttrs {
		longAttrs[i] = fmt.Sprintf("attribute_%03d_%s", i, strings.Repeat("x", 200))
	}
	tests := []struct {
		name  string
		props *DirectAccessProps
		want  []string
	}{
		{"too many managed policies", attributeTables(150, 3),
			[]string{"role authenticated: the rules need", "managed policies of up to 6144 characters; IAM attaches at most 10 to a role", "Expected fewer or broader rules"}},
		{"one statement over the policy size", &DirectAccessProps{
			Tables:  []*TableRule{{Name: ptr("Wide"), Authenticated: tops(TableRead), Attributes: strs(longAttrs...)}},
			Buckets: []*BucketRule{},
		}, []string{"role authenticated: statement OwnItemsAttributes is about", "over IAM's 6144 for one policy; split the rule"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			roles := plan(t, tt.props)
			_, err := packPolicies(rolePlan{Role: roleAuthenticated, Statements: roles[roleAuthenticated]})
			if err == nil {
				t.Fatalf("packPolicies error = nil, want one containing %q", tt.want)
			}
			if !containsAll(err.Error(), tt.want) {
				t.Errorf("packPolicies error = %q, want it to contain %q", err, tt.want)
			}
			// ValidateProps reports it too, before anything is synthesized.
			if verr := ValidateProps(tt.props); verr == nil || !containsAll(verr.Error(), tt.want) {
				t.Errorf("ValidateProps = %v, want an error containing %q", verr, tt.want)
			}
		})
	}
}

// TestStatementEstimatedSize: the estimate is never below the rendered JSON of the statement
// with the longest ARNs the estimator assumes.
func TestPlanStatementEstimatedSize(t *testing.T) {
	for name, props := range ruleSets() {
		t.Run(name, func(t *testing.T) {
			for role, stmts := range plan(t, props) {
				for _, s := range stmts {
					if est, real := s.estimatedSize(), len(renderStatement(s)); est < real {
						t.Errorf("role %s statement %s: estimated %d < rendered %d", role, s.Sid, est, real)
					}
				}
			}
		})
	}
}

// ---- rule sets ----

func ruleSets() map[string]*DirectAccessProps {
	return map[string]*DirectAccessProps{
		"default": {},
		"presets with guests": {
			Guests:  guests(),
			Buckets: []*BucketRule{bucket("Files", PublicProtectedPrivate(true)...)},
		},
		"showcase": {
			Guests: guests(),
			Groups: []*GroupRule{group("admins", 1), group("editors", 2)},
			Tenant: &TenantIsolation{Claim: ptr("custom:tenant")},
			Tables: []*TableRule{
				{Name: ptr("Notes"), SortKey: ptr("noteId"), Guest: tops(TableRead), Indexes: []*IndexRule{
					{Name: ptr("byUpdated"), SortKey: ptr("updatedAt")},
					{Name: ptr("byTitle"), PartitionKey: ptr("userId"), SortKey: ptr("title")},
				}},
				{Name: ptr("Profiles"), Authenticated: tops(TableRead, TableWrite), Attributes: strs("displayName", "avatarKey")},
				{Name: ptr("TenantDocs"), PartitionKey: ptr("tenantId"), SortKey: ptr("docId"), PartitionValue: PartitionByTenant,
					Authenticated: tops(TableRead), Groups: map[string][]TableOperation{"editors": {TableWrite, TableDelete}}},
			},
			Buckets: []*BucketRule{bucket("Files", append(PublicProtectedPrivate(true),
				&PathRule{Path: ptr("public/admin/*"), Groups: map[string][]StorageOperation{"admins": allS}},
				&PathRule{Path: ptr("tenants/{tenant}/*"), Tenant: &allS},
				&PathRule{Path: ptr("reports/*"), Groups: map[string][]StorageOperation{"admins": allS, "editors": readS}},
			)...)},
		},
		"scale": scaleProps(20, 5, 1),
	}
}

// scaleProps builds nTables tables with indexesPerTable indexes each (0: every third table
// gets two) and nBuckets buckets of 10 path rules each, with guests, a tenant and two groups.
func scaleProps(nTables, nBuckets, indexesPerTable int) *DirectAccessProps {
	props := &DirectAccessProps{
		Guests: guests(),
		Groups: []*GroupRule{group("admins", 1), group("editors", 2)},
		Tenant: &TenantIsolation{Claim: ptr("custom:tenant")},
	}
	for i := 0; i < nTables; i++ {
		tr := &TableRule{Name: ptr(fmt.Sprintf("Table%02d", i+1)), PartitionKey: ptr("userId"), SortKey: ptr("sk")}
		if i == nTables-1 && nTables > 2 {
			tr.PartitionKey, tr.PartitionValue = ptr("tenantId"), PartitionByTenant
		}
		n := indexesPerTable
		if n == 0 && i%3 == 0 {
			n = 2
		}
		for j := 0; j < n; j++ {
			if j%2 == 0 {
				tr.Indexes = append(tr.Indexes, &IndexRule{Name: ptr(fmt.Sprintf("byDate%d", j)), SortKey: ptr(fmt.Sprintf("date%d", j))})
			} else {
				tr.Indexes = append(tr.Indexes, &IndexRule{Name: ptr(fmt.Sprintf("byTitle%d", j)), PartitionKey: tr.PartitionKey, SortKey: ptr(fmt.Sprintf("title%d", j))})
			}
		}
		switch {
		case i%4 == 1:
			tr.Authenticated = tops(TableRead, TableWrite)
			tr.Attributes = strs("title", "body", "updatedAt")
		case i%6 == 0:
			tr.Groups = map[string][]TableOperation{"admins": {TableRead, TableWrite, TableDelete}, "editors": {TableRead}}
		}
		if i%5 == 2 {
			tr.Guest = tops(TableRead)
		}
		props.Tables = append(props.Tables, tr)
	}
	getOnly := sops(StorageGet)
	for b := 0; b < nBuckets; b++ {
		props.Buckets = append(props.Buckets, bucket(fmt.Sprintf("Bucket%02d", b+1),
			&PathRule{Path: ptr("public/*"), Authenticated: &allS, Guest: &readS},
			&PathRule{Path: ptr("public/admin/*"), Groups: map[string][]StorageOperation{"admins": allS}},
			&PathRule{Path: ptr("protected/{identity}/*"), Owner: &allS, Authenticated: &readS, Guest: getOnly},
			&PathRule{Path: ptr("private/{identity}/*"), Owner: &allS},
			&PathRule{Path: ptr("inbox/{identity}/*"), Owner: sops(StorageGet, StorageList, StorageDelete)},
			&PathRule{Path: ptr("reports/*"), Groups: map[string][]StorageOperation{"admins": allS, "editors": readS}},
			&PathRule{Path: ptr("media/*"), Authenticated: &readS, Groups: map[string][]StorageOperation{"editors": allS}},
			&PathRule{Path: ptr("tenants/{tenant}/*"), Tenant: &allS},
			&PathRule{Path: ptr(fmt.Sprintf("archive/%d/*", b)), Groups: map[string][]StorageOperation{"admins": readS}},
			&PathRule{Path: ptr("uploads/{identity}/*"), Owner: sops(StorageWrite)},
		))
	}
	return props
}

// onePathHeavyBucket is one bucket with n path rules: owner folders, shared folders and
// group folders in turn.
func onePathHeavyBucket(n int) *DirectAccessProps {
	props := &DirectAccessProps{Groups: []*GroupRule{group("admins", 1), group("editors", 2)}, Guests: guests()}
	b := bucket("Files")
	for i := 0; i < n; i++ {
		var r *PathRule
		switch i % 4 {
		case 0:
			r = &PathRule{Path: ptr(fmt.Sprintf("users%02d/{identity}/*", i)), Owner: &allS, Authenticated: sops(StorageGet)}
		case 1:
			r = &PathRule{Path: ptr(fmt.Sprintf("shared%02d/*", i)), Authenticated: &allS, Guest: sops(StorageGet)}
		case 2:
			r = &PathRule{Path: ptr(fmt.Sprintf("shared%02d/admin/*", i-1)), Groups: map[string][]StorageOperation{"admins": allS}}
		default:
			r = &PathRule{Path: ptr(fmt.Sprintf("team%02d/*", i)), Groups: map[string][]StorageOperation{"editors": allS, "admins": readS}}
		}
		b.Paths = append(b.Paths, r)
	}
	props.Buckets = []*BucketRule{b}
	return props
}

// attributeTables builds n tables each with its own attribute list, so no two table
// statements share conditions and none can merge.
func attributeTables(n, attrs int) *DirectAccessProps {
	props := &DirectAccessProps{Buckets: []*BucketRule{bucket("Files")}, Guests: guests()}
	props.Buckets[0].Paths = []*PathRule{{Path: ptr("public/*"), Authenticated: &readS, Guest: &readS}}
	for i := 0; i < n; i++ {
		var names []string
		for j := 0; j < attrs; j++ {
			names = append(names, fmt.Sprintf("t%03d_attribute_%d", i, j))
		}
		props.Tables = append(props.Tables, &TableRule{
			Name: ptr(fmt.Sprintf("Table%03d", i)), SortKey: ptr("sk"), Authenticated: tops(TableRead, TableWrite),
			Attributes: strs(names...),
			Indexes:    []*IndexRule{{Name: ptr("byDate"), SortKey: ptr("date")}},
		})
	}
	return props
}

// ---- size checks independent of the estimator ----

const (
	longTableArn  = "arn:aws-us-gov:dynamodb:ap-southeast-4:123456789012:table/"
	longBucketArn = "arn:aws-us-gov:s3:::"
)

// renderStatement is the statement as IAM receives it (single values unwrapped as the CDK
// does), with a 100-character table name and a 63-character bucket name.
func renderStatement(s statement) []byte {
	var res []string
	for _, r := range s.Resources {
		if r.Kind == tableResource {
			res = append(res, longTableArn+strings.Repeat("t", 100)+r.Suffix)
		} else {
			res = append(res, longBucketArn+strings.Repeat("b", 63)+r.Suffix)
		}
	}
	m := map[string]any{"Sid": s.Sid, "Effect": s.Effect, "Action": unwrap(s.Actions), "Resource": unwrap(res)}
	if len(s.Conditions) > 0 {
		c := map[string]map[string]any{}
		for op, kv := range s.Conditions {
			c[op] = map[string]any{}
			for k, v := range kv {
				c[op][k] = unwrap(v)
			}
		}
		m["Condition"] = c
	}
	b, _ := json.Marshal(m)
	return b
}

func unwrap(v []string) any {
	if len(v) == 1 {
		return v[0]
	}
	return v
}

func policyDocumentSize(pack []statement) int {
	var raw []json.RawMessage
	for _, s := range pack {
		raw = append(raw, renderStatement(s))
	}
	b, _ := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": raw})
	return len(b)
}

// packEstimate mirrors packPolicies' own accounting for one pack.
func packEstimate(pack []statement) int {
	n := len(`{"Version":"2012-10-17","Statement":[]}`)
	for _, s := range pack {
		n += s.estimatedSize() + 1
	}
	return n
}

// ---- safety invariants ----

var allowedActions = concat(readActions, writeActions, deleteActions, objectAll, []string{"s3:ListBucket"})

var sidPattern = regexp.MustCompile(`^[A-Za-z0-9]+$`)

// checkSafe asserts what must hold in every plan. ownerOnly adds: every object resource and
// list prefix carries the identity variable.
func checkSafe(t *testing.T, roles map[roleKind][]statement, ownerOnly bool) {
	t.Helper()
	for role, stmts := range roles {
		sids := map[string]bool{}
		for _, s := range stmts {
			where := fmt.Sprintf("role %s statement %s", role, s.Sid)
			if !sidPattern.MatchString(s.Sid) || sids[s.Sid] {
				t.Errorf("%s: Sid %q is empty, not alphanumeric or not unique", where, s.Sid)
			}
			sids[s.Sid] = true
			if s.Effect == "Deny" && s.Conditions["StringEquals"]["s3:authType"] != nil {
				checkPresignedDeny(t, where, s)
				continue
			}
			if s.Effect != "Allow" && s.Effect != "Deny" {
				t.Errorf("%s: Effect %q", where, s.Effect)
			}
			if len(s.Actions) == 0 || len(s.Resources) == 0 {
				t.Errorf("%s: %d actions, %d resources; want some of each", where, len(s.Actions), len(s.Resources))
			}
			for _, a := range s.Actions {
				if strings.Contains(a, "*") || strings.Contains(a, "Scan") || strings.HasPrefix(a, "dynamodb:PartiQL") || !slices.Contains(allowedActions, a) {
					t.Errorf("%s: action %q is not one of the item and object actions %v", where, a, allowedActions)
				}
			}
			for op := range s.Conditions {
				if strings.HasPrefix(op, "ForAnyValue") {
					t.Errorf("%s: condition operator %s; want ForAllValues", where, op)
				}
			}
			if len(s.Actions) == 0 {
				continue
			}
			isTable := strings.HasPrefix(s.Actions[0], "dynamodb:")
			for _, r := range s.Resources {
				if isTable != (r.Kind == tableResource) {
					t.Errorf("%s: resource %+v does not match actions %v", where, r, s.Actions)
				}
			}
			if isTable {
				checkTableStatement(t, where, s)
			} else {
				checkBucketStatement(t, where, s, ownerOnly)
			}
		}
	}
}

// checkPresignedDeny: a signing-method Deny covers buckets and their objects, and names only
// query-string or POST authentication.
func checkPresignedDeny(t *testing.T, where string, s statement) {
	t.Helper()
	for _, v := range s.Conditions["StringEquals"]["s3:authType"] {
		if v != "REST-QUERY-STRING" && v != "POST" {
			t.Errorf("%s: denies s3:authType %q; want only REST-QUERY-STRING and POST", where, v)
		}
	}
	for _, r := range s.Resources {
		if r.Kind != bucketResource || (r.Suffix != "" && r.Suffix != "/*") {
			t.Errorf("%s: resource %+v; want a bucket or its objects", where, r)
		}
	}
}

func checkTableStatement(t *testing.T, where string, s statement) {
	if got := s.Conditions["Bool"]["aws:SecureTransport"]; !reflect.DeepEqual(got, []string{"true"}) {
		t.Errorf("%s: Bool aws:SecureTransport = %q, want [true]", where, got)
	}
	t.Helper()
	if s.Effect != "Allow" {
		t.Errorf("%s: table statements are only ever Allow", where)
	}
	keys := s.Conditions["ForAllValues:StringEquals"]["dynamodb:LeadingKeys"]
	if len(keys) != 1 || (keys[0] != IdentityVariable && !strings.HasPrefix(keys[0], "${aws:PrincipalTag/")) {
		t.Errorf("%s: ForAllValues:StringEquals dynamodb:LeadingKeys = %q, want exactly the identity or tenant variable", where, keys)
	}
	if got := s.Conditions["Null"]["dynamodb:LeadingKeys"]; !reflect.DeepEqual(got, []string{"false"}) {
		t.Errorf("%s: Null dynamodb:LeadingKeys = %q, want [false]", where, got)
	}
	if len(keys) == 1 && strings.HasPrefix(keys[0], "${aws:PrincipalTag/") {
		tag := strings.TrimSuffix(strings.TrimPrefix(keys[0], "${"), "}")
		if got := s.Conditions["Null"][tag]; !reflect.DeepEqual(got, []string{"false"}) {
			t.Errorf("%s: Null %s = %q, want [false]", where, tag, got)
		}
	}
	for _, r := range s.Resources {
		if r.Suffix != "" && !regexp.MustCompile(`^/index/[A-Za-z0-9_.-]+$`).MatchString(r.Suffix) {
			t.Errorf("%s: table resource suffix %q; want the table or one of its indexes", where, r.Suffix)
		}
		if r.Suffix != "" && !slices.Contains(s.Actions, "dynamodb:Query") {
			t.Errorf("%s: index resource %q without read", where, r.Suffix)
		}
	}
	if _, limited := s.Conditions["ForAllValues:StringEquals"]["dynamodb:Attributes"]; limited {
		for _, a := range []string{"dynamodb:PutItem", "dynamodb:BatchWriteItem", "dynamodb:DeleteItem"} {
			if slices.Contains(s.Actions, a) {
				t.Errorf("%s: %s under an attribute limit", where, a)
			}
		}
	}
}

func checkBucketStatement(t *testing.T, where string, s statement, ownerOnly bool) {
	t.Helper()
	if slices.Contains(s.Actions, "s3:ListBucket") {
		if len(s.Actions) != 1 {
			t.Errorf("%s: ListBucket mixed with %v", where, s.Actions)
		}
		prefixes := s.Conditions["StringLike"]["s3:prefix"]
		if len(prefixes) == 0 {
			t.Errorf("%s: ListBucket without a StringLike s3:prefix condition", where)
		}
		for _, r := range s.Resources {
			if r.Suffix != "" {
				t.Errorf("%s: ListBucket on %q; want the bucket ARN", where, r.Suffix)
			}
		}
		for _, p := range prefixes {
			if s.Effect == "Allow" && (p == "*" || strings.HasPrefix(p, "*") || p == "") {
				t.Errorf("%s: list prefix %q reaches the whole bucket", where, p)
			}
			if ownerOnly && !strings.Contains(p, IdentityVariable) {
				t.Errorf("%s: list prefix %q without the identity variable in an owner-only plan", where, p)
			}
		}
		return
	}
	for _, r := range s.Resources {
		if r.Suffix == "/*" || !strings.HasPrefix(r.Suffix, "/") || !strings.HasSuffix(r.Suffix, "/*") || strings.Contains(r.Suffix, "//") || strings.HasPrefix(r.Suffix, "/*") {
			t.Errorf("%s: object resource %q; want /<folder>/*", where, r.Suffix)
		}
		if ownerOnly && !strings.Contains(r.Suffix, "/"+IdentityVariable+"/*") {
			t.Errorf("%s: object resource %q without the identity variable in an owner-only plan", where, r.Suffix)
		}
	}
}

// ---- access tuples: a statement list flattened to what it allows and denies ----

// accessTuples flattens statements into sorted "Effect action resource [prefix=p] [if cond]"
// lines: one per action, resource and s3:prefix value. Two statement lists with the same
// tuples grant exactly the same access.
func accessTuples(stmts []statement) []string {
	var out []string
	for _, s := range stmts {
		rest := s.Conditions.clone()
		var prefixes []string
		if rest != nil && rest["StringLike"] != nil {
			prefixes = rest["StringLike"]["s3:prefix"]
			delete(rest["StringLike"], "s3:prefix")
			if len(rest["StringLike"]) == 0 {
				delete(rest, "StringLike")
			}
		}
		cond := ""
		if len(rest) > 0 {
			cond = " if " + rest.key()
		}
		if prefixes == nil {
			prefixes = []string{""}
		}
		for _, a := range s.Actions {
			for _, r := range s.Resources {
				for _, p := range prefixes {
					tup := fmt.Sprintf("%s %s %s:%s%s", s.Effect, a, r.Kind, r.Name, r.Suffix)
					if p != "" {
						tup += " prefix=" + p
					}
					out = append(out, tup+cond)
				}
			}
		}
	}
	sort.Strings(out)
	return slices.Compact(out)
}

func allowTuples(stmts []statement) []string { return filterTuples(stmts, "Allow ") }
func denyTuples(stmts []statement) []string  { return filterTuples(stmts, "Deny ") }

func filterTuples(stmts []statement, prefix string) []string {
	var out []string
	for _, tup := range accessTuples(stmts) {
		if strings.HasPrefix(tup, prefix) {
			out = append(out, tup)
		}
	}
	return out
}

// ---- a small IAM evaluator for the statements the plan produces ----

type caller struct {
	identity string
	tagKey   string
	tenant   string // "" when the caller has no tenant tag
}

type request struct {
	action string
	kind   resourceKind
	name   string
	path   string              // after the table or bucket ARN: "", "/index/x" or "/<object key>"
	ctx    map[string][]string // request condition keys that are present
}

// Requests are made over HTTPS unless insecure says otherwise.
func itemReq(action, tableName, index string, leadingKeys ...string) request {
	ctx := map[string][]string{"aws:SecureTransport": {"true"}}
	if len(leadingKeys) > 0 {
		ctx["dynamodb:LeadingKeys"] = leadingKeys
	}
	return request{action: action, kind: tableResource, name: tableName, path: index, ctx: ctx}
}

func objectReq(action, bucketName, key string) request {
	return request{action: action, kind: bucketResource, name: bucketName, path: "/" + key, ctx: map[string][]string{"aws:SecureTransport": {"true"}}}
}

func insecure(r request) request { return withCtx(r, "aws:SecureTransport", "false") }

// withCtx sets one request condition key.
func withCtx(r request, key string, values ...string) request {
	ctx := maps.Clone(r.ctx)
	ctx[key] = values
	r.ctx = ctx
	return r
}

func listReq(bucketName, prefix string, extra ...string) request {
	ctx := map[string][]string{"aws:SecureTransport": {"true"}}
	if prefix != "" {
		ctx["s3:prefix"] = []string{prefix}
	}
	for i := 0; i+1 < len(extra); i += 2 {
		ctx[extra[i]] = append(ctx[extra[i]], extra[i+1])
	}
	return request{action: "s3:ListBucket", kind: bucketResource, name: bucketName, ctx: ctx}
}

type accessCase struct {
	name string
	who  caller
	req  request
	want bool
}

func checkAccess(t *testing.T, stmts []statement, cases []accessCase) {
	t.Helper()
	for _, c := range cases {
		if got := evaluate(stmts, c.req, c.who); got != c.want {
			t.Errorf("%s: %s on %s:%s%s %v by %+v allowed = %v, want %v", c.name, c.req.action, c.req.kind, c.req.name, c.req.path, c.req.ctx, c.who, got, c.want)
		}
	}
}

// evaluate applies IAM's logic for one identity policy: an explicit Deny wins, then any Allow.
func evaluate(stmts []statement, req request, who caller) bool {
	allowed := false
	for _, s := range stmts {
		if !s.matches(req, who) {
			continue
		}
		if s.Effect == "Deny" {
			return false
		}
		allowed = true
	}
	return allowed
}

var tagVariable = regexp.MustCompile(`\$\{aws:PrincipalTag/([^}]+)\}`)

// resolve replaces policy variables; ok is false when one cannot be resolved (IAM then
// matches nothing with it).
func (c caller) resolve(s string) (string, bool) {
	s = strings.ReplaceAll(s, IdentityVariable, c.identity)
	ok := true
	s = tagVariable.ReplaceAllStringFunc(s, func(v string) string {
		if tagVariable.FindStringSubmatch(v)[1] != c.tagKey || c.tenant == "" {
			ok = false
			return ""
		}
		return c.tenant
	})
	return s, ok
}

func (c caller) present(key string) bool {
	return strings.HasPrefix(key, "aws:PrincipalTag/") && key == "aws:PrincipalTag/"+c.tagKey && c.tenant != ""
}

func (s statement) matches(req request, who caller) bool {
	if !slices.Contains(s.Actions, req.action) {
		return false
	}
	resMatch := false
	for _, r := range s.Resources {
		if r.Kind != req.kind || r.Name != req.name {
			continue
		}
		pattern, ok := who.resolve(r.Suffix)
		if ok && glob(pattern, req.path) {
			resMatch = true
		}
	}
	if !resMatch {
		return false
	}
	for op, kv := range s.Conditions {
		for key, values := range kv {
			got, present := req.ctx[key]
			if strings.HasPrefix(key, "aws:PrincipalTag/") {
				present = who.present(key)
			}
			var resolved []string
			for _, v := range values {
				if r, ok := who.resolve(v); ok {
					resolved = append(resolved, r)
				}
			}
			switch op {
			case "Null":
				if (values[0] == "false") != present {
					return false
				}
			case "ForAllValues:StringEquals", "StringEqualsIfExists":
				for _, g := range got {
					if !slices.Contains(resolved, g) {
						return false
					}
				}
			case "StringLike":
				if !present || !slices.ContainsFunc(resolved, func(p string) bool { return glob(p, got[0]) }) {
					return false
				}
			case "StringNotLike":
				value := ""
				if len(got) > 0 {
					value = got[0]
				}
				if strings.HasPrefix(key, "aws:PrincipalTag/") {
					value = who.tenant
				}
				if present && slices.ContainsFunc(values, func(p string) bool { return glob(p, value) }) {
					return false
				}
			case "StringNotEquals":
				// True when the key is absent or none of its values is listed.
				if present && slices.ContainsFunc(got, func(g string) bool { return slices.Contains(resolved, g) }) {
					return false
				}
			case "Bool", "StringEquals":
				if !present || !slices.Contains(resolved, got[0]) {
					return false
				}
			case "NumericGreaterThan":
				if !present || !(atof(got[0]) > atof(values[0])) {
					return false
				}
			default:
				panic("evaluator does not know condition operator " + op)
			}
		}
	}
	return true
}

func atof(s string) float64 {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		panic(err)
	}
	return f
}

// glob matches IAM wildcards: "*" is any run of characters (including "/"), "?" one character.
// The escapes ${*}, ${?} and ${$} stand for the literal characters.
func glob(pattern, s string) bool {
	pattern = strings.NewReplacer("${*}", "\x00", "${?}", "\x01", "${$}", "$").Replace(pattern)
	re := "^" + strings.NewReplacer(`\*`, ".*", `\?`, ".", "\x00", `\*`, "\x01", `\?`).Replace(regexp.QuoteMeta(pattern)) + "$"
	return regexp.MustCompile(re).MatchString(s)
}

// ---- output helpers ----

func roleNames(roles map[roleKind][]statement) []string {
	var out []string
	for r := range roles {
		out = append(out, string(r))
	}
	sort.Strings(out)
	return out
}

func dump(v any) string {
	b, err := json.MarshalIndent(v, " ", "  ")
	if err != nil {
		return fmt.Sprintf("%+v", v)
	}
	return string(b)
}
