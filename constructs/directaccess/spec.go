package directaccess

import (
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscognito"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
)

// spec is the validated, defaulted form of DirectAccessProps, decided once: the wiring reads
// nothing else. Brought-in CDK objects are held, never called, so a spec is built and tested
// without jsii.
type spec struct {
	pool    poolSpec
	removal removalSpec
	tables  []tableSpec
	buckets []bucketSpec
	guests  bool
	groups  []groupSpec
	// tenantTag is the principal tag key, "" when tenant isolation is off.
	tenantTag   string
	tenantClaim string
	origins     []string
	// identityPoolName is the identity pool's name, "" for a generated one.
	identityPoolName string
	// accessLogs is the brought-in access-logs bucket, nil for a new one (created only when the
	// construct creates a bucket).
	accessLogs awss3.IBucket
	// presignedMaxAge is the accepted age of presigned GETs in seconds, 0 when they are denied.
	presignedMaxAge int
	// blocked are the identity IDs the block list denies.
	blocked     []string
	maintenance MaintenanceMode
	// budget is nil when no budget is asked for.
	budget *budgetSpec
	// key is the customer managed key: nil when AWS managed keys are used.
	key *keySpec
	// auditDays is the audit log retention in days, 0 without an audit trail.
	auditDays int
	// threatProtection and rateLimit (requests per 5 minutes per IP, 0 without a web ACL) guard
	// sign-in.
	threatProtection bool
	rateLimit        int
	email            *emailSpec
	// topTalkers is on with alarmTopic ("" for alarms without actions).
	topTalkers bool
	alarmTopic string
	warnings   []warning
}

type emailSpec struct {
	from, fromName, replyTo, sesRegion, configurationSet string
}

type keySpec struct {
	// existing is the brought-in key, nil for a new one.
	existing awskms.IKey
}

type budgetSpec struct {
	limit                     float64
	emails                    []string
	topicArn                  string
	notifyPercent, actPercent float64
}

// poolSpec is the user pool: brought in (existing and client set) or new (the rest).
type poolSpec struct {
	existing awscognito.IUserPool
	client   awscognito.IUserPoolClient
	// mfa of a new pool; "" for a brought-in pool.
	mfa      awscognito.Mfa
	password passwordPolicy
}

// passwordPolicy is the new pool's password rules, rendered both into the pool and into the
// frontend manifest, so a sign-up form checks exactly what Cognito checks.
type passwordPolicy struct {
	minLength                             int
	lowercase, uppercase, digits, symbols bool
	tempPasswordDays                      int
}

// Token lifetimes of the new pool's app client. Short ID and access tokens bound how long a
// removed group membership or a changed tenant claim lingers (a token's life plus the one hour of
// identity pool credentials); the refresh token keeps users signed in for a month, and global
// sign-out revokes it.
const (
	idTokenMinutes   = 30
	refreshTokenDays = 30
)

var defaultPasswordPolicy = passwordPolicy{minLength: 8, lowercase: true, uppercase: true, digits: true, symbols: true, tempPasswordDays: 3}

type removalSpec struct {
	policy awscdk.RemovalPolicy
	// retained is true when stateful resources survive the stack (deletion protection on).
	retained bool
}

type tableSpec struct {
	name string
	// field is the rule's place in the props, e.g. "Tables[1]", for problems found later.
	field string
	// existing is the brought-in table, nil for a new one.
	existing       awsdynamodb.ITable
	imported       bool
	partitionKey   string
	sortKey        string
	partitionValue PartitionValue
	indexes        []indexSpec
	grants         map[audience][]TableOperation
	attributes     []string
	// maxRead and maxWrite are the on-demand caps of a new table, 0 when uncapped.
	maxRead, maxWrite int
}

type indexSpec struct {
	name, partitionKey, sortKey string
	global                      bool
}

type bucketSpec struct {
	name string
	// field is the rule's place in the props, e.g. "Buckets[0]".
	field string
	// existing is the brought-in bucket, nil for a new one.
	existing awss3.IBucket
	imported bool
	paths    []pathSpec
	// incompleteUploadDays and noncurrentVersionDays are the lifecycle of a new bucket.
	incompleteUploadDays, noncurrentVersionDays int
}

type pathSpec struct {
	pathTemplate
	grants map[audience][]StorageOperation
}

type groupSpec struct {
	name       string
	precedence float64
}

// warning is a risky-but-legal choice, reported as a CDK warning annotation "apiless:<id>".
type warning struct {
	id, message string
}

func (s *spec) warn(id, message string) { s.warnings = append(s.warnings, warning{id, message}) }

func (s *spec) table(name string) (tableSpec, bool) {
	for _, t := range s.tables {
		if t.name == name {
			return t, true
		}
	}
	return tableSpec{}, false
}

func (s *spec) bucket(name string) (bucketSpec, bool) {
	for _, b := range s.buckets {
		if b.name == name {
			return b, true
		}
	}
	return bucketSpec{}, false
}

// createsBucket reports whether the construct creates at least one bucket (and so needs an
// access-logs bucket).
func (s *spec) createsBucket() bool {
	for _, b := range s.buckets {
		if !b.imported {
			return true
		}
	}
	return false
}

// roles lists the roles the spec needs, in a stable order.
func (s *spec) roles() []roleKind {
	roles := []roleKind{roleAuthenticated}
	if s.guests {
		roles = append(roles, roleGuest)
	}
	for _, g := range s.groups {
		roles = append(roles, groupRole(g.name))
	}
	return roles
}

// audiencesOf is who a role's holder counts as. A group role REPLACES the authenticated role
// for its members, so it carries every signed-in and per-identity grant as well.
func (s *spec) audiencesOf(r roleKind) []audience {
	switch r {
	case roleAuthenticated:
		return []audience{audienceOwner, audienceAuthenticated, audienceTenant}
	case roleGuest:
		return []audience{audienceGuest}
	}
	name := strings.TrimPrefix(string(r), "group:")
	return []audience{audienceOwner, audienceAuthenticated, audienceTenant, groupAudience(name)}
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

// grantsBeyondOwner reports whether a token path grants anything to an audience other than
// the identity or tenant named by the token (such grants are rendered with a wildcard).
func (p pathSpec) grantsBeyondOwner() bool {
	for a, ops := range p.grants {
		if len(ops) > 0 && a != audienceOwner && a != audienceTenant {
			return true
		}
	}
	return false
}

// reachPatterns are the IAM patterns of the objects the rule's statements can match: its keys,
// and for a token folder granted to others the wildcard rendering, where "*" also matches "/".
func (p pathSpec) reachPatterns() []string {
	out := []string{p.keysPattern()}
	if p.token != "" && p.grantsBeyondOwner() {
		out = append(out, strings.Replace(escapeIAM(p.folder), p.token, "*", 1)+"/*")
	}
	return out
}
