package directaccess

import (
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"

	"github.com/apiless/apiless/validation"
)

// checker carries what the prop groups share while a spec is built.
type checker struct {
	props    *DirectAccessProps
	s        *spec
	problems validation.List
	// groupNames are the declared groups (rules refer to them); groupGranted those some rule
	// grants something.
	groupNames, groupGranted map[string]bool
	// brought-in objects seen so far, to find one passed to two rules.
	seenTables, seenBuckets sameObjects
}

func (c *checker) add(field string, typ validation.Type, value any, format string, args ...any) {
	c.problems.Add(field, typ, value, format, args...)
}

var (
	logicalNamePattern   = regexp.MustCompile(`^[A-Z][A-Za-z0-9]{0,63}$`)
	attributeNamePattern = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,255}$`)
	groupNamePattern     = regexp.MustCompile(`^[\p{L}\p{M}\p{S}\p{N}\p{P}]{1,128}$`)
	indexNamePattern     = regexp.MustCompile(`^[A-Za-z0-9_.-]{3,255}$`)
	tagKeyPattern        = regexp.MustCompile(`^[A-Za-z0-9_.:/=+@-]{1,128}$`)
	claimPattern         = regexp.MustCompile(`^[A-Za-z0-9_:.-]{1,128}$`)
	tokenPattern         = regexp.MustCompile(`^\$\{Token\[[A-Za-z0-9_.-]+\]\}$`)
	// Cognito identity pool names: 1-128 of [\w\s+=,.@-].
	identityPoolNamePattern = regexp.MustCompile(`^[\w\s+=,.@-]{1,128}$`)
)

func (c *checker) pool() {
	p := c.props
	switch p.Mfa {
	case "", awscognito.Mfa_OFF, awscognito.Mfa_OPTIONAL, awscognito.Mfa_REQUIRED:
	default:
		c.add("Mfa", validation.NotSupported, string(p.Mfa), "%q is unknown; expected awscognito.Mfa_OFF, Mfa_OPTIONAL or Mfa_REQUIRED", p.Mfa)
	}
	if p.UserPool != nil && p.Mfa != "" {
		c.add("Mfa", validation.Conflict, string(p.Mfa), "%q is set with a brought-in UserPool; expected MFA to be configured on that pool", p.Mfa)
	}
	if p.UserPool != nil && p.UserPoolClient == nil {
		c.add("UserPoolClient", validation.Required, nil, "is nil while UserPool is set; expected the app client of that pool, so no stray client is created")
	}
	if p.UserPool == nil && p.UserPoolClient != nil {
		c.add("UserPoolClient", validation.Conflict, nil, "is set without UserPool; expected both or neither")
	}
	c.s.pool = poolSpec{existing: p.UserPool, client: p.UserPoolClient}
	if p.UserPool == nil {
		c.s.pool.client = nil
		c.s.pool.mfa = p.Mfa
		if c.s.pool.mfa == "" {
			c.s.pool.mfa = awscognito.Mfa_OPTIONAL
		}
		c.s.pool.password = defaultPasswordPolicy
	}
}

func (c *checker) removal() {
	policy := c.props.RemovalPolicy
	switch policy {
	case "":
		policy = awscdk.RemovalPolicy_RETAIN
	case awscdk.RemovalPolicy_RETAIN, awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE, awscdk.RemovalPolicy_DESTROY:
	default:
		c.add("RemovalPolicy", validation.NotSupported, string(policy), "%q is not supported by user pools and buckets; expected RETAIN (default), RETAIN_ON_UPDATE_OR_DELETE or DESTROY", policy)
	}
	retained := policy == awscdk.RemovalPolicy_RETAIN || policy == awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE
	c.s.removal = removalSpec{policy: policy, retained: retained}
}

func (c *checker) guests() {
	if g := c.props.Guests; g != nil && (g.Acknowledge == nil || !*g.Acknowledge) {
		c.add("Guests.Acknowledge", validation.Required, false, "is false; expected true to confirm that anyone on the internet may get guest credentials")
	}
}

func (c *checker) groups() {
	precedences := map[float64]string{}
	for i, g := range c.props.Groups {
		where := validation.Index("Groups", i)
		if g == nil {
			c.add(where, validation.Required, nil, "is nil; expected a GroupRule")
			continue
		}
		name := str(g.Name)
		duplicate := c.groupNames[name]
		switch {
		case !groupNamePattern.MatchString(name):
			c.add(where+".Name", validation.Invalid, name, "%q is not a Cognito group name; expected 1-128 printable characters without spaces", name)
		case duplicate:
			c.add(where+".Name", validation.Duplicate, name, "%q is declared twice; expected unique group names", name)
		}
		c.groupNames[name] = true
		if g.Precedence == nil || *g.Precedence < 0 || *g.Precedence != float64(int(*g.Precedence)) {
			c.add(where+".Precedence", validation.Invalid, describeFloat(g.Precedence), "%s; expected a whole number >= 0 (lower wins when a user is in several groups)", describeFloat(g.Precedence))
		} else if other, dup := precedences[*g.Precedence]; dup {
			c.add(where+".Precedence", validation.Duplicate, *g.Precedence, "%v is also the precedence of group %q; expected unique precedences, or Cognito picks a role arbitrarily", *g.Precedence, other)
		} else if !duplicate {
			precedences[*g.Precedence] = name
			c.s.groups = append(c.s.groups, groupSpec{name: name, precedence: *g.Precedence})
		}
	}
}

func (c *checker) tenant() {
	t := c.props.Tenant
	if t == nil {
		return
	}
	c.s.tenantClaim = str(t.Claim)
	c.s.tenantTag = strOr(t.TagKey, DefaultTenantTagKey)
	claimValid := claimPattern.MatchString(c.s.tenantClaim)
	if !claimValid {
		c.add("Tenant.Claim", validation.Invalid, c.s.tenantClaim, "%q is not a token claim name; expected e.g. \"custom:tenant\"", c.s.tenantClaim)
	}
	switch {
	case !tagKeyPattern.MatchString(c.s.tenantTag):
		c.add("Tenant.TagKey", validation.Invalid, c.s.tenantTag, "%q is not a principal tag key; expected 1-128 letters, digits or _.:/=+@-", c.s.tenantTag)
	case strings.HasPrefix(strings.ToLower(c.s.tenantTag), "aws:"):
		c.add("Tenant.TagKey", validation.Invalid, c.s.tenantTag, "%q starts with the prefix \"aws:\", which AWS reserves for its own tags; expected a key such as %q", c.s.tenantTag, DefaultTenantTagKey)
	}
	// The construct's own pool and client: only custom attributes are kept away from the
	// users (the client may write email and name attributes), so only they can be trusted
	// to say which tenant a user belongs to.
	if claimValid && c.props.UserPool == nil && !strings.HasPrefix(c.s.tenantClaim, "custom:") {
		c.add("Tenant.Claim", validation.Forbidden, c.s.tenantClaim, "%q can be written by users through the app client, so anyone could pick their tenant; expected a custom attribute such as \"custom:tenant\", which the construct creates and keeps read-only for users", c.s.tenantClaim)
	}
}

// ungrantedGroups refuses groups no rule grants anything: their members would just get the
// signed-in grants, which is almost certainly a mistake in the rules.
func (c *checker) ungrantedGroups() {
	for _, g := range c.s.groups {
		if !c.groupGranted[g.name] {
			c.add("Groups", validation.Invalid, g.name, "group %q is granted nothing by any table or path rule; its members would just get the signed-in grants. Expected a grant in a TableRule.Groups or PathRule.Groups, or remove the group", g.name)
		}
	}
}

func (c *checker) origins() {
	if c.props.CorsAllowedOrigins == nil {
		return
	}
	for i, o := range *c.props.CorsAllowedOrigins {
		origin := str(o)
		if origin == "*" {
			c.s.origins = append(c.s.origins, origin)
			continue
		}
		// A host only known at deploy time (a CDK token, such as a CloudFront domain name)
		// is accepted behind https://; CloudFormation fills it in.
		if host, ok := strings.CutPrefix(origin, "https://"); ok && tokenPattern.MatchString(host) {
			c.s.origins = append(c.s.origins, origin)
			continue
		}
		u, err := url.Parse(origin)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
			c.add(validation.Index("CorsAllowedOrigins", i), validation.Invalid, origin, "%q is not a web origin; expected scheme://host[:port] such as \"https://app.example.com\" or \"http://localhost:5173\"", origin)
			continue
		}
		c.s.origins = append(c.s.origins, u.Scheme+"://"+u.Host)
	}
}

func (c *checker) identityPoolName() {
	name := c.props.IdentityPoolName
	if name == nil {
		return
	}
	c.s.identityPoolName = *name
	if tokenPattern.MatchString(*name) {
		return // known at deploy time; Cognito checks it then
	}
	if !identityPoolNamePattern.MatchString(*name) {
		c.add("IdentityPoolName", validation.Invalid, *name, "%q (%d characters) is not an identity pool name; expected 1-128 letters, digits, spaces or +=,.@_-", *name, utf8.RuneCountInString(*name))
	}
}

// reservedIDs are the construct IDs of the construct's own children: a table or bucket rule
// named like one of them would collide with it in the construct tree.
var reservedIDs = []string{"UserPool", "UserPoolClient", "IdentityPool", "AuthenticatedRole", "GuestRole", "Groups", "RoleAttachment", "PrincipalTags", "AccessLogs", "BlockList", "Maintenance", "Budget", "DataKey", "AuditTrail", "SignInProtection", "TopTalkers", "BudgetDenyAllData", "BudgetActionRole", "BudgetAction", "AuditLogs", "SignInProtectionAssociation"}

// constructIDs refuses a table and a bucket with the same Name, and names the construct uses for
// its own children: both would fail deep inside CDK ("There is already a Construct with name").
func (c *checker) constructIDs() {
	buckets := map[string]string{}
	for _, b := range c.s.buckets {
		buckets[b.name] = b.field
	}
	for _, t := range c.s.tables {
		if other, ok := buckets[t.name]; ok && t.name != "" {
			c.add(t.field+".Name", validation.Duplicate, t.name, "%q is also the Name of %s; tables and buckets share one construct namespace (a default table is %q, a default bucket %q). Expected different names", t.name, other, DefaultTableName, DefaultBucketName)
		}
	}
	check := func(field, name string) {
		if slices.Contains(reservedIDs, name) {
			c.add(field+".Name", validation.Forbidden, name, "%q is the construct ID of the construct's own %s; expected another name (reserved: %s)", name, name, strings.Join(reservedIDs, ", "))
		}
	}
	for _, t := range c.s.tables {
		check(t.field, t.name)
	}
	for _, b := range c.s.buckets {
		check(b.field, b.name)
	}
}

func (c *checker) riskyChoices() {
	s := c.s
	if s.removal.policy == awscdk.RemovalPolicy_DESTROY {
		s.warn("destroyUserData", fmt.Sprintf("RemovalPolicy is %s: the user pool, tables and buckets (every user's data) are deleted with the stack", s.removal.policy))
	}
	if slices.Contains(s.origins, "*") {
		s.warn("corsWildcard", `CorsAllowedOrigins contains "*": any web site can call the buckets from a visitor's browser with that visitor's credentials`)
	}
	if s.guests {
		s.warn("guestsEnabled", "Guests is on: anyone on the internet can get guest credentials and use what the rules grant to guests")
	}
	if s.tenantTag != "" && s.pool.client != nil {
		s.warn("tenantClaimWritable", fmt.Sprintf("Tenant.Claim %q comes from a brought-in user pool client: make sure that client cannot write the attribute, or a user can move into another tenant", s.tenantClaim))
	}
}

func describeFloat(f *float64) string {
	if f == nil {
		return "is nil"
	}
	return fmt.Sprintf("%v", *f)
}

func sortedKeys[K ~string, V any](m map[K]V) []K { return slices.Sorted(maps.Keys(m)) }
