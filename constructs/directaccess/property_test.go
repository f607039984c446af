package directaccess_test

// A property test of the construct's promise: no declaration that could reach another identity's
// data synthesizes. A seeded generator draws DirectAccessProps from the whole feature space
// (tables partitioned by identity or tenant, sort keys, local and global indexes, attribute
// limits, operations valid or not, tables and buckets created or brought in (also one object
// under two rules), guests, groups, tenants, buckets with path rules drawn from a pool of nested,
// sibling, owner, tenant and invalid paths). Props that ValidateProps refuses must make
// NewDirectAccess panic with the same error. Props it accepts are synthesized once, and the
// template must pass two independent checks:
//
//   - the offline isolation proof (isolation.CheckTemplate): no violation, no warning, no
//     evaluation error, every identity-pool role and every table and bucket of the template found;
//   - the declared-access oracle (declaredAccess below): request by request, with the same IAM
//     evaluator, each role may do exactly what the declarations grant on the objects, listings and
//     items of its own identity, another identity, its own and another tenant, and nothing that the
//     README rules out whatever is declared (guest writes, signed-in users changing another
//     identity's folder, anyone but a tenant's members in its folder). The isolation proof counts
//     every statement without an identity variable as a deliberate share, so it cannot see a
//     shared or tenant statement that reaches further than declared; the oracle can.
//
// The path alphabet includes every character IAM treats specially ("?", "*" mid-path, "$",
// braces, the ${?} ${*} ${$} escapes), control characters, invalid UTF-8, over-long paths,
// folders spelled like identity IDs beside {identity} folders, odd but literal names, rule names
// colliding with each other or with the construct's children, and brought-in tables and buckets
// by name, ARN (literal and with the stack's partition) and attributes, some naming one resource
// twice or the access-logs bucket (property_resources_test.go). mustRefuse (property_refusals_
// test.go) says, from the data alone, what must be refused and which field must be named; every
// refusal must be a *validation.Error naming a field. Props are validated in an app with this
// repo's cdk.json and an explicit environment AND in a bare, environment-agnostic app
// (property_apps_test.go): both must decide alike; accepted props are synthesized in one of the
// two by turns. On every accepted set verify (declared mode) and the oracle must both find
// nothing, and a set one flags and the other passes is a failure of its own ("disagree").
//
// Every case draws from its own generator, seeded by (seed, case number), so a failure is
// reproduced by its seed and case alone:
//
//	go test ./constructs/directaccess -run 'TestPropertyIsolation/case0042$' -args -seed=20261125
//	go test ./constructs/directaccess -run TestPropertyIsolation -args -cases=1000 -shrink=0
//
// Flags (after -args): -cases (valid configurations to check, default 40), -seed, -shrink (how
// many failing cases to shrink, default 3), -adversarial-tenants (default true; see the oracle).
// A failing case is shrunk greedily (rules, grants and features removed while it keeps failing
// the same way) and printed, before and after, as Go code; the run ends with the failures
// grouped by class.

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/apiless/apiless/constructs/directaccess"
	"github.com/apiless/apiless/iameval"
	"github.com/apiless/apiless/isolation"
	"github.com/apiless/apiless/validation"
)

var (
	propertyCases  = flag.Int("cases", 40, "property test: number of valid configurations to synthesize and prove isolated")
	propertySeed   = flag.Uint64("seed", 20261125, "property test: generator seed")
	propertyShrink = flag.Int("shrink", 3, "property test: number of failing cases to shrink to a minimal reproduction")
	// Tenant IDs that collide with the declarations (the name of a folder beside a {tenant}
	// folder, another user's identity ID) or hold a "/". They once reached other identities' and
	// tenants' data; the construct now refuses rules beside {tenant} folders and every tenant
	// statement refuses tags with "/", "*" or "?". Keep them on: turning them off only hides
	// such leaks.
	propertyAdversarialTenants = flag.Bool("adversarial-tenants", true, "property test: also play tenant IDs that collide with the declarations or contain a slash")
)

// The generated configuration is plain data (so it can be cloned, shrunk and printed); props()
// turns it into DirectAccessProps.

type genProps struct {
	// AccessLogs brings in DirectAccessProps.AccessLogsBucket by this bucket spelling (the
	// bucket physicalName("Logs")); "": the construct's own.
	AccessLogs string
	Guests     *bool // nil: off; otherwise GuestAccess.Acknowledge
	Tenant     *genTenant
	Groups     []genGroup
	Tables     []genTable  // nil: the construct's default table
	Buckets    []genBucket // nil: the construct's default bucket
}

type genTenant struct {
	Claim  string
	TagKey *string
}

type genGroup struct {
	Name       string
	Precedence *float64
}

type genTable struct {
	Name           string
	PartitionKey   *string
	SortKey        *string
	PartitionValue string
	Indexes        []genIndex
	Authenticated  *[]string
	Guest          *[]string
	Groups         map[string][]string
	Attributes     *[]string
	// BroughtIn: "" created by the construct; "table" an awsdynamodb.Table and "tablev2" an
	// awsdynamodb.TableV2 created in the same stack with exactly the declared keys and indexes
	// (so the isolation check sees the real key schema); "name" Table_FromTableName (not in the
	// template, so the check cannot probe it); "import" brought in by Spelling (a name, an ARN,
	// attributes; see tableSpellings) as the table physicalName(Name), outside the template;
	// "same" the object of Tables[0]; "same-name" Tables[0]'s physical table by another Spelling
	// (both must be refused).
	BroughtIn string
	Spelling  string
}

type genIndex struct {
	Name         string
	PartitionKey *string
	SortKey      *string
}

type genBucket struct {
	Name  string
	Paths []genPath // nil: the construct's default rule
	// BroughtIn: "" created by the construct; "bucket" an awss3.Bucket in the same stack;
	// "name" Bucket_FromBucketName (not in the template); "import" brought in by Spelling (see
	// bucketSpellings) as the bucket physicalName(Name); "same" the object of Buckets[0];
	// "same-name" Buckets[0]'s physical bucket and "logs" the access-logs bucket, by another
	// Spelling (both must be refused).
	BroughtIn string
	Spelling  string
}

type genPath struct {
	Path          string
	Owner         *[]string
	Authenticated *[]string
	Guest         *[]string
	Tenant        *[]string
	Groups        map[string][]string
}

func (g genProps) clone() genProps {
	raw, err := json.Marshal(g)
	if err != nil {
		panic(err)
	}
	var out genProps
	if err := json.Unmarshal(raw, &out); err != nil {
		panic(err)
	}
	return out
}

// ---------------------------------------------------------------------------------------------
// The generator.

type generator struct{ r *rand.Rand }

func newGenerator(seed uint64, n int) *generator {
	return &generator{r: rand.New(rand.NewPCG(seed, uint64(n)))}
}

func (g *generator) chance(p float64) bool { return g.r.Float64() < p }
func (g *generator) intn(n int) int        { return g.r.IntN(n) }

func pick[T any](g *generator, list []T) T { return list[g.r.IntN(len(list))] }

func sptr(s string) *string { return &s }

// ops draws a subset of valid (rarely also an invalid or an empty list of) operations.
func (g *generator) ops(valid, invalid []string, pInvalid float64) *[]string {
	out := []string{}
	if g.chance(0.03) {
		return &out
	}
	for len(out) == 0 {
		for _, op := range valid {
			if g.chance(0.5) {
				out = append(out, op)
			}
		}
	}
	if g.chance(pInvalid) {
		out = append(out, pick(g, invalid))
	}
	if g.chance(0.05) {
		out = append(out, out[0]) // a repeated operation is fine
	}
	return &out
}

var (
	tableOps        = []string{"read", "write", "delete"}
	badTableOps     = []string{"scan", "Read", "query", ""}
	storageOps      = []string{"get", "list", "write", "delete"}
	readOnlyStorage = []string{"get", "list"}
	badStorageOps   = []string{"read", "put", "GET", "*"}
	groupNames      = []string{"admins", "editors", "viewers"}
	tableNames      = []string{"Notes", "Items", "Docs", "Profiles", "Orders"}
	bucketNames     = []string{"Files", "Media", "Uploads"}
	partitionKeys   = []string{"userId", "ownerId", "orgId", "pk"}
	sortKeys        = []string{"itemId", "createdAt", "sk"}
	indexSortKeys   = []string{"createdAt", "status", "title", "itemId"}
	indexNames      = []string{"byDate", "byStatus", "byTitle", "gsi1", "lsi1"}
	plainAttributes = []string{"title", "body", "status", "avatarKey"}
	// collidingNames are rule names that collide with a table rule's, a bucket rule's (the
	// defaults included) or a child of the construct (mustRefuse reads the children from the
	// construct tree).
	collidingNames = []string{"Items", "Files", "Notes", "Media", "UserPool", "UserPoolClient", "IdentityPool", "AccessLogs",
		"AuthenticatedRole", "GuestRole", "Groups", "RoleAttachment", "PrincipalTags"}
)

// pathPool is every path the generator draws from: shared folders, nested ones (one and two
// levels), siblings of per-identity and per-tenant folders, owner and tenant folders, and paths
// that break the syntax rules.
var pathPool = []string{
	// shared
	"public/*", "public/admin/*", "public/admin/secret/*", "public/adm/*", "shared/*",
	"shared/reports/*", "media/*", "users/avatars/*", "protectedx/*", "protected/*",
	"protected/shared/*", "private/*", "private/shared/*", "a/*", "a/b/*", "a/b/c/*", "docs/v1/*",
	"orgs/*", "orgs/common/*", "inbox/*",
	// per identity
	"private/{identity}/*", "protected/{identity}/*", "users/{identity}/*", "inbox/{identity}/*",
	"a/b/{identity}/*", "public/{identity}/*", "shared/reports/{identity}/*", "docs/{identity}/*",
	// per tenant
	"orgs/{tenant}/*", "tenants/{tenant}/*", "users/{tenant}/*", "public/{tenant}/*", "a/{tenant}/*",
	"docs/v1/{tenant}/*",
}

// iamSpecialPathPool holds paths with every character IAM treats specially in a Resource ARN or
// a StringLike value ("?" any one character, "*" any run including "/", "$" and braces of policy
// variables, the ${?} ${*} ${$} escapes), control characters, invalid UTF-8, and paths longer
// than S3's 1,024-byte keys (with the longest identity ID in place of {identity}). Every one
// must be refused, naming the path (see mustRefuse).
var iamSpecialPathPool = []string{
	"privat?/*", "org?/*", "orgs?/*", "private/" + strings.Repeat("?", len(oracleSubB)) + "/*",
	"private/?s-east-1:bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb/*", "p?blic/*", "public/?/*", "?/*",
	"pub*lic/*", "public/*/x/*", "*/*", "private/*/x/*",
	"x/$y/*", "x/${?}/*", "x/${*}/*", "x/${$}/*", "private/${cognito-identity.amazonaws.com:sub}/*",
	"x/${aws:username}/*", "orgs/${aws:PrincipalTag/tenant}/*", "x/$/*",
	"x/{/*", "x/}/*", "x/{identity/*", "x/identity}/*", "x/{{identity}}/*", "x/{Identity}/*", "x/{}/*",
	"x/a\x00b/*", "x/a\nb/*", "x/\t/*", "x/\x7f/*", "x/\u0085/*", "x/\r/*",
	"x/\xff/*",
	"long/" + strings.Repeat("a", 1030) + "/*",
	"long/" + strings.Repeat("\u00e9", 520) + "/*",
	"long/" + strings.Repeat("a", 975) + "/{identity}/*",
}

// identityLikePathPool holds literal folders spelled like identity IDs (B's, which the oracle
// plays, and another), beside or under the {identity} folders of pathPool: a rule on one hands
// that user's folder to its audience, so beside {identity} folders each must be refused.
var identityLikePathPool = []string{
	"private/" + oracleSubB + "/*", "protected/" + oracleSubB + "/*", "users/" + oracleSubB + "/*",
	"inbox/" + oracleSubB + "/*", "a/b/" + oracleSubB + "/*", "docs/" + oracleSubB + "/*",
	"private/" + oracleSubB + "/photos/*", "public/" + oracleSubB + "/*",
	"private/us-east-1:0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d/*", "users/eu-west-2:0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d/*",
	"orgs/" + oracleTenantB + "/*", "tenants/" + oracleSubB + "/*",
}

