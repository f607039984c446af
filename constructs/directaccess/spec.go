package directaccess

import (
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"

	"github.com/apiless/apiless/manifest"
)

// Defaults applied when props leave a field out.
const (
	DefaultTableName    = "Items"
	DefaultPartitionKey = "userId"
	DefaultBucketName   = "Files"
	DefaultObjectPath   = "private/" + manifest.IdentityToken + "/*"
	DefaultTenantTagKey = "tenant"
)

// audience is who a grant is for. Group audiences are "group:<name>".
type audience string

const (
	audienceOwner         audience = "owner"
	audienceAuthenticated audience = "authenticated"
	audienceGuest         audience = "guest"
	audienceTenant        audience = "tenant"
)

func groupAudience(name string) audience { return audience("group:" + name) }

// spec is the validated, defaulted form of DirectAccessProps: plain strings and slices, no
// CDK objects, so the policy plan can be built and tested without jsii.
type spec struct {
	tables  []tableSpec
	buckets []bucketSpec
	guests  bool
	groups  []groupSpec
	// tenantTag is the principal tag key, "" when tenant isolation is off.
	tenantTag   string
	tenantClaim string
	origins     []string
}

type tableSpec struct {
	name           string
	imported       bool
	partitionKey   string
	sortKey        string
	partitionValue PartitionValue
	indexes        []indexSpec
	grants         map[audience][]TableOperation
	attributes     []string
}

type indexSpec struct {
	name, partitionKey, sortKey string
	global                      bool
}

type bucketSpec struct {
	name     string
	imported bool
	paths    []pathSpec
}

type pathSpec struct {
	pathTemplate
	grants map[audience][]StorageOperation
}

type groupSpec struct {
	name       string
	precedence float64
}

