package directaccess

import (
	"encoding/json"
	"slices"

	"github.com/apiless/apiless/manifest"
)

// The shared vocabulary of the package: who a grant is for, which roles the identity pool hands
// out, and IAM statements as plain data. Every other file builds on these; this file refers to
// no other file of the package.

// Defaults applied when props leave a field out.
const (
	DefaultTableName    = "Items"
	DefaultPartitionKey = "userId"
	DefaultBucketName   = "Files"
	DefaultObjectPath   = "private/" + identityToken + "/*"
	DefaultTenantTagKey = "tenant"
	// DefaultMaxReadRequestUnits and DefaultMaxWriteRequestUnits cap every new table: at
	// on-demand list prices (us-east-1, $0.125 per million reads, $0.625 per million writes, as
	// known on 2026-12-01) a table held at both caps costs at most $0.45 + $0.45 = $0.90 an hour.
	DefaultMaxReadRequestUnits  = 1000
	DefaultMaxWriteRequestUnits = 200
	// DefaultIncompleteUploadDays and DefaultNoncurrentVersionDays are the lifecycle of every
	// new bucket.
	DefaultIncompleteUploadDays  = 7
	DefaultNoncurrentVersionDays = 30
	// DefaultPresignedMaxAgeSeconds is how long a presigned GET URL is accepted when
	// PresignedGets is on without MaxAgeSeconds.
	DefaultPresignedMaxAgeSeconds = 300
)

// The path tokens.
const (
	identityToken = manifest.IdentityToken
	tenantToken   = manifest.TenantToken
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

// TenantTagRefusedPatterns are tenant tag values every tenant statement refuses: a value
// with "/" would reach into another tenant's folder ("acme/secret" inside "acme"), and "*" or
// "?" could act as wildcards once substituted into a resource. Written with IAM's ${*} and ${?}
// escapes, so the patterns match those characters literally.
var TenantTagRefusedPatterns = []string{"*/*", "*${*}*", "*${?}*"}

// audience is who a grant is for. Group audiences are "group:<name>".
type audience string

const (
	audienceOwner         audience = "owner"
	audienceAuthenticated audience = "authenticated"
	audienceGuest         audience = "guest"
	audienceTenant        audience = "tenant"
)

func groupAudience(name string) audience { return audience("group:" + name) }

// roleKind identifies a role the identity pool hands out.
type roleKind string

const (
	roleAuthenticated roleKind = "authenticated"
	roleGuest         roleKind = "guest"
)

func groupRole(name string) roleKind { return roleKind("group:" + name) }

var (
	allTableOperations   = []TableOperation{TableRead, TableWrite, TableDelete}
	allStorageOperations = []StorageOperation{StorageGet, StorageList, StorageWrite, StorageDelete}
	readStorage          = []StorageOperation{StorageGet, StorageList}
)

type resourceKind string

const (
	tableResource  resourceKind = "table"
	bucketResource resourceKind = "bucket"
	// anyResource is "*": only in Deny statements.
	anyResource resourceKind = "any"
	// keyResource is the customer managed KMS key.
	keyResource resourceKind = "key"
)

// Placeholders in condition values, filled in by the wiring with deploy-time values.
const (
	regionPlaceholder = "{region}"
)

// bucketArnPlaceholder stands for the ARN of the named bucket in a condition value.
func bucketArnPlaceholder(name string) string { return "{bucketArn:" + name + "}" }

// tableNamePlaceholder stands for the physical name of the named table in a condition value.
func tableNamePlaceholder(name string) string { return "{tableName:" + name + "}" }

// resource is <ARN of the named table or bucket><suffix>. Resources are symbolic here and
// become CloudFormation ARNs only in the wiring.
type resource struct {
	Kind   resourceKind
	Name   string
	Suffix string
}

// conditions is operator -> key -> values, as in an IAM Condition block.
type conditions map[string]map[string][]string

// statement is one IAM policy statement.
type statement struct {
	Sid        string
	Effect     string
	Actions    []string
	Resources  []resource
	Conditions conditions
	// sidBase groups statements that may be merged and names the result.
	sidBase string
}

func (c conditions) add(op, key string, values ...string) {
	if c[op] == nil {
		c[op] = map[string][]string{}
	}
	c[op][key] = append(c[op][key], values...)
}

func (c conditions) clone() conditions {
	if c == nil {
		return nil
	}
	out := conditions{}
	for op, kv := range c {
		for k, v := range kv {
			out.add(op, k, v...)
		}
	}
	return out
}

func (c conditions) key() string {
	b, _ := json.Marshal(c) // maps marshal with sorted keys: a stable key
	return string(b)
}

// appendNew appends the values not yet in list.
func appendNew[T comparable](list []T, values ...T) []T {
	for _, v := range values {
		if !slices.Contains(list, v) {
			list = append(list, v)
		}
	}
	return list
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

// optional is nil for "", so CloudFormation leaves the property out.
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