// oddPathPool holds paths IAM reads literally although they look unusual (spaces, "+", "%",
// "#", ":", non-ASCII letters, dot folders, a long path that still fits): accepted, and then
// checked like any other.
var oddPathPool = []string{
	"my files/*", "a+b/*", "100%/*", "#tag/*", "caf\u00e9/*", "x/./*", "private/../public/*", "x:y/*",
	"\u7528\u6237/*", "long/" + strings.Repeat("a", 300) + "/*",
}

var invalidPathPool = []string{
	"", "/public/*", "public", "public/", "public//x/*", "pub*/x/*", "public/*/*", "{identity}/*",
	"{tenant}/*", "x/{identity}/y/*", "x/{identity}-{identity}/*", "x/{identity}{identity}/*",
	"x/{user}/*", "x/$y/*", "x/id{identity}/*", "x/{identity}/{tenant}/*", "x/{identity}",
	"private/{identity}/*/", "*",
}

func generate(seed uint64, n int) genProps {
	g := newGenerator(seed, n)
	var p genProps
	if g.chance(0.45) {
		p.Guests = jsii.Bool(!g.chance(0.04))
	}
	if g.chance(0.4) {
		t := &genTenant{Claim: pick(g, []string{"custom:tenant", "custom:org"})}
		switch {
		case g.chance(0.02):
			t.Claim = ""
		case g.chance(0.04):
			// Standard attributes the construct's own app client lets users write.
			t.Claim = pick(g, []string{"email", "name", "preferred_username"})
		}
		switch g.intn(3) {
		case 1:
			t.TagKey = sptr("tenant")
		case 2:
			t.TagKey = sptr("org")
		}
		p.Tenant = t
	}
	names := slices.Clone(groupNames)
	g.r.Shuffle(len(names), func(i, j int) { names[i], names[j] = names[j], names[i] })
	nGroups := []int{0, 0, 0, 0, 0, 1, 1, 1, 2, 2}[g.intn(10)]
	for i := 0; i < nGroups; i++ {
		gr := genGroup{Name: names[i], Precedence: jsii.Number(float64(g.intn(6)))}
		if g.chance(0.02) {
			gr.Name = "bad name"
		}
		if g.chance(0.02) {
			gr.Precedence = nil
		}
		p.Groups = append(p.Groups, gr)
	}
	groupRef := func() string {
		if len(p.Groups) == 0 || g.chance(0.03) {
			return pick(g, groupNames) // possibly undeclared
		}
		return pick(g, p.Groups).Name
	}
	guestsOn := p.Guests != nil
	tenantOn := p.Tenant != nil

	// Tables.
	if !g.chance(0.05) {
		n := 1 + g.intn(3)
		tnames := slices.Clone(tableNames)
		g.r.Shuffle(len(tnames), func(i, j int) { tnames[i], tnames[j] = tnames[j], tnames[i] })
		p.Tables = []genTable{}
		for i := 0; i < n; i++ {
			t := genTable{Name: tnames[i]}
			switch {
			case g.chance(0.02):
				t.Name = "notes"
			case i > 0 && g.chance(0.02):
				t.Name = p.Tables[0].Name
			case g.chance(0.03):
				t.Name = pick(g, collidingNames) // a bucket's or the construct's own child's
			}
			if g.chance(0.6) {
				t.PartitionKey = sptr(pick(g, partitionKeys))
				if g.chance(0.02) {
					t.PartitionKey = sptr("bad key")
				}
			}
			pk := "userId"
			if t.PartitionKey != nil {
				pk = *t.PartitionKey
			}
			if g.chance(0.6) {
				t.SortKey = sptr(pick(g, sortKeys))
				if g.chance(0.03) {
					t.SortKey = sptr(pk)
				}
			}
			switch {
			case tenantOn && g.chance(0.35), !tenantOn && g.chance(0.03):
				t.PartitionValue = "tenant"
			case g.chance(0.2):
				t.PartitionValue = "identity"
			case g.chance(0.02):
				t.PartitionValue = "bogus"
			}
			for j, nIdx := 0, []int{0, 0, 0, 0, 0, 1, 1, 1, 2, 2}[g.intn(10)]; j < nIdx; j++ {
				ix := genIndex{Name: pick(g, indexNames)}
				if j > 0 && ix.Name == t.Indexes[0].Name && !g.chance(0.2) {
					ix.Name += "2"
				}
				if g.chance(0.03) {
					ix.Name = "ix"
				}
				if g.chance(0.45) { // local
					ix.SortKey = sptr(pick(g, indexSortKeys))
					if g.chance(0.05) {
						ix.SortKey = nil
					}
					if t.SortKey == nil && g.chance(0.8) {
						t.SortKey = sptr(pick(g, sortKeys))
					}
				} else { // global
					ix.PartitionKey = sptr(pk)
					if g.chance(0.25) {
						ix.PartitionKey = sptr(pick(g, append([]string{"status", "email"}, partitionKeys...)))
					}
					if g.chance(0.6) {
						ix.SortKey = sptr(pick(g, indexSortKeys))
					}
				}
				t.Indexes = append(t.Indexes, ix)
			}
			if g.chance(0.6) {
				t.Authenticated = g.ops(tableOps, badTableOps, 0.03)
			}
			if guestsOn && t.PartitionValue != "tenant" && g.chance(0.35) || g.chance(0.03) {
				t.Guest = &[]string{"read"}
				if g.chance(0.05) {
					t.Guest = g.ops(tableOps, badTableOps, 0.03)
				}
			}
			if len(p.Groups) > 0 && g.chance(0.4) || g.chance(0.02) {
				t.Groups = map[string][]string{groupRef(): *g.ops(tableOps, badTableOps, 0.03)}
			}
			if g.chance(0.25) {
				var attrs []string
				for _, a := range plainAttributes {
					if g.chance(0.4) {
						attrs = append(attrs, a)
					}
				}
				if g.chance(0.3) {
					attrs = append(attrs, pk) // key attributes are added anyway
				}
				if g.chance(0.02) {
					attrs = append(attrs, "bad name")
				}
				if len(attrs) == 0 && !g.chance(0.1) {
					attrs = []string{pick(g, plainAttributes)}
				}
				t.Attributes = &attrs
				// Mostly keep such a table valid: delete is refused with attribute limits.
				if !g.chance(0.15) {
					dropDelete := func(ops *[]string) *[]string {
						if ops == nil {
							return nil
						}
						out := slices.DeleteFunc(slices.Clone(*ops), func(op string) bool { return op == "delete" })
						return &out
					}
					t.Authenticated = dropDelete(t.Authenticated)
					t.Guest = dropDelete(t.Guest)
					for k, v := range t.Groups {
						t.Groups[k] = *dropDelete(&v)
					}
				}
			}
			switch x := g.r.Float64(); {
			case x < 0.15:
				t.BroughtIn = "table"
			case x < 0.25:
				t.BroughtIn = "tablev2"
			case x < 0.30:
				t.BroughtIn = "name"
			case x < 0.40:
				t.BroughtIn, t.Spelling = "import", pick(g, importedTableSpellings)
			case i > 0 && x < 0.46 && p.Tables[0].BroughtIn == "import":
				// Tables[0]'s table again, by another spelling: must be refused.
				t.BroughtIn, t.Spelling = "same-name", pick(g, importedTableSpellings)
			case i > 0 && x < 0.50:
				// The same physical table under a second rule (single-table design), e.g. one
				// rule keyed by identity and one by tenant.
				t.BroughtIn = "same"
				first := &p.Tables[0]
				first.BroughtIn = "table"
				t.PartitionKey, t.SortKey, t.Indexes = first.PartitionKey, first.SortKey, first.Indexes
			}
			p.Tables = append(p.Tables, t)
		}
	}

	// Buckets.
	if g.chance(0.2) {
		p.AccessLogs = pick(g, bucketSpellings)
	}
	if !g.chance(0.03) {
		n := 1
		if g.chance(0.3) {
			n = 2
		}
		bnames := slices.Clone(bucketNames)
		g.r.Shuffle(len(bnames), func(i, j int) { bnames[i], bnames[j] = bnames[j], bnames[i] })
		p.Buckets = []genBucket{}
		for i := 0; i < n; i++ {
			b := genBucket{Name: bnames[i]}
			switch {
			case i > 0 && g.chance(0.02):
				b.Name = p.Buckets[0].Name
			case g.chance(0.03):
				b.Name = pick(g, collidingNames)
			}
			switch x := g.r.Float64(); {
			case x < 0.15:
				b.BroughtIn = "bucket"
			case x < 0.20:
				b.BroughtIn = "name"
			case x < 0.30:
				b.BroughtIn, b.Spelling = "import", pick(g, importedBucketSpellings)
			case i > 0 && x < 0.36 && p.Buckets[0].BroughtIn == "import":
				// Buckets[0]'s bucket again, by another spelling: must be refused.
				b.BroughtIn, b.Spelling = "same-name", pick(g, importedBucketSpellings)
			case p.AccessLogs != "" && !createdInStack(p.AccessLogs) && x < 0.40:
				// The access-logs bucket as a data bucket: must be refused.
				b.BroughtIn, b.Spelling = "logs", pick(g, importedBucketSpellings)
			case i > 0 && x < 0.44:
				// The same physical bucket under a second rule.
				b.BroughtIn = "same"
				p.Buckets[0].BroughtIn = "bucket"
			}
			if !g.chance(0.08) {
				b.Paths = []genPath{}
				nPaths := 1 + g.intn(4)
				for j := 0; j < nPaths; j++ {
					b.Paths = append(b.Paths, g.path(guestsOn, tenantOn, len(p.Groups) > 0, groupRef))
				}
				// Nest a folder in a shared one now and then: a nested rule takes away what its
				// parent grants unless it grants it too (Deny statements).
				if g.chance(0.45) {
					var parents []string
					for _, r := range b.Paths {
						if !strings.ContainsAny(r.Path, "{$") && strings.HasSuffix(r.Path, "/*") && strings.Count(r.Path, "*") == 1 && !strings.HasPrefix(r.Path, "/") {
							parents = append(parents, r.Path)
						}
					}
					if len(parents) > 0 {
						child := strings.TrimSuffix(pick(g, parents), "*") + pick(g, []string{"admin", "reports", "v2", "tmp"}) + "/*"
						b.Paths = append(b.Paths, g.rule(child, guestsOn, len(p.Groups) > 0, groupRef))
					}
				}
				g.r.Shuffle(len(b.Paths), func(i, j int) { b.Paths[i], b.Paths[j] = b.Paths[j], b.Paths[i] })
			}
			p.Buckets = append(p.Buckets, b)
		}
	}

	// A declared group that nothing grants is refused; mostly give it a grant somewhere.
	for _, gr := range p.Groups {
		if groupGranted(p, gr.Name) || g.chance(0.1) {
			continue
		}
		var rules []*genPath
		for i := range p.Buckets {
			for j := range p.Buckets[i].Paths {
				rules = append(rules, &p.Buckets[i].Paths[j])
			}
		}
		if len(rules) > 0 && (len(p.Tables) == 0 || g.chance(0.6)) {
			r := pick(g, rules)
			if r.Groups == nil {
				r.Groups = map[string][]string{}
			}
			r.Groups[gr.Name] = *g.ops(storageOps, badStorageOps, 0)
		} else if len(p.Tables) > 0 {
			t := &p.Tables[g.intn(len(p.Tables))]
			if t.Groups == nil {
				t.Groups = map[string][]string{}
			}
			ops := []string{pick(g, []string{"read", "write"})}
			t.Groups[gr.Name] = ops
		}
	}
	return p
}