var (
	logicalNamePattern   = regexp.MustCompile(`^[A-Z][A-Za-z0-9]{0,63}$`)
	attributeNamePattern = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,255}$`)
	groupNamePattern     = regexp.MustCompile(`^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$`)
	indexNamePattern     = regexp.MustCompile(`^[A-Za-z0-9_.-]{3,255}$`)
	tagKeyPattern        = regexp.MustCompile(`^[A-Za-z0-9_.:/=+@-]{1,128}$`)
	tokenPattern         = regexp.MustCompile(`^\$\{Token\[[A-Za-z0-9_.-]+\]\}$`)
)

var (
	allTableOperations   = []TableOperation{TableRead, TableWrite, TableDelete}
	allStorageOperations = []StorageOperation{StorageGet, StorageList, StorageWrite, StorageDelete}
	readStorage          = []StorageOperation{StorageGet, StorageList}
)

// ValidateProps checks props the way DirectAccess does at synth and returns every problem at
// once, or nil. Each problem names the prop, the value received and what is expected.
func ValidateProps(props *DirectAccessProps) error {
	_, _, problems := compile(props)
	return problemsError(problems)
}

// compile validates props, plans every role's statements and packs them into policies. The
// problems include rule sets too large for IAM, which only show once the policies are built.
func compile(props *DirectAccessProps) (*spec, map[roleKind][][]statement, []string) {
	s, problems := newSpec(props)
	packs := map[roleKind][][]statement{}
	if len(problems) > 0 {
		return s, packs, problems
	}
	for _, p := range buildPlan(s) {
		pk, err := packPolicies(p)
		if err != nil {
			problems = append(problems, err.Error())
		}
		packs[p.Role] = pk
	}
	return s, packs, problems
}

func problemsError(problems []string) error {
	if len(problems) == 0 {
		return nil
	}
	return errors.New("DirectAccess: invalid props:\n  - " + strings.Join(problems, "\n  - "))
}

// newSpec applies defaults and validates. It never panics on bad input: every problem is
// collected so the user sees them all in one synth.
func newSpec(props *DirectAccessProps) (*spec, []string) {
	if props == nil {
		props = &DirectAccessProps{}
	}
	s := &spec{guests: props.Guests != nil}
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	switch props.Mfa {
	case "", awscognito.Mfa_OFF, awscognito.Mfa_OPTIONAL, awscognito.Mfa_REQUIRED:
	default:
		add("Mfa: %q is unknown; expected awscognito.Mfa_OFF, Mfa_OPTIONAL or Mfa_REQUIRED", props.Mfa)
	}
	if props.UserPool != nil && props.Mfa != "" {
		add("Mfa: %q is set with a brought-in UserPool; expected MFA to be configured on that pool", props.Mfa)
	}
	if (props.UserPool == nil) != (props.UserPoolClient == nil) && props.UserPool != nil {
		add("UserPoolClient: is nil while UserPool is set; expected the app client of that pool, so no stray client is created")
	}
	if props.UserPool == nil && props.UserPoolClient != nil {
		add("UserPoolClient: is set without UserPool; expected both or neither")
	}
	switch props.RemovalPolicy {
	case "", awscdk.RemovalPolicy_RETAIN, awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE, awscdk.RemovalPolicy_DESTROY:
	default:
		add("RemovalPolicy: %q is not supported by user pools and buckets; expected RETAIN (default), RETAIN_ON_UPDATE_OR_DELETE or DESTROY", props.RemovalPolicy)
	}
	if props.Guests != nil && (props.Guests.Acknowledge == nil || !*props.Guests.Acknowledge) {
		add("Guests.Acknowledge: is false; expected true to confirm that anyone on the internet may get guest credentials")
	}

	// Groups first: rules refer to them.
	groupNames := map[string]bool{}
	precedences := map[float64]string{}
	for i, g := range props.Groups {
		where := fmt.Sprintf("Groups[%d]", i)
		if g == nil {
			add("%s: is nil; expected a GroupRule", where)
			continue
		}
		name := str(g.Name)
		switch {
		case !groupNamePattern.MatchString(name):
			add("%s.Name: %q is not a Cognito group name; expected 1-128 printable characters without spaces", where, name)
		case groupNames[name]:
			add("%s.Name: %q is declared twice; expected unique group names", where, name)
		}
		groupNames[name] = true
		if g.Precedence == nil || *g.Precedence < 0 || *g.Precedence != float64(int(*g.Precedence)) {
			add("%s.Precedence: %s; expected a whole number >= 0 (lower wins when a user is in several groups)", where, describeFloat(g.Precedence))
		} else if other, dup := precedences[*g.Precedence]; dup {
			add("%s.Precedence: %v is also the precedence of group %q; expected unique precedences, or Cognito picks a role arbitrarily", where, *g.Precedence, other)
		} else {
			precedences[*g.Precedence] = name
			s.groups = append(s.groups, groupSpec{name: name, precedence: *g.Precedence})
		}
	}
	groupGranted := map[string]bool{}

	if t := props.Tenant; t != nil {
		s.tenantClaim = str(t.Claim)
		s.tenantTag = strOr(t.TagKey, DefaultTenantTagKey)
		claimValid := regexp.MustCompile(`^[A-Za-z0-9_:.-]{1,128}$`).MatchString(s.tenantClaim)
		if !claimValid {
			add("Tenant.Claim: %q is not a token claim name; expected e.g. \"custom:tenant\"", s.tenantClaim)
		}
		if !tagKeyPattern.MatchString(s.tenantTag) {
			add("Tenant.TagKey: %q is not a principal tag key; expected 1-128 letters, digits or _.:/=+@-", s.tenantTag)
		}
		// The construct's own pool and client: only custom attributes are kept away from the
		// users (the client may write email and name attributes), so only they can be trusted
		// to say which tenant a user belongs to.
		if claimValid && props.UserPool == nil && !strings.HasPrefix(s.tenantClaim, "custom:") {
			add("Tenant.Claim: %q can be written by users through the app client, so anyone could pick their tenant; expected a custom attribute such as \"custom:tenant\", which the construct creates and keeps read-only for users", s.tenantClaim)
		}
	}

	var seenTables, seenBuckets sameObjects
	if props.AccessLogsBucket != nil {
		seenBuckets.add(props.AccessLogsBucket, "AccessLogsBucket")
	}

	// Tables.
	tables := props.Tables
	if tables == nil {
		tables = []*TableRule{{}}
	}
	tableNames := map[string]bool{}
	for i, t := range tables {
		where := fmt.Sprintf("Tables[%d]", i)
		if t == nil {
			add("%s: is nil; expected a TableRule", where)
			continue
		}
		if t.Table != nil {
			if other, ok := seenTables.find(t.Table); ok {
				add("%s.Table: is the same table as %s; two rules on one table could grant each other's items (an identity ID and a tenant ID can be equal). Expected one TableRule per table", where, other)
			}
			seenTables.add(t.Table, where+".Table")
		}
		ts := tableSpec{
			name:           strOr(t.Name, ""),
			imported:       t.Table != nil,
			partitionKey:   strOr(t.PartitionKey, DefaultPartitionKey),
			sortKey:        str(t.SortKey),
			partitionValue: t.PartitionValue,
			grants:         map[audience][]TableOperation{},
		}
		if props.Tables == nil {
			ts.name = DefaultTableName
		}
		if ts.partitionValue == "" {
			ts.partitionValue = PartitionByIdentity
		}
		if !logicalNamePattern.MatchString(ts.name) {
			add("%s.Name: %q; expected a PascalCase name of letters and digits, e.g. \"Notes\"", where, ts.name)
		} else if tableNames[ts.name] {
			add("%s.Name: %q is declared twice; expected unique table names", where, ts.name)
		}
		tableNames[ts.name] = true
		if t.PartitionKey != nil && !attributeNamePattern.MatchString(ts.partitionKey) {
			add("%s.PartitionKey: %q is not a DynamoDB attribute name; expected 1-255 letters, digits or _.-", where, ts.partitionKey)
		}
		if t.SortKey != nil && (!attributeNamePattern.MatchString(ts.sortKey) || ts.sortKey == ts.partitionKey) {
			add("%s.SortKey: %q; expected an attribute name other than the partition key, or nil for no sort key", where, ts.sortKey)
		}
		switch ts.partitionValue {
		case PartitionByIdentity:
		case PartitionByTenant:
			if s.tenantTag == "" {
				add("%s.PartitionValue: %q but Tenant is nil; expected Tenant to map a tenant claim to a principal tag", where, ts.partitionValue)
			}
		default:
			add("%s.PartitionValue: %q is unknown; expected %q or %q", where, ts.partitionValue, PartitionByIdentity, PartitionByTenant)
		}
		indexNames := map[string]bool{}
		for j, ix := range t.Indexes {
			iw := fmt.Sprintf("%s.Indexes[%d]", where, j)
			if ix == nil {
				add("%s: is nil; expected an IndexRule", iw)
				continue
			}
			is := indexSpec{name: str(ix.Name), partitionKey: str(ix.PartitionKey), sortKey: str(ix.SortKey), global: ix.PartitionKey != nil}
			if !indexNamePattern.MatchString(is.name) || indexNames[is.name] {
				add("%s.Name: %q; expected a unique index name of 3-255 letters, digits or _.-", iw, is.name)
			}
			indexNames[is.name] = true
			if is.global && is.partitionKey != ts.partitionKey {
				add("%s.PartitionKey: %q is not the table's partition key %q; a query on this global index is checked against %q, so a caller could read other callers' items. Expected an index partitioned by %q (or a local index)", iw, is.partitionKey, ts.partitionKey, is.partitionKey, ts.partitionKey)
			}
			if !is.global && is.sortKey == "" {
				add("%s.SortKey: is empty for a local index; expected the index's sort key", iw)
			}
			if is.sortKey != "" && !attributeNamePattern.MatchString(is.sortKey) {
				add("%s.SortKey: %q is not a DynamoDB attribute name", iw, is.sortKey)
			}
			if !is.global && ts.imported == false && ts.sortKey == "" {
				add("%s: a local index needs the table to have a sort key; set %s.SortKey", iw, where)
			}
			ts.indexes = append(ts.indexes, is)
		}
		defaultOps := allTableOperations
		if t.Attributes != nil {
			// Whole-item deletes cannot be limited to attributes.
			defaultOps = []TableOperation{TableRead, TableWrite}
		}
		ts.grants[audienceAuthenticated] = tableOps(&problems, where+".Authenticated", t.Authenticated, defaultOps)
		if t.Guest != nil {
			ops := tableOps(&problems, where+".Guest", t.Guest, nil)
			if !s.guests {
				add("%s.Guest: grants %v but Guests is nil; expected Guests to be enabled first", where, ops)
			}
			if ts.partitionValue == PartitionByTenant {
				add("%s.Guest: grants %v on a table partitioned by tenant; guests belong to no tenant. Expected no Guest grant here", where, ops)
			}
			for _, op := range ops {
				if op != TableRead {
					add("%s.Guest: %q on per-identity items; guests may only read, since a guest's identity ID changes when it signs in and anyone can be a guest", where, op)
				}
			}
			ts.grants[audienceGuest] = ops
		}
		for _, g := range sortedKeys(t.Groups) {
			gw := fmt.Sprintf("%s.Groups[%q]", where, g)
			if !groupNames[g] {
				add("%s: group %q is not declared in Groups", gw, g)
			}
			ops := t.Groups[g]
			ts.grants[groupAudience(g)] = tableOps(&problems, gw, &ops, nil)
			if len(ops) > 0 {
				groupGranted[g] = true
			}
		}
		if t.Attributes != nil {
			attrs := map[string]bool{}
			for _, a := range *t.Attributes {
				name := str(a)
				if !attributeNamePattern.MatchString(name) {
					add("%s.Attributes: %q is not a DynamoDB attribute name", where, name)
				}
				attrs[name] = true
			}
			if len(*t.Attributes) == 0 {
				add("%s.Attributes: is empty; expected the attributes clients may use, or nil for no limit", where)
			}
			for _, key := range ts.keyAttributes() {
				attrs[key] = true
			}
			ts.attributes = sortedKeys(attrs)
			for _, a := range sortedKeys(ts.grants) {
				if slices.Contains(ts.grants[a], TableDelete) {
					add("%s.Attributes: set together with %q for %s; DeleteItem removes whole items, so it cannot be limited to attributes. Expected no delete with Attributes", where, TableDelete, a)
				}
			}
		}
		s.tables = append(s.tables, ts)
	}

	// Buckets.
	buckets := props.Buckets
	if buckets == nil {
		buckets = []*BucketRule{{Name: ptr(DefaultBucketName)}}
	}
	bucketNames := map[string]bool{}
	for i, b := range buckets {
		where := fmt.Sprintf("Buckets[%d]", i)
		if b == nil {
			add("%s: is nil; expected a BucketRule", where)
			continue
		}
		if b.Bucket != nil {
			if other, ok := seenBuckets.find(b.Bucket); ok {
				add("%s.Bucket: is the same bucket as %s; the path rules of one bucket must be checked together (nesting, neighbours). Expected all its paths in one BucketRule", where, other)
			}
			seenBuckets.add(b.Bucket, where+".Bucket")
		}
		bs := bucketSpec{name: str(b.Name), imported: b.Bucket != nil}
		if !logicalNamePattern.MatchString(bs.name) {
			add("%s.Name: %q; expected a PascalCase name of letters and digits, e.g. \"Files\"", where, bs.name)
		} else if bucketNames[bs.name] {
			add("%s.Name: %q is declared twice; expected unique bucket names", where, bs.name)
		}
		bucketNames[bs.name] = true
		rules := b.Paths
		if rules == nil {
			rules = []*PathRule{{Path: ptr(DefaultObjectPath), Owner: &allStorageOperations}}
		}
		if len(rules) == 0 {
			add("%s.Paths: is empty; expected at least one path rule, or nil for the default %q", where, DefaultObjectPath)
		}
		seen := map[string]bool{}
		for j, r := range rules {
			pw := fmt.Sprintf("%s.Paths[%d]", where, j)
			if r == nil {
				add("%s: is nil; expected a PathRule", pw)
				continue
			}
			tmpl, pathProblems := parsePath(str(r.Path))
			for _, p := range pathProblems {
				add("%s.Path: %s", pw, p)
			}
			if seen[tmpl.raw] {
				add("%s.Path: %q is declared twice in bucket %q; expected one rule per path", pw, tmpl.raw, bs.name)
			}
			seen[tmpl.raw] = true
			ps := pathSpec{pathTemplate: tmpl, grants: map[audience][]StorageOperation{}}
			set := func(a audience, field string, ops *[]StorageOperation, allowed []StorageOperation, why string) {
				if ops == nil {
					return
				}
				got := storageOps(&problems, pw+"."+field, ops)
				for _, op := range got {
					if allowed != nil && !slices.Contains(allowed, op) {
						add("%s.%s: %q on %q; %s", pw, field, op, tmpl.raw, why)
					}
				}
				ps.grants[a] = got
			}
			switch tmpl.token {
			case manifest.IdentityToken:
				set(audienceOwner, "Owner", r.Owner, nil, "")
				set(audienceAuthenticated, "Authenticated", r.Authenticated, readStorage, "other users may only get and list an identity's folder, never change it")
				set(audienceGuest, "Guest", r.Guest, readStorage, "guests may never write to a per-identity folder")
			case manifest.TenantToken:
				if s.tenantTag == "" {
					add("%s.Path: %q uses %s but Tenant is nil; expected Tenant to map a tenant claim to a principal tag", pw, tmpl.raw, manifest.TenantToken)
				}
				set(audienceTenant, "Tenant", r.Tenant, nil, "")
				if r.Authenticated != nil || r.Guest != nil {
					add("%s: Authenticated or Guest on tenant path %q would reach every tenant's folder; expected Tenant (or a named group)", pw, tmpl.raw)
				}
			default:
				set(audienceAuthenticated, "Authenticated", r.Authenticated, nil, "")
				set(audienceGuest, "Guest", r.Guest, readStorage, "guests are anyone on the internet and may only get and list")
			}
			if tmpl.token != manifest.IdentityToken && r.Owner != nil {
				add("%s.Owner: set on %q, which has no %s folder; expected Owner only on per-identity paths", pw, tmpl.raw, manifest.IdentityToken)
			}
			if tmpl.token != manifest.TenantToken && r.Tenant != nil {
				add("%s.Tenant: set on %q, which has no %s folder; expected Tenant only on per-tenant paths", pw, tmpl.raw, manifest.TenantToken)
			}
			if ps.grants[audienceGuest] != nil && !s.guests {
				add("%s.Guest: grants on %q but Guests is nil; expected Guests to be enabled first", pw, tmpl.raw)
			}
			for _, g := range sortedKeys(r.Groups) {
				if !groupNames[g] {
					add("%s.Groups[%q]: group %q is not declared in Groups", pw, g, g)
				}
				ops := r.Groups[g]
				ps.grants[groupAudience(g)] = storageOps(&problems, fmt.Sprintf("%s.Groups[%q]", pw, g), &ops)
				if len(ops) > 0 {
					groupGranted[g] = true
				}
			}
			// Empty operation lists grant nothing either; misplaced or unknown operations are
			// reported on their own above.
			requested := false
			for _, ops := range []*[]StorageOperation{r.Owner, r.Authenticated, r.Guest, r.Tenant} {
				requested = requested || (ops != nil && len(*ops) > 0)
			}
			for _, ops := range r.Groups {
				requested = requested || len(ops) > 0
			}
			if !requested {
				add("%s: %q grants nothing to anyone; expected at least one of Owner, Authenticated, Guest, Groups, Tenant", pw, tmpl.raw)
			}
			bs.paths = append(bs.paths, ps)
		}
		problems = append(problems, checkNesting(where, bs.paths)...)
		s.buckets = append(s.buckets, bs)
	}

	for _, g := range s.groups {
		if !groupGranted[g.name] {
			add("Groups: group %q is granted nothing by any table or path rule; its members would just get the signed-in grants. Expected a grant in a TableRule.Groups or PathRule.Groups, or remove the group", g.name)
		}
	}

	if props.CorsAllowedOrigins != nil {
		for i, o := range *props.CorsAllowedOrigins {
			origin := str(o)
			if origin == "*" {
				s.origins = append(s.origins, origin)
				continue
			}
			// A host only known at deploy time (a CDK token, such as a CloudFront domain name)
			// is accepted behind https://; CloudFormation fills it in.
			if host, ok := strings.CutPrefix(origin, "https://"); ok && tokenPattern.MatchString(host) {
				s.origins = append(s.origins, origin)
				continue
			}
			u, err := url.Parse(origin)
			if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
				add("CorsAllowedOrigins[%d]: %q is not a web origin; expected scheme://host[:port] such as \"https://app.example.com\" or \"http://localhost:5173\"", i, origin)
				continue
			}
			s.origins = append(s.origins, u.Scheme+"://"+u.Host)
		}
	}
	return s, problems
}

// checkNesting refuses path layouts whose access could not be expressed exactly: owner or
// tenant folders nested under another rule (the broader rule would cover every identity), and
// more than one level of nesting.
func checkNesting(where string, paths []pathSpec) []string {
	var problems []string
	for _, p := range paths {
		var parents []string
		for _, q := range paths {
			if p.isUnder(q.pathTemplate) {
				parents = append(parents, q.raw)
			}
		}
		sort.Strings(parents)
		if len(parents) > 1 {
			problems = append(problems, fmt.Sprintf("%s.Paths: %q is nested under %d rules (%s); expected at most one enclosing rule", where, p.raw, len(parents), strings.Join(parents, ", ")))
		}
		if len(parents) > 0 && p.token != "" {
			problems = append(problems, fmt.Sprintf("%s.Paths: %q is a per-%s folder under %q; a broader rule would cover every %s's folder. Expected %s paths outside other rules' folders", where, p.raw, strings.Trim(p.token, "{}"), parents[0], strings.Trim(p.token, "{}"), p.token))
		}
	}
	// A token folder granted to anyone but its owner (or tenant) is rendered with "*" in place
	// of the token, and IAM's "*" also matches "/": that grant reaches every folder beside the
	// token folders, so no other rule may live there.
	for _, q := range paths {
		slash := strings.LastIndex(q.folder, "/")
		if q.token == "" || slash < 0 {
			continue
		}
		parent := q.folder[:slash+1]
		for _, p := range paths {
			if p.raw == q.raw || !strings.HasPrefix(p.folder, parent) {
				continue
			}
			switch {
			case grantsBeyondOwner(q):
				problems = append(problems, fmt.Sprintf("%s.Paths: %q is beside the per-%s folders of %q, whose grants to others read %q in IAM, where \"*\" also matches \"/\": they would reach %q too. Expected other rules outside %q, or %q granted to its %s only", where, p.raw, strings.Trim(q.token, "{}"), q.raw, q.render(audienceAuthenticated, "")+"/*", p.raw, parent, q.raw, strings.Trim(q.token, "{}")))
			case q.token == manifest.TenantToken:
				// Tenant IDs are chosen by people: a tenant named like the folder beside it
				// (or like an identity ID) would own that folder.
				problems = append(problems, fmt.Sprintf("%s.Paths: %q is beside the per-tenant folders of %q: a tenant whose ID is the name of that folder would reach it. Expected other rules outside %q", where, p.raw, q.raw, parent))
			}
		}
	}
	return problems
}

// grantsBeyondOwner reports whether a token path grants anything to an audience other than
// the identity or tenant named by the token (such grants are rendered with a wildcard).
func grantsBeyondOwner(p pathSpec) bool {
	for a, ops := range p.grants {
		if len(ops) > 0 && a != audienceOwner && a != audienceTenant {
			return true
		}
	}
	return false
}

func (t tableSpec) keyAttributes() []string {
	keys := []string{t.partitionKey}
	if t.sortKey != "" {
		keys = append(keys, t.sortKey)
	}
	for _, ix := range t.indexes {
		if ix.global {
			keys = append(keys, ix.partitionKey)
		}
		if ix.sortKey != "" {
			keys = append(keys, ix.sortKey)
		}
	}
	return keys
}

func tableOps(problems *[]string, where string, ops *[]TableOperation, def []TableOperation) []TableOperation {
	if ops == nil {
		return def
	}
	var out []TableOperation
	for _, op := range *ops {
		if !slices.Contains(allTableOperations, op) {
			*problems = append(*problems, fmt.Sprintf("%s: unknown operation %q; expected one of %q, %q, %q", where, op, TableRead, TableWrite, TableDelete))
			continue
		}
		if !slices.Contains(out, op) {
			out = append(out, op)
		}
	}
	return out
}

func storageOps(problems *[]string, where string, ops *[]StorageOperation) []StorageOperation {
	var out []StorageOperation
	for _, op := range *ops {
		if !slices.Contains(allStorageOperations, op) {
			*problems = append(*problems, fmt.Sprintf("%s: unknown operation %q; expected one of %q, %q, %q, %q", where, op, StorageGet, StorageList, StorageWrite, StorageDelete))
			continue
		}
		if !slices.Contains(out, op) {
			out = append(out, op)
		}
	}
	return out
}

func str(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func strOr(s *string, def string) string {
	if s == nil {
		return def
	}
	return *s
}

func ptr[T any](v T) *T { return &v }

func describeFloat(f *float64) string {
	if f == nil {
		return "is nil"
	}
	return fmt.Sprintf("%v", *f)
}

func sortedKeys[K ~string, V any](m map[K]V) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// sameObjects remembers brought-in tables or buckets to find one passed twice. Objects are
// compared by identity where their type allows it; the construct also compares their ARNs when
// it synthesizes, which catches one resource imported twice by name.
type sameObjects []struct {
	obj   any
	where string
}

func (s *sameObjects) add(obj any, where string) {
	*s = append(*s, struct {
		obj   any
		where string
	}{obj, where})
}

func (s sameObjects) find(obj any) (string, bool) {
	if !reflect.TypeOf(obj).Comparable() {
		return "", false
	}
	for _, seen := range s {
		if reflect.TypeOf(seen.obj) == reflect.TypeOf(obj) && seen.obj == obj {
			return seen.where, true
		}
	}
	return "", false
}