func (g *generator) path(guestsOn, tenantOn, groups bool, groupRef func() string) genPath {
	path := pick(g, pathPool)
	switch x := g.r.Float64(); {
	case x < 0.04:
		path = pick(g, invalidPathPool)
	case x < 0.10:
		path = pick(g, iamSpecialPathPool)
	case x < 0.15:
		path = pick(g, identityLikePathPool)
	case x < 0.19:
		path = pick(g, oddPathPool)
	}
	if !tenantOn && strings.Contains(path, "{tenant}") && !g.chance(0.1) {
		path = strings.Replace(path, "{tenant}", "{identity}", 1)
	}
	return g.rule(path, guestsOn, groups, groupRef)
}

// rule draws the grants of a path rule: mostly for the audiences the path allows, sometimes
// for others.
func (g *generator) rule(path string, guestsOn, groups bool, groupRef func() string) genPath {
	r := genPath{Path: path}
	misplaced := func(p float64) bool { return g.chance(p) }
	groupGrant := func(p float64) {
		if groups && g.chance(p) || misplaced(0.01) {
			r.Groups = map[string][]string{groupRef(): *g.ops(storageOps, badStorageOps, 0.02)}
			if g.chance(0.15) && groups {
				r.Groups[groupRef()] = *g.ops(storageOps, badStorageOps, 0.02)
			}
		}
	}
	switch {
	case strings.Contains(r.Path, "{identity}"):
		if g.chance(0.85) {
			r.Owner = g.ops(storageOps, badStorageOps, 0.02)
		}
		if g.chance(0.3) {
			r.Authenticated = g.ops(readOnlyStorage, []string{"write", "delete"}, 0.05)
		}
		if guestsOn && g.chance(0.25) || misplaced(0.02) {
			r.Guest = g.ops(readOnlyStorage, []string{"write", "delete"}, 0.05)
		}
		if misplaced(0.02) {
			r.Tenant = g.ops(storageOps, nil, 0)
		}
		groupGrant(0.25)
	case strings.Contains(r.Path, "{tenant}"):
		if g.chance(0.9) {
			r.Tenant = g.ops(storageOps, badStorageOps, 0.02)
		}
		if misplaced(0.03) {
			r.Authenticated = g.ops(readOnlyStorage, nil, 0)
		}
		if misplaced(0.02) {
			r.Guest = g.ops(readOnlyStorage, nil, 0)
		}
		if misplaced(0.02) {
			r.Owner = g.ops(storageOps, nil, 0)
		}
		groupGrant(0.3)
	default:
		if g.chance(0.6) {
			r.Authenticated = g.ops(storageOps, badStorageOps, 0.02)
		}
		if guestsOn && g.chance(0.3) || misplaced(0.02) {
			r.Guest = g.ops(readOnlyStorage, []string{"write", "delete"}, 0.05)
		}
		if misplaced(0.02) {
			r.Owner = g.ops(storageOps, nil, 0)
		}
		if misplaced(0.02) {
			r.Tenant = g.ops(storageOps, nil, 0)
		}
		groupGrant(0.4)
	}
	if r.Owner == nil && r.Authenticated == nil && r.Guest == nil && r.Tenant == nil && r.Groups == nil && !g.chance(0.05) {
		// A rule that grants nothing is refused; mostly grant the natural audience something.
		switch {
		case strings.Contains(r.Path, "{identity}"):
			r.Owner = g.ops(storageOps, nil, 0)
		case strings.Contains(r.Path, "{tenant}"):
			r.Tenant = g.ops(storageOps, nil, 0)
		default:
			r.Authenticated = g.ops(storageOps, nil, 0)
		}
	}
	return r
}

func groupGranted(p genProps, name string) bool {
	for _, t := range p.Tables {
		if len(t.Groups[name]) > 0 {
			return true
		}
	}
	for _, b := range p.Buckets {
		for _, r := range b.Paths {
			if len(r.Groups[name]) > 0 {
				return true
			}
		}
	}
	return false
}

// ---------------------------------------------------------------------------------------------
// From generated data to props.

// placeholderTable and placeholderBucket stand in for brought-in resources when props are only
// validated: validation looks at whether Table or Bucket is set, never into it.
// Each names a resource of its own (the generator brings the same resource in twice only as the
// same object), so ValidateProps can compare what they name, as it does for real objects.
type placeholderTable struct {
	awsdynamodb.ITable
	name string
}
type placeholderBucket struct {
	awss3.IBucket
	name string
}

func (p placeholderTable) TableName() *string               { return &p.name }
func (p placeholderTable) TableArn() *string                { return &p.name }
func (p placeholderTable) Stack() awscdk.Stack              { return nil }
func (p placeholderTable) Node() constructs.Node            { return nil }
func (p placeholderTable) Env() *awscdk.ResourceEnvironment { return nil }
func (p placeholderBucket) BucketName() *string             { return &p.name }
func (p placeholderBucket) Stack() awscdk.Stack             { return nil }
func (p placeholderBucket) Node() constructs.Node           { return nil }

// props builds DirectAccessProps. With a nil stack brought-in resources are placeholders;
// otherwise they are created in the stack.
func (p genProps) props(stack constructs.Construct) *directaccess.DirectAccessProps {
	out := &directaccess.DirectAccessProps{}
	switch {
	case p.AccessLogs == "":
	case stack == nil:
		out.AccessLogsBucket = placeholderBucket{name: physicalName("Logs")}
	default:
		out.AccessLogsBucket = bringBucket(stack, "Logs", p.AccessLogs, physicalName("Logs"))
	}
	if p.Guests != nil {
		out.Guests = &directaccess.GuestAccess{Acknowledge: jsii.Bool(*p.Guests)}
	}
	if p.Tenant != nil {
		out.Tenant = &directaccess.TenantIsolation{Claim: jsii.String(p.Tenant.Claim), TagKey: p.Tenant.TagKey}
	}
	for _, g := range p.Groups {
		out.Groups = append(out.Groups, &directaccess.GroupRule{Name: jsii.String(g.Name), Precedence: g.Precedence})
	}
	if p.Tables != nil {
		out.Tables = []*directaccess.TableRule{}
	}
	for _, t := range p.Tables {
		r := &directaccess.TableRule{
			Name: jsii.String(t.Name), PartitionKey: t.PartitionKey, SortKey: t.SortKey,
			PartitionValue: directaccess.PartitionValue(t.PartitionValue),
			Authenticated:  tableOpsOf(t.Authenticated), Guest: tableOpsOf(t.Guest),
		}
		for _, ix := range t.Indexes {
			r.Indexes = append(r.Indexes, &directaccess.IndexRule{Name: jsii.String(ix.Name), PartitionKey: ix.PartitionKey, SortKey: ix.SortKey})
		}
		if t.Groups != nil {
			r.Groups = map[string][]directaccess.TableOperation{}
			for g, ops := range t.Groups {
				r.Groups[g] = *tableOpsOf(&ops)
			}
		}
		if t.Attributes != nil {
			r.Attributes = jsii.Strings(*t.Attributes...)
		}
		switch {
		case t.BroughtIn == "":
		case t.BroughtIn == "same":
			r.Table = out.Tables[0].Table
		case stack == nil:
			r.Table = placeholderTable{name: tablePhysical(p, t)}
		case t.BroughtIn == "import" || t.BroughtIn == "same-name":
			pk := "userId"
			if t.PartitionKey != nil {
				pk = *t.PartitionKey
			}
			r.Table = bringTable(stack, t.Name, t.Spelling, tablePhysical(p, t), pk)
		default:
			r.Table = broughtInTable(stack, t)
		}
		out.Tables = append(out.Tables, r)
	}
	if p.Buckets != nil {
		out.Buckets = []*directaccess.BucketRule{}
	}
	for _, b := range p.Buckets {
		r := &directaccess.BucketRule{Name: jsii.String(b.Name)}
		if b.Paths != nil {
			r.Paths = []*directaccess.PathRule{}
		}
		for _, pr := range b.Paths {
			rule := &directaccess.PathRule{Path: jsii.String(pr.Path),
				Owner: storageOpsOf(pr.Owner), Authenticated: storageOpsOf(pr.Authenticated),
				Guest: storageOpsOf(pr.Guest), Tenant: storageOpsOf(pr.Tenant)}
			if pr.Groups != nil {
				rule.Groups = map[string][]directaccess.StorageOperation{}
				for g, ops := range pr.Groups {
					rule.Groups[g] = *storageOpsOf(&ops)
				}
			}
			r.Paths = append(r.Paths, rule)
		}
		switch {
		case b.BroughtIn == "same":
			r.Bucket = out.Buckets[0].Bucket
		case b.BroughtIn != "" && stack == nil:
			r.Bucket = placeholderBucket{name: bucketPhysical(p, b)}
		case b.BroughtIn == "import" || b.BroughtIn == "same-name" || b.BroughtIn == "logs":
			r.Bucket = bringBucket(stack, b.Name, b.Spelling, bucketPhysical(p, b))
		case b.BroughtIn == "bucket":
			r.Bucket = awss3.NewBucket(stack, jsii.String("Brought"+b.Name), &awss3.BucketProps{
				BlockPublicAccess: awss3.BlockPublicAccess_BLOCK_ALL(), EnforceSSL: jsii.Bool(true)})
		case b.BroughtIn == "name":
			r.Bucket = awss3.Bucket_FromBucketName(stack, jsii.String("Brought"+b.Name), jsii.String(physicalName(b.Name)))
		}
		out.Buckets = append(out.Buckets, r)
	}
	return out
}

// physicalName is the physical name of a brought-in table or bucket of that rule name.
func physicalName(rule string) string { return "brought-" + strings.ToLower(rule) }

// tablePhysical and bucketPhysical are the physical names a brought-in rule names: its own, or
// for "same-name" (and "logs") the one of Tables[0], Buckets[0] (the access-logs bucket).
func tablePhysical(p genProps, t genTable) string {
	if t.BroughtIn == "same-name" || t.BroughtIn == "same" {
		return physicalName(p.Tables[0].Name)
	}
	return physicalName(t.Name)
}

func bucketPhysical(p genProps, b genBucket) string {
	switch b.BroughtIn {
	case "same-name", "same":
		return physicalName(p.Buckets[0].Name)
	case "logs":
		return physicalName("Logs")
	}
	return physicalName(b.Name)
}

// inTemplate reports whether a brought-in table or bucket is a resource of the template (created
// in the stack) rather than outside it (a name or an ARN).
func tableInTemplate(t genTable) bool {
	return t.BroughtIn == "" || (t.BroughtIn == "table" || t.BroughtIn == "tablev2") && realizable(t)
}

func bucketInTemplate(b genBucket) bool { return b.BroughtIn == "" || b.BroughtIn == "bucket" }

func tableOpsOf(ops *[]string) *[]directaccess.TableOperation {
	if ops == nil {
		return nil
	}
	out := []directaccess.TableOperation{}
	for _, op := range *ops {
		out = append(out, directaccess.TableOperation(op))
	}
	return &out
}

func storageOpsOf(ops *[]string) *[]directaccess.StorageOperation {
	if ops == nil {
		return nil
	}
	out := []directaccess.StorageOperation{}
	for _, op := range *ops {
		out = append(out, directaccess.StorageOperation(op))
	}
	return &out
}

// broughtInTable creates, in the stack, a table with exactly the declared key schema and
// indexes, so the isolation check probes the real table. A declaration no real table can have
// (a local index without a table sort key) is brought in by name instead.
func broughtInTable(stack constructs.Construct, t genTable) awsdynamodb.ITable {
	id := jsii.String("Brought" + t.Name)
	pk := "userId"
	if t.PartitionKey != nil {
		pk = *t.PartitionKey
	}
	attr := func(name *string) *awsdynamodb.Attribute {
		if name == nil {
			return nil
		}
		return &awsdynamodb.Attribute{Name: name, Type: awsdynamodb.AttributeType_STRING}
	}
	possible := realizable(t)
	switch {
	case t.BroughtIn == "table" && possible:
		tb := awsdynamodb.NewTable(stack, id, &awsdynamodb.TableProps{
			PartitionKey: attr(&pk), SortKey: attr(t.SortKey), BillingMode: awsdynamodb.BillingMode_PAY_PER_REQUEST,
		})
		for _, ix := range t.Indexes {
			if ix.PartitionKey != nil {
				tb.AddGlobalSecondaryIndex(&awsdynamodb.GlobalSecondaryIndexProps{IndexName: jsii.String(ix.Name), PartitionKey: attr(ix.PartitionKey), SortKey: attr(ix.SortKey)})
			} else {
				tb.AddLocalSecondaryIndex(&awsdynamodb.LocalSecondaryIndexProps{IndexName: jsii.String(ix.Name), SortKey: attr(ix.SortKey)})
			}
		}
		return tb
	case t.BroughtIn == "tablev2" && possible:
		tp := &awsdynamodb.TablePropsV2{PartitionKey: attr(&pk), SortKey: attr(t.SortKey)}
		var gsis []*awsdynamodb.GlobalSecondaryIndexPropsV2
		var lsis []*awsdynamodb.LocalSecondaryIndexProps
		for _, ix := range t.Indexes {
			if ix.PartitionKey != nil {
				gsis = append(gsis, &awsdynamodb.GlobalSecondaryIndexPropsV2{IndexName: jsii.String(ix.Name), PartitionKey: attr(ix.PartitionKey), SortKey: attr(ix.SortKey)})
			} else {
				lsis = append(lsis, &awsdynamodb.LocalSecondaryIndexProps{IndexName: jsii.String(ix.Name), SortKey: attr(ix.SortKey)})
			}
		}
		if gsis != nil {
			tp.GlobalSecondaryIndexes = &gsis
		}
		if lsis != nil {
			tp.LocalSecondaryIndexes = &lsis
		}
		return awsdynamodb.NewTableV2(stack, id, tp)
	}
	return awsdynamodb.Table_FromTableName(stack, id, jsii.String(physicalName(t.Name)))
}

// realizable reports whether a real table can have the declared keys and indexes (a local index
// needs a table sort key and a sort key of its own).
func realizable(t genTable) bool {
	for _, ix := range t.Indexes {
		if ix.PartitionKey == nil && (t.SortKey == nil || ix.SortKey == nil) {
			return false
		}
	}
	return true
}

// ---------------------------------------------------------------------------------------------
// Printing a configuration as Go code.

func (p genProps) GoString() string {
	var b strings.Builder
	w := func(indent int, format string, args ...any) {
		b.WriteString(strings.Repeat("\t", indent))
		fmt.Fprintf(&b, format, args...)
		b.WriteString("\n")
	}
	str := func(s *string) string {
		if s == nil {
			return "nil"
		}
		return fmt.Sprintf("jsii.String(%q)", *s)
	}
	// Brought-in resources first, as variables, exactly as props() creates them.
	attr := func(name *string) string {
		if name == nil {
			return "nil"
		}
		return fmt.Sprintf("&awsdynamodb.Attribute{Name: jsii.String(%q), Type: awsdynamodb.AttributeType_STRING}", *name)
	}
	tableVar := map[int]string{}
	for i, t := range p.Tables {
		v := "brought" + t.Name
		pk := sptr("userId")
		if t.PartitionKey != nil {
			pk = t.PartitionKey
		}
		switch {
		case t.BroughtIn == "same" && i > 0:
			tableVar[i] = tableVar[0]
			continue
		case t.BroughtIn == "":
			continue
		case t.BroughtIn == "import" || t.BroughtIn == "same-name":
			pk := "userId"
			if t.PartitionKey != nil {
				pk = *t.PartitionKey
			}
			w(0, "%s := bringTable(stack, %q, %q, %q, %q) // property_resources_test.go", v, t.Name, t.Spelling, tablePhysical(p, t), pk)
		case t.BroughtIn == "name" || !realizable(t):
			w(0, "%s := awsdynamodb.Table_FromTableName(stack, jsii.String(%q), jsii.String(%q))", v, "Brought"+t.Name, "brought-"+strings.ToLower(t.Name))
		case t.BroughtIn == "table":
			w(0, "%s := awsdynamodb.NewTable(stack, jsii.String(%q), &awsdynamodb.TableProps{PartitionKey: %s, SortKey: %s, BillingMode: awsdynamodb.BillingMode_PAY_PER_REQUEST})", v, "Brought"+t.Name, attr(pk), attr(t.SortKey))
			for _, ix := range t.Indexes {
				if ix.PartitionKey != nil {
					w(0, "%s.AddGlobalSecondaryIndex(&awsdynamodb.GlobalSecondaryIndexProps{IndexName: jsii.String(%q), PartitionKey: %s, SortKey: %s})", v, ix.Name, attr(ix.PartitionKey), attr(ix.SortKey))
				} else {
					w(0, "%s.AddLocalSecondaryIndex(&awsdynamodb.LocalSecondaryIndexProps{IndexName: jsii.String(%q), SortKey: %s})", v, ix.Name, attr(ix.SortKey))
				}
			}
		case t.BroughtIn == "tablev2":
			var gsis, lsis []string
			for _, ix := range t.Indexes {
				if ix.PartitionKey != nil {
					gsis = append(gsis, fmt.Sprintf("{IndexName: jsii.String(%q), PartitionKey: %s, SortKey: %s}", ix.Name, attr(ix.PartitionKey), attr(ix.SortKey)))
				} else {
					lsis = append(lsis, fmt.Sprintf("{IndexName: jsii.String(%q), SortKey: %s}", ix.Name, attr(ix.SortKey)))
				}
			}
			extra := ""
			if gsis != nil {
				extra += ", GlobalSecondaryIndexes: &[]*awsdynamodb.GlobalSecondaryIndexPropsV2{" + strings.Join(gsis, ", ") + "}"
			}
			if lsis != nil {
				extra += ", LocalSecondaryIndexes: &[]*awsdynamodb.LocalSecondaryIndexProps{" + strings.Join(lsis, ", ") + "}"
			}
			w(0, "%s := awsdynamodb.NewTableV2(stack, jsii.String(%q), &awsdynamodb.TablePropsV2{PartitionKey: %s, SortKey: %s%s})", v, "Brought"+t.Name, attr(pk), attr(t.SortKey), extra)
		}
		tableVar[i] = v
	}
	bucketVar := map[int]string{}
	for i, bk := range p.Buckets {
		v := "brought" + bk.Name
		switch {
		case bk.BroughtIn == "same" && i > 0:
			bucketVar[i] = bucketVar[0]
			continue
		case bk.BroughtIn == "bucket":
			w(0, "%s := awss3.NewBucket(stack, jsii.String(%q), &awss3.BucketProps{BlockPublicAccess: awss3.BlockPublicAccess_BLOCK_ALL(), EnforceSSL: jsii.Bool(true)})", v, "Brought"+bk.Name)
		case bk.BroughtIn == "name":
			w(0, "%s := awss3.Bucket_FromBucketName(stack, jsii.String(%q), jsii.String(%q))", v, "Brought"+bk.Name, "brought-"+strings.ToLower(bk.Name))
		case bk.BroughtIn == "import" || bk.BroughtIn == "same-name" || bk.BroughtIn == "logs":
			w(0, "%s := bringBucket(stack, %q, %q, %q) // property_resources_test.go", v, bk.Name, bk.Spelling, bucketPhysical(p, bk))
		default:
			continue
		}
		bucketVar[i] = v
	}
	if p.AccessLogs != "" {
		w(0, "logs := bringBucket(stack, %q, %q, %q) // property_resources_test.go", "Logs", p.AccessLogs, physicalName("Logs"))
	}
	w(0, "props := &directaccess.DirectAccessProps{")
	if p.AccessLogs != "" {
		w(1, "AccessLogsBucket: logs,")
	}
	if p.Guests != nil {
		w(1, "Guests: &directaccess.GuestAccess{Acknowledge: jsii.Bool(%v)},", *p.Guests)
	}
	if p.Tenant != nil {
		tag := ""
		if p.Tenant.TagKey != nil {
			tag = ", TagKey: " + str(p.Tenant.TagKey)
		}
		w(1, "Tenant: &directaccess.TenantIsolation{Claim: jsii.String(%q)%s},", p.Tenant.Claim, tag)
	}
	if p.Groups != nil {
		w(1, "Groups: []*directaccess.GroupRule{")
		for _, g := range p.Groups {
			prec := "nil"
			if g.Precedence != nil {
				prec = fmt.Sprintf("jsii.Number(%v)", *g.Precedence)
			}
			w(2, "{Name: jsii.String(%q), Precedence: %s},", g.Name, prec)
		}
		w(1, "},")
	}
	if p.Tables != nil {
		w(1, "Tables: []*directaccess.TableRule{")
		for i, t := range p.Tables {
			var f []string
			f = append(f, fmt.Sprintf("Name: jsii.String(%q)", t.Name))
			if v, ok := tableVar[i]; ok {
				f = append(f, "Table: "+v)
			}
			if t.PartitionKey != nil {
				f = append(f, "PartitionKey: "+str(t.PartitionKey))
			}
			if t.SortKey != nil {
				f = append(f, "SortKey: "+str(t.SortKey))
			}
			if t.PartitionValue != "" {
				f = append(f, fmt.Sprintf("PartitionValue: %q", t.PartitionValue))
			}
			if t.Indexes != nil {
				var ixs []string
				for _, ix := range t.Indexes {
					s := fmt.Sprintf("{Name: jsii.String(%q)", ix.Name)
					if ix.PartitionKey != nil {
						s += ", PartitionKey: " + str(ix.PartitionKey)
					}
					if ix.SortKey != nil {
						s += ", SortKey: " + str(ix.SortKey)
					}
					ixs = append(ixs, s+"}")
				}
				f = append(f, "Indexes: []*directaccess.IndexRule{"+strings.Join(ixs, ", ")+"}")
			}
			if t.Authenticated != nil {
				f = append(f, "Authenticated: &[]directaccess.TableOperation{"+quoteOps(*t.Authenticated)+"}")
			}
			if t.Guest != nil {
				f = append(f, "Guest: &[]directaccess.TableOperation{"+quoteOps(*t.Guest)+"}")
			}
			if t.Groups != nil {
				f = append(f, "Groups: map[string][]directaccess.TableOperation{"+quoteGroups(t.Groups)+"}")
			}
			if t.Attributes != nil {
				f = append(f, "Attributes: jsii.Strings("+quoteOps(*t.Attributes)+")")
			}
			w(2, "{%s},", strings.Join(f, ", "))
		}
		w(1, "},")
	}
	if p.Buckets != nil {
		w(1, "Buckets: []*directaccess.BucketRule{")
		for i, bk := range p.Buckets {
			head := fmt.Sprintf("Name: jsii.String(%q)", bk.Name)
			if v, ok := bucketVar[i]; ok {
				head += ", Bucket: " + v
			}
			if bk.Paths == nil {
				w(2, "{%s},", head)
				continue
			}
			w(2, "{%s, Paths: []*directaccess.PathRule{", head)
			for _, r := range bk.Paths {
				f := []string{fmt.Sprintf("Path: jsii.String(%q)", r.Path)}
				for _, a := range []struct {
					name string
					ops  *[]string
				}{{"Owner", r.Owner}, {"Authenticated", r.Authenticated}, {"Guest", r.Guest}, {"Tenant", r.Tenant}} {
					if a.ops != nil {
						f = append(f, a.name+": &[]directaccess.StorageOperation{"+quoteOps(*a.ops)+"}")
					}
				}
				if r.Groups != nil {
					f = append(f, "Groups: map[string][]directaccess.StorageOperation{"+quoteGroups(r.Groups)+"}")
				}
				w(3, "{%s},", strings.Join(f, ", "))
			}
			w(2, "}},")
		}
		w(1, "},")
	}
	w(0, "}")
	return b.String()
}

func quoteOps(ops []string) string {
	q := make([]string, len(ops))
	for i, op := range ops {
		q[i] = fmt.Sprintf("%q", op)
	}
	return strings.Join(q, ", ")
}

func quoteGroups(m map[string][]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%q: {%s}", k, quoteOps(m[k])))
	}
	return strings.Join(parts, ", ")
}

// ---------------------------------------------------------------------------------------------
// Checking one configuration.

// outcome is what went wrong with a valid configuration; kind is "" when it passed.
type outcome struct {
	kind   string // synth, error, violation, warning, discovery, leak, declared
	detail string
	// sigs name the kinds of request that went wrong (who asked, and the kind of statement that
	// allowed it), so shrinking keeps the same failure rather than any failure.
	sigs []string
}

func (o outcome) String() string { return o.kind + ": " + o.detail }

// synthAndCheck synthesizes a valid configuration once, in an app of the given kind, and
// judges the template twice: with verify's isolation check (declared mode, from the manifest the
// construct records) and with the declared-access oracle. Both must find nothing, and they must
// agree: a template on which one finds a problem and the other does not is a failure of its own
// kind ("disagree"), showing both.
func synthAndCheck(p genProps, kind appKind) (out outcome) {
	defer func() {
		if r := recover(); r != nil {
			out = outcome{kind: "synth", detail: fmt.Sprintf("ValidateProps accepted the props but synthesis panicked: %v", r)}
		}
	}()
	app, err := newPropertyApp(kind)
	if err != nil {
		return outcome{kind: "synth", detail: err.Error()}
	}
	directaccess.NewDirectAccess(app.stack, jsii.String("Access"), p.props(app.stack))
	raw, err := app.synth()
	if err != nil {
		return outcome{kind: "synth", detail: err.Error()}
	}
	rep, err := isolation.CheckTemplate(raw)
	if err != nil {
		return outcome{kind: "error", detail: "the isolation check could not evaluate the template: " + err.Error()}
	}
	verify := verifyVerdict(p, rep)
	problems, err := declaredAccess(p, raw, rep)
	if err != nil {
		return outcome{kind: "error", detail: "the declared-access oracle could not evaluate the template: " + err.Error()}
	}
	var oracle outcome
	if len(problems) > 0 {
		oracle.kind = "declared"
		for _, pr := range problems {
			if strings.Contains(pr, "LEAK") {
				oracle.kind = "leak"
			}
			if sig := problemSignature(pr); !slices.Contains(oracle.sigs, sig) {
				oracle.sigs = append(oracle.sigs, sig)
			}
		}
		const max = 12
		n, more := len(problems), ""
		if n > max {
			more = fmt.Sprintf("\n  ... and %d more", n-max)
			problems = problems[:max]
		}
		oracle.detail = fmt.Sprintf("the declared-access oracle found %d requests decided otherwise than declared:\n  %s%s", n, strings.Join(problems, "\n  "), more)
	}
	switch {
	case verify.kind == "" && oracle.kind == "":
		return outcome{}
	case verify.kind == "violation" && oracle.kind == "":
		return outcome{kind: "disagree", detail: "verify finds violations that the declared-access oracle does not:\n" + verify.detail + "\noracle: no difference from the declarations"}
	case verify.kind == "" && (oracle.kind == "leak" || oracle.kind == "declared"):
		return outcome{kind: "disagree", detail: "the declared-access oracle finds differences that verify does not (verify: 0 violations, 0 warnings):\n" + oracle.detail, sigs: oracle.sigs}
	case verify.kind == "":
		return oracle
	case oracle.kind == "":
		return verify
	}
	return outcome{kind: oracle.kind, detail: verify.detail + "\nand " + oracle.detail, sigs: oracle.sigs}
}

// verifyVerdict is what `apiless verify` concludes from the report: declared mode, no violation,
// no warning, and every role and every declared table and bucket (in the template or outside
// it) checked.
func verifyVerdict(p genProps, rep *isolation.Report) outcome {
	if v := rep.Violations(); len(v) > 0 {
		return outcome{kind: "violation", detail: fmt.Sprintf("verify: %d violations:\n%s", len(v), isolation.FormatFindings(v))}
	}
	if w := rep.Warnings(); len(w) > 0 {
		return outcome{kind: "warning", detail: fmt.Sprintf("verify: %d warnings:\n%s", len(w), isolation.FormatFindings(w))}
	}
	if rep.Mode != isolation.ModeDeclared {
		return outcome{kind: "discovery", detail: fmt.Sprintf("verify ran in %q mode; want %q (the construct records its manifest)", rep.Mode, isolation.ModeDeclared)}
	}
	roles := 1 + len(p.Groups)
	if p.Guests != nil {
		roles++
	}
	if len(rep.Roles) != roles {
		return outcome{kind: "discovery", detail: fmt.Sprintf("the check found %d identity-pool roles; want %d", len(rep.Roles), roles)}
	}
	var labels []string
	for _, r := range rep.Roles {
		for _, f := range r.Findings {
			labels = append(labels, f.Check)
		}
	}
	all := strings.Join(labels, "\n")
	tables, buckets := p.Tables, p.Buckets
	if tables == nil {
		tables = []genTable{{Name: directaccess.DefaultTableName}}
	}
	if buckets == nil {
		buckets = []genBucket{{Name: directaccess.DefaultBucketName}}
	}
	for _, t := range tables {
		label := "table Access" + t.Name
		switch {
		case t.BroughtIn == "same":
			continue
		case !tableInTemplate(t):
			label = "table " + tablePhysical(p, t) + " (outside the template)"
		case t.BroughtIn != "":
			label = "table Brought" + t.Name
		}
		if !strings.Contains(all, label) {
			return outcome{kind: "discovery", detail: fmt.Sprintf("the check never probed table %s (%s)", t.Name, label)}
		}
	}
	for _, b := range buckets {
		label := "bucket Access" + b.Name
		switch {
		case b.BroughtIn == "same":
			continue
		case !bucketInTemplate(b):
			label = "bucket " + bucketPhysical(p, b) + " (outside the template)"
		case b.BroughtIn != "":
			label = "bucket Brought" + b.Name
		}
		if !strings.Contains(all, label) {
			return outcome{kind: "discovery", detail: fmt.Sprintf("the check never probed bucket %s (%s)", b.Name, label)}
		}
	}
	return outcome{}
}

var (
	sigTenant = regexp.MustCompile(`in tenant "([^"]*)"|without a tenant tag`)
	sigSid    = regexp.MustCompile(`\(Sid ([A-Za-z]+)`)
)

// problemSignature is the kind of a problem line: the caller's tenant (normal, none, a folder
// name, an identity ID), the statement kind that allowed it, and the service.
func problemSignature(line string) string {
	tenant := "no tenant"
	if m := sigTenant.FindStringSubmatch(line); m != nil {
		switch v := m[1]; {
		case m[0] == "without a tenant tag":
			tenant = "no tag"
		case v == oracleTenantA:
			tenant = "own tenant"
		case v == oracleSubB:
			tenant = "tenant = identity ID"
		case v == oracleTenantSlash:
			tenant = "tenant ID with a slash"
		default:
			tenant = "tenant = folder name"
		}
	}
	sid := "denied"
	if m := sigSid.FindStringSubmatch(line); m != nil {
		sid = m[1]
	}
	service := "s3"
	if strings.Contains(line, "dynamodb:") {
		service = "dynamodb"
	}
	if (tenant == "own tenant" || tenant == "no tag") && !strings.HasPrefix(sid, "Tenant") {
		tenant = "no tenant" // the tenant played no part
	}
	return tenant + "/" + sid + "/" + service
}

// ---------------------------------------------------------------------------------------------
// The declared-access oracle.
//
// isolation.CheckTemplate treats any statement without an identity variable and with a literal
// prefix (protected/*/*, orgs/*/*) as a deliberate share. That is what such statements are for,
// but it also means the check cannot see a shared statement that reaches further than declared:
// "a/*/*" reading the owner-only folder "a/b/<other identity>/", or a tenant statement
// "a/${aws:PrincipalTag/tenant}/*" covering "a/b/<other identity>/" for a tenant named "b". So every
// valid configuration is also checked request by request against what its declarations grant,
// with the same evaluator: each role, as identity A, on the objects, listings and items of A,
// of another identity B, of A's tenant and of another tenant, in every declared folder.
//
// A is also played with no tenant tag at all and with tenant IDs chosen to collide with the
// declarations: the name of a folder beside a {tenant} folder, B's identity ID, and an ID with a
// "/" (principal tag values may contain one), whose folder lies inside another tenant's. Tenant
// IDs come from a token claim the users cannot write, but apps often derive them from names
// users pick (an organisation slug); a declaration whose isolation depends on the tenant IDs
// never taking certain values can reach another identity's data.

const (
	oracleSubA    = "us-east-1:aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa"
	oracleSubB    = "us-east-1:bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb"
	oracleTenantA = "tenant-a"
	oracleTenantB = "tenant-b"
	// oracleTenantSlash is a tenant ID with a "/": its folder lies inside tenant B's.
	oracleTenantSlash = oracleTenantB + "/apiless-deep"
)

// claims collects, per probe, what each declaration that claims the probed data allows. When
// two declarations claim the same data (a tenant named like the folder beside its own, a tenant
// ID equal to an identity ID), the more specific one decides: a named folder over an identity's
// folder over a tenant's folder, since the data was put there under that declaration. Grants of
// equally specific declarations add up (a rule declared twice, two rules keyed by identity on
// one table).
type claims map[string]map[string]claim // probe -> declaration -> claim

type claim struct {
	rank    int // precedence: 3 named folder, 2 identity, 1 tenant, 0 no rule
	allowed map[string]bool
}

const (
	rankNone = iota
	rankTenant
	rankIdentity
	rankNamed
)

func (c claims) add(probe, declaration string, rank int, allowed map[string]bool) {
	if c[probe] == nil {
		c[probe] = map[string]claim{}
	}
	cl, ok := c[probe][declaration]
	if !ok {
		cl = claim{rank: rank, allowed: map[string]bool{}}
	}
	for k, v := range allowed {
		if v {
			cl.allowed[k] = true
		}
	}
	c[probe][declaration] = cl
}

func (c claims) expected(probe string) (map[string]bool, []string) {
	top := -1
	for _, cl := range c[probe] {
		top = max(top, cl.rank)
	}
	out := map[string]bool{}
	var by []string
	for decl, cl := range c[probe] {
		if cl.rank != top {
			continue
		}
		by = append(by, decl)
		for k := range cl.allowed {
			out[k] = true
		}
	}
	sort.Strings(by)
	if len(c[probe]) > len(by) {
		by = append(by, "not by the less specific "+strings.Join(otherDeclarations(c[probe], top), ", "))
	}
	return out, by
}

func otherDeclarations(m map[string]claim, top int) []string {
	var out []string
	for decl, cl := range m {
		if cl.rank != top {
			out = append(out, decl)
		}
	}
	sort.Strings(out)
	return out
}

type oracleRule struct {
	folder, token string
	grants        map[string][]string // audience (owner, authenticated, guest, tenant, group:<name>) -> ops
}

func (r oracleRule) ops(auds []string) map[string]bool {
	out := map[string]bool{}
	for _, a := range auds {
		for _, op := range r.grants[a] {
			out[op] = true
		}
	}
	return out
}

func without(auds []string, drop string) []string {
	return slices.DeleteFunc(slices.Clone(auds), func(a string) bool { return a == drop })
}

// oracleBuckets groups the path rules by physical bucket (logical ID prefix in the template).
func oracleBuckets(p genProps) (map[string][]oracleRule, []string) {
	buckets := p.Buckets
	if buckets == nil {
		buckets = []genBucket{{Name: directaccess.DefaultBucketName}}
	}
	out := map[string][]oracleRule{}
	var order []string
	for _, b := range buckets {
		src := b
		if b.BroughtIn == "same" {
			src = buckets[0]
		}
		var id string
		switch src.BroughtIn {
		case "":
			id = "Access" + src.Name
		case "bucket":
			id = "Brought" + src.Name
		default:
			id = outsidePrefix + bucketPhysical(p, src) // outside the template
		}
		if _, ok := out[id]; !ok {
			order = append(order, id)
		}
		paths := b.Paths
		if paths == nil {
			paths = []genPath{{Path: directaccess.DefaultObjectPath, Owner: &storageOps}}
		}
		for _, r := range paths {
			or := oracleRule{folder: strings.TrimSuffix(r.Path, "/*"), grants: map[string][]string{}}
			switch {
			case strings.Contains(r.Path, "{identity}"):
				or.token = "{identity}"
			case strings.Contains(r.Path, "{tenant}"):
				or.token = "{tenant}"
			}
			for aud, ops := range map[string]*[]string{"owner": r.Owner, "authenticated": r.Authenticated, "guest": r.Guest, "tenant": r.Tenant} {
				if ops != nil {
					or.grants[aud] = *ops
				}
			}
			for g, ops := range r.Groups {
				or.grants["group:"+g] = ops
			}
			out[id] = append(out[id], or)
		}
	}
	return out, order
}

type oracleTable struct {
	name, partitionValue string
	indexes              []string
	limited              bool
	grants               map[string][]string // authenticated, guest, group:<name> -> ops
}

func (t oracleTable) ops(auds []string) map[string]bool {
	out := map[string]bool{}
	for _, a := range auds {
		for _, op := range t.grants[a] {
			out[op] = true
		}
	}
	return out
}

func oracleTables(p genProps) (map[string][]oracleTable, []string) {
	tables := p.Tables
	if tables == nil {
		tables = []genTable{{Name: directaccess.DefaultTableName}}
	}
	out := map[string][]oracleTable{}
	var order []string
	for _, t := range tables {
		src := t
		if t.BroughtIn == "same" {
			src = tables[0]
		}
		var id string
		switch {
		case src.BroughtIn == "":
			id = "Access" + src.Name
		case (src.BroughtIn == "table" || src.BroughtIn == "tablev2") && realizable(src):
			id = "Brought" + src.Name
		default:
			id = outsidePrefix + tablePhysical(p, src) // outside the template
		}
		if _, ok := out[id]; !ok {
			order = append(order, id)
		}
		ot := oracleTable{name: t.Name, partitionValue: t.PartitionValue, limited: t.Attributes != nil, grants: map[string][]string{}}
		if ot.partitionValue == "" {
			ot.partitionValue = "identity"
		}
		for _, ix := range t.Indexes {
			ot.indexes = append(ot.indexes, ix.Name)
		}
		switch {
		case t.Authenticated != nil:
			ot.grants["authenticated"] = *t.Authenticated
		case t.Attributes != nil:
			ot.grants["authenticated"] = []string{"read", "write"}
		default:
			ot.grants["authenticated"] = tableOps
		}
		if t.Guest != nil {
			ot.grants["guest"] = *t.Guest
		}
		for g, ops := range t.Groups {
			ot.grants["group:"+g] = ops
		}
		out[id] = append(out[id], ot)
	}
	return out, order
}

// outsidePrefix marks an oracle resource outside the template, by its physical name.
const outsidePrefix = "outside:"

// resourceARN is the ARN of an oracle resource: of the template resource whose logical ID starts
// with id, or, outside the template, the ARN its physical name has in the environment iameval
// and the "repo" stacks assume.
func resourceARN(tpl *iameval.Template, id, outsideFormat string, types ...string) (string, error) {
	if name, ok := strings.CutPrefix(id, outsidePrefix); ok {
		return fmt.Sprintf(outsideFormat, name), nil
	}
	logical := logicalIDWithPrefix(tpl, id, types...)
	if logical == "" {
		return "", fmt.Errorf("no %s %s* in the template", types[0], id)
	}
	return tpl.GetAtt(logical, "Arn")
}

func logicalIDWithPrefix(tpl *iameval.Template, prefix string, types ...string) string {
	for _, typ := range types {
		for _, r := range tpl.ResourcesOfType(typ) {
			if strings.HasPrefix(r.LogicalID, prefix) {
				return r.LogicalID
			}
		}
	}
	return ""
}

var (
	objectActions = map[string]string{"get": "s3:GetObject", "write": "s3:PutObject", "delete": "s3:DeleteObject"}
	itemActions   = map[string][]string{
		"read":   {"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:ConditionCheckItem"},
		"write":  {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:BatchWriteItem"},
		"delete": {"dynamodb:DeleteItem"},
	}
	allItemActions = slices.Concat(itemActions["read"], itemActions["write"], itemActions["delete"])
)

// declaredAccess returns every request whose decision differs from what the declarations grant:
// "more" (a request allowed that no declaration grants: a leak) or "less" (a declared grant that
// does not work).
func declaredAccess(p genProps, raw []byte, rep *isolation.Report) ([]string, error) {
	tpl, err := iameval.ParseTemplate(raw, iameval.Env{})
	if err != nil {
		return nil, err
	}
	tagKey := ""
	if p.Tenant != nil {
		tagKey = "tenant"
		if p.Tenant.TagKey != nil {
			tagKey = *p.Tenant.TagKey
		}
	}
	buckets, bucketOrder := oracleBuckets(p)
	tables, tableOrder := oracleTables(p)

	// Tenant IDs that collide with the declarations: B's identity ID, one with a "/" (tag values
	// may hold one), and the name of every folder beside a {tenant} folder.
	adversarial := []string{oracleSubB, oracleTenantSlash}
	if !*propertyAdversarialTenants {
		adversarial = nil
	}
	for _, rules := range buckets {
		if !*propertyAdversarialTenants {
			break
		}
		for _, r := range rules {
			if r.token != "{tenant}" {
				continue
			}
			parent := strings.TrimSuffix(r.folder, "{tenant}")
			for _, o := range rules {
				if rest, ok := strings.CutPrefix(o.folder+"/", parent); ok && o.folder != r.folder {
					if seg, _, _ := strings.Cut(rest, "/"); !strings.Contains(seg, "{") && !slices.Contains(adversarial, seg) {
						adversarial = append(adversarial, seg)
					}
				}
			}
		}
	}

	var problems []string
	for _, rr := range rep.Roles {
		role, err := tpl.Role(rr.LogicalID)
		if err != nil {
			return nil, err
		}
		kind := strings.Join(rr.Audiences, ",")
		var auds []string
		switch {
		case kind == "authenticated":
			auds = []string{"owner", "authenticated", "tenant"}
		case kind == "guest":
			auds = []string{"guest"}
		case strings.HasPrefix(kind, "group "):
			auds = []string{"owner", "authenticated", "tenant", "group:" + strings.TrimPrefix(kind, "group ")}
		default:
			return nil, fmt.Errorf("role %s: unexpected audiences %q", rr.LogicalID, kind)
		}
		variants := []string{""} // the caller's tenant tag; "" is no tag
		if tagKey != "" && kind != "guest" {
			variants = append([]string{oracleTenantA, ""}, adversarial...)
		}
		for _, tenant := range variants {
			who := fmt.Sprintf("role %s (%s) as identity A", rr.LogicalID, kind)
			if tagKey != "" && kind != "guest" {
				if tenant == "" {
					who += " without a tenant tag"
				} else {
					who += fmt.Sprintf(" in tenant %q", tenant)
				}
			}
			ctx := func(extra ...string) iameval.Context {
				c := iameval.Context{
					"cognito-identity.amazonaws.com:sub": {oracleSubA},
					"aws:SecureTransport":                {"true"},
					"s3:TlsVersion":                      {"1.3"},
				}
				if tenant != "" {
					c["aws:PrincipalTag/"+tagKey] = []string{tenant}
				}
				for i := 0; i+1 < len(extra); i += 2 {
					c[extra[i]] = append(c[extra[i]], extra[i+1])
				}
				return c
			}
			decide := func(action, resource string, c iameval.Context, want map[string]bool, by []string, what, forbidden string) error {
				res, err := tpl.Authorize(role, action, resource, c)
				if err != nil {
					return err
				}
				if got := res.Allowed(); got != want[action] || got && forbidden != "" {
					verdict := "LEAK: allowed, but no declaration grants it"
					switch {
					case got && forbidden != "":
						verdict = "LEAK: allowed, but " + forbidden
					case !got:
						verdict = "declared, but denied"
					}
					var stmts []string
					for _, s := range res.Allows {
						stmts = append(stmts, s.String())
					}
					problems = append(problems, fmt.Sprintf("%s: %s %s: %s (declared by %s)%s", who, action, what, verdict,
						strings.Join(by, " and "), map[bool]string{true: "; allowed by " + strings.Join(stmts, ", "), false: ""}[got]))
				}
				return nil
			}

			// A tenant tag with "/", "*" or "?" is refused by every tenant statement (it could
			// reach into other folders once substituted), so such a caller is in no tenant.
			usable := tenant != "" && !strings.ContainsAny(tenant, "/*?")

			// S3: objects and listings.
			tenantValues := []string{oracleTenantA, oracleTenantB}
			if tenant != "" && !slices.Contains(tenantValues, tenant) {
				tenantValues = append(tenantValues, tenant)
			}
			for _, id := range bucketOrder {
				rules := buckets[id]
				arn, err := resourceARN(tpl, id, "arn:aws:s3:::%s", "AWS::S3::Bucket")
				if err != nil {
					return nil, err
				}
				objects, lists := claims{}, claims{}
				// forbidden holds what the README rules out whatever the declarations say (the
				// validation is what keeps such declarations out): probe -> action -> why.
				forbidden := map[string]map[string]string{}
				forbid := func(probe, why string, actions ...string) {
					if forbidden[probe] == nil {
						forbidden[probe] = map[string]string{}
					}
					for _, a := range actions {
						forbidden[probe][a] = why
					}
				}
				claim := func(key, concreteFolder string, r oracleRule, auds []string) {
					effective := r
					// A shared rule nested deeper decides for the keys under it.
					for _, c := range rules {
						if c.token == "" && len(c.folder) > len(concreteFolder) && strings.HasPrefix(key, c.folder+"/") && len(c.folder) > len(effective.folder) {
							effective = c
						}
					}
					decl := "rule " + effective.folder + "/*"
					rank := map[string]int{"": rankNamed, "{identity}": rankIdentity, "{tenant}": rankTenant}[effective.token]
					ops := effective.ops(auds)
					objAllowed := map[string]bool{}
					for op, action := range objectActions {
						objAllowed[action] = ops[op]
					}
					objects.add(key, decl, rank, objAllowed)
					lists.add(key[:strings.LastIndex(key, "/")+1], decl, rank, map[string]bool{"s3:ListBucket": ops["list"]})
				}
				for _, r := range rules {
					switch r.token {
					case "{identity}":
						for _, sub := range []string{oracleSubA, oracleSubB} {
							folder := strings.Replace(r.folder, "{identity}", sub, 1)
							a := auds
							if sub != oracleSubA {
								a = without(a, "owner")
							}
							for _, key := range []string{folder + "/probe.txt", folder + "/apiless-deep/probe.txt"} {
								claim(key, folder, r, a)
								if sub != oracleSubA && kind == "authenticated" {
									forbid(key, "signed-in users never change another identity's folder", "s3:PutObject", "s3:DeleteObject")
								}
							}
						}
					case "{tenant}":
						for _, v := range tenantValues {
							folder := strings.Replace(r.folder, "{tenant}", v, 1)
							a := auds
							if v != tenant || !usable {
								a = without(a, "tenant")
							}
							for _, key := range []string{folder + "/probe.txt", folder + "/apiless-deep/probe.txt"} {
								claim(key, folder, r, a)
								if (v == oracleTenantA || v == oracleTenantB) && v != tenant && (kind == "authenticated" || kind == "guest") {
									why := fmt.Sprintf("only a tenant's members (and named groups) reach its folder, here tenant %q's", v)
									forbid(key, why, "s3:GetObject", "s3:PutObject", "s3:DeleteObject")
									forbid(key[:strings.LastIndex(key, "/")+1], why, "s3:ListBucket")
								}
							}
						}
					default:
						claim(r.folder+"/probe.txt", r.folder, r, auds)
						claim(r.folder+"/apiless-deep/probe.txt", r.folder, r, auds)
					}
				}
				// Outside every rule: nothing.
				objects.add("apiless-outside/probe.txt", "no rule", rankNone, nil)
				objects.add("probe.txt", "no rule", rankNone, nil)
				lists.add("apiless-outside/", "no rule", rankNone, nil)
				for _, key := range sortedClaimKeys(objects) {
					want, by := objects.expected(key)
					for _, action := range []string{"s3:GetObject", "s3:PutObject", "s3:DeleteObject"} {
						why := forbidden[key][action]
						if kind == "guest" && action != "s3:GetObject" {
							why = "guests never write or delete"
						}
						if err := decide(action, arn+"/"+key, ctx(), want, by, "on "+id+"/"+key, why); err != nil {
							return nil, err
						}
					}
				}
				for _, prefix := range sortedClaimKeys(lists) {
					want, by := lists.expected(prefix)
					// Without a delimiter a listing returns every key under the prefix: one
					// that leads into a nested folder the caller may not list is denied, and
					// allowed again when it groups keys by "/" (only the folder's name shows).
					plainWant, plainBy := want, by
					for _, c := range rules {
						nested := c.folder + "/"
						if want["s3:ListBucket"] && c.token == "" && len(nested) > len(prefix) && strings.HasPrefix(nested, prefix) && !c.ops(auds)["list"] {
							plainWant = map[string]bool{}
							plainBy = []string{"rule " + c.folder + "/* (a listing of " + prefix + " without a delimiter would show its keys)"}
						}
					}
					if err := decide("s3:ListBucket", arn, ctx("s3:prefix", prefix), plainWant, plainBy, "on "+id+" with prefix "+prefix, forbidden[prefix]["s3:ListBucket"]); err != nil {
						return nil, err
					}
					if err := decide("s3:ListBucket", arn, ctx("s3:prefix", prefix, "s3:delimiter", "/"), want, by, "on "+id+" with prefix "+prefix+" and delimiter /", forbidden[prefix]["s3:ListBucket"]); err != nil {
						return nil, err
					}
				}
				if err := decide("s3:ListBucket", arn, ctx(), nil, []string{"no rule"}, "on "+id+" without a prefix", ""); err != nil {
					return nil, err
				}
			}

			// DynamoDB items.
			for _, id := range tableOrder {
				rules := tables[id]
				arn, err := resourceARN(tpl, id, "arn:aws:dynamodb:"+propertyRegion+":"+propertyAccount+":table/%s", "AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable")
				if err != nil {
					return nil, err
				}
				var indexes []string
				for _, r := range rules {
					for _, ix := range r.indexes {
						if !slices.Contains(indexes, ix) {
							indexes = append(indexes, ix)
						}
					}
				}
				items := claims{}
				values := append([]string{oracleSubA, oracleSubB}, tenantValues...)
				for _, r := range rules {
					tableAuds := slices.DeleteFunc(slices.Clone(auds), func(a string) bool { return a == "owner" || a == "tenant" })
					ops := r.ops(tableAuds)
					for _, v := range values {
						var own, claimed bool
						if r.partitionValue == "identity" {
							claimed, own = v == oracleSubA || v == oracleSubB, v == oracleSubA
						} else {
							claimed, own = slices.Contains(tenantValues, v), v == tenant && usable
						}
						if !claimed {
							continue
						}
						allowed := map[string]bool{}
						if own {
							for op := range ops {
								actions := itemActions[op]
								if op == "write" && r.limited {
									actions = []string{"dynamodb:UpdateItem"}
								}
								if op == "read" && r.limited {
									// A failed ConditionCheckItem can return the whole item.
									actions = slices.DeleteFunc(slices.Clone(actions), func(a string) bool { return a == "dynamodb:ConditionCheckItem" })
								}
								for _, a := range actions {
									allowed[a+" "+arn] = true
								}
								if op == "read" {
									for _, ix := range r.indexes {
										allowed["dynamodb:Query "+arn+"/index/"+ix] = true
									}
								}
							}
						}
						// Rules keyed the same way declare the same items: their grants add up.
						rank := rankIdentity
						if r.partitionValue == "tenant" {
							rank = rankTenant
						}
						items.add(v, "table rules by "+r.partitionValue, rank, allowed)
					}
				}
				for _, v := range values {
					want, by := items.expected(v)
					if by == nil {
						by = []string{"no rule"}
					}
					probe := func(action, resource string) error {
						w := map[string]bool{action: want[action+" "+resource]}
						why := ""
						if kind == "guest" && !slices.Contains(itemActions["read"], action) {
							why = "guests only ever read"
						}
						return decide(action, resource, ctx("dynamodb:LeadingKeys", v), w, by, fmt.Sprintf("on %s with key %q", strings.TrimPrefix(resource, arn[:strings.LastIndex(arn, "/")+1]), v), why)
					}
					for _, action := range allItemActions {
						if err := probe(action, arn); err != nil {
							return nil, err
						}
					}
					for _, ix := range indexes {
						if err := probe("dynamodb:Query", arn+"/index/"+ix); err != nil {
							return nil, err
						}
					}
				}
			}
		}
	}
	return problems, nil
}

func sortedClaimKeys(c claims) []string {
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// refusal checks that NewDirectAccess refuses props that ValidateProps refuses, with the same
// error. The construct validates before its first jsii call, so this costs no synth.
func refusal(scope constructs.Construct, id string, props *directaccess.DirectAccessProps, want error) (problem string) {
	defer func() {
		r := recover()
		switch err, ok := r.(error); {
		case r == nil:
			problem = "NewDirectAccess did not panic"
		case !ok:
			problem = fmt.Sprintf("NewDirectAccess panicked with %T %v; want an error", r, r)
		case !sameProblems(err, want):
			problem = fmt.Sprintf("NewDirectAccess panicked with\n%v\nbut ValidateProps said\n%v", err, want)
		case !strings.Contains(err.Error(), "DirectAccess "+*scope.Node().Path()+"/"+id+": "):
			problem = fmt.Sprintf("NewDirectAccess panicked with\n%v\nwhich does not name the construct path %s/%s", err, *scope.Node().Path(), id)
		}
	}()
	directaccess.NewDirectAccess(scope, jsii.String(id), props)
	return ""
}

// sameProblems reports whether two validation errors list the same problems (their titles
// differ: the panic names the construct path).
// buildProps builds the props in scope, turning a panic (CDK refusing a brought-in object) into an
// error.
func buildProps(p genProps, scope constructs.Construct) (props *directaccess.DirectAccessProps, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	return p.props(scope), nil
}

// sameFieldsAndTypes reports whether two ValidateProps results refuse (or accept) alike: the same
// problems by field and type (values may differ: a brought-in name is a token in one app and a
// literal in the other).
func sameFieldsAndTypes(a, b error) bool {
	key := func(err error) []string {
		var verr *validation.Error
		if !errors.As(err, &verr) {
			return nil
		}
		var out []string
		for _, p := range verr.Problems {
			out = append(out, p.Field+" "+string(p.Type))
		}
		slices.Sort(out)
		return out
	}
	return (a == nil) == (b == nil) && slices.Equal(key(a), key(b))
}

func sameProblems(a, b error) bool {
	var pa, pb *validation.Error
	return errors.As(a, &pa) && errors.As(b, &pb) && reflect.DeepEqual(pa.Problems, pb.Problems)
}

// ---------------------------------------------------------------------------------------------
// Shrinking a failing configuration.

// shrinkSteps lists every configuration one step smaller than p.
func shrinkSteps(p genProps) []genProps {
	var out []genProps
	try := func(f func(q *genProps) bool) {
		q := p.clone()
		if f(&q) {
			q.normalize()
			out = append(out, q)
		}
	}
	dropGroupRefs := func(q *genProps, name string) {
		for i := range q.Tables {
			delete(q.Tables[i].Groups, name)
			if len(q.Tables[i].Groups) == 0 {
				q.Tables[i].Groups = nil
			}
		}
		for i := range q.Buckets {
			for j := range q.Buckets[i].Paths {
				delete(q.Buckets[i].Paths[j].Groups, name)
				if len(q.Buckets[i].Paths[j].Groups) == 0 {
					q.Buckets[i].Paths[j].Groups = nil
				}
			}
			// A rule left granting nothing goes too.
			q.Buckets[i].Paths = slices.DeleteFunc(q.Buckets[i].Paths, func(r genPath) bool {
				return r.Owner == nil && r.Authenticated == nil && r.Guest == nil && r.Tenant == nil && r.Groups == nil
			})
		}
	}
	for i := range p.Tables {
		try(func(q *genProps) bool { q.Tables = slices.Delete(q.Tables, i, i+1); return true })
	}
	for i := range p.Buckets {
		try(func(q *genProps) bool { q.Buckets = slices.Delete(q.Buckets, i, i+1); return true })
	}
	for i := range p.Buckets {
		for j := range p.Buckets[i].Paths {
			try(func(q *genProps) bool {
				q.Buckets[i].Paths = slices.Delete(q.Buckets[i].Paths, j, j+1)
				return true
			})
		}
	}
	for i, g := range p.Groups {
		try(func(q *genProps) bool {
			q.Groups = slices.Delete(q.Groups, i, i+1)
			if len(q.Groups) == 0 {
				q.Groups = nil
			}
			dropGroupRefs(q, g.Name)
			return true
		})
	}
	try(func(q *genProps) bool {
		if q.Guests == nil {
			return false
		}
		q.Guests = nil
		for i := range q.Tables {
			q.Tables[i].Guest = nil
		}
		for i := range q.Buckets {
			for j := range q.Buckets[i].Paths {
				q.Buckets[i].Paths[j].Guest = nil
			}
		}
		return true
	})
	try(func(q *genProps) bool { changed := q.AccessLogs != ""; q.AccessLogs = ""; return changed })
	try(func(q *genProps) bool {
		if q.Tenant == nil {
			return false
		}
		q.Tenant = nil
		return true
	})
	for i := range p.Tables {
		t := func(q *genProps) *genTable { return &q.Tables[i] }
		for j := range p.Tables[i].Indexes {
			try(func(q *genProps) bool { t(q).Indexes = slices.Delete(t(q).Indexes, j, j+1); return true })
		}
		try(func(q *genProps) bool {
			changed := t(q).BroughtIn != ""
			t(q).BroughtIn, t(q).Spelling = "", ""
			return changed
		})
		try(func(q *genProps) bool { changed := t(q).Attributes != nil; t(q).Attributes = nil; return changed })
		try(func(q *genProps) bool { changed := t(q).Guest != nil; t(q).Guest = nil; return changed })
		try(func(q *genProps) bool { changed := t(q).Groups != nil; t(q).Groups = nil; return changed })
		try(func(q *genProps) bool { changed := t(q).SortKey != nil; t(q).SortKey = nil; return changed })
		try(func(q *genProps) bool { changed := t(q).PartitionKey != nil; t(q).PartitionKey = nil; return changed })
		try(func(q *genProps) bool {
			changed := t(q).PartitionValue != ""
			t(q).PartitionValue = ""
			return changed
		})
		try(func(q *genProps) bool { changed := t(q).Authenticated != nil; t(q).Authenticated = nil; return changed })
		if a := p.Tables[i].Authenticated; a != nil {
			for k := range *a {
				try(func(q *genProps) bool {
					ops := slices.Delete(slices.Clone(*t(q).Authenticated), k, k+1)
					t(q).Authenticated = &ops
					return true
				})
			}
		}
	}
	for i := range p.Buckets {
		try(func(q *genProps) bool {
			changed := q.Buckets[i].BroughtIn != ""
			q.Buckets[i].BroughtIn, q.Buckets[i].Spelling = "", ""
			return changed
		})
		for j := range p.Buckets[i].Paths {
			r := func(q *genProps) *genPath { return &q.Buckets[i].Paths[j] }
			for _, field := range []func(*genPath) **[]string{
				func(r *genPath) **[]string { return &r.Owner },
				func(r *genPath) **[]string { return &r.Authenticated },
				func(r *genPath) **[]string { return &r.Guest },
				func(r *genPath) **[]string { return &r.Tenant },
			} {
				if ops := *field(&p.Buckets[i].Paths[j]); ops != nil {
					try(func(q *genProps) bool { *field(r(q)) = nil; return true })
					for k := range *ops {
						try(func(q *genProps) bool {
							cut := slices.Delete(slices.Clone(**field(r(q))), k, k+1)
							*field(r(q)) = &cut
							return true
						})
					}
				}
			}
			for g, ops := range p.Buckets[i].Paths[j].Groups {
				try(func(q *genProps) bool {
					delete(r(q).Groups, g)
					if len(r(q).Groups) == 0 {
						r(q).Groups = nil
					}
					return true
				})
				for k := range ops {
					try(func(q *genProps) bool {
						r(q).Groups[g] = slices.Delete(slices.Clone(r(q).Groups[g]), k, k+1)
						return true
					})
				}
			}
		}
	}
	return out
}

// normalize keeps "same" meaningful after a shrinking step: it names the brought-in table or
// bucket of the first rule, so it only stays where that one is brought in.
func (p *genProps) normalize() {
	for i := range p.Tables {
		if p.Tables[i].BroughtIn == "same" && (i == 0 || p.Tables[0].BroughtIn == "" || p.Tables[0].BroughtIn == "same") {
			p.Tables[i].BroughtIn = ""
		}
	}
	for i := range p.Buckets {
		if p.Buckets[i].BroughtIn == "same" && (i == 0 || p.Buckets[0].BroughtIn == "" || p.Buckets[0].BroughtIn == "same") {
			p.Buckets[i].BroughtIn = ""
		}
		if p.Buckets[i].BroughtIn == "same-name" && (i == 0 || p.Buckets[0].BroughtIn != "import") ||
			p.Buckets[i].BroughtIn == "logs" && (p.AccessLogs == "" || createdInStack(p.AccessLogs)) {
			p.Buckets[i].BroughtIn = "import"
		}
	}
	for i := range p.Tables {
		if p.Tables[i].BroughtIn == "same-name" && (i == 0 || p.Tables[0].BroughtIn != "import") {
			p.Tables[i].BroughtIn = "import"
		}
	}
}

// shrink greedily takes steps that keep the configuration valid and failing the same way (the
// same kind and, for the oracle, the same first signature).
func shrink(p genProps, want outcome, app appKind, budget int) (genProps, outcome, int) {
	kind := want.kind
	var last outcome
	synths := 0
	for progress := true; progress && synths < budget; {
		progress = false
		for _, q := range shrinkSteps(p) {
			if directaccess.ValidateProps(q.props(nil)) != nil {
				continue
			}
			synths++
			if o := synthAndCheck(q, app); o.kind == kind && (len(want.sigs) == 0 || slices.Contains(o.sigs, want.sigs[0])) {
				p, last, progress = q, o, true
				break
			}
			if synths >= budget {
				break
			}
		}
	}
	return p, last, synths
}

// ---------------------------------------------------------------------------------------------
// The property.

// coverage counts the features of the valid configurations, so a run shows what it exercised.
type coverage map[string]int

func (c coverage) note(p genProps) {
	c["configs"]++
	if p.AccessLogs != "" {
		c["access logs brought in ("+p.AccessLogs+")"]++
	}
	if p.Guests != nil {
		c["guests"]++
	}
	if p.Tenant != nil {
		c["tenant"]++
	}
	if len(p.Groups) > 0 {
		c[fmt.Sprintf("groups=%d", len(p.Groups))]++
	}
	for _, t := range p.Tables {
		c["tables"]++
		if t.PartitionValue == "tenant" {
			c["tables by tenant"]++
		}
		if t.SortKey != nil {
			c["tables with sort key"]++
		}
		for _, ix := range t.Indexes {
			if ix.PartitionKey == nil {
				c["local indexes"]++
			} else {
				c["global indexes"]++
			}
		}
		if t.Attributes != nil {
			c["attribute-limited tables"]++
		}
		if t.Guest != nil && len(*t.Guest) > 0 {
			c["table guest grants"]++
		}
		if len(t.Groups) > 0 {
			c["table group grants"]++
		}
		if t.BroughtIn != "" {
			c["tables brought in ("+strings.TrimSpace(t.BroughtIn+" "+t.Spelling)+")"]++
		}
	}
	for _, b := range p.Buckets {
		c["buckets"]++
		if b.BroughtIn != "" {
			c["buckets brought in ("+strings.TrimSpace(b.BroughtIn+" "+b.Spelling)+")"]++
		}
		for _, r := range b.Paths {
			c["paths"]++
			switch {
			case strings.Contains(r.Path, "{identity}"):
				c["identity paths"]++
				if r.Authenticated != nil && len(*r.Authenticated) > 0 || r.Guest != nil && len(*r.Guest) > 0 || len(r.Groups) > 0 {
					c["identity paths shared with others"]++
				}
			case strings.Contains(r.Path, "{tenant}"):
				c["tenant paths"]++
			}
			if r.Guest != nil && len(*r.Guest) > 0 {
				c["path guest grants"]++
			}
			if len(r.Groups) > 0 {
				c["path group grants"]++
			}
			for _, o := range b.Paths {
				folder, ofolder := strings.TrimSuffix(r.Path, "*"), strings.TrimSuffix(o.Path, "*")
				if folder != ofolder && strings.HasPrefix(folder, ofolder) {
					c["nested paths"]++
				}
			}
		}
	}
}

func (c coverage) String() string {
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, c[k])
	}
	return strings.Join(parts, ", ")
}

// TestPropertyIsolation: every configuration ValidateProps accepts synthesizes to a template
// the isolation proof passes, and every configuration it refuses, NewDirectAccess refuses too.
func TestPropertyIsolation(t *testing.T) {
	seed, want := *propertySeed, *propertyCases
	start := time.Now()
	cov := coverage{}
	refusals := map[string]int{}
	failures := map[string][]int{} // failure class -> case numbers
	// Props are validated with real CDK objects in both kinds of app (one app per kind, a scope
	// per case, no synth); accepted ones are synthesized in a fresh app of the kind that case
	// number picks, so both kinds are synthesized and proven too.
	apps := map[appKind]*propertyApp{}
	for _, k := range appKinds {
		app, err := newPropertyApp(k)
		if err != nil {
			t.Fatal(err)
		}
		defer app.close()
		apps[k] = app
	}
	valid, invalid, failed, shrunk := 0, 0, 0, 0
	expected := 0 // configurations mustRefuse says must be refused
	byKind := map[appKind]int{}
	for n := 0; valid < want && n < 100*want+100; n++ {
		p := generate(seed, n)
		kind := appKinds[n%len(appKinds)]
		errs, scopes, props := map[appKind]error{}, map[appKind]constructs.Construct{}, map[appKind]*directaccess.DirectAccessProps{}
		for _, k := range appKinds {
			scopes[k] = constructs.NewConstruct(apps[k].stack, jsii.String(fmt.Sprintf("Case%d", n)))
			pr, err := buildProps(p, scopes[k])
			if err != nil {
				// CDK refused to build a brought-in object (two rules of one Name, duplicate
				// index names): validate with placeholders, which ValidateProps must refuse.
				pr = p.props(nil)
			}
			props[k], errs[k] = pr, directaccess.ValidateProps(pr)
		}
		if props[kind] == nil {
			continue
		}
		if a, b := errs[appRepo], errs[appBare]; !sameFieldsAndTypes(a, b) {
			t.Errorf("seed %d case %d: ValidateProps decides differently in the two kinds of app:\nrepo app (cdk.json flags, explicit env): %v\nbare app (no flags, no env): %v\nprops:\n%#v", seed, n, a, b, p)
		}
		wants := mustRefuse(p)
		if len(wants) > 0 {
			expected++
		}
		for _, k := range appKinds {
			if bad := checkRefusal(errs[k], wants); len(bad) > 0 {
				t.Errorf("seed %d case %d: %s app: %s\nValidateProps said: %v\nprops:\n%#v", seed, n, k, strings.Join(bad, "; "), errs[k], p)
			}
		}
		if err := errs[kind]; err != nil {
			invalid++
			for _, line := range strings.Split(err.Error(), "\n")[1:] {
				refusals[refusalKind(line)]++
			}
			if problem := refusal(scopes[kind], "Access", props[kind], err); problem != "" {
				t.Errorf("seed %d case %d: ValidateProps refuses the props but %s\nprops:\n%#v", seed, n, problem, p)
			}
			continue
		}
		valid++
		byKind[kind]++
		cov.note(p)
		t.Run(fmt.Sprintf("case%04d", n), func(t *testing.T) {
			o := synthAndCheck(p, kind)
			if o.kind == "" {
				return
			}
			failed++
			class := o.kind
			if len(o.sigs) > 0 {
				class += " (" + strings.Join(o.sigs, "; ") + ")"
			} else if o.kind == "violation" {
				class += " (" + firstLine(o.detail[strings.Index(o.detail, "\n")+1:]) + ")"
			}
			failures[class] = append(failures[class], n)
			msg := fmt.Sprintf("seed %d case %d (%s app): ValidateProps accepts the props, but %s\nprops:\n%#v", seed, n, kind, o, p)
			if shrunk < *propertyShrink {
				shrunk++
				small, so, synths := shrink(p, o, kind, 150)
				if so.kind != "" {
					msg += fmt.Sprintf("\nshrunk in %d synths to:\n%#v\nwhich fails with %s", synths, small, so)
				} else {
					msg += fmt.Sprintf("\n(no smaller failing configuration found in %d synths)", synths)
				}
			}
			t.Error(msg)
		})
	}
	if valid < want {
		t.Errorf("the generator produced only %d valid configurations in %d tries; want %d", valid, valid+invalid, want)
	}
	t.Logf("seed %d: %d valid configurations synthesized and checked (%d failed; %d in repo apps, %d in bare apps), %d invalid ones refused (%d of them by a reason mustRefuse predicted), every one also validated in the other kind of app, in %v",
		seed, valid, failed, byKind[appRepo], byKind[appBare], invalid, expected, time.Since(start).Round(time.Millisecond))
	if !*propertyAdversarialTenants {
		t.Logf("-adversarial-tenants=false: tenant IDs that collide with the declarations or contain a slash were NOT played")
	}
	t.Logf("coverage of the valid configurations: %v", cov)
	t.Logf("refusals by kind: %v", coverage(refusals))
	if len(failures) > 0 {
		classes := make([]string, 0, len(failures))
		for c := range failures {
			classes = append(classes, c)
		}
		sort.Strings(classes)
		var b strings.Builder
		for _, c := range classes {
			fmt.Fprintf(&b, "\n  %d x %s: cases %v", len(failures[c]), c, failures[c])
		}
		t.Logf("failures by class (who asked / the statement that allowed it / service):%s", b.String())
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	// Drop the role's logical ID so equal problems of different roles group together.
	if _, rest, ok := strings.Cut(line, ": "); ok {
		return rest
	}
	return line
}

// refusalKind reduces a problem line to the field it names, for the run's summary:
// Tables[1].Indexes[0].PartitionKey becomes Tables.Indexes.PartitionKey.
func refusalKind(line string) string {
	line = strings.TrimPrefix(strings.TrimSpace(line), "- ")
	field, _, _ := strings.Cut(line, ": ")
	var b strings.Builder
	depth := 0
	for _, r := range field {
		switch {
		case r == '[':
			depth++
		case r == ']':
			depth--
		case depth == 0:
			b.WriteRune(r)
		}
	}
	return b.String()
}
